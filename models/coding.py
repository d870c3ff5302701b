"""Codebooks, their themes, comments and how each comment was coded.

A comment is one free-text answer, stored redacted: that is what reviewers, exports and
publications see. The original stays in the response's answers. Codings record whether a
person or the machine made them, with the machine's confidence and model.
"""

from collections.abc import Mapping
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
    # Suggested because discovery grouped the comment with a cluster that became the theme.
    DISCOVERY = "discovery"


class ThemeStatus(StrEnum):
    ACTIVE = "active"
    # Folded into another theme: its comments moved there, and it is kept for the history.
    MERGED = "merged"
    RETIRED = "retired"


OUTCOME_AREA_LENGTH = 60


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
    parent_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    # "Use when ..." and "Do not use when ...": how coders tell this theme from its neighbours.
    inclusion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    exclusion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    examples: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    outcome_area: str = Field(default="", max_length=OUTCOME_AREA_LENGTH)
    status: ThemeStatus = Field(default=ThemeStatus.ACTIVE, sa_type=value_enum(ThemeStatus))
    merged_into_id: int | None = Field(default=None, foreign_key="theme.id")

    @property
    def active(self) -> bool:
        return self.status == ThemeStatus.ACTIVE


class Comment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    question_id: str = Field(max_length=60)
    text_redacted: str = Field(sa_column=Column(Text, nullable=False))
    # The choice it was written in, as Response.language: "en", "easy" (easy read), "ar" ...
    language: str = Field(default="en", max_length=10)
    sentiment: str = Field(default="", max_length=10)
    flagged: bool = Field(default=False)
    # The writer agreed to these words being quoted, without their name, in reports.
    quote_consent: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    # Where the writer lives or goes to school, when the form or invitation says: a filter.
    district_id: int | None = Field(default=None, foreign_key="district.id")
    # How unsure the machine coder was (0 sure, 1 could go either way): the review order.
    uncertainty: float | None = Field(default=None, index=True)
    # A person has checked this comment's themes and sentiment.
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reviewed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")

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
    # The machine's (or discovery's) confidence; None for a person.
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
    themes: list[dict[str, Any]],
    status: CodebookStatus = CodebookStatus.DRAFT,
    source: str = "",
) -> Codebook:
    """Create a codebook from themes given as dicts.

    Each dict has a key and a name, and may have a description, inclusion and exclusion
    notes, examples, an outcome area and a ``parent`` (the key of an earlier theme).
    """
    keys = [theme["key"] for theme in themes]
    if len(set(keys)) != len(keys):
        raise ValueError("Each theme in a codebook needs its own key.")
    codebook = Codebook(organisation_id=organisation_id, name=name, status=status, source=source)
    session.add(codebook)
    session.flush()
    add_themes(session=session, codebook=codebook, themes=themes)
    return codebook


def add_themes(
    *, session: Session, codebook: Codebook, themes: list[dict[str, Any]]
) -> list[Theme]:
    """Add themes to a codebook after its existing ones; parents must come first."""
    existing = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    by_key = {theme.key: theme for theme in existing}
    position = max((theme.position for theme in existing), default=-1) + 1
    added = []
    for values in themes:
        if values["key"] in by_key:
            raise ValueError(f"The codebook already has a theme with the key {values['key']!r}.")
        parent_key = values.get("parent") or ""
        if parent_key and parent_key not in by_key:
            raise ValueError(f"Theme {values['key']!r} names a parent that comes after it.")
        theme = Theme(
            codebook_id=codebook.id,  # type: ignore[arg-type]
            key=values["key"],
            name=values["name"],
            description=values.get("description", ""),
            inclusion=values.get("inclusion", ""),
            exclusion=values.get("exclusion", ""),
            examples=list(values.get("examples", [])),
            outcome_area=values.get("outcome_area", ""),
            parent_id=by_key[parent_key].id if parent_key else None,
            position=position,
        )
        session.add(theme)
        session.flush()
        by_key[theme.key] = theme
        added.append(theme)
        position += 1
    return added


def get_active_codebook(*, session: Session, organisation_id: int) -> Codebook | None:
    """The codebook new comments are coded against."""
    query = (
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .where(Codebook.status == CodebookStatus.ACTIVE)
        .order_by(col(Codebook.id).desc())
    )
    return session.exec(query).first()


def activate_codebook(*, session: Session, codebook: Codebook) -> list[Codebook]:
    """Make this the codebook new comments are coded against; return the ones it replaced."""
    replaced = [
        other
        for other in list_codebooks(session=session, organisation_id=codebook.organisation_id)
        if other.status == CodebookStatus.ACTIVE and other.id != codebook.id
    ]
    for other in replaced:
        other.status = CodebookStatus.RETIRED
        session.add(other)
    codebook.status = CodebookStatus.ACTIVE
    session.add(codebook)
    session.flush()
    return replaced


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


def list_themes(
    *, session: Session, codebook_id: int, include_inactive: bool = False
) -> list[Theme]:
    """A codebook's themes in order: those in use, or with merged and retired ones too."""
    query = select(Theme).where(Theme.codebook_id == codebook_id)
    if not include_inactive:
        query = query.where(Theme.status == ThemeStatus.ACTIVE)
    return list(session.exec(query.order_by(col(Theme.position), col(Theme.id))))


