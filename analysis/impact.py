"""A suggested impact rating for a plan action, from the evidence linked to it, with reasons.

The suggestion is advice for check and challenge, never the rating: a person decides. It
weighs three kinds of evidence:
- a survey indicator against its baseline and target, with a margin of error that grows
  as fewer people answer;
- how a linked theme moved between two periods of comments, tested for a real change;
- a KPI value entered by hand, against its baseline and target.

Evidence older than `max_age_days` is named but not counted. With no usable evidence the
suggestion says so and gives no level: it does not guess. The levels are the four steps
every impact scheme here shares; a scheme's values say which level each one stands for.

This module is the one to import from. The kinds of evidence are in
analysis/impact_evidence.py, and how each piece is judged in analysis/impact_judging.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from analysis.impact_evidence import (
    Direction,
    Evidence,
    IndicatorEvidence,
    KpiEvidence,
    ThemeEvidence,
)
from analysis.impact_judging import (
    MIN_MENTIONS,
    MIN_PEOPLE,
    Z_95,
    Finding,
    Judged,
    judge,
    judge_indicator,
    judge_kpi,
    judge_theme,
    margin,
)

__all__ = [
    "MIN_MENTIONS",
    "MIN_PEOPLE",
    "Z_95",
    "Direction",
    "Evidence",
    "Finding",
    "IndicatorEvidence",
    "Judged",
    "KpiEvidence",
    "Level",
    "Suggestion",
    "ThemeEvidence",
    "judge",
    "judge_indicator",
    "judge_kpi",
    "judge_theme",
    "margin",
    "suggest",
]


class Level(StrEnum):
    """The impact steps, best first, that a scheme's values map onto."""

    ONGOING = "ongoing"
    EARLY = "early"
    ON_TRACK = "on-track"
    NOT_DELIVERED = "not-delivered"


@dataclass
class Suggestion:
    """A level (or none, when the evidence cannot say), with its reasons in plain English."""

    level: Level | None
    reasons: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    counted: int = 0

    @property
    def enough(self) -> bool:
        return self.level is not None


def suggest(
    evidence: Sequence[Evidence],
    *,
    on: date,
    has_measure: bool,
    due: date | None = None,
    max_age_days: int = 183,
) -> Suggestion:
    """Suggest an impact level for an action at the end of a reporting period.

    Args:
        evidence: what is linked to the action, with its latest figures.
        on: the last day of the reporting period; evidence is judged as of then.
        has_measure: whether the action says how its impact will be measured.
        due: when the action is due, so that no change after that counts against it.
        max_age_days: evidence measured longer ago than this is not counted.

    Returns:
        The suggestion: a level, or None when there is not enough evidence, with reasons.

    Examples:
        >>> item = KpiEvidence("Plans issued in 20 weeks (%)", 61, date(2023, 10, 1), 40, 60)
        >>> found = suggest([item], on=date(2023, 10, 31), has_measure=True)
        >>> found.level, found.reasons[0]
        (<Level.EARLY: 'early'>, 'Plans issued in 20 weeks (%) 61 meets the target of 60')
    """
    result = Suggestion(level=None)
    if not has_measure:
        result.flags.append(
            "This action has no impact measure or milestone, so its impact cannot be shown. "
            "Add one: it is the most common reason for a red impact rating."
        )
    judged = _judge_in_period(evidence, on, max_age_days, result.reasons)
    result.counted = len(judged)
    if not judged:
        result.reasons.insert(0, "Not enough evidence to suggest a rating")
        return result
    result.level, why = _level(judged, due, on)
    result.reasons.append(f"Suggested because {why}")
    return result


def _judge_in_period(
    evidence: Sequence[Evidence], on: date, max_age_days: int, reasons: list[str]
) -> list[Judged]:
    """Judge the evidence measured in the period, adding a reason for every piece.

    Returns the judgements that count: those that found enough to compare.
    """
    judged: list[Judged] = []
    for item in evidence:
        outside = _outside_period(item, on, max_age_days)
        if outside is not None:
            reasons.append(outside)
            continue
        found = judge(item)
        reasons.append(found.reason)
        if found.finding not in (Finding.TOO_FEW, Finding.UNCOMPARED):
            judged.append(found)
    return judged


def _outside_period(item: Evidence, on: date, max_age_days: int) -> str | None:
    """Why evidence measured too long before `on`, or after it, is not counted; else None."""
    age = (on - item.measured_on).days
    if age > max_age_days:
        return (
            f"{_label(item)} is from {item.measured_on:%B %Y}, more than "
            f"{max_age_days // 30} months old, so it is not counted"
        )
    if age < 0:
        return f"{_label(item)} was measured after this period ended, so it counts for a later one"
    return None


def _label(item: Evidence) -> str:
    return f"“{item.name}” theme" if isinstance(item, ThemeEvidence) else item.label


def _level(found: list[Judged], due: date | None, on: date) -> tuple[Level, str]:
    counts = {f: sum(1 for j in found if j.finding is f) for f in Finding}
    good = counts[Finding.MET] + counts[Finding.BETTER]
    bad = counts[Finding.WORSE]
    if bad and not good:
        return Level.NOT_DELIVERED, "the evidence is getting worse"
    if bad and good:
        if bad > good:
            return Level.NOT_DELIVERED, "most of the evidence is getting worse"
        return Level.ON_TRACK, "the evidence is mixed"
    if counts[Finding.MET] == len(found) and any(j.sustained for j in found):
        return Level.ONGOING, "every measure meets its target, and has done before"
    if good:
        return (
            Level.EARLY,
            "there is early evidence of improvement and none of things getting worse",
        )
    if due is not None and due < on:
        return (
            Level.NOT_DELIVERED,
            f"nothing has clearly changed, and the action was due by {due.day} {due:%B %Y}",
        )
    return Level.ON_TRACK, "nothing has clearly changed yet, and the action is not yet due"
