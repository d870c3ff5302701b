"""Double coding: two people, or a person and the machine, code the same sample of comments.

Each coder sees only the comment and the codebook's themes, never the other coder's
choices (or the machine's), until both have finished. Then Cohen's kappa per theme, and
the pooled kappa over the themes (De Vries and others, 2008), say how far they agree;
the disagreements are listed for the team to discuss; and a round whose sample agrees
well enough (the administrator sets how well) can be marked "coding agreed". Once both
have finished the coding is fixed, because each coder has now seen the other's.

This module holds the blueprint, the list of samples, a sample's results, marking a
round agreed and the settings. Starting a sample is in webapp/staff_agreement_samples.py
and coding one in webapp/staff_agreement_coding.py; their forms are in
webapp/agreement_forms.py and the results' wording in webapp/agreement_results.py.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from models import Role, list_users, record_event
from models.agreement import (
    AgreementSample,
    SecondCoder,
    get_sample,
    is_complete,
    list_samples,
    mark_round_agreed,
    progress,
    slot_for,
)
from models.review import AnalysisSettings, get_settings, save_settings
from models.surveys import SurveyRound, get_round, list_rounds
from webapp import db
from webapp.access import roles_required
from webapp.agreement_forms import SettingsForm, number_params, parse_number
from webapp.agreement_results import (
    band,
    kappa_text,
    measure,
    results,
    round_label,
    round_status,
    why_not_agreed,
)
from webapp.staff_codebooks import org_id

bp = Blueprint("agreement", __name__, url_prefix="/staff/agreement")
CODERS = (Role.PARTICIPATION, Role.OFFICER, Role.ADMIN)


# -- shared by the pages ------------------------------------------------------------------------


def load_sample(sample_id: int) -> AgreementSample:
    """One of the organisation's samples, or 404."""
    sample = get_sample(session=db.session(), organisation_id=org_id(), sample_id=sample_id)
    if sample is None:
        abort(404)
    return sample


def to_sample(sample: AgreementSample) -> WerkzeugResponse:
    """Back to the sample's page."""
    return redirect(url_for(".sample_page", sample_id=sample.id))


def record(action: str, object_type: str, object_id: int | None, **details: Any) -> None:
    """Audit what the signed-in person did."""
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def _round_of(sample: AgreementSample) -> SurveyRound | None:
    if sample.round_id is None:
        return None
    return get_round(session=db.session(), organisation_id=org_id(), round_id=sample.round_id)


def _names() -> dict[int | None, str]:
    return {u.id: u.full_name for u in list_users(session=db.session(), organisation_id=org_id())}


def second_name(sample: AgreementSample, names: dict[int | None, str]) -> str:
    """Who the second coder is: a person's name, or the machine."""
    if sample.second == SecondCoder.MACHINE:
        return "The machine"
    return names.get(sample.second_user_id, "Someone no longer here")


def _min_kappa() -> str:
    return kappa_text(get_settings(session=db.session(), organisation_id=org_id()).min_kappa)


# -- pages --------------------------------------------------------------------------------------


@bp.get("")
@roles_required(*CODERS)
def index() -> str:
    """Every sample, how far its coders have got, its result, and its round's status."""
    session = db.session()
    names = _names()
    rounds = {r.id: r for r in list_rounds(session=session, organisation_id=org_id())}
    rows = []
    for sample in list_samples(session=session, organisation_id=org_id()):
        done = progress(session=session, sample=sample)
        complete = all(count >= len(sample.comment_ids) for count in done.values())
        overall = measure(sample)[0].overall if complete else None
        rows.append(
            {
                "sample": sample,
                "round": rounds.get(sample.round_id),
                "second": second_name(sample, names),
                "done": done,
                "complete": complete,
                "kappa": kappa_text(overall) if complete else None,
                "band": band(overall) if complete else None,
                "slot": slot_for(sample, current_user.id),
            }
        )
    return render_template(
        "staff/agreement/index.html",
        rows=rows,
        names=names,
        round_status=round_status,
        round_label=round_label,
        min_kappa=_min_kappa(),
    )


