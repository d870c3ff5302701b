"""An append-only audit log of who did what, never holding free-text answers."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    action: str = Field(max_length=80, index=True)
    object_type: str | None = Field(default=None, max_length=80)
    object_id: str | None = Field(default=None, max_length=80)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record_event(
    *,
    session: Session,
    action: str,
    actor_user_id: int | None = None,
    organisation_id: int | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event; the caller commits it with the change it records."""
    event = AuditEvent(
        action=action,
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def list_events(
    *,
    session: Session,
    organisation_id: int | None = None,
    action: str | None = None,
    actor_user_id: int | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Return the newest audit events, optionally for one organisation, action or person."""
    query = select(AuditEvent)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    query = query.order_by(AuditEvent.id.desc()).limit(limit)  # type: ignore[union-attr]
    return list(session.exec(query))


def list_actions(*, session: Session, organisation_id: int) -> list[str]:
    """Every kind of event an organisation's log holds, in alphabetical order."""
    query = (
        select(AuditEvent.action)
        .where(AuditEvent.organisation_id == organisation_id)
        .distinct()
        .order_by(AuditEvent.action)
    )
    return list(session.exec(query))