def theme_ids_by_key(*, session: Session, codebook_id: int) -> dict[str, int]:
    """The id of each of a codebook's themes in use, by its key."""
    query = select(Theme.key, Theme.id).where(
        Theme.codebook_id == codebook_id, Theme.status == ThemeStatus.ACTIVE
    )
    return {key: theme_id for key, theme_id in session.exec(query) if theme_id is not None}


def get_theme(*, session: Session, codebook: Codebook, theme_id: int) -> Theme | None:
    """One theme, only within the given codebook."""
    theme = session.get(Theme, theme_id)
    if theme is None or theme.codebook_id != codebook.id:
        return None
    return theme


def in_tree_order(themes: list[Theme]) -> list[tuple[Theme, int]]:
    """Themes with their depth, each parent followed by its children."""
    ids = {theme.id for theme in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    ordered: list[tuple[Theme, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for theme in children.get(parent, []):
            ordered.append((theme, depth))
            if depth < 20:  # a parent cycle can never make this loop for ever
                walk(theme.id, depth + 1)

    walk(None, 0)
    return ordered


def current_theme_ids(themes: list[Theme]) -> dict[int, int]:
    """Each theme's id mapped to the theme in use now, following merges (itself if active)."""
    by_id = {theme.id: theme for theme in themes if theme.id is not None}
    found: dict[int, int] = {}
    for theme_id, theme in by_id.items():
        current, hops = theme, 0
        while current.merged_into_id in by_id and hops < 20:
            current, hops = by_id[current.merged_into_id], hops + 1
        if current.active:
            found[theme_id] = current.id  # type: ignore[assignment]
    return found


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
    district_id: int | None = None,
    language: str = "en",
) -> Comment:
    """Store one redacted free-text answer, in the language choice it was written in."""
    comment = Comment(
        organisation_id=organisation_id,
        response_id=response_id,
        question_id=question_id,
        text_redacted=text_redacted,
        language=language,
        sentiment=sentiment,
        flagged=flagged,
        quote_consent=quote_consent,
        district_id=district_id,
    )
    session.add(comment)
    session.flush()
    return comment


def code_comment(
    *,
    session: Session,
    comment: Comment,
    theme_ids: Mapping[int, float | None],
    source: CodingSource,
    coder_model_id: int | None = None,
) -> None:
    """Replace a comment's codings from one source with the given themes and confidences.

    A person's coding marks the comment reviewed, so it leaves the review queue.
    """
    if source == CodingSource.HUMAN and comment.reviewed_at is None:
        comment.reviewed_at = utcnow()
        session.add(comment)
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


def get_comment(*, session: Session, organisation_id: int, comment_id: int) -> Comment | None:
    """One comment, only within the given organisation."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.organisation_id != organisation_id:
        return None
    return comment


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


def comment_languages(*, session: Session, comment_ids: list[int]) -> dict[int, str]:
    """The language choice each comment was written in, for those that still exist."""
    if not comment_ids:
        return {}
    query = select(Comment.id, Comment.language).where(col(Comment.id).in_(comment_ids))
    return {int(comment_id): language for comment_id, language in session.exec(query) if comment_id}


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
    """Texts a person has coded against this codebook, with the theme keys they chose.

    A comment a reviewer checked and gave no theme at all counts too, with no keys: it
    shows the coder what none of the themes looks like. Codings of a merged theme count as the theme
    it was merged into.
    """
    themes = list_themes(session=session, codebook_id=codebook_id, include_inactive=True)
    current = current_theme_ids(themes)
    key_of = {theme.id: theme.key for theme in themes}
    coded = (
        select(Comment.id, Comment.text_redacted, CommentTheme.theme_id)
        .join(CommentTheme, col(CommentTheme.comment_id) == Comment.id)
        .where(col(CommentTheme.theme_id).in_(list(key_of)))
        .where(CommentTheme.source == CodingSource.HUMAN)
    )
    texts: dict[int, str] = {}
    keys: dict[int, list[str]] = {}
    for comment_id, text, theme_id in session.exec(coded):
        assert comment_id is not None  # a stored comment always has its id
        texts[comment_id] = text
        target = current.get(theme_id)
        if target is not None and key_of[target] not in keys.setdefault(comment_id, []):
            keys[comment_id].append(key_of[target])
    codebook = session.get(Codebook, codebook_id)
    if key_of and codebook is not None:
        # Checked, and given no theme at all, since this codebook existed. A comment coded
        # against another codebook is not a "none of these" for this one.
        any_human = select(CommentTheme.comment_id).where(CommentTheme.source == CodingSource.HUMAN)
        reviewed = (
            select(Comment.id, Comment.text_redacted)
            .where(Comment.organisation_id == codebook.organisation_id)
            .where(col(Comment.reviewed_at) >= codebook.created_at)
            .where(col(Comment.flagged).is_(False))
            .where(col(Comment.id).not_in(any_human))
        )
        for comment_id, text in session.exec(reviewed):
            assert comment_id is not None
            texts.setdefault(comment_id, text)
    ordered = sorted(texts)
    return [texts[i] for i in ordered], [keys.get(i, []) for i in ordered]


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
    """The newest coder trained on this codebook, on this or an earlier version.

    Renaming or merging themes makes a new version but need not stop the coder: it knows
    themes by key, and merged themes are followed to where they went.
    """
    query = (
        select(CoderModel)
        .where(CoderModel.codebook_id == codebook.id)
        .order_by(col(CoderModel.id).desc())
    )
    return session.exec(query).first()