@bp.get("/<int:sample_id>")
@roles_required(*CODERS)
def sample_page(sample_id: int) -> str:
    """A sample's progress; once both coders have finished, how far they agree, and where not."""
    session = db.session()
    sample = load_sample(sample_id)
    names = _names()
    done = progress(session=session, sample=sample)
    complete = is_complete(session=session, sample=sample)
    found = results(sample) if complete else None
    survey_round = _round_of(sample)
    slot = slot_for(sample, current_user.id)
    return render_template(
        "staff/agreement/sample.html",
        sample=sample,
        names=names,
        second=second_name(sample, names),
        done=done,
        complete=complete,
        results=found,
        survey_round=survey_round,
        round_label=round_label,
        round_status=round_status,
        blocked=(
            why_not_agreed(sample, survey_round, found.overall if found else None)
            if survey_round
            else None
        ),
        slot=slot,
        my_turn=slot is not None and done[slot] < len(sample.comment_ids),
        kappa_text=kappa_text,
        band=band,
        min_kappa=_min_kappa(),
    )


@bp.post("/<int:sample_id>/agree")
@roles_required(*CODERS)
def agree(sample_id: int) -> WerkzeugResponse:
    """Mark the sample's round "coding agreed", if the sample's kappa is high enough."""
    session = db.session()
    sample = load_sample(sample_id)
    survey_round = _round_of(sample)
    if survey_round is None:
        abort(404)
    overall = measure(sample)[0].overall
    reason = why_not_agreed(sample, survey_round, overall)
    if reason or overall is None:
        flash(reason or "The round’s coding cannot be agreed.")
        return to_sample(sample)
    needed = get_settings(session=session, organisation_id=org_id()).min_kappa
    mark_round_agreed(
        session=session, survey_round=survey_round, user_id=current_user.id, kappa=overall
    )
    record(
        "agreement.round_agreed",
        "survey_round",
        survey_round.id,
        round=survey_round.name,
        sample=sample.id,
        kappa=overall,
        min_kappa=needed,
    )
    session.commit()
    flash(
        f"The coding of {round_label(survey_round)} is agreed, kappa {kappa_text(overall)}.",
        "success",
    )
    return to_sample(sample)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings() -> str | WerkzeugResponse:
    """The administrator's rules for agreement and for the machine coder's learning."""
    current = get_settings(session=db.session(), organisation_id=org_id())
    shown = {
        "min_kappa": f"{current.min_kappa:g}",
        "retrain_after": str(current.retrain_after),
        "min_theme_f1": f"{current.min_theme_f1:g}",
    }
    form = SettingsForm(data=shown if request.method == "GET" else None)
    if form.validate_on_submit():
        _save_settings(form, current)
        db.session().commit()
        flash("Settings saved.", "success")
        return redirect(url_for(".settings"))
    return render_template(
        "staff/agreement/settings.html",
        form=form,
        current=current,
        changed_by=_names().get(current.updated_by_id) if current.id else None,
        number_params=number_params,
    )


def _save_settings(form: SettingsForm, current: AnalysisSettings) -> None:
    """Save the settings typed in, and audit them as they were and as they are now."""
    before = {
        "min_kappa": current.min_kappa,
        "retrain_after": current.retrain_after,
        "min_theme_f1": current.min_theme_f1,
    }
    after = {
        "min_kappa": parse_number(form.min_kappa.data, whole=False),
        "retrain_after": parse_number(form.retrain_after.data, whole=True),
        "min_theme_f1": parse_number(form.min_theme_f1.data, whole=False),
    }
    saved = save_settings(
        session=db.session(), organisation_id=org_id(), user_id=current_user.id, **after
    )
    record("agreement.settings_changed", "analysis_settings", saved.id, before=before, after=after)


# The pages for starting a sample and coding one add their routes to `bp`.
from webapp import staff_agreement_coding, staff_agreement_samples  # noqa: E402, F401
