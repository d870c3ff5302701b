"""Changing an entry's content: its words and plan action, its quotes, and its translations.

A published entry cannot change here: it is withdrawn from the public page first. Editing
the words takes the entry back to draft, so it is reviewed again. The edit, quotes and
translation pages refuse a save made over someone else's newer one (webapp/edit_stamps.py).
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from analysis.yswd import new_small_numbers
from models.plans import Plan, PlanAction
from models.yswd import (
    Delivery,
    EntryState,
    YswdEntry,
    YswdQuote,
    entry_quotes,
    set_quotes,
    set_translation,
    translation_fields,
)
from webapp import db, edit_stamps
from webapp.access import roles_required
from webapp.i18n import LANGUAGE_NAMES, available_languages
from webapp.staff_yswd import WRITERS, bp, load_entry, org_id, published_notice, record
from webapp.yswd_figures import QuoteProblem, chosen_quotes, entry_candidates
from webapp.yswd_forms import EntryForm, QuotesForm, TranslationForm

#: The entry's words on its edit page.
ENTRY_WORDS = ("title", "you_said", "we_did", "easy_said", "easy_did")


def shortened(text: str, limit: int = 80) -> str:
    """The text, cut at the last whole word within `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]  # a single long word is cut where it reaches
    return cut.rstrip(",;:.-") + "…"


def _action_choices() -> list[SelectChoice]:
    rows = db.session().exec(_actions_query(org_id())).all()
    return [SelectChoice(0, "No plan action")] + [
        SelectChoice(action.id, f"{plan.name} {action.code}: {shortened(action.description)}")
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
    """Change the entry's words, plan action and delivery; it is then a draft again."""
    entry = load_entry(entry_id)
    edit_stamps.hold(entry)
    notice = published_notice(entry)
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
        _save_words(entry, form)
        was = entry.state
        record(entry, "yswd.edited")
        message = "Saved."
        if was != EntryState.DRAFT:
            message = "Saved. The words changed, so the entry is a draft again and needs review."
        flash(message, "success")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    edit_stamps.release()
    shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
    return render_template("staff/yswd/edit.html", form=form, entry=entry, overtaken=shown)


def _save_words(entry: YswdEntry, form: EntryForm) -> None:
    """Put what the edit form sent on the entry; the caller records the step and commits."""
    entry.title = form.title.data or ""
    entry.you_said = (form.you_said.data or "").strip()
    entry.we_did = (form.we_did.data or "").strip()
    entry.easy_said = (form.easy_said.data or "").strip()
    entry.easy_did = (form.easy_did.data or "").strip()
    known = {int(c.value) for c in form.action.choices}
    entry.action_id = form.action.data if form.action.data in known - {0} else None
    entry.delivery = form.delivery.data
    entry.delivery_on = form.delivery_on.data
    db.session().add(entry)


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
    """Choose the comments the entry quotes, so people's own words are heard."""
    session = db.session()
    entry = load_entry(entry_id)
    edit_stamps.hold(entry)
    notice = published_notice(entry)
    if notice:
        return notice
    offered = entry_candidates(session, entry)
    if request.method == "POST" and not offered:
        flash("There are no comments this entry can quote, so none were saved.")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    form = QuotesForm()
    form.quotes.choices = [SelectChoice(c.comment_id, c.text) for c in offered]
    stored = entry_quotes(session=session, entry_ids=[entry.id])[entry.id]  # type: ignore[index, list-item]
    if request.method == "GET":
        form.quotes.data = [q.comment_id for q in stored]
    edited = _quoted(form, stored)
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    if form.validate_on_submit():
        # The checks run either way, so a second save meets no new errors.
        try:
            chosen = chosen_quotes(offered, list(form.quotes.data or []))
        except QuoteProblem as problem:
            form.quotes.errors = [str(problem)]
        else:
            if not overtaken:
                return _save_quotes(entry, chosen)
    edit_stamps.release()
    shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
    return render_template(
        "staff/yswd/quotes.html", form=form, entry=entry, offered=offered, overtaken=shown
    )


def _quoted(form: QuotesForm, stored: list[YswdQuote]) -> edit_stamps.Edited:
    """The quotes as saved now, and as people read them, for the edit stamp."""
    texts = "\n".join(q.text for q in stored)
    return [(form.quotes.label.text, [q.comment_id for q in stored], texts)]


def _save_quotes(entry: YswdEntry, chosen: list[tuple[int, int, str]]) -> WerkzeugResponse:
    set_quotes(session=db.session(), entry=entry, quotes=chosen)
    record(
        entry,
        "yswd.quotes",
        note=f"Chose {len(chosen)} quote{'s' if len(chosen) != 1 else ''}",
        details={"comments": [c for c, _theme, _text in chosen]},
    )
    flash("Quotes saved.", "success")
    return redirect(url_for(".entry_page", entry_id=entry.id))


@bp.route("/<int:entry_id>/translations/<language>", methods=["GET", "POST"])
@roles_required(*WRITERS)
def translate(entry_id: int, language: str) -> str | WerkzeugResponse:
    """Write or change the entry's words in another language."""
    session = db.session()
    entry = load_entry(entry_id)
    if language == "en" or language not in available_languages():
        abort(404)
    edit_stamps.hold(entry)
    notice = published_notice(entry)
    if notice:
        return notice
    stored = entry.translations.get(language) or {}
    form = TranslationForm(data=stored if request.method == "GET" else None)
    edited = _translated(form, stored)
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    # The checks run either way, so a second save meets no new errors.
    if form.validate_on_submit() and _same_small_numbers(form, entry) and not overtaken:
        set_translation(
            session=session,
            entry=entry,
            language=language,
            values={name: getattr(form, name).data for name in translation_fields()},
        )
        record(
            entry,
            "yswd.translated",
            note=f"Translation: {LANGUAGE_NAMES[language]}",
            details={"language": language},
        )
        flash(f"{LANGUAGE_NAMES[language]} translation saved.", "success")
        return redirect(url_for(".entry_page", entry_id=entry.id))
    edit_stamps.release()
    return render_template(
        "staff/yswd/translate.html",
        form=form,
        entry=entry,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        overtaken=edit_stamps.flag(form.stamp, saved, edited) if overtaken else None,
    )


def _translated(form: TranslationForm, stored: dict[str, Any]) -> edit_stamps.Edited:
    """The translation as saved now, and as people read it, for the edit stamp."""
    return [
        (getattr(form, name).label.text, stored.get(name), stored.get(name) or "")
        for name in translation_fields()
    ]


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
