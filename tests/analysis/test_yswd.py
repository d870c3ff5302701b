"""Drafting "You said, we did": suppression of every count, easy read, and term names."""

import doctest

import pytest

import analysis.yswd
from analysis.yswd import (
    Shown,
    ThemeFigure,
    draft_easy_said,
    draft_you_said,
    easy_read_lines,
    long_lines,
    parse_term,
    shown_as,
    small_counts,
)


def test_the_examples_in_the_docstrings_hold():
    failed, tried = doctest.testmod(analysis.yswd)
    assert tried >= 6 and failed == 0


@pytest.mark.parametrize(
    ("raised", "respondents", "shown", "percent"),
    [
        (0, 40, Shown.COUNT, 0),
        (1, 40, Shown.FEWER_THAN_5, None),
        (4, 40, Shown.FEWER_THAN_5, None),
        (5, 40, Shown.COUNT, 12),
        (35, 40, Shown.COUNT, 88),
        (36, 40, Shown.ALMOST_ALL, None),
        # 37 of 40 would tell a reader that exactly 3 did not raise it.
        (37, 40, Shown.ALMOST_ALL, None),
        (40, 40, Shown.COUNT, 100),
        (3, 4, Shown.NOBODY_SHOWN, None),
    ],
)
def test_a_count_is_shown_only_when_no_small_group_can_be_worked_out(
    raised, respondents, shown, percent
):
    figure = ThemeFigure(1, "Waiting times", raised, respondents)
    assert shown_as(figure) is shown
    assert figure.percent == percent


def test_quotes_need_both_the_theme_and_the_term_to_be_big_enough():
    assert ThemeFigure(1, "t", 5, 40).quotable
    assert not ThemeFigure(1, "t", 4, 40).quotable
    assert not ThemeFigure(1, "t", 4, 4).quotable


def test_a_draft_has_no_count_under_five():
    figures = [
        ThemeFigure(1, "Waiting times", 23, 120),
        ThemeFigure(2, "EHCP reviews", 2, 120),
        ThemeFigure(3, "Communication", 117, 120),
    ]
    text = draft_you_said(figures, "parents", "2026/27 Autumn")
    assert text.splitlines() == [
        "120 parents and carers answered our 2026/27 Autumn survey.",
        "23 of them (19%) told us about waiting times.",
        "Fewer than 5 of them told us about EHCP reviews.",
        "Almost all of them told us about communication.",
    ]
    assert small_counts(text) == []
    easy = draft_easy_said(figures, "parents")
    assert easy.splitlines()[1:] == [
        "Some of you told us about waiting times.",
        "Some of you told us about EHCP reviews.",
        "Some of you told us about communication.",
    ]
    assert long_lines(easy) == []


def test_a_tiny_term_gives_no_numbers_at_all():
    text = draft_you_said([ThemeFigure(1, "Transport", 3, 4)], "cyp", "2026/27 Spring")
    assert text == (
        "Fewer than 5 children and young people answered our 2026/27 Spring survey, "
        "so we do not give numbers.\nSome told us about transport."
    )


@pytest.mark.parametrize(
    "text",
    ["2 parents said", "Four families told us", "one of you", "3 of them", "1 child"],
)
def test_small_counts_in_free_text_are_found(text):
    assert small_counts(f"Last term {text} this.") != []


@pytest.mark.parametrize(
    "text",
    [
        "12 parents said",
        "5 of them",
        "in 2 weeks",
        "Year 3 pupils",
        "40 of you",
        "You will have one person to talk to",
        "two weeks",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert small_counts(text) == []


def test_each_easy_read_line_gets_a_symbol_that_fits_it():
    lines = easy_read_lines("You waited too long.\n\nYour school helped.\nThank you.", "we-did")
    assert lines == [
        ("waiting", "You waited too long."),
        ("school", "Your school helped."),
        ("we-did", "Thank you."),
    ]


def test_terms_are_read_only_in_their_own_shape():
    assert parse_term("2026/27 Summer") == ("2026/27", "summer")
    assert parse_term("2026/28 Summer") is None
    assert parse_term("Summer") is None
