"""Symbol pictures for answer options: the council's own, OpenMoji's, or a neutral placeholder."""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.yswd import SYMBOL_KEYS
from forms.symbols import IMAGE_TYPES, default_symbols, find_symbol, question_set
from webapp import journey
from webapp.access import public
from webapp.extensions import limiter

bp = Blueprint("symbols", __name__)
PLACEHOLDER = Path(__file__).parent / "static" / "symbol-placeholder.svg"
#: The symbol set for easy read sentences (forms/definitions/easy-read.symbols.yaml).
EASY_READ = "easy-read"


def symbol_file(slug: str, key: str) -> Path:
    """The picture for a symbol set's key: the council's own, else OpenMoji's, else the
    neutral placeholder."""
    council = current_app.config.get("HEARD_SYMBOLS_DIR")
    found = find_symbol(
        slug,
        key,
        council_dir=Path(council) if council else None,
        openmoji_dir=Path(current_app.config["HEARD_OPENMOJI_DIR"]),
    )
    return found or PLACEHOLDER


def _send_picture(path: Path) -> WerkzeugResponse:
    response = send_file(path, mimetype=IMAGE_TYPES[path.suffix.lower()], max_age=24 * 60 * 60)
    # An SVG opened on its own is a document: let it run nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/symbols/<slug>/<option_id>")
@public
@limiter.exempt
def symbol(slug: str, option_id: str) -> WerkzeugResponse:
    """The picture for one option of a published form."""
    _version, definition = journey.published_form(slug)
    if option_id not in {o.id for q in definition.questions() for o in q.options}:
        abort(404)
    return _send_picture(symbol_file(slug, option_id))


@bp.get("/symbols/<slug>/questions/<question_id>")
@public
@limiter.exempt
def question(slug: str, question_id: str) -> WerkzeugResponse:
    """The picture beside one question of a published form, in easy read."""
    _version, definition = journey.published_form(slug)
    if question_id not in {q.id for q in definition.questions()}:
        abort(404)
    return _send_picture(symbol_file(question_set(slug), question_id))


def question_symbol_url(slug: str, question_id: str) -> str | None:
    """Where the picture beside a question is, or None when the form has none for it.

    A council's own picture counts, as does the form's shipped OpenMoji symbol."""
    council = current_app.config.get("HEARD_SYMBOLS_DIR")
    shipped = question_id in default_symbols(question_set(slug))
    if shipped or (council and symbol_file(question_set(slug), question_id) != PLACEHOLDER):
        return url_for("symbols.question", slug=slug, question_id=question_id)
    return None


@bp.get("/symbols/easy-read/<key>")
@public
@limiter.exempt
def easy_read(key: str) -> WerkzeugResponse:
    """The picture beside an easy read sentence in “You said, we did”."""
    if key not in SYMBOL_KEYS:
        abort(404)
    return _send_picture(symbol_file(EASY_READ, key))
