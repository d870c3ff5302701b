"""The staff side of “You said, we did”: draft, edit, choose quotes, review, approve, publish.

Who does what:
* officers, participation workers and administrators draft and edit entries;
* a participation worker or a reviewer (for example a parent carer forum member) reviews
  a draft, though nobody reviews words they wrote;
* an officer or administrator approves, publishes, sends back or withdraws.
Every step is kept on the entry and in the audit log.
"""

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from analysis.yswd import draft_easy_did, draft_easy_said, draft_you_said, new_small_numbers
from models import Role, list_users, record_event
from models.plans import Plan, PlanAction
from models.surveys import get_round
from models.yswd import (
    NEXT_STEPS,
    Audience,
    Delivery,
    EntryState,
    StepError,
    StepKind,
    YswdEntry,
    create_entry,
    entry_quotes,
    entry_steps,
    get_entry,
    list_entries,
    set_quotes,
    set_translation,
    take_step,
    translation_fields,
)
from webapp import db, edit_stamps, follow_ups, queue, yswd_exports
from webapp.access import roles_required
from webapp.extensions import export_limit
from webapp.i18n import LANGUAGE_NAMES, available_languages
from webapp.invitation_pack import attachment
from webapp.yswd_figures import (
    MAX_QUOTES,
    MIN_QUOTES,
    QuoteProblem,
    chosen_quotes,
    entry_candidates,
    term_rounds,
    terms_with_rounds,
    theme_figures,
)
from webapp.yswd_forms import (
    DraftForm,
    EntryForm,
    ExportForm,
    QuotesForm,
    StepForm,
    TranslationForm,
    term_choices,
)
from webapp.yswd_view import AUDIENCE_NAMES, count_text, prepare, term_label

bp = Blueprint("yswd", __name__, url_prefix="/staff/you-said-we-did")
#: The entry's words on its edit page.
ENTRY_WORDS = ("title", "you_said", "we_did", "easy_said", "easy_did")
READERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION, Role.REVIEWER)
WRITERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION)
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


def _org_id() -> int:
    return int(current_user.organisation_id)


def load_entry(entry_id: int) -> YswdEntry:
    entry = get_entry(session=db.session(), organisation_id=_org_id(), entry_id=entry_id)
    if entry is None:
        abort(404)
    return entry


def _writers_of(entry: YswdEntry) -> set[int]:
    """Everyone who drafted or edited the entry's words."""
    steps = entry_steps(session=db.session(), entry=entry)
    return {s.user_id for s in steps if s.kind in (StepKind.DRAFTED, StepKind.EDITED)}


def _record(
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
        organisation_id=_org_id(),
        object_type="yswd_entry",
        object_id=entry.id,
        details=details,
    )
    session.commit()


def _published_notice(entry: YswdEntry) -> WerkzeugResponse | None:
    """Back to the entry, with a message, when it is published and so cannot change."""
    if entry.state != EntryState.PUBLISHED:
        return None
    flash("A published entry cannot be edited. Withdraw it from the public page first.")
    return redirect(url_for(".entry_page", entry_id=entry.id))


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


@bp.get("")
@roles_required(*READERS)
def index() -> str:
    return _index_page(_export_form())


def _index_page(export_form: ExportForm) -> str:
    """The list of entries, the export form (with any errors) and who has been told."""
    return render_template(
        "staff/yswd/index.html",
        entries=list_entries(session=db.session(), organisation_id=_org_id()),
        audience_names=AUDIENCE_NAMES,
        export_form=export_form,
        follow_ups=follow_ups.told_figures(db.session(), _org_id()),
        can_write=current_user.role in WRITERS,
    )


