"""Dates are checked as a whole, in GOV.UK's words, with only the boxes in error marked."""

import re
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from forms.builder import initial_data, page_form_class, read_answers
from forms.dates import DateProblem, read_date, today
from forms.kinds import BuildContext
from forms.schema import load_definition, load_definition_text, shipped_definitions
from webapp import create_app

DEFINITION = """
slug: dates
title: Dates
pages:
  - id: when
    title: When
    questions:
      - {id: done, kind: date, label: "Date of completed form:", not_future: true}
      - {id: due, kind: date, label: Date due}
      - id: born
        kind: date
        label: Date of birth
        required: true
        error: Enter your date of birth
      - {id: started, kind: date, label: Date started, required: true}
"""


@pytest.fixture(scope="module")
def web():
    app = create_app({"DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False, "TESTING": True})
    with app.test_request_context(method="POST"):
        yield app


def page():
    return load_definition_text(DEFINITION, "dates.yaml").pages[0]


def posted(**dates: tuple[str, str, str]) -> MultiDict:
    answers = {"born": ("1", "2", "2015"), "started": ("3", "4", "2020"), **dates}
    return MultiDict([(name, part) for name, parts in answers.items() for part in parts])


def checked(saved: dict | None = None, **dates: tuple[str, str, str]):
    form_class = page_form_class(page(), BuildContext())
    form = form_class(formdata=posted(**dates), data=initial_data(page(), saved or {}))
    return form, form.validate()


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        (("", "", ""), None),
        ((), None),
        ((" 27 ", " 3", "2026 "), date(2026, 3, 27)),
        (("٢٧", "٣", "٢٠٢٦"), date(2026, 3, 27)),  # Arabic-Indic digits
        (("", "3", "2026"), DateProblem("missing", ("day",))),
        (("", "", "2026"), DateProblem("missing", ("day", "month"))),
        (("27", "", ""), DateProblem("missing", ("month", "year"))),
        (("27", "3", "26"), DateProblem("year", ("year",))),
        (("27", "13", "2026"), DateProblem("real", ("month",))),
        (("32", "3", "2026"), DateProblem("real", ("day",))),
        (("27", "March", "2026"), DateProblem("real", ("month",))),
        (("31", "2", "2026"), DateProblem("real", ("day", "month", "year"))),
        (("1", "2", "2026", "4"), DateProblem("real", ("day", "month", "year"))),
        (("1", "2", "9" * 5000), DateProblem("real", ("year",))),  # too long for int()
    ],
)
def test_the_three_boxes_are_read_as_one_date(typed, found):
    assert read_date(typed) == found


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "3", "2026"), "Date due must include a day"),
        (("27", "", "2026"), "Date due must include a month"),
        (("27", "3", ""), "Date due must include a year"),
        (("", "", "2026"), "Date due must include a day and month"),
        (("", "3", ""), "Date due must include a day and year"),
        (("27", "", ""), "Date due must include a month and year"),
        (("31", "2", "2026"), "Date due must be a real date"),
        (("27", "13", "2026"), "Date due must be a real date"),
        (("27", "3", "26"), "Year must include 4 numbers"),
    ],
)
def test_each_problem_has_its_own_message(web, typed, message):
    form, valid = checked(due=typed)
    assert not valid
    assert [str(error) for error in form.errors["due"]] == [message]


def test_a_month_and_year_without_a_day_are_not_thrown_away(web):
    """Optional() looks only at the day box: the whole date must be checked."""
    form, valid = checked(saved={"due": "2026-01-05"}, due=("", "3", "2026"))
    assert not valid
    assert form["due"].data is None
    html = str(form["due"]())
    assert 'value="3"' in html and 'value="2026"' in html


def test_only_all_three_boxes_empty_is_not_answered(web):
    form, valid = checked(saved={"due": "2026-01-05"}, due=("", "", ""))
    assert valid, form.errors
    assert read_answers(page(), form)["due"] is None
    form, valid = checked(due=(" 27 ", "3 ", " 2026"))
    assert valid, form.errors
    assert read_answers(page(), form)["due"] == "2026-03-27"


