"""Languages: the locale comes from ?lang=, then a cookie, then Accept-Language."""

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request
from flask_babel import Babel, get_locale

LANGUAGE_COOKIE = "heard-lang"
# Names are written in their own language, as a reader looks for them.
LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polski",
    "ro": "Română",
    "ne": "नेपाली",
    "uk": "Українська",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})

babel = Babel()


def available_languages() -> list[str]:
    """Return English plus every language with a compiled catalogue, in a stable order."""
    if "heard.languages" not in current_app.extensions:
        folder = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
        compiled = {p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/messages.mo")}
        current_app.extensions["heard.languages"] = [
            code for code in LANGUAGE_NAMES if code == "en" or code in compiled
        ]
    return current_app.extensions["heard.languages"]


def select_locale() -> str:
    """Pick the reader's language."""
    languages = available_languages()
    for choice in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if choice in languages:
            return choice
    return request.accept_languages.best_match(languages) or "en"


def _remember_choice(response: Response) -> Response:
    choice = request.args.get("lang")
    if choice in available_languages() and request.cookies.get(LANGUAGE_COOKIE) != choice:
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


def _template_values() -> dict[str, object]:
    code = str(get_locale() or "en")
    return {
        "current_language": code,
        "text_direction": "rtl" if code in RIGHT_TO_LEFT else "ltr",
        "languages": [(c, LANGUAGE_NAMES[c]) for c in available_languages()],
        "switch_language_url": switch_language_url,
    }


def init_app(app: Flask) -> None:
    """Wire Flask-Babel and the language cookie into `app`."""
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_choice)
    app.context_processor(_template_values)
