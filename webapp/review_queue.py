"""Which comments a reviewer sees, in what order: the filters and the "next to review" rule.

Comments nobody has checked come first, the ones the coder is least sure of at the top
(active learning: a person's decision teaches the coder most where it was unsure). Then
comments the coder has never seen, oldest first.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import FormVersion, Response
from models.coding import CodingSource, Comment, CommentTheme

PAGE_SIZE = 25
#: Confidence bands, on the machine's strongest suggestion for a comment.
BANDS = {
    "high": ("80% or more", 0.8, None),
    "medium": ("50% to 79%", 0.5, 0.8),
    "low": ("under 50%", None, 0.5),
    "none": ("no suggestion", None, None),
}
REVIEWED = {"no": "Not reviewed yet", "yes": "Reviewed", "all": "All comments"}


@dataclass(frozen=True)
class Filters:
    """The queue's filters, as they arrive in the query string (all optional)."""

    round: str = ""
    form: str = ""
    question: str = ""
    district: str = ""
    theme: str = ""
    band: str = ""
    sentiment: str = ""
    reviewed: str = "no"

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        values = {f.name: str(args.get(f.name, "") or "")[:80] for f in fields(cls)}
        if values["reviewed"] not in REVIEWED:
            values["reviewed"] = "no"
        if values["band"] not in BANDS:
            values["band"] = ""
        return cls(**values)

    def args(self) -> dict[str, str]:
        """The filters that are set, for links that keep them."""
        return {name: value for name, value in asdict(self).items() if value}


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _query(organisation_id: int, filters: Filters) -> Any:
    # A comment that raised a safeguarding concern is for the safeguarding lead alone.
    query = (
        select(Comment.id)
        .where(Comment.organisation_id == organisation_id)
        .where(col(Comment.flagged).is_(False))
    )
    if filters.round or filters.form:
        query = query.join(Response, col(Response.id) == Comment.response_id)
    if filters.round:
        query = query.where(Response.round_id == _number(filters.round))
    if filters.form:
        query = query.join(FormVersion, col(FormVersion.id) == Response.form_version_id).where(
            FormVersion.slug == filters.form
        )
    if filters.question:
        query = query.where(Comment.question_id == filters.question)
    if filters.district:
        query = query.where(Comment.district_id == _number(filters.district))
    if filters.sentiment:
        query = query.where(Comment.sentiment == filters.sentiment)
    if filters.reviewed == "no":
        query = query.where(col(Comment.reviewed_at).is_(None))
    elif filters.reviewed == "yes":
        query = query.where(col(Comment.reviewed_at).is_not(None))
    if filters.theme:
        themed = select(CommentTheme.comment_id).where(
            CommentTheme.theme_id == _number(filters.theme)
        )
        query = query.where(col(Comment.id).in_(themed))
    if filters.band:
        strongest = (
            select(CommentTheme.comment_id, func.max(CommentTheme.confidence).label("top"))
            .where(CommentTheme.source == CodingSource.MACHINE)
            .group_by(col(CommentTheme.comment_id))
            .subquery()
        )
        if filters.band == "none":
            query = query.where(col(Comment.id).not_in(select(strongest.c.comment_id)))
        else:
            _label, low, high = BANDS[filters.band]
            query = query.join(strongest, strongest.c.comment_id == Comment.id)
            if low is not None:
                query = query.where(strongest.c.top >= low)
            if high is not None:
                query = query.where(strongest.c.top < high)
    return query


def _ordered(query: Any, filters: Filters) -> Any:
    if filters.reviewed == "yes":
        return query.order_by(col(Comment.reviewed_at).desc(), col(Comment.id).desc())
    # Unreviewed first; among them the least sure first; never-coded ones after, oldest first.
    return query.order_by(
        col(Comment.reviewed_at).is_not(None),
        col(Comment.uncertainty).is_(None),
        col(Comment.uncertainty).desc(),
        col(Comment.id),
    )


def count(session: Session, organisation_id: int, filters: Filters) -> int:
    query = _query(organisation_id, filters).subquery()
    return int(session.exec(select(func.count()).select_from(query)).one())


def page(session: Session, organisation_id: int, filters: Filters, number: int) -> list[Comment]:
    """One page of the queue, in review order."""
    query = _ordered(_query(organisation_id, filters), filters)
    ids = list(session.exec(query.offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    found = {c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(ids)))}
    return [found[i] for i in ids]


def next_after(
    session: Session, organisation_id: int, filters: Filters, comment_id: int
) -> int | None:
    """The comment to review after this one, with the same filters; None at the end."""
    query = _ordered(_query(organisation_id, filters), filters)
    if filters.reviewed == "no":
        # A comment just reviewed has left this queue, so the next is simply the first.
        return next((i for i in session.exec(query.limit(2)) if i != comment_id), None)
    ids = list(session.exec(query))
    if comment_id in ids:
        position = ids.index(comment_id)
        following = ids[position + 1 :]
    else:
        following = ids
    return following[0] if following else None


def previous_before(
    session: Session, organisation_id: int, filters: Filters, comment_id: int
) -> int | None:
    ids = list(session.exec(_ordered(_query(organisation_id, filters), filters)))
    if comment_id in ids and ids.index(comment_id) > 0:
        return ids[ids.index(comment_id) - 1]
    return None
