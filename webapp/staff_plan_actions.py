"""One plan action: its evidence, the suggested impact rating, and check and challenge.

Each scheme's rating moves proposed → (challenged) → agreed, one recorded step at a time.
A challenge must come from someone other than the person who proposed the rating. Every
step keeps the suggestion as it stood, so the history shows what the evidence said and
what people decided.
"""

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from models import list_users, record_event
from models.coding import comment_languages
from models.plan_evidence import list_evidence
from models.plan_reports import (
    Stage,
    add_rating,
    details,
    get_report,
    is_period,
    save_report,
)
from models.plans import Plan, PlanAction, Scheme, SchemeKind, get_action, list_schemes
from webapp import db, edit_stamps
from webapp.access import roles_required
from webapp.action_evidence import Suggested, suggestion_for
from webapp.plan_action_stamps import moved_on, rating_stamp, reported
from webapp.plan_forms import RatingForm, ReportForm
from webapp.plan_ratings import ActionState, period_label, periods, states, this_month
from webapp.staff_plans import EDITORS, READERS, bp, chosen_period, load_plan

NEXT_STEPS = {
    None: (Stage.PROPOSED,),
    Stage.PROPOSED: (Stage.CHALLENGED, Stage.AGREED),
    Stage.CHALLENGED: (Stage.AGREED, Stage.PROPOSED),
    Stage.AGREED: (Stage.PROPOSED,),
}
STEP_TEXT = {
    Stage.PROPOSED: ("Propose a rating", "Commentary", "Propose rating"),
    Stage.CHALLENGED: ("Challenge this rating", "Reason for the challenge", "Challenge rating"),
    Stage.AGREED: ("Agree the rating", "Commentary (optional)", "Agree rating"),
}


def load_action(plan: Plan, code: str) -> PlanAction:
    action = get_action(session=db.session(), plan=plan, code=code)
    if action is None:
        abort(404)
    return action


def _period(plan: Plan, *, strict: bool = False) -> str:
    """The period in the query string, if it is a month that has begun; else the newest,
    saying so. A change to any other period (a made-up or future month) is a 404."""
    period = request.args.get("period", "")
    if is_period(period) and period <= this_month():
        return period
    if strict:
        abort(404)
    return chosen_period(periods(db.session(), plan))


def rating_form(
    scheme: Scheme, stage: Stage, state: ActionState, *, posted: bool = False
) -> RatingForm:
    """The form for one step of one scheme, its ids prefixed so several fit on a page.

    A form not `posted` is a fresh one for the page, stamped with the rating's latest step.
    """
    form = RatingForm(
        prefix=f"{scheme.key}-{stage.value}",
        stage=stage.value,
        **({} if posted else {"formdata": None}),
    )
    form.value.choices = [
        SelectChoice(v.key, f"{v.label}", render_kw={"data-colour": v.colour})
        for v in scheme.values
    ]
    form.scheme_key, form.step = scheme.key, stage
    if posted:
        return form
    form.stamp.data = rating_stamp(state, scheme)
    standing = state.ratings[scheme.key].value
    if stage is Stage.AGREED and standing:
        latest = state.ratings[scheme.key].latest
        form.value.data = latest.value if latest else standing
    return form


def _proposer(state: ActionState, scheme: Scheme) -> int | None:
    mine = [
        e for e in state.entries if e.scheme_id == scheme.scheme.id and e.stage is Stage.PROPOSED
    ]
    return mine[-1].user_id if mine else None


def _steps(state: ActionState, scheme: Scheme) -> list[Stage]:
    """What the signed-in person may do next. Nobody checks their own proposal: they can
    neither challenge it nor agree it unchallenged, though they may accept a challenge."""
    stage = state.ratings[scheme.key].stage
    allowed = list(NEXT_STEPS[stage])
    if _proposer(state, scheme) == current_user.id:
        if Stage.CHALLENGED in allowed:
            allowed.remove(Stage.CHALLENGED)
        if stage is Stage.PROPOSED and Stage.AGREED in allowed:
            allowed.remove(Stage.AGREED)
    return allowed


def _accepts_challenge(form: RatingForm, state: ActionState, scheme: Scheme) -> bool:
    """Whether an agreement keeps to the rule that nobody settles their own proposal: the
    proposer may accept a challenge, at its value, but only someone else may agree another."""
    standing = state.ratings[scheme.key]
    challenge = standing.latest
    if (
        form.step is not Stage.AGREED
        or standing.stage is not Stage.CHALLENGED
        or challenge is None
        or _proposer(state, scheme) != current_user.id
        or form.value.data == challenge.value
    ):
        return True
    found = scheme.value(challenge.value)
    form.value.errors = [
        *form.value.errors,
        f"You proposed this rating, so you can agree it only at the challenged rating, "
        f"{found.label if found else challenge.value}. Someone else can agree a different one",
    ]
    return False


def page(
    plan: Plan,
    action: PlanAction,
    period: str,
    failed: FlaskForm | None = None,
    overtaken: list[tuple[str, str]] | None = None,
) -> str:
    """Render the action page, with `failed` (a form that did not validate) as the page's
    form, and what someone else saved over a report form sent, if anyone did."""
    session = db.session()
    schemes = list_schemes(session=session, plan=plan)
    state = states(session, [action], schemes, period)[action.id]  # type: ignore[index]
    links = list_evidence(session=session, action=action)
    suggested = suggestion_for(session, plan.organisation_id, action, period, schemes, links)
    forms, report_form = _forms(state, schemes, failed)
    names = {
        u.id: u.full_name for u in list_users(session=session, organisation_id=plan.organisation_id)
    }
    return render_template(
        "staff/plans/action.html",
        plan=plan,
        action=action,
        period=period,
        period_label=period_label(period),
        periods=[
            (p, period_label(p)) for p in sorted({*periods(session, plan), period}, reverse=True)
        ],
        schemes=schemes,
        state=state,
        suggested=suggested,
        forms=forms,
        step_text=STEP_TEXT,
        report_form=report_form,
        evidence=links,
        # The choice each quote's writer wrote in, for its lang attribute.
        quote_languages=comment_languages(
            session=session, comment_ids=[link.comment_id for link in links if link.comment_id]
        ),
        names=names,
        scheme_names={s.scheme.id: s for s in schemes},
        form=failed or report_form,
        status_labels={
            v.key: v.label for s in schemes if s.scheme.kind is SchemeKind.STATUS for v in s.values
        },
        can_edit=current_user.role in EDITORS,
        overtaken=overtaken,
    )


