"""Codebooks, their themes, comments and how each comment was coded.

A comment is one free-text answer, stored redacted: that is what reviewers, exports and
publications see. The original stays in the response's answers. Codings record whether a
person or the machine made them, with the machine's confidence and model.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum


class CodebookStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class CodingSource(StrEnum):
    MACHINE = "machine"
    HUMAN = "human"


class Codebook(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    version: int = Field(default=1)
    status: CodebookStatus = Field(default=CodebookStatus.DRAFT, sa_type=value_enum(CodebookStatus))
    source: str = Field(default="", max_length=300)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("codebook_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    key: str = Field(max_length=80)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = Field(default=0)


class Comment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    question_id: str = Field(max_length=60)
    text_redacted: str = Field(sa_column=Column(Text, nullable=False))
    sentiment: str = Field(default="", max_length=10)
    flagged: bool = Field(default=False)
    # The writer agreed to these words being quoted, without their name, in reports.
    quote_consent: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )

    @property
    def quotable(self) -> bool:
        """The writer agreed to be quoted, and it raised no safeguarding concern."""
        return self.quote_consent and not self.flagged


def quotable_comments() -> Any:
    """The same rule as `Comment.quotable`, as a WHERE clause for a query."""
    return col(Comment.quote_consent).is_(True) & col(Comment.flagged).is_(False)


class CommentTheme(SQLModel, table=True):
    __tablename__ = "comment_theme"
    __table_args__ = (UniqueConstraint("comment_id", "theme_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    source: CodingSource = Field(sa_type=value_enum(CodingSource))
    confidence: float | None = Field(default=None)
    coder_model_id: int | None = Field(default=None, foreign_key="coder_model.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class CoderModel(SQLModel, table=True):
    __tablename__ = "coder_model"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    codebook_version: int
    trained_on: int
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The joblib file itself, so that every web worker and job worker sees the same model.
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def create_codebook(
    *,
    session: Session,
    organisation_id: int,
    name: str,
    themes: list[dict[str, str]],
    status: CodebookStatus = CodebookStatus.DRAFT,
    source: str = "",
) -> Codebook:
    """Create a codebook with themes given as dicts of key, name and description."""
    keys = [theme["key"] for theme in themes]
    if len(set(keys)) != len(keys):
        raise ValueError("Each theme in a codebook needs its own key.")
    codebook = Codebook(organisation_id=organisation_id, name=name, status=status, source=source)
    session.add(codebook)
    session.flush()
    for position, theme in enumerate(themes):
        session.add(
            Theme(
                codebook_id=codebook.id,  # type: ignore[arg-type]
                key=theme["key"],
                name=theme["name"],
                description=theme.get("description", ""),
                position=position,
            )
        )
    session.flush()
    return codebook


def get_active_codebook(*, session: Session, organisation_id: int) -> Codebook | None:
    """The codebook new comments are coded against."""
    query = (
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .where(Codebook.status == CodebookStatus.ACTIVE)
        .order_by(col(Codebook.id).desc())
    )
    return session.exec(query).first()


def get_codebook(*, session: Session, organisation_id: int, codebook_id: int) -> Codebook | None:
    """One codebook, only within the given organisation."""
    codebook = session.get(Codebook, codebook_id)
    if codebook is None or codebook.organisation_id != organisation_id:
        return None
    return codebook


def list_codebooks(*, session: Session, organisation_id: int) -> list[Codebook]:
    """An organisation's codebooks, newest first."""
    query = (
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .order_by(col(Codebook.id).desc())
    )
    return list(session.exec(query))


def list_themes(*, session: Session, codebook_id: int) -> list[Theme]:
    """A codebook's themes in order."""
    query = select(Theme).where(Theme.codebook_id == codebook_id).order_by(col(Theme.position))
    return list(session.exec(query))


