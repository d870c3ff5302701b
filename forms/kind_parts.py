"""What every question kind shares: its label and hint in the reader's language, and the
checks and messages its answers get. Used by the builders in `forms/kinds.py`."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import messages
from forms.schema import Question


def label_of(question: Question) -> Any:
    return _l(question.label)


def hint_of(question: Question) -> Any:
    return _l(question.hint) if question.hint else ""


def plain(label: str) -> str:
    return label.rstrip(" :.").strip()


def named(label: Any) -> LazyString:
    """A label, in the reader's language, as an error message names it: without its closing
    colon or full stop. Translated first, as the catalogue holds the label as written."""
    return LazyString(lambda: plain(str(label)))


def one_line_break(value: Any) -> Any:
    """Every line break as one line feed. Browsers send a carriage return and a line feed,
    which would count two characters against a limit where the page's character count
    counts one."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


#: The longest respondent's name a response keeps (its own column, so it can be erased).
NAME_LIMIT = 200


def too_long(label: Any, limit: int) -> Length:
    return Length(max=limit, message=messages.answer_too_long(named(label), limit))


def text_validators(question: Question) -> list[Any]:
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
    return [first, too_long(label_of(question), limit)]


def choice_message(question: Question) -> Any:
    return _l(question.error) if question.error else messages.choice_needed()


def choice_required(question: Question) -> list[Any]:
    if not question.required:
        return [Optional()]
    return [InputRequired(message=choice_message(question))]


def not_an_option(question: Question, *, many: bool = False) -> Any:
    """What a choice field says of a value that is none of its options (only a changed page
    or a tool sends one): the question's own message, never WTForms' "Not a valid choice."."""
    message = choice_message(question)
    if not many:
        return message
    # SelectMultipleField fills "%(value)s" into its message, which here has none to fill.
    return lambda _count: str(message).replace("%", "%%")


def choices_of(question: Question) -> list[SelectChoice]:
    return [SelectChoice(o.id, _l(o.label)) for o in question.options]
