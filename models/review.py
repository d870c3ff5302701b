"""How people check and shape the machine's coding: decisions, theme history and clusters.

Every reviewer decision is kept, with what the machine had suggested at the time, so the
team can always answer "who coded this, when, and did they agree with the machine?".
A codebook's themes change by named steps (created, renamed, merged, split, imported),
each one a new version of the codebook with a snapshot of its themes.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import (
    Codebook,
    CodingSource,
    Comment,
    CommentTheme,
    Theme,
    ThemeStatus,
    code_comment,
    list_themes,
)
from models.types import UTCDateTime, utcnow, value_enum


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


class ChangeKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    RENAMED = "renamed"
    MERGED = "merged"
    SPLIT = "split"
    RETIRED = "retired"
    IMPORTED = "imported"


class ThemeChange(SQLModel, table=True):
    __tablename__ = "theme_change"

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    version: int
    kind: ChangeKind = Field(sa_type=value_enum(ChangeKind))
    summary: str = Field(max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class CodebookSnapshot(SQLModel, table=True):
    """The themes of one version of a codebook, as they were."""

    __tablename__ = "codebook_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    version: int
    themes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ClusterStatus(StrEnum):
    OPEN = "open"
    CREATED = "created"  # became a new theme
    MERGED = "merged"  # folded into an existing theme
    SPLIT = "split"  # replaced by smaller clusters
    DISMISSED = "dismissed"


class DiscoveredCluster(SQLModel, table=True):
    __tablename__ = "discovered_cluster"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="discovered_cluster.id")
    name: str = Field(max_length=200)
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    size: int
    quotes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    comment_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: ClusterStatus = Field(default=ClusterStatus.OPEN, sa_type=value_enum(ClusterStatus))
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


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
    if scope is not None:
        suggested = {theme_id: c for theme_id, c in suggested.items() if theme_id in scope}
        kept = before - scope
        before &= scope
        theme_ids = theme_ids & scope
    else:
        kept = set()
    first_review = comment.reviewed_at is None
    snapshot = {str(theme_id): confidence for theme_id, confidence in suggested.items()}
    decisions: list[CodingDecision] = []

    def decide(decision: Decision, theme_id: int | None = None, **extra: Any) -> None:
        decisions.append(
            CodingDecision(
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
        )

    for theme_id in sorted(set(suggested) | before | theme_ids):
        chosen = theme_id in theme_ids
        if first_review and theme_id in suggested:
            decide(Decision.ACCEPT if chosen else Decision.REJECT, theme_id)
        elif chosen and theme_id not in before:
            decide(Decision.ADD, theme_id)
        elif not chosen and theme_id in before:
            decide(Decision.REMOVE, theme_id)
    if sentiment is not None and sentiment != comment.sentiment:
        decide(Decision.SENTIMENT, sentiment_before=comment.sentiment, sentiment_after=sentiment)
        comment.sentiment = sentiment
    if not decisions:
        decide(Decision.REVIEWED)
    code_comment(
        session=session,
        comment=comment,
        theme_ids=dict.fromkeys(sorted(theme_ids | kept)),
        source=CodingSource.HUMAN,
    )
    comment.reviewed_at = utcnow()
    comment.reviewed_by_id = user_id
    session.add(comment)
    session.add_all(decisions)
    session.flush()
    return decisions


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


# -- the codebook's history ----------------------------------------------------------------


def theme_snapshot(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.id,
        "key": theme.key,
        "name": theme.name,
        "parent_id": theme.parent_id,
        "description": theme.description,
        "inclusion": theme.inclusion,
        "exclusion": theme.exclusion,
        "examples": list(theme.examples),
        "outcome_area": theme.outcome_area,
        "status": theme.status.value,
        "merged_into_id": theme.merged_into_id,
    }


def new_version(
    *,
    session: Session,
    codebook: Codebook,
    kind: ChangeKind,
    summary: str,
    user_id: int | None,
    theme: Theme | None = None,
    details: dict[str, Any] | None = None,
) -> ThemeChange:
    """Record a change to a codebook's themes as its next version, with a snapshot."""
    codebook.version += 1
    session.add(codebook)
    change = ThemeChange(
        codebook_id=codebook.id,  # type: ignore[arg-type]
        theme_id=theme.id if theme else None,
        version=codebook.version,
        kind=kind,
        summary=summary[:500],
        details=details or {},
        user_id=user_id,
    )
    session.add(change)
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    session.add(
        CodebookSnapshot(
            codebook_id=codebook.id,  # type: ignore[arg-type]
            version=codebook.version,
            themes=[theme_snapshot(t) for t in themes],
        )
    )
    session.flush()
    return change


def history(
    *, session: Session, codebook_id: int, theme_id: int | None = None
) -> list[ThemeChange]:
    """A codebook's (or one theme's) changes, newest first."""
    query = select(ThemeChange).where(ThemeChange.codebook_id == codebook_id)
    if theme_id is not None:
        query = query.where(ThemeChange.theme_id == theme_id)
    return list(session.exec(query.order_by(col(ThemeChange.id).desc())))