def save_comment(
    *,
    session: Session,
    organisation_id: int,
    response_id: int | None,
    question_id: str,
    text_redacted: str,
    sentiment: str,
    flagged: bool,
    quote_consent: bool = False,
) -> Comment:
    """Store one redacted free-text answer."""
    comment = Comment(
        organisation_id=organisation_id,
        response_id=response_id,
        question_id=question_id,
        text_redacted=text_redacted,
        sentiment=sentiment,
        flagged=flagged,
        quote_consent=quote_consent,
    )
    session.add(comment)
    session.flush()
    return comment


def code_comment(
    *,
    session: Session,
    comment: Comment,
    theme_ids: dict[int, float | None],
    source: CodingSource,
    coder_model_id: int | None = None,
) -> None:
    """Replace a comment's codings from one source with the given themes and confidences."""
    for old in session.exec(
        select(CommentTheme)
        .where(CommentTheme.comment_id == comment.id)
        .where(CommentTheme.source == source)
    ):
        session.delete(old)
    session.flush()
    for theme_id, confidence in theme_ids.items():
        session.add(
            CommentTheme(
                comment_id=comment.id,  # type: ignore[arg-type]
                theme_id=theme_id,
                source=source,
                confidence=confidence,
                coder_model_id=coder_model_id,
            )
        )
    session.flush()


def list_comments(
    *, session: Session, organisation_id: int, limit: int | None = None
) -> list[Comment]:
    """An organisation's comments, oldest first."""
    query = (
        select(Comment).where(Comment.organisation_id == organisation_id).order_by(col(Comment.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def codings_for(
    *, session: Session, comment_ids: list[int], source: CodingSource
) -> dict[int, list[CommentTheme]]:
    """Each comment's codings from one source."""
    found: dict[int, list[CommentTheme]] = {comment_id: [] for comment_id in comment_ids}
    if not comment_ids:
        return found
    query = (
        select(CommentTheme)
        .where(col(CommentTheme.comment_id).in_(comment_ids))
        .where(CommentTheme.source == source)
    )
    for coding in session.exec(query):
        found[coding.comment_id].append(coding)
    return found


def human_coded_examples(
    *, session: Session, codebook_id: int
) -> tuple[list[str], list[list[str]]]:
    """Texts a person has coded against this codebook, with the theme keys they chose."""
    query = (
        select(Comment.id, Comment.text_redacted, Theme.key)
        .join(CommentTheme, col(CommentTheme.comment_id) == Comment.id)
        .join(Theme, col(Theme.id) == CommentTheme.theme_id)
        .where(Theme.codebook_id == codebook_id)
        .where(CommentTheme.source == CodingSource.HUMAN)
        .order_by(col(Comment.id))
    )
    texts: dict[int, str] = {}
    keys: dict[int, list[str]] = {}
    for comment_id, text, key in session.exec(query):
        assert comment_id is not None  # a stored comment always has its id
        texts[comment_id] = text
        keys.setdefault(comment_id, []).append(key)
    return list(texts.values()), [keys[comment_id] for comment_id in texts]


def save_coder_model(
    *,
    session: Session,
    organisation_id: int,
    codebook: Codebook,
    trained_on: int,
    details: dict[str, Any],
    data: bytes,
) -> CoderModel:
    """Store a trained coder for a codebook."""
    model = CoderModel(
        organisation_id=organisation_id,
        codebook_id=codebook.id,  # type: ignore[arg-type]
        codebook_version=codebook.version,
        trained_on=trained_on,
        details=details,
        data=data,
    )
    session.add(model)
    session.flush()
    return model


def latest_coder_model(*, session: Session, codebook: Codebook) -> CoderModel | None:
    """The newest coder trained on this version of the codebook."""
    query = (
        select(CoderModel)
        .where(CoderModel.codebook_id == codebook.id)
        .where(CoderModel.codebook_version == codebook.version)
        .order_by(col(CoderModel.id).desc())
    )
    return session.exec(query).first()
