"""Error messages in GOV.UK wording, built by small factories rather than scattered literals.

Each factory returns a lazily translated string, so the message is rendered
in the reader's language when it is shown, not when the form class is built.
"""

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


def enter(what: str | LazyString) -> LazyString:
    """'Enter your email address', for a required text field."""
    return _l("Enter %(what)s", what=what)


def select(what: str | LazyString) -> LazyString:
    """'Select your role', for a required choice."""
    return _l("Select %(what)s", what=what)


def email_format() -> LazyString:
    """The message for an email address in the wrong format."""
    return _l("Enter an email address in the correct format, like name@example.com")


def too_long(what: str | LazyString, limit: int) -> LazyString:
    """'Your comment must be 500 characters or fewer'."""
    return _l("%(what)s must be %(limit)s characters or fewer", what=what, limit=limit)


def answer_too_long(what: str | LazyString, limit: int) -> LazyString:
    """'Your answer to “What is working well?” must be 2000 characters or fewer'.

    The question is named, so two answers too long on one page are told apart; it is quoted,
    because most questions are sentences ("What could be better?", "My name is").
    """
    return _l(
        "Your answer to “%(what)s” must be %(limit)s characters or fewer", what=what, limit=limit
    )


def real_date(what: str | LazyString) -> LazyString:
    """'Date of completed form must be a real date'."""
    return _l("%(what)s must be a real date", what=what)


def date_incomplete(what: str | LazyString, missing: tuple[str, ...]) -> LazyString:
    """'Date of completed form must include a month', naming the parts left empty
    ("day", "month", "year", in that order)."""
    found = {
        ("day",): _l("%(what)s must include a day", what=what),
        ("month",): _l("%(what)s must include a month", what=what),
        ("year",): _l("%(what)s must include a year", what=what),
        ("day", "month"): _l("%(what)s must include a day and month", what=what),
        ("day", "year"): _l("%(what)s must include a day and year", what=what),
        ("month", "year"): _l("%(what)s must include a month and year", what=what),
    }
    return found.get(missing) or date_needed(what)


def date_needed(what: str | LazyString) -> LazyString:
    """The fallback for a required date left empty, when its question has no message."""
    return _l("%(what)s must include a day, month and year", what=what)


def year_digits() -> LazyString:
    """A year typed with fewer than 4 numbers, such as 26."""
    return _l("Year must include 4 numbers")


def not_future(what: str | LazyString) -> LazyString:
    """'Date of completed form must be today or in the past'."""
    return _l("%(what)s must be today or in the past", what=what)


def answer_needed() -> LazyString:
    """The fallback for a required text question with no message of its own."""
    return _l("Enter an answer")


def choice_needed() -> LazyString:
    """The fallback for a required choice with no message of its own."""
    return _l("Select an answer")
