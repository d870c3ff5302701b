"""The public “You said, we did” page for each organisation, its easy read and its feed.

No sign-in: only published entries are shown, in the reader's language where a person has
translated them, with every figure suppressed and every quote checked (webapp/yswd_view.py).
"""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.yswd import parse_term
from models import Organisation, get_default_organisation, get_organisation_by_slug
from models.yswd import Audience, YswdEntry, get_entry, list_entries
from webapp import db, journey
from webapp.access import public
from webapp.branding import use_organisation
from webapp.extensions import limiter
from webapp.yswd_exports import Selection, print_pdf
from webapp.yswd_view import AUDIENCE_NAMES, count_text, prepare, term_label

bp = Blueprint("yswd_public", __name__)


def _organisation(slug: str) -> Organisation:
    organisation = get_organisation_by_slug(session=db.session(), slug=slug)
    if organisation is None:
        abort(404)
    use_organisation(organisation)
    return organisation


@bp.get("/you-said-we-did")
@public
def default() -> WerkzeugResponse:
    organisation = get_default_organisation(session=db.session())
    if organisation is None:
        abort(404)
    return redirect(url_for(".entries", org=organisation.slug))


@bp.get("/you-said-we-did/<org>")
@public
def entries(org: str) -> str:
    """Published entries, newest term first, which a reader can narrow by audience and term."""
    organisation = _organisation(org)
    session = db.session()
    audience = request.args.get("audience", "")
    chosen_audience = Audience(audience) if audience in {a.value for a in Audience} else None
    term = parse_term(request.args.get("term", "").replace("-", " ", 1).replace("_", " "))
    published = list_entries(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        published_only=True,
        audience=chosen_audience,
        academic_year=term[0] if term else None,
        term=term[1] if term else None,
    )
    every = list_entries(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        published_only=True,
    )
    terms = list(dict.fromkeys((e.academic_year, e.term) for e in every))
    shown = prepare(session, published, journey.locale_code())
    groups: dict[str, list] = {}
    for item in shown:
        groups.setdefault(item.term, []).append(item)
    return render_template(
        "yswd/public.html",
        organisation=organisation,
        groups=groups,
        audiences=[(a.value, AUDIENCE_NAMES[a]) for a in Audience],
        chosen_audience=chosen_audience.value if chosen_audience else "",
        terms=[(f"{y}-{t}", term_label(y, t)) for y, t in terms],
        chosen_term=f"{term[0]}-{term[1]}" if term else "",
        count_text=count_text,
    )


def _published(organisation: Organisation, entry_id: int) -> YswdEntry:
    entry = get_entry(
        session=db.session(),
        organisation_id=organisation.id,  # type: ignore[arg-type]
        entry_id=entry_id,
    )
    if entry is None or entry.state != "published":
        abort(404)
    return entry


@bp.get("/you-said-we-did/<org>/<int:entry_id>/easy-read")
@public
def easy_read(org: str, entry_id: int) -> str:
    """One entry in easy read: short sentences, each beside a symbol."""
    organisation = _organisation(org)
    entry = _published(organisation, entry_id)
    [item] = prepare(db.session(), [entry], journey.locale_code())
    return render_template("yswd/easy_read.html", organisation=organisation, item=item)


@bp.get("/you-said-we-did/<org>/<int:entry_id>/easy-read.pdf")
@public
@limiter.limit("30 per hour")
def easy_read_pdf(org: str, entry_id: int) -> WerkzeugResponse:
    """The same easy read entry as a PDF to print, in the reader's language."""
    organisation = _organisation(org)
    entry = _published(organisation, entry_id)
    language = journey.locale_code()
    shown = prepare(db.session(), [entry], language)
    pdf = print_pdf(Selection(organisation=organisation, language=language), shown, easy_read=True)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="you-said-we-did-{entry.id}-easy-read.pdf"'
    )
    return response


@bp.get("/you-said-we-did/<org>/feed.atom")
@public
def feed(org: str) -> WerkzeugResponse:
    """An Atom feed of published entries, newest first."""
    organisation = _organisation(org)
    session = db.session()
    published = list_entries(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        published_only=True,
    )
    published.sort(key=lambda e: e.published_at or e.updated_at, reverse=True)
    shown = prepare(session, published[:50], journey.locale_code())
    updated = max(
        (e.published_at or e.updated_at for e in published),
        default=datetime(2026, 1, 1, tzinfo=UTC),
    )
    xml = render_template(
        "yswd/feed.xml", organisation=organisation, entries=shown, updated=updated
    )
    return current_app.response_class(xml, mimetype="application/atom+xml")
