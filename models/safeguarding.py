"""Safeguarding alerts: a possible disclosure, for the safeguarding lead to act on.

An alert keeps the answer exactly as written, because the lead must see what the child
said. Everyone else sees only redacted text, and every look at an alert is audited.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, func
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow, value_enum


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class SafeguardingAlert(SQLModel, table=True):
    __tablename__ = "safeguarding_alert"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_id: str = Field(max_length=60)
    severity: str = Field(max_length=10, index=True)
    reason: str = Field(max_length=1000)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The answer as written: personal data, kept in its own column for retention and erasure.
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: AlertStatus = Field(default=AlertStatus.OPEN, sa_type=value_enum(AlertStatus))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    handled_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def create_alert(
    *,
    session: Session,
    organisation_id: int,
    response_id: int,
    question_id: str,
    severity: str,
    reason: str,
    categories: list[str],
    text: str,
) -> SafeguardingAlert:
    """Record a possible disclosure. The caller writes the audit event and commits."""
    alert = SafeguardingAlert(
        organisation_id=organisation_id,
        response_id=response_id,
        question_id=question_id,
        severity=severity,
        reason=reason[:1000],
        categories=categories,
        text=text,
    )
    session.add(alert)
    session.flush()
    return alert


def list_alerts(
    *, session: Session, organisation_id: int, status: AlertStatus | None = None
) -> list[SafeguardingAlert]:
    """Alerts for an organisation: open ones first, most severe first, then newest."""
    query = select(SafeguardingAlert).where(SafeguardingAlert.organisation_id == organisation_id)
    if status is not None:
        query = query.where(SafeguardingAlert.status == status)
    alerts = list(session.exec(query.order_by(SafeguardingAlert.created_at.desc())))  # type: ignore[attr-defined]
    return sorted(
        alerts,
        key=lambda a: (a.status != AlertStatus.OPEN, _SEVERITY_ORDER.get(a.severity, 3)),
    )


def count_open_alerts(*, session: Session, organisation_id: int) -> int:
    """How many alerts are still waiting for the lead."""
    query = (
        select(func.count())
        .select_from(SafeguardingAlert)
        .where(SafeguardingAlert.organisation_id == organisation_id)
        .where(SafeguardingAlert.status == AlertStatus.OPEN)
    )
    return int(session.exec(query).one())


def get_alert(*, session: Session, organisation_id: int, alert_id: int) -> SafeguardingAlert | None:
    """One alert, only within the given organisation."""
    alert = session.get(SafeguardingAlert, alert_id)
    if alert is None or alert.organisation_id != organisation_id:
        return None
    return alert


def handle_alert(
    *,
    session: Session,
    alert: SafeguardingAlert,
    status: AlertStatus,
    user_id: int,
    note: str = "",
) -> SafeguardingAlert:
    """Move an alert on (acknowledged or closed) and keep who did it and their note."""
    alert.status = status
    alert.handled_by_id = user_id
    alert.handled_at = utcnow()
    if note.strip():
        stamp = alert.handled_at.strftime("%Y-%m-%d %H:%M UTC")
        alert.note = (alert.note + "\n\n" if alert.note else "") + f"{stamp} ({status}): {note}"
    session.add(alert)
    session.flush()
    return alert


def alert_summary(alert: SafeguardingAlert) -> dict[str, Any]:
    """What the audit log keeps about an alert: never the answer itself."""
    return {
        "response_id": alert.response_id,
        "question_id": alert.question_id,
        "severity": alert.severity,
        "categories": alert.categories,
    }
