"""The evidence linked to a plan action: survey indicators, themes in comments, and KPIs.

Each piece holds its latest figures, when they were measured, and what they are measured
against. How each is judged is in analysis/impact_judging.py.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Direction(StrEnum):
    """What the action should do to a linked theme."""

    LESS_NEGATIVE = "less-negative"  # fewer of the theme's comments are negative
    FEWER_MENTIONS = "fewer-mentions"  # fewer comments raise it (a complaint)
    MORE_MENTIONS = "more-mentions"  # more comments raise it (praise)


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
