"""Agreement between two coders: Cohen's kappa per theme, pooled kappa, and where they differ.

Two people (or a person and the theme coder) code the same comments. For each theme, each
comment is a yes or no decision by each coder. Cohen's kappa says how much more often
they agree than two coders who said yes just as often, at random, would:

    kappa = (po - pe) / (1 - pe)

where ``po`` is the share of decisions they agree on and ``pe`` the share they would
agree on by chance. 1 is full agreement, 0 no better than chance, and below 0 worse than
chance.

The overall figure is the pooled kappa of De Vries, Elliott, Kanouse and Teleki (2008,
"Using pooled kappa to summarize interrater agreement across many items", Field Methods
20(3)): the average observed agreement over the themes, corrected for the average
agreement expected by chance,

    pooled kappa = (mean(po) - mean(pe)) / (1 - mean(pe))

Adding every theme's counts into one 2 x 2 table and taking its kappa would be wrong:
a theme most comments raise and a theme few raise, added together, look like one theme
raised by about half the comments, whose chance agreement is far lower than either's.
Two such themes, each with kappa about -0.05, give 0.80 that way (see the example in
:func:`pooled_kappa`).

Nothing is rounded here; callers format the figures.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class ThemeAgreement:
    """How two coders agree on one theme, with the four counts behind it.

    Attributes:
        theme: The theme key.
        kappa: Cohen's kappa, or ``None`` when there is nothing to compare (no items).
        both: Items both coders gave the theme.
        first_only: Items only the first coder gave it.
        second_only: Items only the second coder gave it.
        neither: Items neither coder gave it.
    """

    theme: str
    kappa: float | None
    both: int
    first_only: int
    second_only: int
    neither: int

    @property
    def items(self) -> int:
        """How many items were compared."""
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def observed(self) -> float:
        """The share of items the coders agree on (0.0 when there are none)."""
        return (self.both + self.neither) / self.items if self.items else 0.0


@dataclass(frozen=True)
class Disagreement:
    """One item and theme the coders decided differently, and what each decided."""

    item: Hashable
    theme: str
    first: bool
    second: bool


@dataclass(frozen=True)
class Agreement:
    """How two coders agree over a set of items and themes.

    Attributes:
        themes: One entry per theme, in the order the themes were given.
        overall: The pooled kappa over the themes (see :func:`pooled_kappa`), or
            ``None`` when there is nothing to compare.
        items: How many items both coders coded.
        disagreements: Every differing decision, by item (in the first coder's order)
            and then by theme (in the order the themes were given).
    """

    themes: list[ThemeAgreement]
    overall: float | None
    items: int
    disagreements: list[Disagreement]


def cohens_kappa(first: Sequence[bool], second: Sequence[bool]) -> float | None:
    """Cohen's kappa for two coders' yes or no decisions on the same items.

    When chance agreement ``pe`` is 1, both coders gave every item the same single
    value (both said yes to all, or both no to all) and kappa's formula is 0 / 0. Then
    kappa is taken as 1.0 if they agree on every item, else 0.0; with yes or no
    decisions ``pe`` = 1 only happens when they do agree on every item, so it is 1.0.

    Args:
        first: The first coder's decision for each item (any true or false values).
        second: The second coder's decisions, for the same items in the same order.

    Returns:
        Kappa, from -1 to 1, or ``None`` when there are no items.

    Raises:
        ValueError: If the two coders decided a different number of items.

    Examples:
        Of 50 items, both coders said yes to 20, only the first to 5, only the second
        to 10, and neither to 15. They agree on po = 35 / 50 = 0.7. The first said yes
        to 25 / 50 = 0.5 and the second to 30 / 50 = 0.6, so by chance they would agree
        on pe = 0.5 x 0.6 + 0.5 x 0.4 = 0.5, and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.

        >>> first = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
        >>> second = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
        >>> cohens_kappa(first, second)
        0.4
        >>> cohens_kappa([True, False], [False, True])
        -1.0
        >>> cohens_kappa([False, False], [False, False])
        1.0
    """
    if len(first) != len(second):
        raise ValueError(
            f"The first coder decided {len(first)} items but the second {len(second)}."
        )
    counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    for a, b in zip(first, second, strict=True):
        counts[bool(a), bool(b)] += 1
    return _kappa(
        counts[True, True], counts[True, False], counts[False, True], counts[False, False]
    )


def agreement(
    first: Mapping[Hashable, Collection[str]],
    second: Mapping[Hashable, Collection[str]],
    themes: Sequence[str],
) -> Agreement:
    """Compare two coders' themes for the items both of them coded.

    Only the items in both mappings are compared, and only the themes given: a theme a
    coder used that is not in ``themes`` is left out. An item with no themes is a "no"
    for every theme.

    Args:
        first: The first coder's themes for each item, such as ``{comment_id: {"staff"}}``.
        second: The second coder's themes, keyed the same way.
        themes: The theme keys to compare, in the order to report them.

    Raises:
        ValueError: If a theme is given twice.
        TypeError: If an item's themes are a single string rather than a collection.

    Examples:
        >>> a = agreement({1: {"staff"}, 2: {"wait"}}, {1: {"staff", "wait"}, 2: {"wait"}},
        ...               ["staff", "wait"])
        >>> [(t.theme, t.kappa) for t in a.themes]
        [('staff', 1.0), ('wait', 0.0)]
        >>> a.disagreements
        [Disagreement(item=1, theme='wait', first=False, second=True)]
    """
    if len(set(themes)) != len(themes):
        raise ValueError("A theme is given more than once.")
    items = [item for item in first if item in second]
    coded = [(item, _themes_of(first[item]), _themes_of(second[item])) for item in items]
    results = [_theme_agreement(theme, coded) for theme in themes]
    disagreements = [
        Disagreement(item, theme, theme in ours, theme in theirs)
        for item, ours, theirs in coded
        for theme in themes
        if (theme in ours) != (theme in theirs)
    ]
    return Agreement(results, pooled_kappa(results), len(items), disagreements)


def pooled_kappa(themes: Sequence[ThemeAgreement]) -> float | None:
    """The pooled kappa over several themes, of De Vries and others (2008).

    De Vries, Elliott, Kanouse and Teleki (2008), "Using pooled kappa to summarize
    interrater agreement across many items", Field Methods 20(3). Each theme's observed
    agreement ``po`` and chance agreement ``pe`` are averaged over the themes, and

        pooled kappa = (mean(po) - mean(pe)) / (1 - mean(pe))

    Only the themes with items count. As with :func:`cohens_kappa`, when the mean chance
    agreement is 1 (every theme's is) the pooled kappa is 1.0 if the mean observed
    agreement is 1 too, else 0.0. The sums are worked as exact fractions, so that a
    pooled kappa of exactly 0.6 is not read as 0.59999... against a threshold of 0.6.

    Args:
        themes: Each theme's counts, as :func:`agreement` gives them.

    Returns:
        The pooled kappa, from -1 to 1, or ``None`` when no theme has items.

    Examples:
        A theme nearly every item raises, and one nearly none raises. Of 100 items,
        both coders gave the first theme to 90, and each gave it to 5 the other did
        not: po = 0.9, each says yes 0.95 of the time, pe = 0.95 x 0.95 + 0.05 x 0.05
        = 0.905, and kappa = (0.9 - 0.905) / 0.095 = -1/19, about -0.05. The second
        theme is the mirror image (neither gave it to 90), with the same po, pe and
        kappa. Their means are 0.9 and 0.905, so the pooled kappa is -1/19 too, where
        one table of all 200 decisions would give (0.9 - 0.5) / 0.5 = 0.8.

        >>> common = ThemeAgreement("staff", None, 90, 5, 5, 0)
        >>> rare = ThemeAgreement("parking", None, 0, 5, 5, 90)
        >>> round(pooled_kappa([common, rare]), 4)
        -0.0526
        >>> pooled_kappa([ThemeAgreement("staff", None, 0, 0, 0, 4)])
        1.0
        >>> pooled_kappa([ThemeAgreement("staff", None, 0, 0, 0, 0)]) is None
        True
    """
    counted = [theme for theme in themes if theme.items]
    if not counted:
        return None
    observed = sum((_observed(t) for t in counted), Fraction(0)) / len(counted)
    chance = sum((_chance(t) for t in counted), Fraction(0)) / len(counted)
    if chance == 1:
        return 1.0 if observed == 1 else 0.0
    return float((observed - chance) / (1 - chance))


def _themes_of(value: Collection[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError(f"Give an item's themes as a collection, such as {{{value!r}}}.")
    return frozenset(value)


def _theme_agreement(
    theme: str, coded: list[tuple[Hashable, frozenset[str], frozenset[str]]]
) -> ThemeAgreement:
    pairs = [(theme in ours, theme in theirs) for _, ours, theirs in coded]
    both = pairs.count((True, True))
    first_only = pairs.count((True, False))
    second_only = pairs.count((False, True))
    neither = pairs.count((False, False))
    kappa = _kappa(both, first_only, second_only, neither)
    return ThemeAgreement(theme, kappa, both, first_only, second_only, neither)


def _observed(theme: ThemeAgreement) -> Fraction:
    return Fraction(theme.both + theme.neither, theme.items)


def _chance(theme: ThemeAgreement) -> Fraction:
    """The share of items two coders saying yes as often as these did would agree on."""
    yes_first = theme.both + theme.first_only
    yes_second = theme.both + theme.second_only
    n = theme.items
    return Fraction(yes_first * yes_second + (n - yes_first) * (n - yes_second), n * n)


def _kappa(both: int, first_only: int, second_only: int, neither: int) -> float | None:
    """Kappa from the 2 x 2 counts, worked in whole numbers so that pe = 1 is exact."""
    n = both + first_only + second_only + neither
    if n == 0:
        return None
    agreed = both + neither
    # n * n * pe: the chance both say yes plus the chance both say no, times n squared.
    chance = (both + first_only) * (both + second_only) + (second_only + neither) * (
        first_only + neither
    )
    if chance == n * n:
        return 1.0 if agreed == n else 0.0
    return (n * agreed - chance) / (n * n - chance)
