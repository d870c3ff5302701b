"""Question kinds: each is one small function that builds WTForms fields for a question.

A new kind is a new function and one line in `KINDS`, never a longer `if` chain.
Each kind also says how to turn the fields into a stored answer and back.
Stored answers use option ids, never labels, so translations never change data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, Optional

from forms import messages
from forms.dates import GovDateField
from forms.kind_parts import (
    choice_required,
    choices_of,
    hint_of,
    label_of,
    named,
    not_an_option,
    one_line_break,
    text_validators,
    too_long,
)
from forms.schema import Question
from forms.uploads import ImageUpload
from forms.widgets import (
    GovCharacterCount,
    GovDateInput,
    GovEmailInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
    SymbolTiles,
)

OTHER_SETTING = "other"
NO_DISTRICT = "not-said"
GRID_CHOICES = (("yes", "Yes"), ("no", "No"), ("unsure", "Unsure"))


@dataclass(frozen=True)
class BuildContext:
    """What a builder may need beyond the question: the organisation's settings and districts."""

    settings: tuple[tuple[str, str], ...] = ()
    districts: tuple[tuple[str, str], ...] = ()


Fields = dict[str, Field]


def build_short_text(question: Question, _context: BuildContext) -> Fields:
    field = StringField(
        label_of(question),
        description=hint_of(question),
        widget=GovTextInput(),
        filters=[one_line_break],
        validators=text_validators(question),
    )
    return {question.id: field}


def build_email(question: Question, _context: BuildContext) -> Fields:
    field = StringField(
        label_of(question),
        description=hint_of(question),
        widget=GovEmailInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            *text_validators(question),
            too_long(label_of(question), 320),
            Email(message=messages.email_format()),
        ],
    )
    return {question.id: field}


def build_long_text(question: Question, _context: BuildContext) -> Fields:
    field = TextAreaField(
        label_of(question),
        description=hint_of(question),
        widget=GovCharacterCount(),
        filters=[one_line_break],
        validators=text_validators(question),
    )
    return {question.id: field}


def build_date(question: Question, _context: BuildContext) -> Fields:
    what = named(label_of(question))
    needed = None
    if question.required:
        needed = _l(question.error) if question.error else messages.date_needed(what)
    field = GovDateField(
        label_of(question),
        description=hint_of(question),
        widget=GovDateInput(),
        what=what,
        required_message=needed,
        not_future=question.not_future,
    )
    return {question.id: field}


def _choice_field(question: Question, field_class: type[Field], widget: Any) -> Fields:
    field = field_class(
        label_of(question),
        description=hint_of(question),
        choices=choices_of(question),
        widget=widget,
        validators=choice_required(question),
        invalid_choice_message=not_an_option(
            question, many=issubclass(field_class, SelectMultipleField)
        ),
    )
    return {question.id: field}


def build_single_choice(question: Question, _context: BuildContext) -> Fields:
    return _choice_field(question, RadioField, GovRadioInput())


def build_likert(question: Question, context: BuildContext) -> Fields:
    return build_single_choice(question, context)


def build_symbol_tiles(question: Question, _context: BuildContext) -> Fields:
    return _choice_field(question, SelectMultipleField, SymbolTiles())


def grid_field_name(question: Question, row_id: str) -> str:
    """The form field for one row of a grid."""
    return f"{question.id}--{row_id}"


def build_grid(question: Question, _context: BuildContext) -> Fields:
    choices = [SelectChoice(value, _l(label)) for value, label in GRID_CHOICES]
    return {
        grid_field_name(question, row.id): RadioField(
            _l(row.label),
            choices=choices,
            widget=GovRadioInput(),
            validators=choice_required(question),
            invalid_choice_message=not_an_option(question),
        )
        for row in question.rows
    }


def build_picture(question: Question, _context: BuildContext) -> Fields:
    field = FileField(
        label_of(question),
        description=hint_of(question),
        widget=GovFileInput(),
        validators=[ImageUpload()],
    )
    return {question.id: field}


