"""Agreement between two coders: Cohen's kappa per theme and overall, and where they differ.

Two people (or a person and the theme coder) code the same comments. For each theme, each
comment is a yes or no decision by each coder. Cohen's kappa says how much more often
they agree than two coders who said yes just as often, at random, would:

    kappa = (po - pe) / (1 - pe)

where ``po`` is the share of decisions they agree on and ``pe`` the share they would
agree on by chance. 1 is full agreement, 0 no better than chance, and below 0 worse than
chance.

Nothing is rounded here; callers format the figures.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass


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
        overall: Cohen's kappa pooled over every item and theme decision, or ``None``
            when there is nothing to compare.
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
    overall = _kappa(
        sum(r.both for r in results),
        sum(r.first_only for r in results),
        sum(r.second_only for r in results),
        sum(r.neither for r in results),
    )
    return Agreement(results, overall, len(items), disagreements)


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
