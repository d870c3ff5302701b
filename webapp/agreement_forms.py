"""The forms of double coding: starting a sample, coding a comment, the agreement settings.

Also the numbers typed into them: a sample's size, the kappa needed, and the like, each
checked with a GOV.UK style message and read back with `parse_number`.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import Field, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, StopValidation, ValidationError

from forms.base import HeardForm
from forms.widgets import GovCheckboxesInput, GovSelect, GovTextInput

MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 5, 200, 30
MACHINE = "machine"
NONE_OF_THESE = "none"


# -- numbers typed into forms -----------------------------------------------------------------


def parse_number(text: str | None, *, whole: bool) -> float | int | None:
    """The number someone typed, or None if it is not one. Whole numbers may have commas."""
    text = (text or "").strip()
    try:
        if whole:
            return int(text.replace(",", "").replace(" ", ""))
        value = Decimal(text)
    except (ValueError, InvalidOperation):
        return None
    return float(value) + 0.0 if value.is_finite() else None  # + 0.0: no "-0"


class Between:
    """A text field must hold a number from `low` to `high`, with GOV.UK style messages."""

    def __init__(self, *, missing: str, wrong: str, low: float, high: float, whole: bool):
        self.missing, self.wrong = missing, wrong
        self.low, self.high, self.whole = low, high, whole

    def __call__(self, _form: Any, field: Field) -> None:
        if not (field.data or "").strip():
            raise StopValidation(self.missing)
        value = parse_number(field.data, whole=self.whole)
        if value is None or not self.low <= value <= self.high:
            raise StopValidation(self.wrong)


def _number_field(label: str, hint: str, *, whole: bool, **rule: Any) -> StringField:
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[Between(whole=whole, **rule)],
    )


def number_params(*, whole: bool) -> dict[str, Any]:
    """Template params for a short number input that brings up the right phone keyboard."""
    return {
        "label": {"classes": "govuk-label--s"},
        "classes": "govuk-input--width-5",
        "inputmode": "numeric" if whole else "decimal",
        "spellcheck": False,
    }


# -- forms --------------------------------------------------------------------------------------


class StartForm(HeardForm):
    survey_round = SelectField(
        "Comments from",
        description="A sample from one survey round can mark that round’s coding as agreed.",
        widget=GovSelect(),
    )
    size = _number_field(
        "Sample size",
        f"How many comments, from {MIN_SIZE} to {MAX_SIZE}. "
        f"{DEFAULT_SIZE} is usually enough to see where coders differ.",
        whole=True,
        missing="Enter the sample size",
        wrong=f"The sample size must be a whole number from {MIN_SIZE} to {MAX_SIZE}",
        low=MIN_SIZE,
        high=MAX_SIZE,
    )
    first = SelectField(
        "First coder",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the first coder")],
    )
    second = SelectField(
        "Second coder",
        description="Another person, or the machine. The machine’s suggestions for these "
        "comments are copied now, so retraining it later does not change the sample.",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the second coder")],
    )

    def validate_second(self, field: Field) -> None:
        if field.data and field.data == self.first.data:
            raise ValidationError("Select a different person from the first coder")


class ThemeCheckboxes(GovCheckboxesInput):
    """Theme checkboxes whose last box, "None of these themes", clears the others."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        items = params["items"]
        if items:
            items[-1]["behaviour"] = "exclusive"
            items.insert(len(items) - 1, {"divider": "or"})
        return params


def _some_choice(_form: Any, field: Field) -> None:
    chosen = list(field.data or [])
    if not chosen:
        raise ValidationError("Select the themes this comment raises, or “None of these themes”")
    if NONE_OF_THESE in chosen and len(chosen) > 1:
        raise ValidationError("Select themes or “None of these themes”, not both")


class CodingForm(HeardForm):
    comment = HiddenField()
    themes = SelectMultipleField(
        "Which themes does this comment raise?",
        description="Select all that apply.",
        widget=ThemeCheckboxes(),
        validators=[_some_choice],
    )


class SettingsForm(HeardForm):
    min_kappa = _number_field(
        "Kappa needed to mark a round’s coding agreed",
        "From 0 to 1. 0.6 is substantial agreement, after Landis and Koch (1977).",
        whole=False,
        missing="Enter the kappa needed to mark a round’s coding agreed",
        wrong="The kappa needed must be a number from 0 to 1, like 0.6",
        low=0,
        high=1,
    )
    retrain_after = _number_field(
        "Retrain the coder after this many new decisions",
        "From 1 to 10,000 decisions by people reviewing the machine’s themes.",
        whole=True,
        missing="Enter how many new decisions there are before the coder retrains",
        wrong="The number of decisions must be a whole number from 1 to 10,000",
        low=1,
        high=10_000,
    )
    min_theme_f1 = _number_field(
        "Lowest F1 score before a theme needs more examples",
        "From 0 to 1. A theme the coder scores below this is marked “needs more examples”.",
        whole=False,
        missing="Enter the lowest F1 score before a theme needs more examples",
        wrong="The lowest F1 score must be a number from 0 to 1, like 0.5",
        low=0,
        high=1,
    )