def _export_form(**kwargs: object) -> ExportForm:
    session = db.session()
    form = ExportForm(**kwargs)
    published = list_entries(session=session, organisation_id=_org_id(), published_only=True)
    terms = list(dict.fromkeys((e.academic_year, e.term) for e in published))
    form.term.choices = term_choices(terms)
    form.language.choices = [SelectChoice(c, LANGUAGE_NAMES[c]) for c in available_languages()]
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new() -> str | WerkzeugResponse:
    """Choose a term and audience, then the themes; Heard writes the first draft."""
    session = db.session()
    scopes = terms_with_rounds(session, _org_id())
    scope = request.args.get("scope", "")
    chosen = next((s for s in scopes if "|".join(s) == scope), None)
    if chosen is None:
        return render_template(
            "staff/yswd/choose_scope.html",
            scopes=[("|".join(s), _scope_label(*s)) for s in scopes],
            # The form always sends `chosen`, so an empty choice can be told from a first visit.
            error="Select the survey term" if "chosen" in request.args else None,
        )
    audience, year, term = chosen
    rounds = term_rounds(session, _org_id(), audience, year, term)
    figures = theme_figures(session, _org_id(), rounds)
    form = DraftForm()
    form.themes.choices = [SelectChoice(f.theme_id, f"{f.name}: {count_text(f)}") for f in figures]
    # With no coded themes, the page shows no form, so there is nothing to check.
    if figures and form.validate_on_submit():
        picked = [f for f in figures if f.theme_id in set(form.themes.data or [])]
        name = term_label(year, term)
        entry = create_entry(
            session=session,
            organisation_id=_org_id(),
            user_id=current_user.id,
            audience=Audience(audience),
            academic_year=year,
            term=term,
            title=form.title.data or "",
            you_said=draft_you_said(picked, audience, name),
            easy_said=draft_easy_said(picked, audience),
            respondents=picked[0].respondents if picked else 0,
            themes=[(f.theme_id, f.name, f.raised) for f in picked],
        )
        entry.easy_did = draft_easy_did(entry.delivery.value)
        session.add(entry)
        _record(entry, "yswd.drafted", step=None, details={"themes": [f.theme_id for f in picked]})
        flash("Draft made from the themes. Check the words, then choose quotes.", "success")
        return redirect(url_for(".edit", entry_id=entry.id))
    return render_template(
        "staff/yswd/draft.html",
        form=form,
        scope=scope,
        scope_label=_scope_label(*chosen),
        figures=figures,
    )


def _scope_label(audience: str, year: str, term: str) -> str:
    return f"{term_label(year, term)}: {AUDIENCE_NAMES[Audience(audience)]}"


@bp.get("/<int:entry_id>")
@roles_required(*READERS)
def entry_page(entry_id: int, failed: StepForm | None = None, failed_kind: str = "") -> str:
    session = db.session()
    entry = load_entry(entry_id)
    [shown] = prepare(session, [entry], "en")
    steps = entry_steps(session=session, entry=entry)
    names = {u.id: u.full_name for u in list_users(session=session, organisation_id=_org_id())}
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
        _record(entry, f"yswd.{chosen.value}", step=chosen, note=(form.note.data or "").strip())
    except StepError as problem:
        session.rollback()
        flash(str(problem))
        return redirect(url_for(".entry_page", entry_id=entry_id))
    flash(f"{STEP_TEXT[chosen][1]}.", "success")
    return redirect(url_for(".entry_page", entry_id=entry.id))


def _action_choices() -> list[SelectChoice]:
    rows = db.session().exec(_actions_query(_org_id())).all()
    return [SelectChoice(0, "No plan action")] + [
        SelectChoice(action.id, f"{plan.name} {action.code}: {action.description[:80]}")
        for action, plan in rows
    ]


def _actions_query(organisation_id: int) -> Any:
    """Every plan action of the organisation, by plan and then code."""
    return (
        select(PlanAction, Plan)
        .join(Plan, col(Plan.id) == PlanAction.plan_id)
        .where(Plan.organisation_id == organisation_id)
        .order_by(col(Plan.name), col(PlanAction.code))
    )


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit(entry_id: int) -> str | WerkzeugResponse:
    session = db.session()
    entry = load_entry(entry_id)
    notice = _published_notice(entry)
    if notice:
        return notice
    form = EntryForm(obj=None if request.method == "POST" else entry)
    form.action.choices = _action_choices()
    edited = _edited(entry, form)
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    if request.method == "GET":
        form.action.data = entry.action_id or 0
        form.delivery.data = entry.delivery.value
    if form.validate_on_submit() and not overtaken:
        entry.title = form.title.data or ""
        entry.you_said = (form.you_said.data or "").strip()
        entry.we_did = (form.we_did.data or "").strip()
        entry.easy_said = (form.easy_said.data or "").strip()
        entry.easy_did = (form.easy_did.data or "").strip()
        known = {int(c.value) for c in form.action.choices}
        entry.action_id = form.action.data if form.action.data in known - {0} else None
        entry.delivery = form.delivery.data
        entry.delivery_on = form.delivery_on.data
        session.add(entry)
        was = entry.state
        _record(entry, "yswd.edited")
        message = "Saved."
        if was != EntryState.DRAFT:
            message = "Saved. The words changed, so the entry is a draft again and needs review."
        flash(message, "success")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
    return render_template("staff/yswd/edit.html", form=form, entry=entry, overtaken=shown)


