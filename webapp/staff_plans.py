"""Improvement plans for officers: the list, importing a plan file, and a plan's actions."""

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.plan_rows import PlanFileError
from models import Role, record_event
from models.plan_evidence import PlanImport, get_plan_import
from models.plans import Plan, get_plan, list_actions, list_areas, list_plans, list_schemes
from webapp import db
from webapp.access import roles_required
from webapp.plan_forms import ConfirmForm, PlanImportForm
from webapp.plan_imports import SCHEME_SETS, check, save_rows, scheme_keys_of
from webapp.plan_ratings import period_label, periods, states, this_month

bp = Blueprint("plans", __name__, url_prefix="/staff/plans")
EDITORS = (Role.ADMIN, Role.OFFICER)
READERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION)


def load_plan(name: str) -> Plan:
    """The signed-in person's organisation's plan, or 404."""
    plan = get_plan(session=db.session(), organisation_id=current_user.organisation_id, name=name)
    if plan is None:
        abort(404)
    return plan


def chosen_period(options: list[str]) -> str:
    """The period asked for in the query string, if it is a real one, else the newest."""
    asked = request.args.get("period", "")
    if asked in options:
        return asked
    shown = options[0] if options else this_month()
    say_period_not_found(asked, shown)
    return shown


def say_period_not_found(asked: str, shown: str) -> None:
    """Tell the reader when the period they asked for is not one, and which is shown."""
    if asked:
        flash(
            f"There are no ratings for a period called “{asked[:20]}”, or it has not started "
            f"yet. This shows {period_label(shown)}."
        )


@bp.get("/")
@roles_required(*READERS)
def index() -> str:
    """Every plan, with how many actions it has."""
    session = db.session()
    plans = list_plans(session=session, organisation_id=current_user.organisation_id)
    sizes = {p.id: len(list_actions(session=session, plan=p)) for p in plans}
    return render_template("staff/plans/index.html", plans=plans, sizes=sizes)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def import_plan() -> str | WerkzeugResponse:
    """Upload a plan file; it is read and checked, then shown for confirmation."""
    form = PlanImportForm()
    if form.validate_on_submit():
        upload = form.spreadsheet.data
        data = upload.read()
        session = db.session()
        existing = get_plan(
            session=session, organisation_id=current_user.organisation_id, name=form.name.data
        )
        keys = scheme_keys_of(session, existing) if existing else SCHEME_SETS[form.schemes.data][1]
        try:
            rows = check(data, upload.filename or "", scheme_keys=keys)
        except PlanFileError as error:
            form.spreadsheet.errors = [str(error)]
        else:
            pending = PlanImport(
                organisation_id=current_user.organisation_id,
                plan_name=form.name.data,
                title=form.title.data,
                schemes=keys,
                filename=(upload.filename or "plan")[:200],
                data=data,
                warnings=[asdict(w) for w in rows.warnings],
                actions=len(rows.actions),
                created_by_id=current_user.id,
            )
            session.add(pending)
            session.commit()
            return redirect(url_for("plans.review_import", import_id=pending.id))
    return render_template("staff/plans/import.html", form=form)


def _pending(import_id: int) -> PlanImport:
    pending = get_plan_import(
        session=db.session(), organisation_id=current_user.organisation_id, import_id=import_id
    )
    if pending is None:
        abort(404)
    return pending


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def review_import(import_id: int) -> str | WerkzeugResponse:
    """The warnings for the officer to confirm; confirming saves the plan."""
    pending = _pending(import_id)
    form = ConfirmForm()
    if pending.done:
        return redirect(url_for("plans.plan_page", name=pending.plan_name))
    if form.validate_on_submit():
        session = db.session()
        rows = check(pending.data, pending.filename, scheme_keys=pending.schemes)
        saved = save_rows(
            session=session,
            organisation_id=current_user.organisation_id,
            name=pending.plan_name,
            title=pending.title,
            scheme_keys=pending.schemes,
            rows=rows,
        )
        pending.done = True
        session.add(pending)
        record_event(
            session=session,
            action="plan.imported",
            actor_user_id=current_user.id,
            organisation_id=current_user.organisation_id,
            object_type="plan",
            object_id=saved.plan.id,
            details={
                "file": pending.filename,
                "created": saved.created,
                "updated": saved.updated,
                "warnings": len(pending.warnings),
            },
        )
        session.commit()
        flash(f"Imported {saved.created} new and {saved.updated} updated actions.")
        return redirect(url_for("plans.plan_page", name=pending.plan_name))
    return render_template("staff/plans/import_review.html", pending=pending, form=form)


@bp.get("/<name>")
@roles_required(*READERS)
def plan_page(name: str) -> str:
    """The plan's areas and actions, with each action's ratings for a period."""
    session = db.session()
    plan = load_plan(name)
    options = periods(session, plan)
    period = chosen_period(options)
    actions = list_actions(session=session, plan=plan)
    schemes = list_schemes(session=session, plan=plan)
    areas = list_areas(session=session, plan=plan)
    by_area = {a.id: [x for x in actions if x.area_id == a.id] for a in areas}
    return render_template(
        "staff/plans/plan.html",
        plan=plan,
        areas=[a for a in areas if a.parent_id is None and not a.is_tag],
        tags=[a for a in areas if a.is_tag],
        by_area=by_area,
        schemes=schemes,
        states=states(session, actions, schemes, period),
        period=period,
        periods=[(p, period_label(p)) for p in options],
        period_label=period_label(period),
    )