def build_setting(question: Question, context: BuildContext) -> Fields:
    choices = [SelectChoice("", _l("Choose a school or setting"))]
    choices += [SelectChoice(value, label) for value, label in context.settings]
    choices.append(SelectChoice(OTHER_SETTING, _l("My school or setting is not on this list")))
    chooser = SelectField(
        label_of(question),
        description=hint_of(question),
        choices=choices,
        widget=GovSelect(),
        validate_choice=True,
        validators=[Optional()],
        invalid_choice_message=not_an_option(question),
    )
    other_label = _l("If it is not on the list, type its name")
    other = StringField(
        other_label,
        widget=GovTextInput(),
        filters=[one_line_break],
        validators=[Optional(), too_long(other_label, question.max_length or 200)],
    )
    return {question.id: chooser, f"{question.id}--other": other}


def build_district(question: Question, context: BuildContext) -> Fields:
    choices = [SelectChoice(value, label) for value, label in context.districts]
    choices.append(SelectChoice(NO_DISTRICT, _l("I would rather not say")))
    field = RadioField(
        label_of(question),
        description=hint_of(question),
        choices=choices,
        widget=GovRadioInput(),
        validators=choice_required(question),
        invalid_choice_message=not_an_option(question),
    )
    return {question.id: field}


def read_one(question: Question, form: Any) -> Any:
    """The stored answer for a question with one field."""
    data = form[question.id].data
    if isinstance(data, str):
        data = data.strip()
    if isinstance(data, date):
        return data.isoformat()
    return data or None


def fill_one(question: Question, answer: Any) -> dict[str, Any]:
    """Form data for a question with one field."""
    if question.kind == "date" and answer:
        return {question.id: date.fromisoformat(answer)}
    return {question.id: answer}


def read_grid(question: Question, form: Any) -> Any:
    values = {row.id: form[grid_field_name(question, row.id)].data for row in question.rows}
    return {k: v for k, v in values.items() if v} or None


def fill_grid(question: Question, answer: Any) -> dict[str, Any]:
    answer = answer or {}
    return {grid_field_name(question, row.id): answer.get(row.id) for row in question.rows}


def read_setting(question: Question, form: Any) -> Any:
    chosen = form[question.id].data
    other = (form[f"{question.id}--other"].data or "").strip()
    if chosen and chosen != OTHER_SETTING:
        return {"setting_id": chosen}
    return {"other": other} if other else None


def fill_setting(question: Question, answer: Any) -> dict[str, Any]:
    answer = answer or {}
    if "setting_id" in answer:
        return {question.id: answer["setting_id"]}
    if "other" in answer:
        return {question.id: OTHER_SETTING, f"{question.id}--other": answer["other"]}
    return {}


def read_picture(question: Question, form: Any) -> Any:
    # The upload itself is stored apart from the answers; see ImageUpload.
    return getattr(form[question.id], "image", None)


def fill_nothing(question: Question, answer: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Kind:
    """How one kind of question is built, read into an answer, and filled back in."""

    build: Callable[[Question, BuildContext], Fields]
    read: Callable[[Question, Any], Any] = read_one
    fill: Callable[[Question, Any], dict[str, Any]] = fill_one


KINDS: dict[str, Kind] = {
    "short_text": Kind(build_short_text),
    "email": Kind(build_email),
    "long_text": Kind(build_long_text),
    "date": Kind(build_date),
    "single_choice": Kind(build_single_choice),
    "likert": Kind(build_likert),
    "symbol_tiles": Kind(build_symbol_tiles),
    "yes_no_unsure_grid": Kind(build_grid, read_grid, fill_grid),
    "picture": Kind(build_picture, read_picture, fill_nothing),
    "setting": Kind(build_setting, read_setting, fill_setting),
    "district": Kind(build_district),
}
