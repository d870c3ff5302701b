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
    # food:    first only 4; neither the rest -> po 5/6, p1 1/6, p2 0, pe 5/6, kappa 0.
    # Pooled over the 18 decisions: both 5, first only 2, second only 1, neither 10.
    #          po = 15/18 = 5/6; p1 = 7/18, p2 = 6/18;
    #          pe = 7/18 * 6/18 + 11/18 * 12/18 = 174/324 = 29/54;
    #          kappa = (45/54 - 29/54) / (25/54) = 16/25 = 0.64
    #          (not the mean of the three, 4/9).
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
    assert result.overall == pytest.approx(0.64)


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
