"""Agreement between two coders: Cohen's kappa per theme and pooled, and where they differ."""

import doctest

import numpy as np
import pytest

import analysis.agreement
from analysis.agreement import (
    Agreement,
    Disagreement,
    ThemeAgreement,
    agreement,
    cohens_kappa,
    pooled_kappa,
)

THEMES = ["staff", "waiting", "food"]
FIRST = {
    1: {"staff"},
    2: {"staff", "waiting"},
    3: {"waiting"},
    4: {"food"},
    5: {"staff"},
    6: {"waiting"},
}
SECOND = {
    1: {"staff", "parking"},  # "parking" is not a theme being compared
    2: {"staff"},
    3: {"waiting"},
    4: {"staff"},
    5: {"staff"},
    6: {"waiting"},
    7: {"staff"},  # only the second coder coded this one
}


def test_the_examples_in_the_docstrings_hold():
    failed, tried = doctest.testmod(analysis.agreement)
    assert tried >= 7 and failed == 0


def test_the_classic_two_by_two_table():
    # both 20, first only 5, second only 10, neither 15 (n = 50):
    # po = 35/50 = 0.7; first says yes 25/50 = 0.5, second 30/50 = 0.6;
    # pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    first = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
    second = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    assert cohens_kappa(first, second) == pytest.approx(0.4)


def test_kappa_is_symmetric_and_takes_any_true_or_false_values():
    first = [1, 1, 0, 0, 1, 0, 0, 0]
    second = [1, 0, 0, 0, 1, 1, 0, 0]
    # po = 6/8; first yes 3/8, second yes 3/8; pe = 9/64 + 25/64 = 34/64.
    expected = (6 / 8 - 34 / 64) / (1 - 34 / 64)
    assert cohens_kappa(first, second) == pytest.approx(expected)
    assert cohens_kappa(second, first) == pytest.approx(expected)
    assert cohens_kappa(np.array(first, dtype=bool), second) == pytest.approx(expected)


def test_perfect_disagreement_is_negative():
    assert cohens_kappa([True, False, True, False], [False, True, False, True]) == -1.0
    # Disagreeing on most, but not all: still worse than chance.
    assert cohens_kappa([True, True, False, False], [False, True, True, True]) < 0


def test_when_chance_agreement_is_certain_kappa_is_one():
    # pe = 1: each coder gave every item the same single value, so 0 / 0 by the formula.
    assert cohens_kappa([False] * 5, [False] * 5) == 1.0
    assert cohens_kappa([True] * 3, [True] * 3) == 1.0


def test_one_coder_saying_no_to_everything_agrees_no_better_than_chance():
    # pe = po = 0.75: they agree on three of four only because "no" is so common.
    assert cohens_kappa([True, False, False, False], [False] * 4) == 0.0


def test_kappa_needs_the_same_items_from_both_coders():
    with pytest.raises(ValueError, match="decided 3 items but the second 2"):
        cohens_kappa([True, False, True], [True, False])
    assert cohens_kappa([], []) is None


def test_a_multi_theme_comparison_worked_by_hand():
    # Items 1-6 are in both; 7 is only in SECOND and is left out.
    # staff:   both 1,2,5; second only 4; neither 3,6 -> po 5/6, p1 1/2, p2 4/6,
    #          pe = 1/2 * 4/6 + 1/2 * 2/6 = 1/2, kappa = (5/6 - 1/2) / (1/2) = 2/3.
    # waiting: both 3,6; first only 2; neither 1,4,5 -> po 5/6, p1 1/2, p2 2/6, pe 1/2,
    #          kappa = 2/3.
    # food:    first only 4; neither the rest -> po 5/6, p1 1/6, p2 0,
    #          pe = 1/6 * 0 + 5/6 * 1 = 5/6, kappa (5/6 - 5/6) / (1/6) = 0.
    # Pooled kappa (De Vries and others, 2008), averaging po and pe over the themes:
    #          mean po = (5/6 + 5/6 + 5/6) / 3 = 5/6 = 15/18;
    #          mean pe = (1/2 + 1/2 + 5/6) / 3 = (11/6) / 3 = 11/18;
    #          kappa = (15/18 - 11/18) / (1 - 11/18) = (4/18) / (7/18) = 4/7 = 0.5714...
    #          Not the mean of the three kappas (4/9), nor the kappa of the 18 decisions
    #          added into one table (both 5, first only 2, second only 1, neither 10,
    #          po 5/6, pe 29/54, kappa 16/25 = 0.64).
    result = agreement(FIRST, SECOND, THEMES)
    assert isinstance(result, Agreement)
    assert result.items == 6
    assert [t.theme for t in result.themes] == THEMES
    staff, waiting, food = result.themes
    assert staff == ThemeAgreement("staff", pytest.approx(2 / 3), 3, 0, 1, 2)
    assert waiting == ThemeAgreement("waiting", pytest.approx(2 / 3), 2, 1, 0, 3)
    assert food == ThemeAgreement("food", 0.0, 0, 1, 0, 5)
    assert staff.items == 6
    assert staff.observed == pytest.approx(5 / 6)
    assert result.overall == pytest.approx(4 / 7)
    assert pooled_kappa(result.themes) == result.overall


