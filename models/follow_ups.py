"""Follow-ups: people who left an email address and asked to hear what changed."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class FollowUp(SQLModel, table=True):
    """Someone who answered a survey, left an email address and asked to hear back."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # Left empty in anonymous rounds, so nothing ties the address to the answers.
    response_id: int | None = Field(default=None, foreign_key="response.id", unique=True)
    round_id: int | None = Field(default=None, foreign_key="survey_round.id", index=True)
    audience: str = Field(max_length=20)
    # Personal data, in its own column, erased once they have been told.
    email: str = Field(max_length=320)
    language: str = Field(default="en", max_length=10)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    told_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    told_entry_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def save_follow_up(
    *,
    session: Session,
    organisation_id: int,
    response_id: int | None,
    round_id: int | None,
    audience: str,
    email: str,
    language: str,
) -> FollowUp:
    """Record that someone asked to hear what changed (once per response, where known)."""
    found = (
        session.exec(select(FollowUp).where(FollowUp.response_id == response_id)).first()
        if response_id is not None
        else None
    )
    follow_up = found or FollowUp(
        organisation_id=organisation_id, response_id=response_id, audience=audience, email=""
    )
    follow_up.round_id, follow_up.email, follow_up.language = round_id, email[:320], language
    session.add(follow_up)
    session.flush()
    return follow_up


def list_follow_ups(
    *, session: Session, organisation_id: int, round_ids: list[int]
) -> list[FollowUp]:
    """The organisation's follow-ups from these rounds, oldest first."""
    if not round_ids:
        return []
    query = (
        select(FollowUp)
        .where(FollowUp.organisation_id == organisation_id)
        .where(col(FollowUp.round_id).in_(round_ids))
        .order_by(col(FollowUp.id))
    )
    return list(session.exec(query))


def mark_told(*, session: Session, follow_up: FollowUp, entry_ids: list[int]) -> None:
    """Record that they were told, and erase the address: it was asked for this alone."""
    follow_up.told_at = utcnow()
    follow_up.email = ""
    follow_up.told_entry_ids = sorted(set(follow_up.told_entry_ids) | set(entry_ids))
    session.add(follow_up)
    session.flush()
