"""Safeguarding alerts: a possible disclosure, for the safeguarding lead to act on.

An alert keeps the answer exactly as written, because the lead must see what the child
said. Everyone else sees only redacted text, and every look at an alert is audited.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, case, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum
from models.users import User


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    CLOSED = "closed"


class AlertAction(StrEnum):
    """What the lead can do with an alert. Each value is also the last part of its audit event."""

    ACKNOWLEDGE = "acknowledged"
    RECORD = "action_recorded"
    ESCALATE = "escalated"
    CLOSE = "closed"


# Who an alert can be escalated to: the key is stored in the audit log, the name in the note.
ESCALATION_TARGETS = {
    "childrens-social-care": "Children's social care front door",
    "police": "Police",
    "lado": "LADO (local authority designated officer)",
    "other": "Other",
}
NOTE_LIMIT = 2000
# Recording an action or escalating means nothing without saying what was done.
# Closing cannot be undone, so the record says why nothing more is needed.
NEEDS_NOTE = frozenset({AlertAction.RECORD, AlertAction.ESCALATE, AlertAction.CLOSE})


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
    """Alerts for an organisation, in the order the lead should deal with them.

    Open alerts come first, the most severe at the top and the newest first within a
    severity; then the ones being handled (acknowledged or escalated), newest first;
    closed ones last, newest first.
    """
    status_column = col(SafeguardingAlert.status)
    stage = case(
        (status_column == AlertStatus.OPEN, 0),
        (status_column == AlertStatus.CLOSED, 2),
        else_=1,
    )
    severity = case(
        (
            status_column == AlertStatus.OPEN,
            case(
                _SEVERITY_ORDER, value=col(SafeguardingAlert.severity), else_=len(_SEVERITY_ORDER)
            ),
        ),
        else_=0,
    )
    query = select(SafeguardingAlert).where(SafeguardingAlert.organisation_id == organisation_id)
    if status is not None:
        query = query.where(SafeguardingAlert.status == status)
    query = query.order_by(
        stage,
        severity,
        col(SafeguardingAlert.created_at).desc(),
        col(SafeguardingAlert.id).desc(),
    )
    return list(session.exec(query))


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


def available_actions(alert: SafeguardingAlert) -> list[AlertAction]:
    """What the lead may still do: acknowledge only an open alert, and nothing once closed."""
    if alert.status == AlertStatus.CLOSED:
        return []
    if alert.status == AlertStatus.OPEN:
        return list(AlertAction)
    return [AlertAction.RECORD, AlertAction.ESCALATE, AlertAction.CLOSE]


_NEXT_STATUS = {
    AlertAction.ACKNOWLEDGE: AlertStatus.ACKNOWLEDGED,
    AlertAction.ESCALATE: AlertStatus.ESCALATED,
    AlertAction.CLOSE: AlertStatus.CLOSED,
}


def act_on_alert(
    *,
    session: Session,
    alert: SafeguardingAlert,
    action: AlertAction,
    by: User,
    note: str = "",
    escalated_to: str | None = None,
) -> SafeguardingAlert:
    """Record what the lead did, and add a line to the alert's note saying when and who.

    Recording an action moves an open alert to acknowledged and leaves any other status
    as it is. The caller writes the audit event and commits.
    """
    note = note.strip()
    if action not in available_actions(alert):
        raise ValueError(f"an alert that is {alert.status} cannot be {action}")
    if action == AlertAction.ESCALATE and escalated_to not in ESCALATION_TARGETS:
        raise ValueError("say who the alert was escalated to")
    if action in NEEDS_NOTE and not note:
        raise ValueError(f"{action} needs a note")
    if len(note) > NOTE_LIMIT:
        raise ValueError(f"a note is at most {NOTE_LIMIT} characters")
    if action == AlertAction.RECORD:
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.ACKNOWLEDGED
    else:
        alert.status = _NEXT_STATUS[action]
    alert.handled_by_id = by.id
    alert.handled_at = utcnow()
    done = {
        AlertAction.ACKNOWLEDGE: "acknowledged the alert",
        AlertAction.RECORD: "recorded an action",
        AlertAction.ESCALATE: f"escalated it to {ESCALATION_TARGETS.get(escalated_to or '')}",
        AlertAction.CLOSE: "closed the alert",
    }[action]
    line = f"{alert.handled_at.strftime('%Y-%m-%d %H:%M UTC')}: {by.full_name} {done}."
    if note:
        line += f"\n{note}"
    alert.note = (alert.note + "\n\n" if alert.note else "") + line
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
