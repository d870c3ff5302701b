"""How people check and shape the machine's coding: reviewers' decisions and the settings.

Every reviewer decision is kept, with what the machine had suggested at the time, so the
team can always answer "who coded this, when, and did they agree with the machine?".
A codebook's themes change by named steps, each a new version with a snapshot of its
themes (models/theme_changes.py); discovery's clusters are in models/discovery.py. Both
are importable from here too, as they always were.
"""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import CodingSource, Comment, CommentTheme, Theme, code_comment
from models.discovery import (
    ClusterStatus,
    DiscoveredCluster,
    decide_cluster,
    get_cluster,
    list_clusters,
    suggest_from_cluster,
)
from models.theme_changes import (
    ChangeKind,
    CodebookSnapshot,
    ThemeChange,
    history,
    merge_theme,
    new_version,
    rename_theme,
    theme_snapshot,
)
from models.types import UTCDateTime, utcnow, value_enum

__all__ = [
    "AnalysisSettings",
    "ChangeKind",
    "ClusterStatus",
    "CodebookSnapshot",
    "CodingDecision",
    "Decision",
    "DiscoveredCluster",
    "ThemeChange",
    "count_theme_decisions",
    "decide_cluster",
    "decisions_for",
    "get_cluster",
    "get_settings",
    "history",
    "human_themes",
    "list_clusters",
    "merge_theme",
    "new_version",
    "rename_theme",
    "review_comment",
    "save_settings",
    "suggest_from_cluster",
    "suggestions",
    "theme_snapshot",
]


class Decision(StrEnum):
    ACCEPT = "accept"  # the machine suggested the theme and the reviewer agreed
    REJECT = "reject"  # the machine suggested it and the reviewer did not agree
    ADD = "add"  # the reviewer added a theme the machine had not suggested
    REMOVE = "remove"  # the reviewer took off a theme a person had given before
    SENTIMENT = "sentiment"
    REVIEWED = "reviewed"  # the comment as a whole was checked


class CodingDecision(SQLModel, table=True):
    __tablename__ = "coding_decision"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decision: Decision = Field(sa_type=value_enum(Decision))
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    # What the machine had said about this theme (None: it had not suggested it).
    machine_confidence: float | None = Field(default=None)
    # Every suggestion on the comment at that moment, theme id -> confidence.
    suggested: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sentiment_before: str = Field(default="", max_length=10)
    sentiment_after: str = Field(default="", max_length=10)
    # Decisions made together by one bulk action share a batch.
    batch: str = Field(default="", max_length=40)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class AnalysisSettings(SQLModel, table=True):
    """An organisation's rules for learning and agreement, set by its administrator."""

    __tablename__ = "analysis_settings"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", unique=True)
    # Retrain the coder after this many new human decisions.
    retrain_after: int = Field(default=50)
    # A theme whose cross-validated F1 is below this needs more examples.
    min_theme_f1: float = Field(default=0.5)
    # A round's coding is agreed only when overall kappa reaches this.
    min_kappa: float = Field(default=0.6)
    updated_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def get_settings(*, session: Session, organisation_id: int) -> AnalysisSettings:
    """The organisation's settings; the defaults if the administrator never changed them."""
    found = session.exec(
        select(AnalysisSettings).where(AnalysisSettings.organisation_id == organisation_id)
    ).first()
    return found or AnalysisSettings(organisation_id=organisation_id)


def save_settings(
    *, session: Session, organisation_id: int, user_id: int | None, **values: Any
) -> AnalysisSettings:
    """Change the organisation's settings."""
    settings = get_settings(session=session, organisation_id=organisation_id)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by_id = user_id
    settings.updated_at = utcnow()
    session.add(settings)
    session.flush()
    return settings


# -- decisions ----------------------------------------------------------------------------


def suggestions(*, session: Session, comment_ids: list[int]) -> dict[int, dict[int, float | None]]:
    """Each comment's machine and discovery suggestions, theme id -> the machine's confidence.

    A theme suggested only because discovery grouped the comment with it has no confidence.
    """
    found: dict[int, dict[int, float | None]] = {comment_id: {} for comment_id in comment_ids}
    if not comment_ids:
        return found
    query = (
        select(CommentTheme)
        .where(col(CommentTheme.comment_id).in_(comment_ids))
        .where(col(CommentTheme.source).in_([CodingSource.MACHINE, CodingSource.DISCOVERY]))
    )
    for coding in session.exec(query):
        known = found[coding.comment_id].get(coding.theme_id)
        if coding.confidence is not None:
            known = max(known or 0.0, coding.confidence)
        found[coding.comment_id][coding.theme_id] = known
    return found


def human_themes(*, session: Session, comment_ids: list[int]) -> dict[int, set[int]]:
    """The themes a person has given each comment."""
    found: dict[int, set[int]] = {comment_id: set() for comment_id in comment_ids}
    if not comment_ids:
        return found
    query = (
        select(CommentTheme.comment_id, CommentTheme.theme_id)
        .where(col(CommentTheme.comment_id).in_(comment_ids))
        .where(CommentTheme.source == CodingSource.HUMAN)
    )
    for comment_id, theme_id in session.exec(query):
        found[comment_id].add(theme_id)
    return found


