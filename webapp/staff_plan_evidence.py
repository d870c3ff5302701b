"""Linking evidence to a plan action: a theme, a survey indicator, a KPI, a document, a quote."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import col, select
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from models import FormStatus, list_form_versions
from models.coding import (
    Comment,
    CommentTheme,
    counted_coding,
    get_active_codebook,
    list_themes,
    quotable_comments,
)
from models.plan_evidence import (
    EvidenceKind,
    EvidenceLink,
    add_evidence,
    get_evidence,
    list_evidence,
    remove_evidence,
)
from models.plans import Plan, PlanAction
from webapp import db
from webapp.access import roles_required
from webapp.invitation_pack import attachment
from webapp.journey import definition_of
from webapp.plan_forms import (
    ConfirmForm,
    DocumentEvidenceForm,
    IndicatorEvidenceForm,
    KpiEvidenceForm,
    QuoteEvidenceForm,
    ThemeEvidenceForm,
)
from webapp.staff_plan_actions import _audit, load_action
from webapp.staff_plans import EDITORS, READERS, bp, load_plan

MAX_DOCUMENT = 5 * 1024 * 1024
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
}
TITLES = {
    EvidenceKind.THEME: "Link a theme",
    EvidenceKind.INDICATOR: "Link a survey indicator",
    EvidenceKind.KPI: "Add a KPI value",
    EvidenceKind.DOCUMENT: "Upload a document",
    EvidenceKind.QUOTE: "Link a quote",
}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _theme_form() -> ThemeEvidenceForm:
    form = ThemeEvidenceForm()
    codebook = get_active_codebook(
        session=db.session(), organisation_id=current_user.organisation_id
    )
    themes = list_themes(session=db.session(), codebook_id=codebook.id) if codebook else []  # type: ignore[arg-type]
    form.theme.choices = [SelectChoice(t.id, t.name) for t in themes]
    return form


def _theme_fields(form: Any) -> dict[str, Any]:
    name = dict((c.value, c.label) for c in form.theme.choices).get(form.theme.data, "")
    return {"theme_id": form.theme.data, "direction": form.direction.data, "label": name[:200]}


def _indicator_form() -> IndicatorEvidenceForm:
    form = IndicatorEvidenceForm()
    versions = [
        v for v in list_form_versions(session=db.session()) if v.status == FormStatus.PUBLISHED
    ]
    form.indicator.choices = [
        SelectChoice(f"{v.slug}/{i.id}", f"{i.label} ({v.title})")
        for v in versions
        for i in definition_of(v).indicators
    ]
    return form


def _indicator_fields(form: Any) -> dict[str, Any]:
    slug, indicator_id = form.indicator.data.split("/", 1)
    label = dict((c.value, c.label) for c in form.indicator.choices)[form.indicator.data]
    return {
        "form_slug": slug,
        "indicator_id": indicator_id,
        "label": label.rsplit(" (", 1)[0][:200],
        "baseline": _number(form.baseline.data),
        "target": _number(form.target.data),
    }


def _kpi_fields(form: Any) -> dict[str, Any]:
    return {
        "label": form.label.data.strip(),
        "value": _number(form.value.data),
        "baseline": _number(form.baseline.data),
        "target": _number(form.target.data),
        "higher_is_better": form.higher_is_better.data == "yes",
        "measured_on": form.measured_on.data,
    }


def document_name(given: str) -> tuple[str, str]:
    """A safe ASCII name for the download and the file's lower-case suffix (".pdf").

    A name written in another script has no ASCII left, so it becomes "document.pdf".
    """
    base = given.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = base[base.rfind(".") :].lower() if "." in base else ""
    safe = secure_filename(base)
    if not suffix or not safe.lower().endswith(suffix):
        safe = f"document{suffix}"
    return safe[-200:], suffix


def _document_fields(form: Any) -> dict[str, Any] | str:
    upload = form.document.data
    name, suffix = document_name(upload.filename or "")
    if suffix not in DOCUMENT_TYPES:
        return "The selected file must be a PDF, DOCX, XLSX, CSV or TXT file"
    data = upload.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        return "The selected file must be smaller than 5MB"
    if not data:
        return "The selected file is empty"
    return {
        "label": form.label.data.strip(),
        "filename": name,
        "mimetype": DOCUMENT_TYPES[suffix],
        "data": data,
    }


def _quote_form(action: PlanAction) -> QuoteEvidenceForm:
    """Comments whose writers agreed to be quoted, on the themes linked to the action first."""
    session = db.session()
    themes = [e.theme_id for e in list_evidence(session=session, action=action) if e.theme_id]
    query = select(Comment).where(
        Comment.organisation_id == current_user.organisation_id, quotable_comments()
    )
    if themes:
        # On the theme as people decided it: not a suggestion a reviewer turned down.
        query = query.join(CommentTheme, col(CommentTheme.comment_id) == Comment.id).where(
            col(CommentTheme.theme_id).in_(themes), counted_coding()
        )
    comments = session.exec(query.distinct().order_by(col(Comment.id).desc()).limit(50)).all()
    form = QuoteEvidenceForm()
    form.comment.choices = [SelectChoice(c.id, c.text_redacted[:300]) for c in comments]
    form.languages = tuple(c.language for c in comments)
    return form


FORMS: dict[EvidenceKind, tuple[Callable[..., FlaskForm], Callable[..., Any]]] = {
    EvidenceKind.THEME: (lambda _a: _theme_form(), _theme_fields),
    EvidenceKind.INDICATOR: (lambda _a: _indicator_form(), _indicator_fields),
    EvidenceKind.KPI: (lambda _a: KpiEvidenceForm(), _kpi_fields),
    EvidenceKind.DOCUMENT: (lambda _a: DocumentEvidenceForm(), _document_fields),
    EvidenceKind.QUOTE: (_quote_form, lambda form: {"comment_id": form.comment.data}),
}


def _back(plan: Plan, action: PlanAction) -> str:
    period = request.args.get("period", "")
    extra: dict[str, Any] = {"period": period} if period else {}
    return url_for("plans.action_page", name=plan.name, code=action.code, **extra)


@bp.route("/<name>/actions/<code>/evidence/<kind>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def add_link(name: str, code: str, kind: str) -> str | WerkzeugResponse:
    """Link one piece of evidence to the action."""
    plan = load_plan(name)
    action = load_action(plan, code)
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        abort(404)
    build, fields_of = FORMS[evidence_kind]
    form = build(action)
    if form.validate_on_submit():
        fields = fields_of(form)
        if isinstance(fields, str):
            form.document.errors = [fields]
        elif _already_linked(action, evidence_kind, fields):
            field = form.theme if evidence_kind is EvidenceKind.THEME else form.indicator
            field.errors = [f"{field.label.text} is already linked to this action"]
        else:
            link = add_evidence(
                session=db.session(),
                action=action,
                kind=evidence_kind,
                user_id=current_user.id,
                **fields,
            )
            _audit(action, "plan.evidence.linked", kind=evidence_kind.value, link_id=link.id)
            db.session().commit()
            return redirect(_back(plan, action) + "#evidence")
    return render_template(
        "staff/plans/evidence_form.html",
        plan=plan,
        action=action,
        kind=evidence_kind,
        title=TITLES[evidence_kind],
        form=form,
        back=_back(plan, action),
    )


def _already_linked(action: PlanAction, kind: EvidenceKind, fields: dict[str, Any]) -> bool:
    """Whether this theme or survey indicator is linked to the action already: linked twice,
    it would count twice in the suggested rating. KPI values, documents and quotes may
    repeat."""
    keys = {
        EvidenceKind.THEME: ("theme_id",),
        EvidenceKind.INDICATOR: ("form_slug", "indicator_id"),
    }
    if kind not in keys:
        return False
    return any(
        link.kind is kind and all(getattr(link, key) == fields[key] for key in keys[kind])
        for link in list_evidence(session=db.session(), action=action)
    )


def _link(plan: Plan, action: PlanAction, link_id: int) -> EvidenceLink:
    link = get_evidence(session=db.session(), action=action, link_id=link_id)
    if link is None:
        abort(404)
    return link


@bp.post("/<name>/actions/<code>/evidence/<int:link_id>/remove")
@roles_required(*EDITORS)
def remove_link(name: str, code: str, link_id: int) -> WerkzeugResponse:
    """Unlink a piece of evidence (a document goes with its link)."""
    plan = load_plan(name)
    action = load_action(plan, code)
    link = _link(plan, action, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _audit(action, "plan.evidence.removed", kind=link.kind.value, link_id=link.id)
    remove_evidence(session=db.session(), link=link)
    db.session().commit()
    return redirect(_back(plan, action) + "#evidence")


@bp.get("/<name>/actions/<code>/evidence/<int:link_id>/file")
@roles_required(*READERS)
def document(name: str, code: str, link_id: int) -> WerkzeugResponse:
    """Download an uploaded document."""
    plan = load_plan(name)
    action = load_action(plan, code)
    link = _link(plan, action, link_id)
    if link.kind is not EvidenceKind.DOCUMENT or link.data is None:
        abort(404)
    _audit(action, "plan.evidence.downloaded", kind=link.kind.value, link_id=link.id)
    db.session().commit()
    return attachment(link.data, link.mimetype, link.filename)
