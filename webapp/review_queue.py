"""Which comments a reviewer sees, in what order: the filters and the "next to review" rule.

By default the queue holds the comments nobody has checked, the ones the coder is least
sure of at the top (active learning: a person's decision teaches the coder most where it
was unsure), then comments the coder has never seen, oldest first. "Next" and "previous"
work from a comment's place in that order, so they need no list of every comment.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from models import FormVersion, Response
from models.coding import CodingSource, Comment, CommentTheme, counted_coding

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

    def args(self) -> dict[str, Any]:
        """The filters that are set, for links that keep them."""
        return {name: value for name, value in asdict(self).items() if value}


def form_number(value: str) -> int | None:
    """The id a form or link sent, or None when it is not a plain, short number."""
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
        query = query.where(Response.round_id == form_number(filters.round))
    if filters.form:
        query = query.join(FormVersion, col(FormVersion.id) == Response.form_version_id).where(
            FormVersion.slug == filters.form
        )
    if filters.question:
        query = query.where(Comment.question_id == filters.question)
    if filters.district:
        query = query.where(Comment.district_id == form_number(filters.district))
    if filters.sentiment:
        query = query.where(Comment.sentiment == filters.sentiment)
    if filters.reviewed == "no":
        query = query.where(col(Comment.reviewed_at).is_(None))
    elif filters.reviewed == "yes":
        query = query.where(col(Comment.reviewed_at).is_not(None))
    if filters.theme:
        # A reviewed comment has the themes the person chose; one waiting, its suggestions.
        themed = (
            select(CommentTheme.comment_id)
            .join(Comment, col(Comment.id) == CommentTheme.comment_id)
            .where(
                CommentTheme.theme_id == form_number(filters.theme),
                counted_coding(),
            )
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


def _sort_keys(filters: Filters) -> list[tuple[Any, bool]]:
    """The queue's order as (never-null expression, descending?) pairs, most significant first.

    The least sure first, and comments the coder has not seen after those (uncertainty runs
    from 0 to 1, so -1 puts them last); then oldest first. Reviewed comments alone are
    listed newest review first.
    """
    if filters.reviewed == "yes":
        reviewed = func.coalesce(col(Comment.reviewed_at), col(Comment.created_at))
        return [(reviewed, True), (col(Comment.id), True)]
    return [(func.coalesce(col(Comment.uncertainty), -1.0), True), (col(Comment.id), False)]


def _ordered(query: Any, filters: Filters, reverse: bool = False) -> Any:
    return query.order_by(
        *(
            key.desc() if descending != reverse else key.asc()
            for key, descending in _sort_keys(filters)
        )
    )


def _beyond(session: Session, filters: Filters, comment_id: int, reverse: bool) -> Any:
    """A condition for the comments after this one in the queue's order (before, if reverse)."""
    keys = _sort_keys(filters)
    values = session.exec(select(*[key for key, _ in keys]).where(Comment.id == comment_id)).first()
    if values is None:
        return None
    clauses = []
    for position, (key, descending) in enumerate(keys):
        later = key < values[position] if descending != reverse else key > values[position]
        earlier_equal = [k == values[i] for i, (k, _) in enumerate(keys[:position])]
        clauses.append(and_(*earlier_equal, later))
    return or_(*clauses)


def _neighbour(
    session: Session, organisation_id: int, filters: Filters, comment_id: int, reverse: bool
) -> int | None:
    condition = _beyond(session, filters, comment_id, reverse)
    if condition is None:
        return None
    query = _ordered(_query(organisation_id, filters).where(condition), filters, reverse)
    return session.exec(query.limit(1)).first()


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
    """The comment after this one in the queue's order, with the same filters; None at the end.

    It works from where the comment sits in the order, so a comment just reviewed (and so
    gone from the unreviewed queue) still leads to the one that came after it.
    """
    return _neighbour(session, organisation_id, filters, comment_id, reverse=False)


def previous_before(
    session: Session, organisation_id: int, filters: Filters, comment_id: int
) -> int | None:
    """The comment before this one in the queue's order; None at the start."""
    return _neighbour(session, organisation_id, filters, comment_id, reverse=True)
