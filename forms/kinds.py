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
from flask_babel.speaklater import LazyString
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
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms import messages
from forms.dates import GovDateField
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


def _label(question: Question) -> Any:
    return _l(question.label)


def _hint(question: Question) -> Any:
    return _l(question.hint) if question.hint else ""


def _plain(label: str) -> str:
    return label.rstrip(" :.").strip()


def _named(label: Any) -> LazyString:
    """A label, in the reader's language, as an error message names it: without its closing
    colon or full stop. Translated first, as the catalogue holds the label as written."""
    return LazyString(lambda: _plain(str(label)))


def one_line_break(value: Any) -> Any:
    """Every line break as one line feed. Browsers send a carriage return and a line feed,
    which would count two characters against a limit where the page's character count
    counts one."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


#: The longest respondent's name a response keeps (its own column, so it can be erased).
NAME_LIMIT = 200


def _too_long(label: Any, limit: int) -> Length:
    return Length(max=limit, message=messages.answer_too_long(_named(label), limit))


def _text_validators(question: Question) -> list[Any]:
    # DataRequired, not InputRequired: an answer of only spaces is no answer.
    first = (
        DataRequired(message=_l(question.error) if question.error else messages.answer_needed())
        if question.required
        else Optional()
    )
    limit = question.max_length
    if question.personal == "respondent_name":
        limit = min(limit or NAME_LIMIT, NAME_LIMIT)
    if not limit:
        return [first]
    return [first, _too_long(_label(question), limit)]


def _choice_message(question: Question) -> Any:
    return _l(question.error) if question.error else messages.choice_needed()


def _choice_required(question: Question) -> list[Any]:
    if not question.required:
        return [Optional()]
    return [InputRequired(message=_choice_message(question))]


def _not_an_option(question: Question, *, many: bool = False) -> Any:
    """What a choice field says of a value that is none of its options (only a changed page
    or a tool sends one): the question's own message, never WTForms' "Not a valid choice."."""
    message = _choice_message(question)
    if not many:
        return message
    # SelectMultipleField fills "%(value)s" into its message, which here has none to fill.
    return lambda _count: str(message).replace("%", "%%")


def _choices(question: Question) -> list[SelectChoice]:
    return [SelectChoice(o.id, _l(o.label)) for o in question.options]


def build_short_text(question: Question, _context: BuildContext) -> Fields:
    field = StringField(
        _label(question),
        description=_hint(question),
        widget=GovTextInput(),
        filters=[one_line_break],
        validators=_text_validators(question),
    )
    return {question.id: field}


def build_email(question: Question, _context: BuildContext) -> Fields:
    field = StringField(
        _label(question),
        description=_hint(question),
        widget=GovEmailInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            *_text_validators(question),
            _too_long(_label(question), 320),
            Email(message=messages.email_format()),
        ],
    )
    return {question.id: field}


def build_long_text(question: Question, _context: BuildContext) -> Fields:
    field = TextAreaField(
        _label(question),
        description=_hint(question),
        widget=GovCharacterCount(),
        filters=[one_line_break],
        validators=_text_validators(question),
    )
    return {question.id: field}


def build_date(question: Question, _context: BuildContext) -> Fields:
    what = _named(_label(question))
    needed = None
    if question.required:
        needed = _l(question.error) if question.error else messages.date_needed(what)
    field = GovDateField(
        _label(question),
        description=_hint(question),
        widget=GovDateInput(),
        what=what,
        required_message=needed,
        not_future=question.not_future,
    )
    return {question.id: field}


def _choice_field(question: Question, field_class: type[Field], widget: Any) -> Fields:
    field = field_class(
        _label(question),
        description=_hint(question),
        choices=_choices(question),
        widget=widget,
        validators=_choice_required(question),
        invalid_choice_message=_not_an_option(
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
            validators=_choice_required(question),
            invalid_choice_message=_not_an_option(question),
        )
        for row in question.rows
    }


def build_picture(question: Question, _context: BuildContext) -> Fields:
    field = FileField(
        _label(question),
        description=_hint(question),
        widget=GovFileInput(),
        validators=[ImageUpload()],
    )
    return {question.id: field}


def build_setting(question: Question, context: BuildContext) -> Fields:
    choices = [SelectChoice("", _l("Choose a school or setting"))]
    choices += [SelectChoice(value, label) for value, label in context.settings]
    choices.append(SelectChoice(OTHER_SETTING, _l("My school or setting is not on this list")))
    chooser = SelectField(
        _label(question),
        description=_hint(question),
        choices=choices,
        widget=GovSelect(),
        validate_choice=True,
        validators=[Optional()],
        invalid_choice_message=_not_an_option(question),
    )
    other_label = _l("If it is not on the list, type its name")
    other = StringField(
        other_label,
        widget=GovTextInput(),
        filters=[one_line_break],
        validators=[Optional(), _too_long(other_label, question.max_length or 200)],
    )
    return {question.id: chooser, f"{question.id}--other": other}


def build_district(question: Question, context: BuildContext) -> Fields:
    choices = [SelectChoice(value, label) for value, label in context.districts]
    choices.append(SelectChoice(NO_DISTRICT, _l("I would rather not say")))
    field = RadioField(
        _label(question),
        description=_hint(question),
        choices=choices,
        widget=GovRadioInput(),
        validators=_choice_required(question),
        invalid_choice_message=_not_an_option(question),
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
