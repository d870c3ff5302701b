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
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

Z_95 = 1.96
#: Fewer people than this and a survey figure is too uncertain to judge.
MIN_PEOPLE = 30
#: Fewer comments on a theme than this, in either period, and its change is not judged.
MIN_MENTIONS = 10


class Level(StrEnum):
    """The impact steps, best first, that a scheme's values map onto."""

    ONGOING = "ongoing"
    EARLY = "early"
    ON_TRACK = "on-track"
    NOT_DELIVERED = "not-delivered"


class Direction(StrEnum):
    """What the action should do to a linked theme."""

    LESS_NEGATIVE = "less-negative"  # fewer of the theme's comments are negative
    FEWER_MENTIONS = "fewer-mentions"  # fewer comments raise it (a complaint)
    MORE_MENTIONS = "more-mentions"  # more comments raise it (praise)


class Finding(StrEnum):
    MET = "met"  # at or past the target
    BETTER = "better"  # clearly better than the baseline or the last period
    SAME = "same"  # no clear change
    WORSE = "worse"  # clearly worse
    TOO_FEW = "too-few"  # too little data to say
    UNCOMPARED = "uncompared"  # nothing to compare it with: no baseline, and the target not met


@dataclass(frozen=True)
class IndicatorEvidence:
    """A survey indicator: the positive share of answers, from `people` people."""

    label: str
    positive: int
    counted: int
    people: int
    measured_on: date
    baseline: float | None = None  # a percentage
    target: float | None = None
    previous_percent: float | None = None  # the round before, to tell sustained from new


@dataclass(frozen=True)
class ThemeEvidence:
    """How often a theme came up, and how negatively, in this period and the one before."""

    name: str
    direction: Direction
    measured_on: date
    comments: tuple[int, int]  # all comments (before, now)
    mentions: tuple[int, int]  # comments coded with the theme (before, now)
    negative: tuple[int, int]  # of those, how many were negative (before, now)


@dataclass(frozen=True)
class KpiEvidence:
    """A figure entered by hand, such as a percentage of plans issued in 20 weeks."""

    label: str
    value: float
    measured_on: date
    baseline: float | None = None
    target: float | None = None
    higher_is_better: bool = True


Evidence = IndicatorEvidence | ThemeEvidence | KpiEvidence


@dataclass(frozen=True)
class Judged:
    finding: Finding
    reason: str
    sustained: bool = False


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


def margin(percent: float, people: int) -> float:
    """The 95% margin of error, in percentage points, of a share from `people` people.

    People rather than answers are counted, because one person's answers move together.

    Examples:
        >>> round(margin(58, 412), 1)
        4.8
    """
    p = percent / 100
    return 100 * Z_95 * math.sqrt(p * (1 - p) / people) if people else 100.0


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def judge_indicator(item: IndicatorEvidence) -> Judged:
    """Compare a survey figure with its target and baseline, allowing for its margin."""
    if item.people < MIN_PEOPLE or item.counted == 0:
        return Judged(
            Finding.TOO_FEW, f"{item.label}: only {item.people} people answered, too few to judge"
        )
    percent = 100 * item.positive / item.counted
    error = margin(percent, item.people)
    figure = f"{item.label} {_pct(percent)} (n={item.people}, ±{error:.1f})"
    low, high = percent - error, percent + error
    if item.target is not None and low >= item.target:
        sustained = item.previous_percent is not None and item.previous_percent >= item.target
        again = " again" if sustained else ""
        return Judged(
            Finding.MET, f"{figure} meets the target of {_pct(item.target)}{again}", sustained
        )
    against = f" vs target {_pct(item.target)}" if item.target is not None else ""
    if item.baseline is None:
        return Judged(
            Finding.UNCOMPARED,
            f"{figure}{against}; with no baseline it cannot show a change, so it is not counted",
        )
    if low > item.baseline:
        return Judged(
            Finding.BETTER, f"{figure}{against}, up on the baseline of {_pct(item.baseline)}"
        )
    if high < item.baseline:
        return Judged(
            Finding.WORSE, f"{figure}{against}, down on the baseline of {_pct(item.baseline)}"
        )
    return Judged(
        Finding.SAME,
        f"{figure}{against}, not clearly different from the baseline of {_pct(item.baseline)}",
    )