def _forms(
    state: ActionState, schemes: list[Scheme], failed: FlaskForm | None
) -> tuple[dict[str, dict[Stage, RatingForm]], ReportForm]:
    """The page's forms: each scheme's next steps and the report, each fresh and stamped,
    but for `failed`, which is shown as it was sent."""
    forms = {
        s.key: {step: rating_form(s, step, state) for step in _steps(state, s)} for s in schemes
    }
    report_form = ReportForm(prefix="report", formdata=None)
    report_form.stamp.data = edit_stamps.stamp(reported(report_form, state.report))
    if state.report is not None and state.answered:
        report_form.confident.data = "yes" if state.report.confident_better else "no"
        report_form.key_risks.data = state.report.key_risks
        report_form.reported.data = "no" if state.report.did_not_report else "yes"
    if isinstance(failed, RatingForm):
        forms[failed.scheme_key][failed.step] = failed
    elif isinstance(failed, ReportForm):
        report_form = failed
    return forms, report_form


@bp.get("/<name>/actions/<code>")
@roles_required(*READERS)
def action_page(name: str, code: str) -> str:
    """The action, its evidence, the suggestion and check and challenge for a period."""
    plan = load_plan(name)
    return page(plan, load_action(plan, code), _period(plan))


def _audit(action: PlanAction, what: str, **found: Any) -> None:
    record_event(
        session=db.session(),
        action=what,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="plan_action",
        object_id=action.id,
        details={"code": action.code, **found},
    )


@bp.post("/<name>/actions/<code>/ratings/<scheme_key>/<stage>")
@roles_required(*EDITORS)
def rate(name: str, code: str, scheme_key: str, stage: str) -> str | WerkzeugResponse:
    """Record one step of check and challenge, with the suggestion as it stands."""
    session = db.session()
    plan = load_plan(name)
    action = load_action(plan, code)
    period = _period(plan, strict=True)
    edit_stamps.hold(action)  # steps on the action's ratings are recorded one at a time
    schemes = list_schemes(session=session, plan=plan)
    scheme = next((s for s in schemes if s.key == scheme_key), None)
    if scheme is None or stage not in {s.value for s in Stage}:
        abort(404)
    state = states(session, [action], schemes, period)[action.id]  # type: ignore[index]
    step = Stage(stage)
    back = url_for("plans.action_page", name=name, code=code, period=period) + "#ratings"
    form = rating_form(scheme, step, state, posted=True)
    valid = form.validate_on_submit() and _accepts_challenge(form, state, scheme)
    allowed = step in _steps(state, scheme)
    if not allowed:
        # Someone else moved the rating on, or this person proposed it and cannot challenge
        # it: nothing is recorded, and the page shows their words to keep.
        form.stamp.errors = [
            f"The {scheme.scheme.name.lower()} rating cannot be {step.value} now. Check where "
            "it stands and its history below; what you wrote is kept here"
        ]
    if not allowed or moved_on(form, state, scheme) or not valid:
        edit_stamps.release()
        return page(plan, action, period, failed=form)
    # The suggestion is for impact ratings; it is worked out, and kept, only with those.
    suggested: Suggested | None = None
    if scheme.scheme.kind is SchemeKind.IMPACT:
        suggested = suggestion_for(session, plan.organisation_id, action, period, schemes)
    report = save_report(session=session, action=action, period=period)
    entry = add_rating(
        session=session,
        report=report,
        scheme_id=scheme.scheme.id,  # type: ignore[arg-type]
        stage=step,
        value=form.value.data,
        commentary=(form.commentary.data or "").strip(),
        suggested=suggested.value_key if suggested else "",
        suggestion_reasons=suggested.suggestion.reasons if suggested else [],
        user_id=current_user.id,
    )
    _audit(action, f"plan.rating.{step.value}", period=period, scheme=scheme.key, **details(entry))
    session.commit()
    return redirect(back)


@bp.post("/<name>/actions/<code>/report")
@roles_required(*EDITORS)
def report(name: str, code: str) -> str | WerkzeugResponse:
    """Record whether the owner reported, their confidence and key risks for the period."""
    session = db.session()
    plan = load_plan(name)
    action = load_action(plan, code)
    period = _period(plan, strict=True)
    edit_stamps.hold(action)
    form = ReportForm(prefix="report")
    edited = reported(form, get_report(session=session, action=action, period=period))
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    if not form.validate_on_submit() or overtaken:
        edit_stamps.release()
        shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
        return page(plan, action, period, failed=form, overtaken=shown)
    save_report(
        session=session,
        action=action,
        period=period,
        did_not_report=form.reported.data == "no",
        confident_better=form.confident.data == "yes",
        key_risks=(form.key_risks.data or "").strip(),
    )
    _audit(action, "plan.report.saved", period=period)
    session.commit()
    return redirect(url_for("plans.action_page", name=name, code=code, period=period) + "#report")