def test_a_common_and_a_rare_theme_that_each_agree_worse_than_chance_do_not_pool_high():
    # Of 100 comments, both coders gave "staff" to 90 and each gave it to 5 the other
    # did not: po = 90/100 = 0.9; each says yes 95/100, so
    # pe = 0.95 * 0.95 + 0.05 * 0.05 = 0.9025 + 0.0025 = 0.905 and
    # kappa = (0.9 - 0.905) / (1 - 0.905) = -0.005 / 0.095 = -1/19 = -0.0526.
    # "parking" is its mirror image, raised by few: neither gave it to 90, each gave
    # it to 5 the other did not. po 0.9, each says yes 0.05, pe 0.905, kappa -1/19.
    # Pooled: mean po 0.9, mean pe 0.905, so kappa = -1/19 as well. Adding the two
    # tables into one (both 90, first only 10, second only 10, neither 90 of 200)
    # would give po 0.9, pe 0.5 * 0.5 + 0.5 * 0.5 = 0.5, and (0.9 - 0.5) / 0.5 = 0.8.
    first = {n: {"staff"} for n in range(90)}
    second = {n: {"staff"} for n in range(90)}
    for n in range(90, 95):
        first[n], second[n] = {"staff", "parking"}, set()
    for n in range(95, 100):
        first[n], second[n] = set(), {"staff", "parking"}
    result = agreement(first, second, ["staff", "parking"])
    staff, parking = result.themes
    assert staff == ThemeAgreement("staff", pytest.approx(-1 / 19), 90, 5, 5, 0)
    assert parking == ThemeAgreement("parking", pytest.approx(-1 / 19), 0, 5, 5, 90)
    assert result.overall == pytest.approx(-1 / 19)
    assert result.overall < 0


def test_pooled_kappa_counts_only_the_themes_with_items_and_is_exact():
    empty = ThemeAgreement("food", None, 0, 0, 0, 0)
    # po 1 and pe 1: every decision was the same "no", taken as full agreement.
    assert pooled_kappa([ThemeAgreement("staff", 1.0, 0, 0, 0, 4), empty]) == 1.0
    assert pooled_kappa([empty]) is None
    assert pooled_kappa([]) is None
    # waiting: both 2, first only 1, second only 1, neither 1 -> po 3/5, pe 13/25.
    # transport: both 1, neither 4 -> po 1, pe 1/25 + 16/25 = 17/25.
    # mean po 4/5, mean pe 15/25 = 3/5, kappa (4/5 - 3/5) / (2/5) = 1/2 exactly
    # (in floating point, (0.8 - 0.6) / (1 - 0.6) is 0.5000000000000001).
    themes = [
        ThemeAgreement("waiting", None, 2, 1, 1, 1),
        ThemeAgreement("transport", 1.0, 1, 0, 0, 4),
        empty,
    ]
    assert pooled_kappa(themes) == 0.5


def test_disagreements_are_listed_by_item_then_theme():
    result = agreement(FIRST, SECOND, THEMES)
    assert result.disagreements == [
        Disagreement(item=2, theme="waiting", first=True, second=False),
        Disagreement(item=4, theme="staff", first=False, second=True),
        Disagreement(item=4, theme="food", first=True, second=False),
    ]
    # The themes' order decides the order within an item.
    reordered = agreement(FIRST, SECOND, ["food", "waiting", "staff"])
    assert [(d.item, d.theme) for d in reordered.disagreements] == [
        (2, "waiting"),
        (4, "food"),
        (4, "staff"),
    ]


def test_the_same_coding_twice_agrees_fully():
    result = agreement(FIRST, FIRST, THEMES)
    assert [t.kappa for t in result.themes] == [1.0, 1.0, 1.0]
    assert result.overall == 1.0
    assert result.disagreements == []


def test_with_no_items_in_common_there_is_nothing_to_compare():
    result = agreement({1: {"staff"}}, {2: {"staff"}}, THEMES)
    assert result.items == 0
    assert result.overall is None
    assert [t.kappa for t in result.themes] == [None, None, None]
    assert result.themes[0].items == 0
    assert result.themes[0].observed == 0.0
    assert agreement(FIRST, SECOND, []).overall is None


def test_mistakes_in_the_arguments_are_refused():
    with pytest.raises(ValueError, match="more than once"):
        agreement(FIRST, SECOND, ["staff", "staff"])
    with pytest.raises(TypeError, match="collection"):
        agreement({1: "staff"}, {1: {"staff"}}, ["staff"])
