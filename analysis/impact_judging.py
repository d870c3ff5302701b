"""Judging one piece of impact evidence: met its target, better, the same, worse, or too little.

A survey figure is compared allowing for its 95% margin of error, which grows as fewer
people answer; a theme's change between two periods is tested for a real change; a KPI
entered by hand is compared as it stands.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

from analysis.impact_evidence import (
    Direction,
    Evidence,
    IndicatorEvidence,
    KpiEvidence,
    ThemeEvidence,
)

Z_95 = 1.96
#: Fewer people than this and a survey figure is too uncertain to judge.
MIN_PEOPLE = 30
#: Fewer comments on a theme than this, in either period, and its change is not judged.
MIN_MENTIONS = 10


class Finding(StrEnum):
    """What one piece of evidence shows."""

    MET = "met"  # at or past the target
    BETTER = "better"  # clearly better than the baseline or the last period
    SAME = "same"  # no clear change
    WORSE = "worse"  # clearly worse
    TOO_FEW = "too-few"  # too little data to say
    UNCOMPARED = "uncompared"  # nothing to compare it with: no baseline, and the target not met


@dataclass(frozen=True)
class Judged:
    """A finding, the reason for it in plain English, and whether a target was met before."""

    finding: Finding
    reason: str
    sustained: bool = False


def margin(percent: float, people: int) -> float:
    """The 95% margin of error, in percentage points, of a share from `people` people.

    People rather than answers are counted, because one person's answers move together.

    Args:
        percent: the share, as a percentage.
        people: how many people it is from.

    Returns:
        The margin in percentage points; 100 when nobody answered.

    Examples:
        >>> round(margin(58, 412), 1)
        4.8
    """
    p = percent / 100
    return 100 * Z_95 * math.sqrt(p * (1 - p) / people) if people else 100.0


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def judge_indicator(item: IndicatorEvidence) -> Judged:
    """Compare a survey figure with its target and baseline, allowing for its margin.

    Args:
        item: the indicator, with its counts and what it is measured against.

    Returns:
        MET only when the whole margin is at or past the target; BETTER or WORSE only when
        it is clear of the baseline; TOO_FEW under `MIN_PEOPLE` people.

    Examples:
        >>> from datetime import date
        >>> item = IndicatorEvidence("Felt heard", 288, 400, 400, date(2023, 10, 1), baseline=58)
        >>> judge_indicator(item).reason
        'Felt heard 72% (n=400, ±4.4), up on the baseline of 58%'
    """
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
        return _no_baseline(f"{figure}{against}")
    return _against_baseline(f"{figure}{against}", low, high, item.baseline)


def _no_baseline(figure: str) -> Judged:
    """A figure with no baseline: it cannot show a change, so it is not counted."""
    return Judged(
        Finding.UNCOMPARED,
        f"{figure}; with no baseline it cannot show a change, so it is not counted",
    )


def _against_baseline(figure: str, low: float, high: float, baseline: float) -> Judged:
    """A survey figure, from `low` to `high` with its margin, against its baseline."""
    if low > baseline:
        return Judged(Finding.BETTER, f"{figure}, up on the baseline of {_pct(baseline)}")
    if high < baseline:
        return Judged(Finding.WORSE, f"{figure}, down on the baseline of {_pct(baseline)}")
    return Judged(
        Finding.SAME, f"{figure}, not clearly different from the baseline of {_pct(baseline)}"
    )


def _two_shares(before: tuple[int, int], now: tuple[int, int]) -> float:
    """The z statistic for a change between two shares, each given as (part, whole)."""
    (a, n1), (b, n2) = before, now
    pooled = (a + b) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 0.0 if spread == 0 else (b / n2 - a / n1) / spread


def judge_theme(item: ThemeEvidence) -> Judged:
    """Test whether a theme moved the way the action means it to, between two periods.

    Args:
        item: the theme's counts in the period before and this one.

    Returns:
        BETTER or WORSE only for a change clear at 95%; TOO_FEW under `MIN_MENTIONS`.

    Examples:
        >>> from datetime import date
        >>> item = ThemeEvidence(
        ...     "Waits", Direction.FEWER_MENTIONS, date(2023, 10, 1), (400, 400), (120, 60), (0, 0)
        ... )
        >>> judge_theme(item).reason
        '“Waits” theme share of comments raising it down from 30% to 15% (n=400, then 400)'
    """
    quoted = f"“{item.name}”"
    too_few = _too_few(item)
    if too_few is not None:
        return Judged(Finding.TOO_FEW, f"{quoted} theme: {too_few}")
    before, now, what, good_when_up = _theme_shares(item)
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


def _too_few(item: ThemeEvidence) -> str | None:
    """Why there are too few comments to judge the theme's change, or None if there are enough."""
    if item.direction is Direction.LESS_NEGATIVE:
        if min(item.mentions) < MIN_MENTIONS:
            return f"{item.mentions[0]} then {item.mentions[1]} comments, too few to judge"
    elif min(item.comments) < MIN_MENTIONS:
        return "too few comments to judge"
    return None


def _theme_shares(item: ThemeEvidence) -> tuple[tuple[int, int], tuple[int, int], str, bool]:
    """The shares to compare (before, now) as (part, whole), what they are, and if up is good."""
    if item.direction is Direction.LESS_NEGATIVE:
        before, now = (item.negative[0], item.mentions[0]), (item.negative[1], item.mentions[1])
        return before, now, "negative share", False
    before, now = (item.mentions[0], item.comments[0]), (item.mentions[1], item.comments[1])
    return before, now, "share of comments raising it", item.direction is Direction.MORE_MENTIONS


def judge_kpi(item: KpiEvidence) -> Judged:
    """Compare a figure entered by hand with its target and baseline.

    Args:
        item: the figure, with what it is measured against and which way is better.

    Returns:
        MET at or past the target; otherwise BETTER, SAME or WORSE than the baseline.

    Examples:
        >>> from datetime import date
        >>> judge_kpi(KpiEvidence("Plans on time (%)", 52, date(2023, 10, 1), 40, 60)).reason
        'Plans on time (%) 52 vs target 60, better than the baseline of 40'
    """

    def better(a: float, b: float) -> bool:
        return a > b if item.higher_is_better else a < b

    figure = f"{item.label} {item.value:g}"
    if item.target is not None and (item.value == item.target or better(item.value, item.target)):
        return Judged(Finding.MET, f"{figure} meets the target of {item.target:g}")
    against = f" vs target {item.target:g}" if item.target is not None else ""
    if item.baseline is None:
        return _no_baseline(f"{figure}{against}")
    if item.value == item.baseline:
        return Judged(Finding.SAME, f"{figure}{against}, no change from the baseline")
    if better(item.value, item.baseline):
        return Judged(
            Finding.BETTER, f"{figure}{against}, better than the baseline of {item.baseline:g}"
        )
    return Judged(Finding.WORSE, f"{figure}{against}, worse than the baseline of {item.baseline:g}")


def judge(item: Evidence) -> Judged:
    """Judge any piece of evidence, by its kind.

    Args:
        item: a survey indicator, a theme or a KPI.

    Returns:
        What `judge_indicator`, `judge_theme` or `judge_kpi` finds.

    Examples:
        >>> from datetime import date
        >>> judge(KpiEvidence("Plans on time (%)", 61, date(2023, 10, 1), 40, 60)).finding
        <Finding.MET: 'met'>
    """
    if isinstance(item, IndicatorEvidence):
        return judge_indicator(item)
    if isinstance(item, ThemeEvidence):
        return judge_theme(item)
    return judge_kpi(item)
