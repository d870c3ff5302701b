"""Languages: the reader's choice comes from ?lang=, then a cookie, then Accept-Language.

A choice is a language (English, Polish, Arabic, ...) or easy read. Easy read is English
in short sentences with a symbol on every question: Babel formats dates and numbers as
English, and the words come from its own catalogue, `translations/easy/`.
"""

import re
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, Domain
from markupsafe import Markup, escape

LANGUAGE_COOKIE = "heard-lang"
EASY_READ = "easy"
# Names are written in their own language, as a reader looks for them.
LANGUAGE_NAMES = {
    "en": "English",
    EASY_READ: "Easy read",
    "pl": "Polski",
    "ro": "Română",
    "ne": "नेपाली",
    "uk": "Українська",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})
#: The language each choice is written in, for `lang` attributes and Babel's formats.
WRITTEN_IN = {EASY_READ: "en"}


def _compiled() -> set[str]:
    if "heard.compiled" not in current_app.extensions:
        folder = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
        current_app.extensions["heard.compiled"] = {
            p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/messages.mo")
        }
    return current_app.extensions["heard.compiled"]


def available_languages() -> list[str]:
    """English plus every language with a compiled catalogue, in a stable order.

    Easy read is not among them: it is a way of writing English, not a language that
    "You said, we did" is translated into (its entries carry their own easy read words).
    """
    compiled = _compiled()
    return [c for c in LANGUAGE_NAMES if c != EASY_READ and (c == "en" or c in compiled)]


def reading_choices() -> list[str]:
    """What the language switcher offers: the languages, with easy read after English."""
    languages = available_languages()
    if EASY_READ in _compiled():
        languages.insert(1, EASY_READ)
    return languages


def language_of(choice: str | None) -> str:
    """The BCP 47 language a choice is written in: easy read is English."""
    choice = choice or "en"
    return WRITTEN_IN.get(choice, choice)


def current_choice() -> str:
    """The reader's choice for this request (a language code, or "easy")."""
    if "heard_choice" not in g:
        g.heard_choice = _choose()
    return g.heard_choice


def _choose() -> str:
    if not has_request_context():
        # A job on the worker has no reader: its messages (an import's row problems, say)
        # are for staff, whose pages are in English.
        return "en"
    choices = reading_choices()
    for choice in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in choices:
            return choice
    return request.accept_languages.best_match(available_languages()) or "en"


def select_locale() -> str:
    """Babel's locale: the language the reader's choice is written in."""
    return language_of(current_choice())


class _ReadingDomain(Domain):
    """The messages domain, except that easy read takes its words from its own catalogue."""

    def get_translations(self) -> Translations | NullTranslations:
        if request and current_choice() == EASY_READ:
            return easy_read_translations()
        return super().get_translations()


def easy_read_translations() -> Translations | NullTranslations:
    """The compiled easy read catalogue, loaded once per process."""
    if "heard.easy" not in current_app.extensions:
        path = (
            Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
            / EASY_READ
            / "LC_MESSAGES"
            / "messages.mo"
        )
        if path.exists():
            with path.open("rb") as compiled:
                current_app.extensions["heard.easy"] = Translations(compiled)
        else:
            current_app.extensions["heard.easy"] = NullTranslations()
    return current_app.extensions["heard.easy"]


_DOMAIN = _ReadingDomain()


class _Babel(Babel):
    """Flask-Babel, with easy read's words wherever its domain is asked for."""

    @property
    def domain_instance(self) -> Domain:
        return _DOMAIN


def _remember_choice(response: Response) -> Response:
    choice = request.args.get("lang")
    if choice in reading_choices() and request.cookies.get(LANGUAGE_COOKIE) != choice:
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=365 * 24 * 60 * 60,
            secure=current_app.config["HEARD_HTTPS"],
            httponly=True,
            samesite="Lax",
        )
    return response


def switch_language_url(code: str) -> str:
    """This page's address with `lang` set to `code`, keeping its other query values."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", code)])


def catalogue_status() -> list[dict[str, object]]:
    """Each shipped catalogue's review status, read from its header comment.

    A catalogue's first comment lines hold `Status: ...`; until a native speaker has
    checked it, the status says so, and the admin page shows it.
    """
    folder = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    rows = []
    for code in LANGUAGE_NAMES:
        path = folder / code / "LC_MESSAGES" / "messages.po"
        if code == "en" or not path.exists():
            continue
        rows.append(
            {
                "code": code,
                "lang": language_of(code),
                "name": LANGUAGE_NAMES[code],
                **_status_of(path),
            }
        )
    return rows


def _status_of(path: Path) -> dict[str, object]:
    status = "No review status recorded"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# Status:"):
            status = line.removeprefix("# Status:").strip()
    with path.open("rb") as po:
        catalogue = read_po(po)
    messages = [m for m in catalogue if m.id]
    done = sum(1 for m in messages if m.string and not m.fuzzy)
    checked = status.lower().startswith("checked")
    return {
        "status": status,
        "checked": checked,
        "translated": f"{done} of {len(messages)}",
    }


def _template_values() -> dict[str, object]:
    choice = current_choice() if request else "en"
    code = language_of(choice)
    return {
        "current_language": code,
        "current_choice": choice,
        "easy_read": choice == EASY_READ,
        "text_direction": "rtl" if code in RIGHT_TO_LEFT else "ltr",
        "languages": [(c, LANGUAGE_NAMES[c], language_of(c)) for c in reading_choices()],
        "switch_language_url": switch_language_url,
    }


babel = _Babel()


def init_app(app: Flask) -> None:
    """Wire Flask-Babel, easy read and the language cookie into `app`."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_choice)
    app.context_processor(_template_values)


#: Groups of digits with spaces between them: a phone number such as 0800 1111.
_SPACED_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f]\d+)+")


def ltr_numbers(text: object) -> Markup:
    """The text, escaped, with each spaced phone number kept left to right.

    On a right-to-left page the groups of "0800 1111" would otherwise be laid out in the
    opposite order, and a child reading them would dial 1111 0800.

    Examples:
        >>> str(ltr_numbers("اتصل على 0800 1111"))
        'اتصل على <bdi dir="ltr">0800 1111</bdi>'
    """
    escaped = str(escape(text))
    wrapped = _SPACED_NUMBER.sub(lambda m: f'<bdi dir="ltr">{m.group(0)}</bdi>', escaped)
    return Markup(wrapped)  # noqa: S704 - escaped above; only digits and spaces are wrapped
