"""Drafting "You said, we did": suppression of every count, easy read, and term names."""

import doctest

import pytest

import analysis.yswd
import analysis.yswd_counts
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
    failed, tried = doctest.testmod(analysis.yswd_counts)
    assert tried >= 3 and failed == 0


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
    ("text", "phrase"),
    [
        ("2 parents said so.", "2 parents"),
        ("Four families told us.", "Four families"),
        ("We heard it from one of you.", "one of you"),
        ("3 of them said so.", "3 of them"),
        ("1 child told us.", "1 child"),
        ("3 young people told us.", "3 young people"),
        ("3 people told us.", "3 people"),
        ("Only one parent said so.", "Only one parent"),
        ("3 of the 170 parents said so.", "3 of the 170 parents"),
        ("3 out of 170 said so.", "3 out of 170"),
        ("Just 2 said so.", "Just 2 said"),
        ("3 mums told us.", "3 mums"),
        ("4 carers told us.", "4 carers"),
        ("two dads said so.", "two dads"),
        ("3 pupils said so.", "3 pupils"),
        ("(3) people mentioned it.", "(3) people"),
        ("Parents (n=3) said so.", "n=3"),
        ("Parents (N = 2) said so.", "N = 2"),
        ("3\u00a0parents told us.", "3 parents"),  # no-break space
        ("3\u202fparents told us.", "3 parents"),  # narrow no-break space
        ("\uff13 parents told us.", "3 parents"),  # full-width digit
        ("a single parent told us.", "a single parent"),
        ("Only one child had a plan.", "Only one child"),
        ("Just one told us.", "Just one told"),
        ("It was slow. One said the taxi was late.", "One said"),
        ("A couple of families said so.", "A couple of families"),
        ("3 other parents told us.", "3 other parents"),
        ("one of the parents said so.", "one of the parents"),
        ("3 of our 40 families said so.", "3 of our 40 families"),
        ("2 siblings told us.", "2 siblings"),
        ("four learners told us.", "four learners"),
        ("3 respondents agreed.", "3 respondents"),
        ("2 parent carers said so.", "2 parent carers"),
        ("Three SENCOs said so.", "Three SENCOs"),
        ("2 schools told us.", "2 schools"),
        ("Parents (3) said so.", "(3)"),
        ("Communication is poor (3).", "(3)"),
        ("3 CYP told us the bus was late.", "3 CYP"),
        ("2 YP said so.", "2 YP"),
    ],
)
def test_small_counts_in_free_text_are_found_and_named(text, phrase):
    assert small_counts(text) == [phrase]


def test_every_small_count_is_found_in_order():
    text = "Waiting times (3), transport (2); 1 in 4 parents agreed, and 2 dads told us."
    assert small_counts(text) == ["(3)", "(2)", "2 dads"]


@pytest.mark.parametrize(
    "text",
    [
        "12 parents said",
        "5 of them",
        "in 2 weeks",
        "Year 3 pupils",
        "Year\u00a03 pupils told us",
        "Key Stage 2 pupils told us",
        "KS2 pupils",
        "Pathway 1 children",
        "40 of you",
        "You will have one person to talk to",
        "two weeks",
        "3 weeks",
        "We visited 2 schools",
        "We trained 3 teachers",
        "one of the main themes",
        "one of our priorities",
        "at 4pm",
        # A ratio says how common a view is, not how many people said it.
        "1 in 5 parents",
        "1 in 4 parents",
        "one in four families",
        "page 2",
        "2026/27",
        "one day",
        "no one told us",
        "everyone",
        "every one of you",
        "once",
        "Call 01234 567 890",
        "on 3/4/2026",
        "on 2026-03-04",
        "we did one thing",
        "2 of 10 priorities",
        "1 of 3 options",
        "We held 2 parents\u2019 evenings",
        "We opened 1 family hub",
        "a 1 child-friendly guide",
        "We will: (1) hire staff, (2) train them",
        "two-thirds of parents",
        "Two were about transport.",
        "version 2.1 said",
        "We recruited two more educational psychologists, so nobody has to chase.",
        "Parents rated it 3 out of 5.",  # a score, not people
        "The service scored 4 out of 5",
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
