"""Every question kind builds fields, and answers survive a trip through a form."""

import pytest
from werkzeug.datastructures import MultiDict

from forms.builder import initial_data, page_form_class, read_answers
from forms.kinds import KINDS, BuildContext
from forms.schema import load_definition_text
from webapp import create_app

DEFINITION = """
slug: every-kind
title: Every kind
pages:
  - id: all
    title: All kinds
    questions:
      - {id: short, kind: short_text, label: Short, max_length: 10}
      - {id: long, kind: long_text, label: Long, max_length: 50}
      - {id: when, kind: date, label: When}
      - id: one
        kind: single_choice
        label: One
        options: [{id: a, label: A}, {id: b, label: B}]
      - id: agree
        kind: likert
        label: I agree
        options:
          - {id: agree, label: Agree}
          - {id: disagree, label: Disagree}
          - {id: dont-know, label: "Don't know"}
      - id: many
        kind: symbol_tiles
        label: Many
        options: [{id: x, label: X}, {id: y, label: Y}]
      - id: grid
        kind: yes_no_unsure_grid
        label: Grid
        rows: [{id: r1, label: Row one}, {id: r2, label: Row two}]
      - {id: where, kind: setting, label: Where}
      - {id: photo, kind: picture, label: Photo}
      - {id: area, kind: district, label: Area, context: district}
      - {id: mail, kind: email, label: Email, personal: contact_email}
"""
ANSWERS = {
    "short": "hello",
    "long": "a longer answer",
    "when": "2026-03-27",
    "one": "b",
    "agree": "dont-know",
    "many": ["x", "y"],
    "grid": {"r1": "yes", "r2": "unsure"},
    "where": {"other": "Home"},
    "area": "3",
    "mail": "sam@example.org",
}


@pytest.fixture(scope="module")
def web():
    app = create_app({"DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False, "TESTING": True})
    with app.test_request_context(method="POST"):
        yield app


def test_every_kind_is_used_here():
    definition = load_definition_text(DEFINITION, "every-kind.yaml")
    assert {q.kind for q in definition.questions()} == set(KINDS)


def test_answers_round_trip_through_the_form(web):
    page = load_definition_text(DEFINITION, "every-kind.yaml").pages[0]
    context = BuildContext(settings=(("7", "Oak School"),), districts=(("3", "Dover"),))
    form_class = page_form_class(page, context)
    filled = form_class(formdata=None, data=initial_data(page, ANSWERS))
    assert filled["when"].data.isoformat() == "2026-03-27"
    assert filled["where--other"].data == "Home" and filled["where"].data == "other"
    posted = MultiDict(
        [
            ("short", "hello"),
            ("long", "a longer answer"),
            ("when", "27"),
            ("when", "3"),
            ("when", "2026"),
            ("one", "b"),
            ("agree", "dont-know"),
            ("many", "x"),
            ("many", "y"),
            ("grid--r1", "yes"),
            ("grid--r2", "unsure"),
            ("where", "other"),
            ("where--other", "Home"),
            ("area", "3"),
            ("mail", " sam@example.org "),  # spaces around a pasted address are dropped
        ]
    )
    form = form_class(formdata=posted)
    assert form.validate(), form.errors
    answers = read_answers(page, form)
    assert answers == ANSWERS


def test_values_outside_the_options_are_refused(web):
    page = load_definition_text(DEFINITION, "every-kind.yaml").pages[0]
    form = page_form_class(page, BuildContext())(
        formdata=MultiDict(
            [
                ("one", "zzz"),
                ("many", "nope"),
                ("grid--r1", "maybe"),
                ("short", "x" * 11),
                ("area", "99"),
                ("mail", "sam at example dot org"),
            ]
        )
    )
    assert not form.validate()
    assert set(form.errors) >= {"one", "many", "grid--r1", "short", "area", "mail"}
    assert form.errors["mail"] == [
        "Enter an email address in the correct format, like name@example.com"
    ]


CONDITIONAL = """
slug: conditional
title: Conditional
pages:
  - id: back
    title: Hearing back
    questions:
      - id: follow-up
        kind: single_choice
        label: Hear back?
        options: [{id: "yes", label: "Yes"}, {id: "no", label: "No"}]
      - id: mail
        kind: email
        label: Email
        error: Enter your email address, or answer no
        required_if: {question: follow-up, answer: "yes"}
"""


@pytest.mark.parametrize(
    ("posted", "valid"),
    [
        ([("follow-up", "yes")], False),
        ([("follow-up", "yes"), ("mail", "  ")], False),
        ([("follow-up", "yes"), ("mail", "sam@example.org")], True),
        ([("follow-up", "no")], True),
        ([], True),
    ],
)
def test_a_question_can_be_required_by_another_answer(web, posted, valid):
    page = load_definition_text(CONDITIONAL, "conditional.yaml").pages[0]
    form = page_form_class(page, BuildContext())(formdata=MultiDict(posted))
    assert form.validate() is valid
    if not valid:
        assert form.errors["mail"] == ["Enter your email address, or answer no"]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ('{question: nowhere, answer: "yes"}', "not another question on this page"),
        ("{question: follow-up, answer: maybe}", "'maybe' is not an option of 'follow-up'"),
    ],
)
def test_a_condition_must_name_a_question_and_answer_on_its_page(rule, problem):
    from forms.schema import DefinitionError

    text = CONDITIONAL.replace('{question: follow-up, answer: "yes"}', rule)
    with pytest.raises(DefinitionError, match=problem):
        load_definition_text(text, "conditional.yaml")
