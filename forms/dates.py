"""Dates typed as a day, a month and a year, checked as GOV.UK's date input pattern says.

A date with any part typed is checked as a whole: only all three boxes left empty is
"not answered". Each problem names the boxes it is about, so only those are marked.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import get_timezone
from wtforms import DateField
from wtforms.validators import StopValidation

from forms import messages

PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateProblem:
    """Why typed parts are not a date: `kind` is "missing", "year" or "real"."""

    kind: str
    parts: tuple[str, ...]


def read_date(typed: Sequence[str]) -> date | DateProblem | None:
    """The date in day, month and year boxes; None when all three are empty.

    Digits in any script count ("٢٧" is 27), and spaces around a part are ignored.
    """
    if len(typed) > len(PARTS):
        return DateProblem("real", PARTS)
    values = dict(zip(PARTS, [*(part.strip() for part in typed), "", "", ""], strict=False))
    missing = tuple(part for part in PARTS if not values[part])
    if missing == PARTS:
        return None
    if missing:
        return DateProblem("missing", missing)
    if values["year"].isdecimal() and len(values["year"]) < 4:
        return DateProblem("year", ("year",))
    # More than 4 digits is never a day, month or year (and int() refuses thousands).
    wrong = tuple(part for part in PARTS if not values[part].isdecimal() or len(values[part]) > 4)
    if wrong:
        return DateProblem("real", wrong)
    day, month, year = (int(values[part]) for part in PARTS)
    wrong = tuple(
        part
        for part, fits in zip(
            PARTS, (1 <= day <= 31, 1 <= month <= 12, 1 <= year <= 9999), strict=True
        )
        if not fits
    )
    if wrong:
        return DateProblem("real", wrong)
    try:
        return date(year, month, day)
    except ValueError:  # 31 February: it is not clear which box is wrong, so mark them all
        return DateProblem("real", PARTS)


def today() -> date:
    """Today where Heard's readers are (Babel's time zone, Europe/London), not on the server."""
    return datetime.now(get_timezone()).date()


class GovDateField(DateField):
    """A day, month and year date whose errors are in GOV.UK wording and mark only the boxes
    they are about (`parts_in_error`).

    With `what` (the question's name), each problem has its own message; without it, every
    problem is `invalid_message`. `required_message` makes an answer needed, and `not_future`
    refuses a date after today. A month or year typed without a day is never dropped, even
    under WTForms' `Optional()`.
    """

    data: Any  # as WTForms has it: pages know a valid form's date is there

    def __init__(
        self,
        *args: Any,
        invalid_message: Any = None,
        what: Any = None,
        required_message: Any = None,
        not_future: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message
        self.what = what
        self.required_message = required_message
        self.not_future = not_future
        self.parts_in_error: tuple[str, ...] = ()

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.parts_in_error = ()
        if not valuelist:  # the field was not sent at all: keep what it had
            return
        found = read_date([str(value) for value in valuelist])
        if isinstance(found, DateProblem):
            self.data = None
            self.parts_in_error = found.parts
            raise ValueError(self._message(found))
        self.data = found

    def _message(self, problem: DateProblem) -> Any:
        if self.what is None:
            return self.invalid_message
        if problem.kind == "missing":
            return messages.date_incomplete(self.what, problem.parts)
        if problem.kind == "year":
            return messages.year_digits()
        return messages.real_date(self.what)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            # Stop here, before Optional(): it looks only at the day box, and would clear the
            # error of a month or year typed without a day, throwing them away.
            raise StopValidation()
        if self.data is None and self.required_message is not None:
            self.parts_in_error = PARTS
            raise StopValidation(self.required_message)
        if self.not_future and self.data is not None and self.data > today():
            self.parts_in_error = PARTS
            raise StopValidation(messages.not_future(self.what or self.label.text))