def _edited(entry: YswdEntry, form: EntryForm) -> edit_stamps.Edited:
    """Everything the edit page changes, as saved now, and as people read it."""
    words = [(getattr(form, name).label.text, getattr(entry, name)) for name in ENTRY_WORDS]
    actions = {str(c.value): c.label for c in form.action.choices}
    when = entry.delivery_on
    return [
        *((label, value, value) for label, value in words),
        (form.action.label.text, entry.action_id, actions.get(str(entry.action_id), "")),
        (form.delivery.label.text, entry.delivery, Delivery(entry.delivery).label),
        (form.delivery_on.label.text, when, f"{when.day} {when:%B %Y}" if when else ""),
    ]


@bp.route("/<int:entry_id>/quotes", methods=["GET", "POST"])
@roles_required(*WRITERS)
def quotes(entry_id: int) -> str | WerkzeugResponse:
    session = db.session()
    entry = load_entry(entry_id)
    notice = _published_notice(entry)
    if notice:
        return notice
    offered = entry_candidates(session, entry)
    if request.method == "POST" and not offered:
        flash("There are no comments this entry can quote, so none were saved.")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    form = QuotesForm()
    form.quotes.choices = [SelectChoice(c.comment_id, c.text) for c in offered]
    if request.method == "GET":
        stored = entry_quotes(session=session, entry_ids=[entry.id])[entry.id]  # type: ignore[index, list-item]
        form.quotes.data = [q.comment_id for q in stored]
    if form.validate_on_submit():
        try:
            chosen = chosen_quotes(offered, list(form.quotes.data or []))
        except QuoteProblem as problem:
            form.quotes.errors = [str(problem)]
        else:
            set_quotes(session=session, entry=entry, quotes=chosen)
            _record(
                entry,
                "yswd.quotes",
                note=f"Chose {len(chosen)} quote{'s' if len(chosen) != 1 else ''}",
                details={"comments": [c for c, _theme, _text in chosen]},
            )
            flash("Quotes saved.", "success")
            return redirect(url_for(".entry_page", entry_id=entry.id))
    return render_template("staff/yswd/quotes.html", form=form, entry=entry, offered=offered)


@bp.route("/<int:entry_id>/translations/<language>", methods=["GET", "POST"])
@roles_required(*WRITERS)
def translate(entry_id: int, language: str) -> str | WerkzeugResponse:
    session = db.session()
    entry = load_entry(entry_id)
    if language == "en" or language not in available_languages():
        abort(404)
    notice = _published_notice(entry)
    if notice:
        return notice
    stored = entry.translations.get(language) or {}
    form = TranslationForm(data=stored if request.method == "GET" else None)
    edited = [
        (getattr(form, name).label.text, stored.get(name), stored.get(name) or "")
        for name in translation_fields()
    ]
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    # The checks run either way, so a second save meets no new errors.
    if form.validate_on_submit() and _same_small_numbers(form, entry) and not overtaken:
        set_translation(
            session=session,
            entry=entry,
            language=language,
            values={name: getattr(form, name).data for name in translation_fields()},
        )
        _record(
            entry,
            "yswd.translated",
            note=f"Translation: {LANGUAGE_NAMES[language]}",
            details={"language": language},
        )
        flash(f"{LANGUAGE_NAMES[language]} translation saved.", "success")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    return render_template(
        "staff/yswd/translate.html",
        form=form,
        entry=entry,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        overtaken=edit_stamps.flag(form.stamp, saved, edited) if overtaken else None,
    )


def _same_small_numbers(form: TranslationForm, entry: YswdEntry) -> bool:
    """Refuse a number from 1 to 4 in a translation where the English has none."""
    fine = True
    for name in translation_fields():
        field = getattr(form, name)
        extra = new_small_numbers(field.data or "", str(getattr(entry, name)))
        if extra:
            field.errors = [
                *field.errors,
                f"{field.label.text} has the number {extra[0]}, which the English does not. "
                "Counts under 5 are never shown; check the translation",
            ]
            fine = False
    return fine


@bp.post("/exports")
@roles_required(*WRITERS)
@export_limit
def export() -> str | WerkzeugResponse:
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
    job, found = queue.own_job_file(yswd_exports.KIND, job_id)
    session = db.session()
    record_event(
        session=session,
        action="yswd.exported",
        actor_user_id=current_user.id,
        organisation_id=_org_id(),
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
    if get_round(session=db.session(), organisation_id=_org_id(), round_id=round_id) is None:
        abort(404)
    if not StepForm().validate_on_submit():
        abort(400)
    return queue.start_job(follow_ups.KIND, {"round_id": round_id})
