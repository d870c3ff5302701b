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


def answer_too_long(limit: int) -> LazyString:
    """'Your answer must be 2000 characters or fewer'."""
    return _l("Your answer must be %(limit)s characters or fewer", limit=limit)


def real_date(what: str | LazyString) -> LazyString:
    """'Date of completed form must be a real date'."""
    return _l("%(what)s must be a real date", what=what)


def answer_needed() -> LazyString:
    """The fallback for a required text question with no message of its own."""
    return _l("Enter an answer")


def choice_needed() -> LazyString:
    """The fallback for a required choice with no message of its own."""
    return _l("Select an answer")
