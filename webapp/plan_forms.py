"""The staff forms for improvement plans: import, check and challenge, evidence links."""

import re
from decimal import Decimal
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    DecimalField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from analysis.impact import Direction
from forms.base import HeardForm
from forms.kinds import GovDateField
from forms.widgets import GovDateInput, GovFileInput, GovRadioInput, GovTextArea, GovTextInput
from webapp.plan_imports import SCHEME_SETS

# "import" and "downloads" are pages of their own under /staff/plans/.
PLAN_NAME = re.compile(r"^(?!(?:import|downloads)$)[a-z0-9][a-z0-9-]{0,79}$")
DIRECTIONS = [
    SelectChoice(Direction.LESS_NEGATIVE.value, "Fewer of its comments should be negative"),
    SelectChoice(Direction.FEWER_MENTIONS.value, "Fewer people should raise it"),
    SelectChoice(Direction.MORE_MENTIONS.value, "More people should raise it"),
]


#: Larger figures are typing mistakes, and would not survive being stored as a float.
LARGEST = 10**12


#: A comma between groups of three digits: "1,234,567.5".
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


class GovDecimalField(DecimalField):
    """A number whose parse error is in GOV.UK wording."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        message = f"{self.label.text} must be a number, like 61 or 61.5"
        # "1,234" is how people write a thousand and more; the commas go before reading it.
        valuelist = [THOUSANDS.sub("", v.strip()) for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(message) from None
        number: Decimal | None = self.data  # type: ignore[has-type]
        if number is not None and not (number.is_finite() and abs(number) < LARGEST):
            self.data = None
            raise ValueError(message)


def _number(
    label: str, hint: str, *, required: bool = False, percent: bool = False
) -> GovDecimalField:
    checks: list[Any] = [
        InputRequired(message=f"Enter the {label.lower()}") if required else Optional()
    ]
    if percent:
        checks.append(NumberRange(0, 100, message=f"{label} must be between 0 and 100"))
    return GovDecimalField(
        label,
        description=hint,
        places=None,
        widget=GovTextInput(),
        validators=checks,
        render_kw={"inputmode": "decimal"},
    )


class PlanImportForm(HeardForm):
    spreadsheet = FileField(
        "Plan spreadsheet",
        description=(
            "A CSV (UTF-8) or XLSX file smaller than 5MB, one row per action, with columns "
            "such as Area, Code, Action, Impact measures, Lead, Start, Due and Status."
        ),
        widget=GovFileInput(),
        validators=[InputRequired(message="Select a CSV or XLSX file")],
    )
    name = StringField(
        "Short name",
        description="Lower case letters, numbers and hyphens, for example kent-app. "
        "A plan with this name is updated; otherwise a new plan is made.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a short name for the plan"),
            Regexp(
                PLAN_NAME,
                message="Enter a short name using only lower case letters, "
                "numbers and hyphens, like kent-app (not “import” or “downloads”)",
            ),
        ],
    )
    title = StringField(
        "Title",
        description="For example, Kent Accelerated Progress Plan",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the plan's title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    schemes = RadioField(
        "Rating schemes",
        description="Used only when the plan is new.",
        choices=[SelectChoice(key, label) for key, (label, _) in SCHEME_SETS.items()],
        default="kent",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the rating schemes")],
    )


class ConfirmForm(HeardForm):
    """A button and its CSRF token."""


class RatingForm(HeardForm):
    """One step of check and challenge for one scheme: propose, challenge or agree."""

    value = RadioField(
        "Rating", widget=GovRadioInput(), validators=[InputRequired(message="Select a rating")]
    )
    commentary = TextAreaField(
        "Commentary",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="The commentary must be 5000 characters or fewer")],
    )
    stamp = HiddenField()  # the rating's latest step when the page was opened

    def __init__(self, *args: Any, stage: str = "proposed", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage

    def validate_commentary(self, field: Any) -> None:
        if self.stage == "challenged" and not (field.data or "").strip():
            raise ValidationError("Enter the reason for the challenge")
        if self.stage == "proposed" and not (field.data or "").strip():
            raise ValidationError("Enter the commentary for this rating")


class ReportForm(HeardForm):
    confident = RadioField(
        "Is the owner confident of a better rating next period?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    key_risks = TextAreaField(
        "Key risks",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Key risks must be 5000 characters or fewer")],
    )
    reported = RadioField(
        "Did the owner report this period?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, they did not report")],
        default="yes",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether the owner reported")],
    )
    stamp = HiddenField()  # what the page showed (webapp/edit_stamps.py)

    def validate(self, extra_validators: Any = None) -> bool:
        """Confidence is asked only of an owner who reported."""
        valid = super().validate(extra_validators)
        if self.reported.data == "yes" and not self.confident.data:
            self.confident.errors = [
                *self.confident.errors,
                "Select whether the owner is confident",
            ]
            return False
        return valid


class ThemeEvidenceForm(HeardForm):
    theme = RadioField(
        "Theme",
        coerce=int,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select a theme")],
    )
    direction = RadioField(
        "What should this action do to the theme?",
        choices=DIRECTIONS,
        default=Direction.LESS_NEGATIVE.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what the action should do to the theme")],
    )


class IndicatorEvidenceForm(HeardForm):
    indicator = RadioField(
        "Survey indicator",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select a survey indicator")],
    )
    baseline = _number(
        "Baseline", "The share, as a percentage, before the action. For example, 52", percent=True
    )
    target = _number(
        "Target", "The share, as a percentage, the action aims for. For example, 65", percent=True
    )


class KpiEvidenceForm(HeardForm):
    label = StringField(
        "What is measured",
        description="For example, EHC plans issued within 20 weeks (%)",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter what is measured"),
            Length(max=200, message="What is measured must be 200 characters or fewer"),
        ],
    )
    value = _number("Value", "The latest figure", required=True)
    baseline = _number("Baseline", "The figure before the action (optional)")
    target = _number("Target", "The figure the action aims for (optional)")
    higher_is_better = RadioField(
        "Is a higher figure better?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No, lower is better")],
        default="yes",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether a higher figure is better")],
    )
    measured_on = GovDateField(
        "Date measured",
        description="For example, 31 10 2023",
        format="%d %m %Y",
        widget=GovDateInput(),
        what="Date measured",
        required_message="Enter the date measured",
        not_future=True,
    )


class DocumentEvidenceForm(HeardForm):
    label = StringField(
        "Title",
        description="For example, Enquiries Hub mystery shopper report",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the document's title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    document = FileField(
        "Document",
        description="A PDF, Word, Excel, CSV or text file smaller than 5MB",
        widget=GovFileInput(),
        validators=[InputRequired(message="Select a document")],
    )


class QuoteEvidenceForm(HeardForm):
    comment = RadioField(
        "Quote",
        coerce=int,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select a comment to quote")],
    )
    #: The language choice each of the comments offered was written in, in their order.
    languages: tuple[str, ...] = ()
