"""Error pages in GOV.UK style. Nothing here shows a stack trace or the request's content."""

import logging
from typing import cast

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response as WerkzeugResponse

log = logging.getLogger("heard.errors")

PAGES = {
    400: (_l("Sorry, there is a problem with what was sent"), [_l("Go back and try again.")]),
    403: (
        _l("You do not have permission to see this page"),
        [_l("If you think you should, ask an administrator in your organisation.")],
    ),
    404: (
        _l("Page not found"),
        [
            _l("If you typed the web address, check it is correct."),
            _l("If you pasted the web address, check you copied the entire address."),
        ],
    ),
    405: (_l("Sorry, that cannot be done on this page"), [_l("Go back and try again.")]),
    413: (
        _l("The file is too big"),
        [_l("Go back and choose a smaller file. Nothing you entered has been saved yet.")],
    ),
    429: (
        _l("Too many attempts"),
        [_l("You have tried too many times. Wait a few minutes, then try again.")],
    ),
    500: (
        _l("Sorry, there is a problem with the service"),
        [_l("Try again later. If the problem continues, contact your local area's SEND team.")],
    ),
}
CSRF_PAGE = (
    _l("Your session has timed out"),
    [
        _l("To protect your information, the page stopped working."),
        _l("Go back, refresh the page and try again."),
    ],
)


def render_error(status: int, page: tuple[object, list[object]] | None = None) -> tuple[str, int]:
    """Render the error page for `status`."""
    title, paragraphs = page or PAGES.get(status, PAGES[500])
    return render_template("errors/error.html", title=title, paragraphs=paragraphs), status


def _http_error(error: HTTPException) -> WerkzeugResponse | tuple[str, int]:
    # A refusal that made its own page (a rate limit's `on_breach`, say) keeps it.
    if error.response is not None:
        return cast(WerkzeugResponse, error.response)
    status = error.code or 500
    return render_error(status if status in PAGES else 400 if status < 500 else 500)


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_error(400, CSRF_PAGE)


def _unexpected(error: Exception) -> WerkzeugResponse | tuple[str, int]:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("unhandled error", extra={"error_type": type(error).__name__})
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(Exception, _unexpected)
