"""The three upstream widget faults are mended."""

import re

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length

from forms.widgets import GovCharacterCount, GovCheckboxesInput, GovDateInput
from webapp import create_app


@pytest.fixture(scope="module")
def web():
    app = create_app({"DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False, "TESTING": True})
    with app.test_request_context(method="POST"):
        yield app


class Example(FlaskForm):
    plain = SelectMultipleField(
        "Pick",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        widget=GovCheckboxesInput(),
    )
    hinted = SelectMultipleField(
        "Pick",
        description="Select all that apply",
        choices=[SelectChoice("a", "A")],
        widget=GovCheckboxesInput(),
    )
    when = DateField(
        "Date completed",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[InputRequired(message="Enter the date completed")],
    )
    comments = TextAreaField("Comments", widget=GovCharacterCount(), validators=[Length(max=500)])


def described_ids(html: str) -> list[str]:
    found = re.findall(r'aria-describedby="([^"]+)"', html)
    return [i for value in found for i in value.split()]


def test_checkboxes_without_a_hint_render_no_empty_hint(web):
    html = str(Example(formdata=MultiDict()).plain())
    assert "govuk-hint" not in html
    for described in described_ids(html):
        assert f'id="{described}"' in html


def test_checkboxes_with_a_hint_still_show_and_reference_it(web):
    html = str(Example(formdata=MultiDict()).hinted())
    assert "Select all that apply" in html
    assert "hinted-hint" in described_ids(html)


@pytest.mark.parametrize(
    "posted",
    [
        MultiDict(),
        MultiDict([("when", "12")]),
        MultiDict([("when", "1"), ("when", "2"), ("when", "2024"), ("when", "9")]),
    ],
)
def test_date_input_survives_missing_or_odd_parts(web, posted):
    form = Example(formdata=posted)
    assert not form.validate()
    html = str(form.when())
    # The day input carries the field's id, so the error summary link lands on it.
    assert 'id="when"' in html and 'id="when-month"' in html and 'id="when-year"' in html
    assert form.when.errors


def test_date_input_keeps_what_was_typed(web):
    form = Example(formdata=MultiDict([("when", "31"), ("when", "2"), ("when", "2025")]))
    form.validate()
    html = str(form.when())
    assert 'value="31"' in html and 'value="2025"' in html
    assert form.when.errors  # 31 February is not a date


def test_character_count_takes_its_limit_from_length(web):
    html = str(Example(formdata=MultiDict()).comments())
    assert 'data-maxlength="500"' in html