def merge_theme(
    *, session: Session, codebook: Codebook, source: Theme, target: Theme, user_id: int | None
) -> ThemeChange:
    """Fold one theme into another: its comments follow, and it is kept, marked merged.

    Themes under the source move under the target. When the target was itself under the
    source, it takes the source's place in the tree.
    """
    if source.id == target.id:
        raise ValueError("A theme cannot be merged into itself.")
    if not (source.codebook_id == target.codebook_id == codebook.id):
        raise ValueError("Both themes must be in this codebook.")
    if not (source.active and target.active):
        raise ValueError("Only themes in use can be merged.")
    taken = {
        (coding.comment_id, coding.source): coding
        for coding in session.exec(select(CommentTheme).where(CommentTheme.theme_id == target.id))
    }
    moved = 0
    for coding in list(
        session.exec(select(CommentTheme).where(CommentTheme.theme_id == source.id))
    ):
        duplicate = taken.get((coding.comment_id, coding.source))
        if duplicate is None:
            coding.theme_id = target.id  # type: ignore[assignment]
            session.add(coding)
            taken[(coding.comment_id, coding.source)] = coding
            moved += 1
        else:
            if (coding.confidence or 0) > (duplicate.confidence or 0):
                duplicate.confidence = coding.confidence
                session.add(duplicate)
            session.delete(coding)
    themes = {t.id: t for t in list_themes(session=session, codebook_id=codebook.id)}
    ancestor, hops = themes.get(target.parent_id), 0
    while ancestor is not None and ancestor.id != source.id and hops < 50:
        ancestor, hops = themes.get(ancestor.parent_id), hops + 1
    if ancestor is not None:  # the target sits somewhere under the source
        target.parent_id = source.parent_id
    for child in themes.values():
        if child.parent_id == source.id and child.id != target.id:
            child.parent_id = target.id
            session.add(child)
    target.examples = list(dict.fromkeys([*target.examples, *source.examples]))
    source.status = ThemeStatus.MERGED
    source.merged_into_id = target.id
    session.add_all([source, target])
    session.flush()
    return new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.MERGED,
        summary=f"Merged “{source.name}” into “{target.name}”",
        user_id=user_id,
        theme=source,
        details={"into": target.id, "codings_moved": moved},
    )


def rename_theme(
    *, session: Session, codebook: Codebook, theme: Theme, name: str, user_id: int | None
) -> ThemeChange | None:
    """Give a theme a new name; its key, and so the coder's knowledge of it, stays."""
    old = theme.name
    if name == old:
        return None
    theme.name = name
    session.add(theme)
    session.flush()
    return new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.RENAMED,
        summary=f"Renamed “{old}” to “{name}”",
        user_id=user_id,
        theme=theme,
        details={"from": old, "to": name},
    )


# -- discovery -----------------------------------------------------------------------------


def list_clusters(
    *, session: Session, organisation_id: int, codebook_id: int, job_id: int | None = None
) -> list[DiscoveredCluster]:
    """Clusters found for a codebook (by one discovery job, or the newest one), largest first."""
    if job_id is None:
        job_id = session.exec(
            select(func.max(DiscoveredCluster.job_id))
            .where(DiscoveredCluster.organisation_id == organisation_id)
            .where(DiscoveredCluster.codebook_id == codebook_id)
        ).one()
        if job_id is None:
            return []
    query = (
        select(DiscoveredCluster)
        .where(DiscoveredCluster.organisation_id == organisation_id)
        .where(DiscoveredCluster.codebook_id == codebook_id)
        .where(DiscoveredCluster.job_id == job_id)
        .order_by(col(DiscoveredCluster.size).desc(), col(DiscoveredCluster.id))
    )
    return list(session.exec(query))


def get_cluster(
    *, session: Session, organisation_id: int, cluster_id: int
) -> DiscoveredCluster | None:
    cluster = session.get(DiscoveredCluster, cluster_id)
    if cluster is None or cluster.organisation_id != organisation_id:
        return None
    return cluster


def suggest_from_cluster(
    *, session: Session, cluster: DiscoveredCluster, theme: Theme, chunk: int = 5000
) -> int:
    """Suggest the theme on the cluster's comments, for reviewers to accept or reject.

    Only the comments that still exist in the cluster's organisation get it, and not one
    that raised a safeguarding concern (it may have been flagged after discovery ran: it is
    for the safeguarding lead alone), nor one that has it from discovery already. The ids
    are read `chunk` at a time, one query each, as PostgreSQL takes at most 65,535 values
    in a statement. Returns how many comments were given the suggestion.
    """
    suggested_already = (
        select(CommentTheme.id)
        .where(CommentTheme.comment_id == Comment.id)
        .where(CommentTheme.theme_id == theme.id)
        .where(CommentTheme.source == CodingSource.DISCOVERY)
    )
    ids = list(dict.fromkeys(cluster.comment_ids))
    added = 0
    for start in range(0, len(ids), chunk):
        found = session.exec(
            select(Comment.id)
            .where(col(Comment.id).in_(ids[start : start + chunk]))
            .where(Comment.organisation_id == cluster.organisation_id)
            .where(col(Comment.flagged).is_(False))
            .where(~suggested_already.exists())
            .order_by(col(Comment.id))
        ).all()
        for comment_id in found:
            session.add(
                CommentTheme(
                    comment_id=comment_id,  # type: ignore[arg-type]
                    theme_id=theme.id,  # type: ignore[arg-type]
                    source=CodingSource.DISCOVERY,
                    confidence=None,
                )
            )
        added += len(found)
    session.flush()
    return added


def decide_cluster(
    *,
    session: Session,
    cluster: DiscoveredCluster,
    status: ClusterStatus,
    user_id: int | None,
    theme: Theme | None = None,
) -> None:
    cluster.status = status
    cluster.theme_id = theme.id if theme else None
    cluster.decided_by_id = user_id
    cluster.decided_at = utcnow()
    session.add(cluster)
    session.flush()