def test_a_required_date_left_empty_uses_its_message(web):
    form, valid = checked(born=("", "", ""), started=("", "", ""))
    assert not valid
    assert [str(e) for e in form.errors["born"]] == ["Enter your date of birth"]
    assert [str(e) for e in form.errors["started"]] == [
        "Date started must include a day, month and year"
    ]


def test_the_date_a_form_was_filled_in_cannot_be_in_the_future(web):
    tomorrow = today() + timedelta(days=1)
    form, valid = checked(done=(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)))
    assert not valid
    assert [str(e) for e in form.errors["done"]] == [
        "Date of completed form must be today or in the past"
    ]
    now = today()
    form, valid = checked(done=(str(now.day), str(now.month), str(now.year)))
    assert valid, form.errors
    form, valid = checked(due=(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)))
    assert valid, form.errors  # a date due may be in the future


def test_all_about_me_refuses_a_completed_date_in_the_future():
    [path] = [p for p in shipped_definitions() if p.stem == "all-about-me-pathway-1"]
    assert load_definition(path).question("date-completed").not_future


def boxes(html: str) -> dict[str, tuple[str, bool]]:
    """Each date box's label, with its id and whether it is marked as in error."""
    found = re.findall(
        r'<input class="govuk-input govuk-date-input__input ([^"]*)" id="([^"]+)"', html
    )
    return {
        name: (box_id, "govuk-input--error" in classes)
        for name, (classes, box_id) in zip(("day", "month", "year"), found, strict=True)
    }


def test_only_the_boxes_in_error_are_marked(web):
    form, _ = checked(due=("27", "", "2026"))
    assert boxes(str(form["due"]())) == {
        "day": ("due-day", False),
        "month": ("due", True),  # the error summary's link lands on the box to fix
        "year": ("due-year", False),
    }
    form, _ = checked(due=("27", "3", "26"))
    assert boxes(str(form["due"]())) == {
        "day": ("due-day", False),
        "month": ("due-month", False),
        "year": ("due", True),
    }
    form, _ = checked(due=("31", "2", "2026"))
    assert all(marked for _, marked in boxes(str(form["due"]())).values())
    form, _ = checked(due=("27", "3", "2026"))
    assert boxes(str(form["due"]())) == {
        "day": ("due", False),
        "month": ("due-month", False),
        "year": ("due-year", False),
    }


def test_the_message_names_the_question_in_the_readers_language():
    app = create_app({"DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False, "TESTING": True})
    [path] = [p for p in shipped_definitions() if p.stem == "all-about-me-pathway-1"]
    about_me = load_definition(path).page("about-me")
    with app.test_request_context("/?lang=ar", method="POST"):
        form_class = page_form_class(about_me, BuildContext())
        data = MultiDict([("date-completed", "31"), ("date-completed", "2")])
        data.add("date-completed", "2026")
        form = form_class(formdata=data)
        form.validate()
        [message] = [str(error) for error in form.errors["date-completed"]]
    assert "تاريخ إكمال النموذج" in message  # the label as the catalogue translates it
    assert "Date of completed form" not in message
    assert ":" not in message


def test_a_staff_date_under_optional_keeps_a_month_typed_without_a_day(web):
    """Staff pages build GovDateField with one message and WTForms' Optional()."""
    from flask_wtf import FlaskForm
    from wtforms.validators import Optional

    from forms.kinds import GovDateField

    class Delivery(FlaskForm):
        on = GovDateField("Date", validators=[Optional()], invalid_message="The date must be real")

    form = Delivery(formdata=MultiDict([("on", ""), ("on", "4"), ("on", "2027")]))
    assert not form.validate()
    assert form.errors["on"] == ["The date must be real"]
    assert Delivery(formdata=MultiDict([("on", ""), ("on", ""), ("on", "")])).validate()
