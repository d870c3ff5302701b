"""An entry's page and the steps taken on it: review, approve, publish, send back, withdraw.

The order of steps is models.yswd's business; here is who may take each one, and the
checks that need the request: nobody reviews words they wrote, and an entry is approved
only with people's own words quoted where there are any to quote.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from models import Role, list_users
from models.yswd import (
    NEXT_STEPS,
    EntryState,
    StepError,
    StepKind,
    YswdEntry,
    entry_quotes,
    entry_steps,
)
from webapp import db
from webapp.access import roles_required
from webapp.i18n import LANGUAGE_NAMES, available_languages
from webapp.staff_yswd import READERS, WRITERS, bp, load_entry, org_id, record
from webapp.yswd_figures import MAX_QUOTES, MIN_QUOTES, entry_candidates
from webapp.yswd_forms import StepForm
from webapp.yswd_view import count_text, prepare

#: Who may take each step (the order of steps is models.yswd's business).
STEP_ROLES = {
    StepKind.REVIEWED: frozenset({Role.PARTICIPATION, Role.REVIEWER}),
    StepKind.APPROVED: frozenset({Role.OFFICER, Role.ADMIN}),
    StepKind.PUBLISHED: frozenset({Role.OFFICER, Role.ADMIN}),
    StepKind.RETURNED: frozenset({Role.OFFICER, Role.ADMIN}),
    StepKind.WITHDRAWN: frozenset({Role.OFFICER, Role.ADMIN}),
}
STEP_TEXT = {
    StepKind.REVIEWED: ("Mark as reviewed", "Reviewed"),
    StepKind.APPROVED: ("Approve", "Approved"),
    StepKind.PUBLISHED: ("Publish", "Published"),
    StepKind.RETURNED: ("Send back to draft", "Sent back to draft"),
    StepKind.WITHDRAWN: ("Withdraw from the public page", "Withdrawn"),
}


def _writers_of(entry: YswdEntry) -> set[int]:
    """Everyone who drafted or edited the entry's words."""
    steps = entry_steps(session=db.session(), entry=entry)
    return {s.user_id for s in steps if s.kind in (StepKind.DRAFTED, StepKind.EDITED)}


def may_take(entry: YswdEntry, kind: StepKind) -> str | None:
    """Why the signed-in person may not take this step now, or None if they may."""
    if kind not in NEXT_STEPS[EntryState(entry.state)]:
        return f"This entry is {entry.state.value}, so it cannot be {kind.value} now."
    if current_user.role not in STEP_ROLES[kind]:
        return f"Your role cannot mark an entry as {kind.value}."
    if kind is StepKind.REVIEWED and current_user.id in _writers_of(entry):
        return "Someone who did not write this entry must review it."
    if kind is StepKind.APPROVED and _too_few_quotes(entry):
        return f"Choose {MIN_QUOTES} or {MAX_QUOTES} quotes first, so people's own words are heard."
    return None


def _too_few_quotes(entry: YswdEntry) -> bool:
    """True when the entry has fewer than 2 quotes but 2 or more could be chosen."""
    session = db.session()
    stored = entry_quotes(session=session, entry_ids=[entry.id])[entry.id]  # type: ignore[index, list-item]
    return len(stored) < MIN_QUOTES <= len(entry_candidates(session, entry))


@bp.get("/<int:entry_id>")
@roles_required(*READERS)
def entry_page(entry_id: int, failed: StepForm | None = None, failed_kind: str = "") -> str:
    """The entry as people will read it, its quotes, its steps so far and the next ones."""
    session = db.session()
    entry = load_entry(entry_id)
    [shown] = prepare(session, [entry], "en")
    steps = entry_steps(session=session, entry=entry)
    names = {u.id: u.full_name for u in list_users(session=session, organisation_id=org_id())}
    possible = [
        kind for kind in STEP_TEXT if kind in _next(entry) and current_user.role in STEP_ROLES[kind]
    ]
    blocked = {kind: may_take(entry, kind) for kind in possible}
    forms = {kind: StepForm(prefix=kind.value, formdata=None) for kind in possible}
    if failed is not None:
        forms[StepKind(failed_kind)] = failed
    stored = entry_quotes(session=session, entry_ids=[entry.id])[entry.id]  # type: ignore[index, list-item]
    return render_template(
        "staff/yswd/entry.html",
        entry=entry,
        shown=shown,
        stored_quotes=stored,
        count_text=count_text,
        steps=steps,
        names=names,
        forms=forms,
        blocked=blocked,
        step_text=STEP_TEXT,
        can_write=current_user.role in WRITERS and entry.state != EntryState.PUBLISHED,
        translations=[
            (code, LANGUAGE_NAMES[code], code in entry.translations)
            for code in available_languages()
            if code != "en"
        ],
    )


def _next(entry: YswdEntry) -> tuple[StepKind, ...]:
    return NEXT_STEPS[EntryState(entry.state)]


@bp.post("/<int:entry_id>/steps/<kind>")
@roles_required(*READERS)
def step(entry_id: int, kind: str) -> str | WerkzeugResponse:
    """Take a step on the entry, when the signed-in person may take it now."""
    session = db.session()
    entry = load_entry(entry_id)
    try:
        chosen = StepKind(kind)
    except ValueError:
        abort(404)
    if chosen not in STEP_TEXT:
        abort(404)
    if current_user.role not in STEP_ROLES[chosen]:
        abort(403)
    form = StepForm(prefix=chosen.value)
    if not form.validate_on_submit():
        return entry_page(entry_id, failed=form, failed_kind=chosen.value)
    reason = may_take(entry, chosen)
    if reason:
        flash(reason)
        return redirect(url_for(".entry_page", entry_id=entry.id))
    if chosen is StepKind.RETURNED and not (form.note.data or "").strip():
        form.note.errors = ["Enter what needs to change before it goes back to draft"]
        return entry_page(entry_id, failed=form, failed_kind=chosen.value)
    try:
        record(entry, f"yswd.{chosen.value}", step=chosen, note=(form.note.data or "").strip())
    except StepError as problem:
        session.rollback()
        flash(str(problem))
        return redirect(url_for(".entry_page", entry_id=entry_id))
    flash(f"{STEP_TEXT[chosen][1]}.", "success")
    return redirect(url_for(".entry_page", entry_id=entry.id))