def _two_shares(before: tuple[int, int], now: tuple[int, int]) -> float:
    """The z statistic for a change between two shares, each given as (part, whole)."""
    (a, n1), (b, n2) = before, now
    pooled = (a + b) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 0.0 if spread == 0 else (b / n2 - a / n1) / spread


def judge_theme(item: ThemeEvidence) -> Judged:
    """Test whether a theme moved the way the action means it to, between two periods."""
    quoted = f"“{item.name}”"
    if item.direction is Direction.LESS_NEGATIVE:
        if min(item.mentions) < MIN_MENTIONS:
            return Judged(
                Finding.TOO_FEW,
                f"{quoted} theme: {item.mentions[0]} then {item.mentions[1]} comments, "
                "too few to judge",
            )
        before, now = (item.negative[0], item.mentions[0]), (item.negative[1], item.mentions[1])
        what = "negative share"
        good_when_up = False
    else:
        if min(item.comments) < MIN_MENTIONS:
            return Judged(Finding.TOO_FEW, f"{quoted} theme: too few comments to judge")
        before, now = (item.mentions[0], item.comments[0]), (item.mentions[1], item.comments[1])
        what = "share of comments raising it"
        good_when_up = item.direction is Direction.MORE_MENTIONS
    first, second = 100 * before[0] / before[1], 100 * now[0] / now[1]
    z = _two_shares(before, now)
    moved = "up" if second > first else "down"
    text = (
        f"{quoted} theme {what} {moved} from {_pct(first)} to {_pct(second)} "
        f"(n={before[1]}, then {now[1]})"
    )
    if abs(z) < Z_95:
        return Judged(
            Finding.SAME,
            f"{quoted} theme {what} {_pct(first)}, then {_pct(second)}: no clear change",
        )
    improved = (z > 0) == good_when_up
    return Judged(Finding.BETTER if improved else Finding.WORSE, text)


def judge_kpi(item: KpiEvidence) -> Judged:
    """Compare a figure entered by hand with its target and baseline."""

    def better(a: float, b: float) -> bool:
        return a > b if item.higher_is_better else a < b

    figure = f"{item.label} {item.value:g}"
    if item.target is not None and (item.value == item.target or better(item.value, item.target)):
        return Judged(Finding.MET, f"{figure} meets the target of {item.target:g}")
    against = f" vs target {item.target:g}" if item.target is not None else ""
    if item.baseline is None:
        return Judged(
            Finding.UNCOMPARED,
            f"{figure}{against}; with no baseline it cannot show a change, so it is not counted",
        )
    if item.value == item.baseline:
        return Judged(Finding.SAME, f"{figure}{against}, no change from the baseline")
    if better(item.value, item.baseline):
        return Judged(
            Finding.BETTER, f"{figure}{against}, better than the baseline of {item.baseline:g}"
        )
    return Judged(Finding.WORSE, f"{figure}{against}, worse than the baseline of {item.baseline:g}")


def judge(item: Evidence) -> Judged:
    if isinstance(item, IndicatorEvidence):
        return judge_indicator(item)
    if isinstance(item, ThemeEvidence):
        return judge_theme(item)
    return judge_kpi(item)


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
    judged: list[Judged] = []
    for item in evidence:
        age = (on - item.measured_on).days
        if age > max_age_days:
            result.reasons.append(
                f"{_label(item)} is from {item.measured_on:%B %Y}, more than "
                f"{max_age_days // 30} months old, so it is not counted"
            )
            continue
        if age < 0:
            result.reasons.append(
                f"{_label(item)} was measured after this period ended, so it counts for a later one"
            )
            continue
        found = judge(item)
        result.reasons.append(found.reason)
        if found.finding not in (Finding.TOO_FEW, Finding.UNCOMPARED):
            judged.append(found)
    result.counted = len(judged)
    if not judged:
        result.reasons.insert(0, "Not enough evidence to suggest a rating")
        return result
    result.level, why = _level(judged, due, on)
    result.reasons.append(f"Suggested because {why}")
    return result


def _label(item: Evidence) -> str:
    return f"“{item.name}” theme" if isinstance(item, ThemeEvidence) else item.label
