"""Symbol pictures for answer options: the council's own, OpenMoji's, or a neutral placeholder."""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.symbols import IMAGE_TYPES, find_symbol
from webapp import journey
from webapp.access import public
from webapp.extensions import limiter

bp = Blueprint("symbols", __name__)
PLACEHOLDER = Path(__file__).parent / "static" / "symbol-placeholder.svg"


@bp.get("/symbols/<slug>/<option_id>")
@public
@limiter.exempt
def symbol(slug: str, option_id: str) -> WerkzeugResponse:
    """The picture for one option of a published form."""
    _version, definition = journey.published_form(slug)
    if option_id not in {o.id for q in definition.questions() for o in q.options}:
        abort(404)
    council = current_app.config.get("HEARD_SYMBOLS_DIR")
    path = (
        find_symbol(
            slug,
            option_id,
            council_dir=Path(council) if council else None,
            openmoji_dir=Path(current_app.config["HEARD_OPENMOJI_DIR"]),
        )
        or PLACEHOLDER
    )
    response = send_file(path, mimetype=IMAGE_TYPES[path.suffix.lower()], max_age=24 * 60 * 60)
    # An SVG opened on its own is a document: let it run nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/symbols/easy-read/<key>")
@public
@limiter.exempt
def easy_read(key: str) -> WerkzeugResponse:
    """The picture beside an easy read sentence in “You said, we did”."""
    from analysis.yswd import SYMBOL_KEYS
    from webapp.yswd_view import symbol_path

    if key not in SYMBOL_KEYS:
        abort(404)
    path = symbol_path(key)
    response = send_file(path, mimetype=IMAGE_TYPES[path.suffix.lower()], max_age=24 * 60 * 60)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
