"""The staff side of “You said, we did”: draft, edit, choose quotes, review, approve, publish.

Who does what:
* officers, participation workers and administrators draft and edit entries;
* a participation worker or a reviewer (for example a parent carer forum member) reviews
  a draft, though nobody reviews words they wrote;
* an officer or administrator approves, publishes, sends back or withdraws.
Every step is kept on the entry and in the audit log.

This module holds the blueprint, the list of entries, and the exports and emails started
from it. Drafting is in webapp/staff_yswd_drafts.py, an entry's page and its steps in
webapp/staff_yswd_steps.py, and editing words, quotes and translations in
webapp/staff_yswd_edits.py.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from models import Role, record_event
from models.surveys import get_round
from models.yswd import EntryState, StepKind, YswdEntry, get_entry, list_entries, take_step
from webapp import db, follow_ups, queue, yswd_exports
from webapp.access import roles_required
from webapp.extensions import export_limit
from webapp.i18n import LANGUAGE_NAMES, available_languages
from webapp.invitation_pack import attachment
from webapp.yswd_forms import ExportForm, StepForm, term_choices
from webapp.yswd_view import AUDIENCE_NAMES

bp = Blueprint("yswd", __name__, url_prefix="/staff/you-said-we-did")
READERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION, Role.REVIEWER)
WRITERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION)


def org_id() -> int:
    """The signed-in person's organisation."""
    return int(current_user.organisation_id)


def load_entry(entry_id: int) -> YswdEntry:
    """The organisation's entry with this id, or a 404."""
    entry = get_entry(session=db.session(), organisation_id=org_id(), entry_id=entry_id)
    if entry is None:
        abort(404)
    return entry


def record(
    entry: YswdEntry,
    action: str,
    *,
    step: StepKind | None = StepKind.EDITED,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Take a step on the entry (if any), write the audit event, and commit both together."""
    session = db.session()
    if step is not None:
        take_step(session=session, entry=entry, kind=step, user_id=current_user.id, note=note)
    record_event(
        session=session,
        action=action,
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type="yswd_entry",
        object_id=entry.id,
        details=details,
    )
    session.commit()


def published_notice(entry: YswdEntry) -> WerkzeugResponse | None:
    """Back to the entry, with a message, when it is published and so cannot change."""
    if entry.state != EntryState.PUBLISHED:
        return None
    flash("A published entry cannot be edited. Withdraw it from the public page first.")
    return redirect(url_for(".entry_page", entry_id=entry.id))


@bp.get("")
@roles_required(*READERS)
def index() -> str:
    """The organisation's entries, with the export form."""
    return _index_page(_export_form())


def _index_page(export_form: ExportForm) -> str:
    """The list of entries, the export form (with any errors) and who has been told."""
    return render_template(
        "staff/yswd/index.html",
        entries=list_entries(session=db.session(), organisation_id=org_id()),
        audience_names=AUDIENCE_NAMES,
        export_form=export_form,
        follow_ups=follow_ups.told_figures(db.session(), org_id()),
        can_write=current_user.role in WRITERS,
    )


def _export_form(**kwargs: object) -> ExportForm:
    session = db.session()
    form = ExportForm(**kwargs)
    published = list_entries(session=session, organisation_id=org_id(), published_only=True)
    terms = list(dict.fromkeys((e.academic_year, e.term) for e in published))
    form.term.choices = term_choices(terms)
    form.language.choices = [SelectChoice(c, LANGUAGE_NAMES[c]) for c in available_languages()]
    return form


@bp.post("/exports")
@roles_required(*WRITERS)
@export_limit
def export() -> str | WerkzeugResponse:
    """Start a job that writes the published entries as a file."""
    form = _export_form()
    if not form.validate_on_submit():
        return _index_page(form)
    return queue.start_job(
        yswd_exports.KIND,
        {
            "format": form.format.data,
            "term": form.term.data or "",
            "audience": form.audience.data or "",
            "language": form.language.data or "en",
        },
    )


@bp.get("/downloads/<int:job_id>")
@roles_required(*WRITERS)
@export_limit
def download(job_id: int) -> WerkzeugResponse:
    """Download a finished export, and record that it was taken."""
    job, found = queue.own_job_file(yswd_exports.KIND, job_id)
    session = db.session()
    record_event(
        session=session,
        action="yswd.exported",
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type="job",
        object_id=job.id,
        details={key: job.params.get(key) for key in ("format", "term", "audience", "language")},
    )
    session.commit()
    return attachment(found.data, found.mimetype, found.filename)


@bp.post("/tell/<int:round_id>")
@roles_required(Role.ADMIN, Role.OFFICER)
def tell(round_id: int) -> WerkzeugResponse:
    """Email everyone in a round who asked to hear back about its published entries."""
    if get_round(session=db.session(), organisation_id=org_id(), round_id=round_id) is None:
        abort(404)
    if not StepForm().validate_on_submit():
        abort(400)
    return queue.start_job(follow_ups.KIND, {"round_id": round_id})


# The other pages add themselves to `bp`; they import it from here, so they come last.
from webapp import (  # noqa: E402
    staff_yswd_drafts,  # noqa: F401
    staff_yswd_edits,  # noqa: F401
    staff_yswd_steps,  # noqa: F401
)
