"""PDFs made with WeasyPrint from one template: a blank paper form and a completed summary."""

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template
from flask_babel import format_date
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.schema import FormDefinition
from models import Response, get_upload
from webapp import db, journey
from webapp.access import public
from webapp.extensions import limiter
from webapp.symbols import symbol_file

bp = Blueprint("printing", __name__)
PRINT_CSS = Path(__file__).parent / "static" / "print.css"


def symbol_files(definition: FormDefinition) -> dict[str, str]:
    """A file:// address for every option's picture, for WeasyPrint to read from disk."""
    return {
        option.id: symbol_file(definition.slug, option.id).resolve().as_uri()
        for question in definition.questions()
        for option in question.options
    }


def render_pdf(html: str) -> bytes:
    """Render HTML to PDF, reading only local files: nothing is fetched from a network."""
    from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["file", "data"])
    return HTML(string=html, url_fetcher=fetcher, base_url=str(PRINT_CSS.parent)).write_pdf()


def print_form(
    definition: FormDefinition, mode: str, filename: str, **extra: Any
) -> WerkzeugResponse:
    """Render the print template in `mode` ("blank" or "summary") and send it as a PDF."""
    html = render_template(
        "print/form.html",
        definition=definition,
        mode=mode,
        symbols=symbol_files(definition),
        css=PRINT_CSS.read_text(),
        **extra,
    )
    response = current_app.response_class(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def summary_context(definition: FormDefinition, response: Response) -> dict[str, Any]:
    """Answers grouped by outcome area for the Annual Review summary."""
    areas: dict[str, list[dict[str, Any]]] = {}
    for entry in journey.summary_rows(definition, response):
        areas.setdefault(entry["page"].area or "", []).append(entry)
    ordered = [(name, entries) for name, entries in areas.items() if name]
    if "" in areas:
        ordered.append(("", areas[""]))
    picture = get_upload(session=db.session(), response=response, question_id="picture")
    return {
        "areas": ordered,
        "response": response,
        "picture": picture,
        "completed_on": format_date(response.updated_at, "d MMMM yyyy"),
    }


@bp.get("/f/<slug>/blank.pdf")
@public
@limiter.limit("30 per hour")
def blank(slug: str) -> WerkzeugResponse:
    """The form on paper, with grey boxes to write in."""
    _version, definition = journey.published_form(slug)
    return print_form(definition, "blank", f"{slug}.pdf")


@bp.get("/f/<slug>/summary.pdf")
@public
@limiter.limit("30 per hour")
def summary(slug: str) -> WerkzeugResponse | tuple[str, int]:
    """This browser's answers, for the Annual Review meeting."""
    _version, definition, response = journey.current(slug)
    if response is None:
        return render_template("respond/not_found.html", definition=definition), 404
    context = summary_context(definition, response)
    return print_form(definition, "summary", f"{slug}-answers.pdf", **context)
