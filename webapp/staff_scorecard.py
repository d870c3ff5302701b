"""The scorecard for a plan and period: counts by area, movement, exceptions, exports."""

from flask import abort, render_template, request
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.scorecard import GAPS, SchemeValues
from models import record_event
from webapp import charts, db
from webapp.access import roles_required
from webapp.invitation_pack import attachment
from webapp.plan_forms import ConfirmForm
from webapp.plan_ratings import Scorecard, build_scorecard, latest_reported, period_label, periods
from webapp.queue import own_job_file, start_job
from webapp.scorecard_exports import FORMATS, KIND, movement_frame
from webapp.staff_plans import EDITORS, READERS, bp, load_plan, say_period_not_found


def chart(card: Scorecard, values: SchemeValues) -> Markup:
    """A bar per rating value: how many actions have it, of all the plan's actions."""
    totals = card.counts(values).loc["Total"].to_dict()
    bars = [
        charts.Bar(label, float(totals[label]), f"{int(totals[label])} of {card.actions}")
        for label in [*values.values.values(), *GAPS]
    ]
    title = f"{values.name} ratings, {period_label(card.period)}"
    return charts.bar_chart(bars, title=title, max_value=max(card.actions, 1))


@bp.get("/<name>/scorecard")
@roles_required(*READERS)
def scorecard(name: str) -> str:
    """The counts for each rating by area, for progress and impact, for a chosen period."""
    session = db.session()
    plan = load_plan(name)
    options = periods(session, plan)
    asked = request.args.get("period", "")
    period = asked if asked in options else latest_reported(session, plan)
    if asked != period:
        say_period_not_found(asked, period)
    card = build_scorecard(session, plan, period)
    return render_template(
        "staff/plans/scorecard.html",
        plan=plan,
        card=card,
        tables=[(values, card.counts(values), chart(card, values)) for values in card.values],
        movement=movement_frame(card),
        exceptions=card.exceptions(),
        period=period,
        period_label=period_label(period),
        before_label=period_label(card.before),
        periods=[(p, period_label(p)) for p in options],
        export_form=ConfirmForm(),
        formats=FORMATS,
        can_export=current_user.role in EDITORS,
    )


@bp.post("/<name>/scorecard/export/<kind>")
@roles_required(*EDITORS)
def export_scorecard(name: str, kind: str) -> WerkzeugResponse:
    """Make the scorecard file on the worker; its page shows progress, then the download."""
    plan = load_plan(name)
    period = request.args.get("period", "")
    if kind not in FORMATS or period not in periods(db.session(), plan):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return start_job(KIND, {"plan_id": plan.id, "period": period, "format": kind})


@bp.get("/downloads/<int:job_id>")
@roles_required(*EDITORS)
def download(job_id: int) -> WerkzeugResponse:
    """A scorecard file, for the person who asked for it."""
    job, found = own_job_file(KIND, job_id)
    session = db.session()
    record_event(
        session=session,
        action="plan.scorecard.exported",
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="plan",
        object_id=job.params.get("plan_id"),
        details={"format": job.result.get("format"), "period": job.result.get("period")},
    )
    session.commit()
    return attachment(found.data, found.mimetype, found.filename)
