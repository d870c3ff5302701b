"""Drafting an entry: choose a term and audience, then the themes; Heard writes the first draft.

The draft's “You said” words come from the chosen themes' figures (analysis/yswd.py); the
writer then checks them and chooses quotes.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from analysis.yswd import ThemeFigure, draft_easy_did, draft_easy_said, draft_you_said
from models.yswd import Audience, YswdEntry, create_entry
from webapp import db
from webapp.access import roles_required
from webapp.staff_yswd import WRITERS, bp, org_id, record
from webapp.yswd_figures import term_rounds, terms_with_rounds, theme_figures
from webapp.yswd_forms import DraftForm
from webapp.yswd_view import AUDIENCE_NAMES, count_text, term_label

#: (audience, academic year, term): what an entry is about.
Scope = tuple[str, str, str]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new() -> str | WerkzeugResponse:
    """Choose a term and audience, then the themes; Heard writes the first draft."""
    session = db.session()
    scopes = terms_with_rounds(session, org_id())
    scope = request.args.get("scope", "")
    chosen = next((s for s in scopes if "|".join(s) == scope), None)
    if chosen is None:
        return _choose_scope_page(scopes)
    rounds = term_rounds(session, org_id(), *chosen)
    figures = theme_figures(session, org_id(), rounds)
    form = DraftForm()
    form.themes.choices = [SelectChoice(f.theme_id, f"{f.name}: {count_text(f)}") for f in figures]
    # With no coded themes, the page shows no form, so there is nothing to check.
    if figures and form.validate_on_submit():
        picked = [f for f in figures if f.theme_id in set(form.themes.data or [])]
        entry = _draft(chosen, picked, form.title.data or "")
        flash("Draft made from the themes. Check the words, then choose quotes.", "success")
        return redirect(url_for(".edit", entry_id=entry.id))
    return render_template(
        "staff/yswd/draft.html",
        form=form,
        scope=scope,
        scope_label=_scope_label(*chosen),
        figures=figures,
    )


def _choose_scope_page(scopes: list[Scope]) -> str:
    """The page to choose the term and audience from, with an error if none was chosen."""
    return render_template(
        "staff/yswd/choose_scope.html",
        scopes=[("|".join(s), _scope_label(*s)) for s in scopes],
        # The form always sends `chosen`, so an empty choice can be told from a first visit.
        error="Select the survey term" if "chosen" in request.args else None,
    )


def _draft(scope: Scope, picked: list[ThemeFigure], title: str) -> YswdEntry:
    """Write the first draft from the picked themes, and keep it with its audit event."""
    session = db.session()
    audience, year, term = scope
    entry = create_entry(
        session=session,
        organisation_id=org_id(),
        user_id=current_user.id,
        audience=Audience(audience),
        academic_year=year,
        term=term,
        title=title,
        you_said=draft_you_said(picked, audience, term_label(year, term)),
        easy_said=draft_easy_said(picked, audience),
        respondents=picked[0].respondents if picked else 0,
        themes=[(f.theme_id, f.name, f.raised) for f in picked],
    )
    entry.easy_did = draft_easy_did(entry.delivery.value)
    session.add(entry)
    record(entry, "yswd.drafted", step=None, details={"themes": [f.theme_id for f in picked]})
    return entry


def _scope_label(audience: str, year: str, term: str) -> str:
    return f"{term_label(year, term)}: {AUDIENCE_NAMES[Audience(audience)]}"
