"""Where each action's ratings stand for a period, and the scorecard built from them."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session

from analysis import scorecard
from models.plan_reports import (
    ActionReport,
    Current,
    RatingEntry,
    current,
    list_periods,
    previous_period,
    reports_for_period,
)
from models.plans import Plan, PlanAction, PlanArea, Scheme, list_actions, list_areas, list_schemes

UK = ZoneInfo("Europe/London")


def this_month() -> str:
    """The reporting period it is now, in the UK."""
    return datetime.now(UK).strftime("%Y-%m")


def period_label(period: str) -> str:
    """ "2023-10" as people say it: October 2023."""
    return datetime.strptime(period, "%Y-%m").strftime("%B %Y")


@dataclass
class ActionState:
    """An action's report for a period (if any) and each scheme's rating."""

    report: ActionReport | None
    entries: list[RatingEntry] = field(default_factory=list)
    ratings: dict[str, Current] = field(default_factory=dict)

    @property
    def did_not_report(self) -> bool:
        return self.answered and self.report is not None and self.report.did_not_report

    @property
    def answered(self) -> bool:
        """Whether the owner's report for the period was recorded (not only ratings)."""
        return self.report is not None and self.report.answered

    @property
    def reported(self) -> bool:
        return self.answered and not self.did_not_report


def states(
    session: Session, actions: list[PlanAction], schemes: list[Scheme], period: str
) -> dict[int, ActionState]:
    """Each action's state for the period, by action id."""
    action_ids = [a.id for a in actions if a.id is not None]
    found = reports_for_period(session=session, action_ids=action_ids, period=period)
    result = {}
    for action_id in action_ids:
        report, entries = found.get(action_id, (None, []))
        ratings = {s.key: current(entries, s.scheme.id) for s in schemes}  # type: ignore[arg-type]
        result[action_id] = ActionState(report, entries, ratings)
    return result


def _begun(session: Session, plan: Plan) -> list[str]:
    """Periods with reports, newest first. A month that has not begun is never one, even if
    an older Heard stored a report for it."""
    now = this_month()
    return [p for p in list_periods(session=session, plan_id=plan.id) if p <= now]  # type: ignore[arg-type]


def periods(session: Session, plan: Plan) -> list[str]:
    """Periods with reports, newest first, and this month even if nobody has reported yet."""
    return sorted({*_begun(session, plan), this_month()}, reverse=True)


def latest_reported(session: Session, plan: Plan) -> str:
    """The newest period that has begun with any report, else this month."""
    found = _begun(session, plan)
    return found[0] if found else this_month()


def top_area(area_id: int, areas: dict[int, PlanArea]) -> PlanArea:
    area = areas[area_id]
    while area.parent_id is not None:
        area = areas[area.parent_id]
    return area


@dataclass
class Scorecard:
    plan: Plan
    period: str
    before: str  # the period movement is measured from
    schemes: list[Scheme]
    areas: list[str]
    rows: list[scorecard.RatingRow]
    values: list[scorecard.SchemeValues]
    reported: int
    actions: int
    confident: int

    def counts(self, values: scorecard.SchemeValues) -> pd.DataFrame:
        return scorecard.counts(self.rows, values, self.areas)

    def movement(self, values: scorecard.SchemeValues) -> dict[str, int]:
        return scorecard.movement(self.rows, values)

    def exceptions(self) -> list[scorecard.Exception_]:
        return scorecard.exceptions(self.rows, self.values)

    def wide(self) -> pd.DataFrame:
        return scorecard.wide_csv_frame(self.rows, self.values, self.areas)


def scheme_values(scheme: Scheme) -> scorecard.SchemeValues:
    worst = next((v.key for v in scheme.values if v.worst), None)
    return scorecard.SchemeValues(
        scheme.key, scheme.scheme.name, {v.key: v.label for v in scheme.values}, worst
    )


def reported_before(session: Session, plan: Plan, period: str) -> str:
    """The last period before `period` that has any report, else the month before."""
    found = list_periods(session=session, plan_id=plan.id)  # type: ignore[arg-type]
    earlier = [p for p in found if p < period]
    return earlier[0] if earlier else previous_period(period)


def _row(
    area: str, code: str, scheme: Scheme, state: ActionState, earlier: ActionState
) -> scorecard.RatingRow:
    rating = state.ratings[scheme.key]
    before = earlier.ratings[scheme.key]
    latest = rating.latest
    return scorecard.RatingRow(
        area=area,
        action=code,
        scheme=scheme.key,
        value=rating.value,
        previous=before.value if before.agreed else None,
        suggested=(latest.suggested or None) if latest else None,
        # A rating counts once there is one, whether or not the owner has reported yet.
        reported=state.report is not None and not state.did_not_report,
        agreed=rating.agreed,
    )


def build_scorecard(session: Session, plan: Plan, period: str) -> Scorecard:
    """Every action's rating in every scheme for the period, against the last period reported."""
    actions = list_actions(session=session, plan=plan)
    schemes = list_schemes(session=session, plan=plan)
    areas = {a.id: a for a in list_areas(session=session, plan=plan) if a.id is not None}
    before_period = reported_before(session, plan, period)
    now = states(session, actions, schemes, period)
    before = states(session, actions, schemes, before_period)
    rows = [
        _row(
            top_area(action.area_id, areas).title,
            action.code,
            scheme,
            now[action.id],  # type: ignore[index]
            before[action.id],  # type: ignore[index]
        )
        for action in actions
        for scheme in schemes
    ]
    tops = [a.title for a in areas.values() if a.parent_id is None and not a.is_tag]
    reporting = [s for s in now.values() if s.reported]
    return Scorecard(
        plan=plan,
        period=period,
        before=before_period,
        schemes=schemes,
        areas=tops,
        rows=rows,
        values=[scheme_values(s) for s in schemes],
        reported=sum(1 for s in reporting if s.entries),
        actions=len(actions),
        confident=sum(1 for s in reporting if s.report and s.report.confident_better),
    )
