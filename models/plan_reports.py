"""Monthly reports on plan actions, and check and challenge of their ratings.

Each reporting period ("2023-10") an action has one report: whether it reported at all,
whether its owner is confident of a better rating next period, and its key risks. Its
ratings are a history, never overwritten: the owner proposes, an area lead or analyst may
challenge with a reason, and a rating is agreed. Each step keeps the suggestion Heard
made at the time, so the board can see both what the evidence said and what people decided.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.plans import PlanAction
from models.types import UTCDateTime, utcnow, value_enum

PERIOD = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])")  # 2000-01 to 2099-12, matched whole


class Stage(StrEnum):
    PROPOSED = "proposed"
    CHALLENGED = "challenged"
    AGREED = "agreed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionReport(SQLModel, table=True):
    __tablename__ = "action_report"
    __table_args__ = (UniqueConstraint("action_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="plan_action.id", index=True)
    period: str = Field(max_length=7, index=True)  # YYYY-MM
    # Whether the owner's report for the period was recorded. A report row is also made to
    # hold the period's ratings; a rating proposed is not the owner reporting.
    answered: bool = False
    did_not_report: bool = False
    confident_better: bool = False
    key_risks: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class RatingEntry(SQLModel, table=True):
    """One step of check and challenge for one scheme of one report."""

    __tablename__ = "rating_entry"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="action_report.id", index=True)
    scheme_id: int = Field(foreign_key="rating_scheme.id", index=True)
    stage: Stage = Field(sa_type=value_enum(Stage))
    value: str = Field(max_length=40)  # a RatingValue key
    commentary: str = Field(default="", sa_column=Column(Text, nullable=False))
    # What Heard suggested when this step was taken: the value key ("" for none) and why.
    suggested: str = Field(default="", max_length=40)
    suggestion_reasons: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def is_period(text: str) -> bool:
    """Whether `text` is a reporting period such as 2023-10."""
    return bool(PERIOD.fullmatch(text))


def previous_period(period: str) -> str:
    """The month before: previous_period("2024-01") is "2023-12"."""
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def get_report(*, session: Session, action: PlanAction, period: str) -> ActionReport | None:
    return session.exec(
        select(ActionReport).where(
            ActionReport.action_id == action.id, ActionReport.period == period
        )
    ).first()


def save_report(
    *,
    session: Session,
    action: PlanAction,
    period: str,
    did_not_report: bool | None = None,
    confident_better: bool | None = None,
    key_risks: str | None = None,
) -> ActionReport:
    """The action's report for the period, made if need be, with any given field changed."""
    if not is_period(period):
        raise ValueError(f"not a reporting period: {period!r}")
    report = get_report(session=session, action=action, period=period) or ActionReport(
        action_id=action.id,  # type: ignore[arg-type]
        period=period,
    )
    if any(v is not None for v in (did_not_report, confident_better, key_risks)):
        report.answered = True
    if did_not_report is not None:
        report.did_not_report = did_not_report
    if confident_better is not None:
        report.confident_better = confident_better
    if key_risks is not None:
        report.key_risks = key_risks
    report.updated_at = utcnow()
    session.add(report)
    session.flush()
    return report


def add_rating(
    *,
    session: Session,
    report: ActionReport,
    scheme_id: int,
    stage: Stage,
    value: str,
    commentary: str = "",
    suggested: str = "",
    suggestion_reasons: list[str] | None = None,
    user_id: int | None = None,
) -> RatingEntry:
    """Record one step of check and challenge; a report that rates something has reported."""
    entry = RatingEntry(
        report_id=report.id,  # type: ignore[arg-type]
        scheme_id=scheme_id,
        stage=stage,
        value=value,
        commentary=commentary,
        suggested=suggested,
        suggestion_reasons=suggestion_reasons or [],
        user_id=user_id,
    )
    report.did_not_report = False
    session.add_all([entry, report])
    session.flush()
    return entry


@dataclass(frozen=True)
class Current:
    """Where one scheme's rating stands for a report."""

    value: str | None  # the agreed value, or the latest proposal while it is being checked
    stage: Stage | None
    latest: RatingEntry | None

    @property
    def agreed(self) -> bool:
        return self.stage is Stage.AGREED


def current(entries: list[RatingEntry], scheme_id: int) -> Current:
    """The rating that stands: the last agreed after the last proposal, else the proposal."""
    mine = [e for e in entries if e.scheme_id == scheme_id]
    if not mine:
        return Current(None, None, None)
    latest = mine[-1]
    agreed = next((e for e in reversed(mine) if e.stage is Stage.AGREED), None)
    if agreed is not None and agreed is latest:
        return Current(agreed.value, Stage.AGREED, latest)
    proposed = next((e for e in reversed(mine) if e.stage is Stage.PROPOSED), latest)
    return Current(proposed.value, latest.stage, latest)


def reports_for_period(
    *, session: Session, action_ids: list[int], period: str
) -> dict[int, tuple[ActionReport, list[RatingEntry]]]:
    """Each action's report for the period with its history, by action id."""
    if not action_ids:
        return {}
    reports = session.exec(
        select(ActionReport).where(
            col(ActionReport.action_id).in_(action_ids), ActionReport.period == period
        )
    ).all()
    by_report: dict[int, list[RatingEntry]] = {r.id: [] for r in reports if r.id is not None}
    if by_report:
        for entry in session.exec(
            select(RatingEntry)
            .where(col(RatingEntry.report_id).in_(list(by_report)))
            .order_by(col(RatingEntry.created_at), col(RatingEntry.id))
        ):
            by_report[entry.report_id].append(entry)
    return {r.action_id: (r, by_report[r.id]) for r in reports if r.id is not None}


def list_periods(*, session: Session, plan_id: int) -> list[str]:
    """The periods any of the plan's actions has a report for, newest first."""
    found = session.exec(
        select(ActionReport.period)
        .join(PlanAction, col(PlanAction.id) == ActionReport.action_id)
        .where(PlanAction.plan_id == plan_id)
        .distinct()
    ).all()
    return sorted(found, reverse=True)


def details(entry: RatingEntry) -> dict[str, Any]:
    """What the audit log keeps about a step."""
    return {"stage": entry.stage.value, "value": entry.value, "suggested": entry.suggested}
