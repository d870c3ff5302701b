"""Comments and how each comment was coded.

A comment is one free-text answer, stored redacted: that is what reviewers, exports and
publications see. The original stays in the response's answers. Codings record whether a
person or the machine made them, with the machine's confidence and model.

Codebooks and their themes are in models/codebooks.py, trained coders in
models/coder_models.py; both are importable from here too, as they always were.
"""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, and_, col, or_, select

from models.codebooks import (
    Codebook,
    CodebookStatus,
    Theme,
    ThemeStatus,
    activate_codebook,
    add_themes,
    create_codebook,
    current_theme_ids,
    get_active_codebook,
    get_codebook,
    get_theme,
    in_tree_order,
    list_codebooks,
    list_themes,
    theme_ids_by_key,
)
from models.coder_models import CoderModel, latest_coder_model, save_coder_model
from models.types import UTCDateTime, utcnow, value_enum

__all__ = [
    "Codebook",
    "CodebookStatus",
    "CoderModel",
    "CodingSource",
    "Comment",
    "CommentTheme",
    "Theme",
    "ThemeStatus",
    "activate_codebook",
    "add_themes",
    "code_comment",
    "codings_for",
    "comment_languages",
    "create_codebook",
    "current_theme_ids",
    "get_active_codebook",
    "get_codebook",
    "get_comment",
    "get_theme",
    "human_coded_examples",
    "in_tree_order",
    "latest_coder_model",
    "list_codebooks",
    "list_comments",
    "list_themes",
    "quotable_comments",
    "save_coder_model",
    "save_comment",
    "theme_ids_by_key",
]


class CodingSource(StrEnum):
    MACHINE = "machine"
    HUMAN = "human"
    # Suggested because discovery grouped the comment with a cluster that became the theme.
    DISCOVERY = "discovery"


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


def counted_coding(min_confidence: float = 0.0) -> Any:
    """Which codings count, as a WHERE clause on a query joining `Comment`: a person's, or
    the machine's at `min_confidence` or more on a comment no person has reviewed. Once a
    person has, their themes are its themes, and a suggestion they turned down is not."""
    return or_(
        col(CommentTheme.source) == CodingSource.HUMAN,
        and_(
            col(Comment.reviewed_at).is_(None),
            col(CommentTheme.confidence) >= min_confidence,
        ),
    )


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
    texts, keys = _coded_by_people(session, themes)
    codebook = session.get(Codebook, codebook_id)
    if themes and codebook is not None:
        for comment_id, text in _checked_without_themes(session, codebook).items():
            texts.setdefault(comment_id, text)
    ordered = sorted(texts)
    return [texts[i] for i in ordered], [keys.get(i, []) for i in ordered]


def _coded_by_people(
    session: Session, themes: list[Theme]
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """Each comment a person coded with one of these themes, and the keys now in use."""
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
    return texts, keys


def _checked_without_themes(session: Session, codebook: Codebook) -> dict[int, str]:
    """Comments checked, and given no theme at all, since this codebook existed.

    A comment coded against another codebook is not a "none of these" for this one.
    """
    any_human = select(CommentTheme.comment_id).where(CommentTheme.source == CodingSource.HUMAN)
    reviewed = (
        select(Comment.id, Comment.text_redacted)
        .where(Comment.organisation_id == codebook.organisation_id)
        .where(col(Comment.reviewed_at) >= codebook.created_at)
        .where(col(Comment.flagged).is_(False))
        .where(col(Comment.id).not_in(any_human))
    )
    found: dict[int, str] = {}
    for comment_id, text in session.exec(reviewed):
        assert comment_id is not None
        found[comment_id] = text
    return found
