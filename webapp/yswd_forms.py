"""The staff forms for “You said, we did”: drafting, editing, quotes, translations, exports."""

from typing import Any

from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional

from analysis.yswd import EASY_READ_MAX_WORDS, long_lines, small_counts
from forms.base import HeardForm
from forms.dates import today
from forms.kinds import GovDateField
from forms.widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from models.yswd import Audience, Delivery

TEXT_LIMIT = 3000
EXPORT_FORMATS = [
    SelectChoice("docx", "Word document (DOCX): summary report"),
    SelectChoice("pdf", "PDF: summary report"),
    SelectChoice("easy-read", "PDF: easy read, with symbols"),
    SelectChoice("html", "Newsletter section (HTML to paste into an email tool)"),
    SelectChoice("csv", "Spreadsheet (CSV)"),
]


def _no_small_counts(_form: Any, field: Any) -> None:
    found = small_counts(field.data or "")
    if found:
        raise ValidationError(
            f"{field.label.text} must not give a count under 5, like “{found[0]}”. "
            "Write “fewer than 5” instead"
        )


def _short_sentences(_form: Any, field: Any) -> None:
    found = long_lines(field.data or "")
    if found:
        line, words = found[0]
        raise ValidationError(
            f"Keep each line of {field.label.text.lower()} to {EASY_READ_MAX_WORDS} words "
            f"or fewer: line {line} has {words}"
        )


def _text(
    label: str, hint: str, *, required: bool, checks: list[Any], missing: str = ""
) -> TextAreaField:
    first = InputRequired(message=missing or f"Enter {label.lower()}") if required else Optional()
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        validators=[
            first,
            Length(max=TEXT_LIMIT, message=f"{label} must be {TEXT_LIMIT} characters or fewer"),
            *checks,
        ],
    )


class DraftForm(HeardForm):
    """Draft a new entry from the themes one term's surveys raised."""

    title = StringField(
        "Title",
        description="A few words people will recognise, for example “Waiting for assessments”",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
            _no_small_counts,
        ],
    )
    themes = SelectMultipleField(
        "Themes",
        description="Choose the themes this entry answers. Heard writes a first draft of "
        "“You said” from them, with how many people raised each.",
        coerce=int,
        widget=GovCheckboxesInput(),
        validators=[InputRequired(message="Select at least one theme")],
    )


class EntryForm(HeardForm):
    """An entry's words, its plan action and how far the change has got."""

    stamp = HiddenField()  # what the page showed (webapp/edit_stamps.py)
    title = DraftForm.title
    you_said = _text(
        "You said",
        "Plain English. Heard drafted this from the coded themes; check it reads well.",
        required=True,
        missing="Enter what people said",
        checks=[_no_small_counts],
    )
    we_did = _text(
        "We did",
        "What changed, or will change, because of what people said.",
        required=True,
        missing="Enter what we did, or will do",
        checks=[_no_small_counts],
    )
    easy_said = _text(
        "Easy read: you said",
        f"One short sentence on each line, {EASY_READ_MAX_WORDS} words or fewer. "
        "Each line is shown beside a symbol.",
        required=True,
        missing="Enter the easy read version of what people said",
        checks=[_short_sentences, _no_small_counts],
    )
    easy_did = _text(
        "Easy read: we did",
        f"One short sentence on each line, {EASY_READ_MAX_WORDS} words or fewer.",
        required=True,
        missing="Enter the easy read version of what was done",
        checks=[_short_sentences, _no_small_counts],
    )
    action = SelectField(
        "Plan action",
        description="The improvement plan action this change belongs to, if there is one.",
        coerce=int,
        widget=GovSelect(),
        validators=[Optional()],
    )
    delivery = RadioField(
        "Where has the change got to?",
        choices=[SelectChoice(d.value, d.label) for d in Delivery],
        default=Delivery.PLANNED.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select where the change has got to")],
    )
    delivery_on = GovDateField(
        "Date",
        description="When it was done, or when it is due. For example, 27 3 2027",
        format="%d %m %Y",
        widget=GovDateInput(),
        validators=[Optional()],
        invalid_message="The date must be a real date",
    )

    def validate_delivery_on(self, field: Any) -> None:
        """A change that is done was done on a day that has come."""
        if self.delivery.data == Delivery.DONE.value and field.data and field.data > today():
            raise ValidationError("A change that is done must have a date today or in the past")


class QuotesForm(HeardForm):
    quotes = SelectMultipleField(
        "Quotes",
        description="Choose 2 or 3. Only people who agreed to be quoted are listed, and only "
        "from themes that enough people raised.",
        coerce=int,
        # Checked against the offered comments by webapp/yswd_figures.chosen_quotes,
        # which says why a comment cannot be quoted.
        validate_choice=False,
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    stamp = HiddenField()  # what the page showed (webapp/edit_stamps.py)


class StepForm(HeardForm):
    note = TextAreaField(
        "Comment (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="The comment must be 2000 characters or fewer")],
    )


class TranslationForm(HeardForm):
    """A person's translation. Counts cannot be read in every language, so the view also
    refuses any number from 1 to 4 that the English does not have."""

    stamp = HiddenField()  # what the page showed (webapp/edit_stamps.py)
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The title must be 200 characters or fewer")],
    )
    you_said = _text("You said", "", required=False, checks=[])
    we_did = _text("We did", "", required=False, checks=[])
    easy_said = _text("Easy read: you said", "", required=False, checks=[_short_sentences])
    easy_did = _text("Easy read: we did", "", required=False, checks=[_short_sentences])


def term_choices(terms: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", "All terms")] + [
        SelectChoice(f"{year} {term.capitalize()}", f"{year} {term.capitalize()}")
        for year, term in terms
    ]


class ExportForm(HeardForm):
    format = RadioField(
        "Format",
        choices=EXPORT_FORMATS,
        default="docx",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select a format")],
    )
    term = SelectField("Term", widget=GovSelect(), validators=[Optional()])
    audience = SelectField(
        "Audience",
        choices=[SelectChoice("", "Everyone")] + [SelectChoice(a.value, a.label) for a in Audience],
        widget=GovSelect(),
        validators=[Optional()],
    )
    language = SelectField("Language", widget=GovSelect(), validators=[Optional()])


class TellForm(HeardForm):
    scope = RadioField(
        "Which survey's respondents?",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the survey whose respondents to tell")],
    )