def review_comment(
    *,
    session: Session,
    comment: Comment,
    theme_ids: set[int],
    sentiment: str | None,
    user_id: int | None,
    scope: set[int] | None = None,
    batch: str = "",
) -> list[CodingDecision]:
    """Record a reviewer's themes (and sentiment) for a comment, one decision per change.

    ``scope`` is the themes the reviewer was deciding on (those of the codebook in use; all
    themes if None). Within it the chosen themes become the comment's human coding; human
    coding of other themes (a retired theme, an older codebook) is left as it was. The
    first review records, for every suggestion in scope, whether the reviewer accepted or
    rejected it, and any theme they added. A later review records only what changed
    (themes added or taken off), so saving a page twice teaches the coder nothing twice.
    A sentiment change is recorded either way; a review that changed nothing is recorded
    as "reviewed". Every decision keeps what the machine had suggested at the time.
    """
    assert comment.id is not None
    suggested = suggestions(session=session, comment_ids=[comment.id])[comment.id]
    before = human_themes(session=session, comment_ids=[comment.id])[comment.id]
    kept: set[int] = set()
    if scope is not None:
        suggested = {theme_id: c for theme_id, c in suggested.items() if theme_id in scope}
        kept = before - scope
        before &= scope
        theme_ids = theme_ids & scope
    decide = _decision_maker(comment, user_id, suggested, batch)
    changes = _theme_decisions(suggested, before, theme_ids, comment.reviewed_at is None)
    decisions = [decide(decision, theme_id) for decision, theme_id in changes]
    if sentiment is not None and sentiment != comment.sentiment:
        change = {"sentiment_before": comment.sentiment, "sentiment_after": sentiment}
        decisions.append(decide(Decision.SENTIMENT, **change))
        comment.sentiment = sentiment
    if not decisions:
        decisions.append(decide(Decision.REVIEWED))
    _keep_review(session, comment, theme_ids | kept, user_id, decisions)
    return decisions


def _keep_review(
    session: Session,
    comment: Comment,
    theme_ids: set[int],
    user_id: int | None,
    decisions: list[CodingDecision],
) -> None:
    """Make the themes the comment's human coding, mark it reviewed and keep the decisions."""
    code_comment(
        session=session,
        comment=comment,
        theme_ids=dict.fromkeys(sorted(theme_ids)),
        source=CodingSource.HUMAN,
    )
    comment.reviewed_at = utcnow()
    comment.reviewed_by_id = user_id
    session.add(comment)
    session.add_all(decisions)
    session.flush()


def _theme_decisions(
    suggested: dict[int, float | None], before: set[int], chosen: set[int], first_review: bool
) -> list[tuple[Decision, int]]:
    """Each theme decision a review makes, in theme id order (see review_comment)."""
    found: list[tuple[Decision, int]] = []
    for theme_id in sorted(set(suggested) | before | chosen):
        picked = theme_id in chosen
        if first_review and theme_id in suggested:
            found.append((Decision.ACCEPT if picked else Decision.REJECT, theme_id))
        elif picked and theme_id not in before:
            found.append((Decision.ADD, theme_id))
        elif not picked and theme_id in before:
            found.append((Decision.REMOVE, theme_id))
    return found


def _decision_maker(
    comment: Comment, user_id: int | None, suggested: dict[int, float | None], batch: str
) -> Callable[..., CodingDecision]:
    """Make a comment's decisions, each keeping what the machine had suggested."""
    snapshot = {str(theme_id): confidence for theme_id, confidence in suggested.items()}

    def decide(decision: Decision, theme_id: int | None = None, **extra: Any) -> CodingDecision:
        return CodingDecision(
            organisation_id=comment.organisation_id,
            comment_id=comment.id,  # type: ignore[arg-type]
            user_id=user_id,
            decision=decision,
            theme_id=theme_id,
            machine_confidence=suggested.get(theme_id) if theme_id is not None else None,
            suggested=snapshot,
            batch=batch,
            **extra,
        )

    return decide


def decisions_for(*, session: Session, comment_id: int) -> list[CodingDecision]:
    """A comment's decisions, newest first."""
    query = (
        select(CodingDecision)
        .where(CodingDecision.comment_id == comment_id)
        .order_by(col(CodingDecision.id).desc())
    )
    return list(session.exec(query))


def count_theme_decisions(
    *, session: Session, codebook_id: int, since: datetime | None = None
) -> int:
    """How many theme decisions people have made on this codebook (since a moment, or ever).

    These are what the coder learns from: accepting, rejecting, adding or taking off a theme.
    """
    query = (
        select(func.count())
        .select_from(CodingDecision)
        .join(Theme, col(Theme.id) == CodingDecision.theme_id)
        .where(Theme.codebook_id == codebook_id)
    )
    if since is not None:
        query = query.where(col(CodingDecision.created_at) > since)
    return int(session.exec(query).one())
