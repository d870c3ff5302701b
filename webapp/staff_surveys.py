"""Staff run termly survey rounds: set one up, invite people, enter paper copies, close it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from models import (
    FormStatus,
    FormVersion,
    Organisation,
    Role,
    list_districts,
    list_form_versions,
    list_settings,
    record_event,
    start_response,
)
from models.surveys import (
    RoundState,
    SurveyRound,
    SurveyRoundCreate,
    Term,
    close_round,
    count_by_channel,
    create_invitations,
    create_round,
    get_round,
    invitation_counts,
    list_invitations,
    list_rounds,
    reissue_token,
    round_exists,
)
from webapp import db, invitation_pack, journey
from webapp.access import roles_required
from webapp.extensions import export_limit, export_limit_for_csv
from webapp.survey_forms import InviteForm, RoundForm

bp = Blueprint("staff_surveys", __name__, url_prefix="/staff/surveys")
MANAGERS = (Role.ADMIN, Role.OFFICER)
READERS = (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION)


def staff_organisation() -> Organisation:
    """The signed-in member of staff's own organisation."""
    organisation = db.session().get(Organisation, current_user.organisation_id)
    assert organisation is not None
    return organisation


def load_round(round_id: int) -> SurveyRound:
    """The signed-in person's organisation's round, or 404 (never another organisation's)."""
    found = get_round(
        session=db.session(), organisation_id=current_user.organisation_id, round_id=round_id
    )
    if found is None:
        abort(404)
    return found


def audit(action: str, survey_round: SurveyRound, **details: object) -> None:
    """Record what a member of staff did to a round."""
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="survey_round",
        object_id=survey_round.id,
        details={"round": survey_round.name, "survey": survey_round.form_slug, **details},
    )


@bp.get("/")
@roles_required(*READERS)
def index() -> str:
    """Every round, grouped by survey, with its state and how many have answered."""
    session = db.session()
    rounds = list_rounds(session=session, organisation_id=current_user.organisation_id)
    counts = {r.id: sum(count_by_channel(session=session, survey_round=r).values()) for r in rounds}
    titles = {r.id: journey.definition_by_id(session, r.form_version_id).title for r in rounds}
    return render_template("staff/surveys/index.html", rounds=rounds, counts=counts, titles=titles)


def _round_form() -> RoundForm:
    session = db.session()
    form = RoundForm()
    published = [v for v in list_form_versions(session=session) if v.status == FormStatus.PUBLISHED]
    form.survey.choices = [SelectChoice(v.slug, v.title) for v in published]
    organisation = staff_organisation()
    form.districts.choices = [
        SelectChoice(d.id, d.name)
        for d in list_districts(session=session, organisation=organisation)
    ]
    form.settings.choices = [
        SelectChoice(s.id, s.name)
        for s in list_settings(session=session, organisation=organisation)
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new() -> str | WerkzeugResponse:
    """Set up a round: which survey, which term, when it runs and who it is for."""
    form = _round_form()
    if not form.survey.choices:
        page = render_template(
            "staff/surveys/new.html", form=FlaskForm(formdata=None), no_surveys=True
        )
        return page  # nothing to run a round of until a form is published
    if form.validate_on_submit():
        session = db.session()
        if round_exists(
            session=session,
            organisation_id=current_user.organisation_id,
            form_slug=form.survey.data,
            academic_year=form.academic_year.data,
            term=Term(form.term.data),
        ):
            form.term.errors.append("This survey already has a round for that term")
        else:
            survey_round = _create(form)
            audit("survey_round.created", survey_round)
            try:
                session.commit()
            except IntegrityError:  # someone else set up the same round a moment ago
                session.rollback()
                form.term.errors.append("This survey already has a round for that term")
            else:
                flash(f"{survey_round.name} round created", "success")
                return redirect(url_for(".round_page", round_id=survey_round.id))
    return render_template("staff/surveys/new.html", form=form)


def _create(form: RoundForm) -> SurveyRound:
    session = db.session()
    form_version = journey.published_form(form.survey.data)[0]
    data = SurveyRoundCreate(
        academic_year=form.academic_year.data,
        term=Term(form.term.data),
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        anonymity=form.anonymity.data,
        open_link=form.open_link.data == "yes",
        target_district_ids=list(form.districts.data or []),
        target_setting_ids=list(form.settings.data or []),
    )
    return create_round(
        session=session,
        organisation_id=current_user.organisation_id,
        form_version=form_version,
        data=data,
    )


@bp.get("/<int:round_id>")
@roles_required(*READERS)
def round_page(round_id: int) -> str:
    """A round at a glance: dates, links, who has answered, and what can be done next."""
    return _render_round(load_round(round_id), InviteForm(formdata=None))


def _render_round(survey_round: SurveyRound, invite_form: InviteForm) -> str:
    """The round page; `invite_form` carries any errors from inviting people."""
    session = db.session()
    invited, responded = invitation_counts(session=session, survey_round=survey_round)
    return render_template(
        "staff/surveys/round.html",
        survey_round=survey_round,
        form_version=session.get(FormVersion, survey_round.form_version_id),
        channels=count_by_channel(session=session, survey_round=survey_round),
        invited=invited,
        responded=responded,
        invite_form=invite_form,
        form=invite_form,
        targets=_targets(survey_round),
    )


def _targets(survey_round: SurveyRound) -> dict[str, list[str]]:
    session, organisation = db.session(), staff_organisation()
    districts = {d.id: d.name for d in list_districts(session=session, organisation=organisation)}
    settings = {s.id: s.name for s in list_settings(session=session, organisation=organisation)}
    return {
        "districts": [districts[i] for i in survey_round.target_district_ids if i in districts],
        "settings": [settings[i] for i in survey_round.target_setting_ids if i in settings],
    }


@bp.get("/<int:round_id>/open-link.<kind>")
@roles_required(*READERS)
def open_link_qr(round_id: int, kind: str) -> WerkzeugResponse:
    """The open link as a QR code, in SVG (for print) or PNG (for documents)."""
    survey_round = load_round(round_id)
    if not survey_round.open_link or kind not in invitation_pack.QR_TYPES:
        abort(404)
    link = url_for("survey_links.open_link", code=survey_round.open_code, _external=True)
    name = f"{survey_round.form_slug}-{survey_round.academic_year.replace('/', '-')}-qr.{kind}"
    return invitation_pack.qr_download(link, kind, name)


@bp.post("/<int:round_id>/invitations")
@roles_required(*MANAGERS)
@export_limit
def invite(round_id: int) -> ResponseReturnValue:
    """Create invitation links and download them, with QR codes, for a mail merge."""
    survey_round = load_round(round_id)
    form = InviteForm()
    if survey_round.state() == RoundState.CLOSED:
        flash("This round is closed, so it cannot take invitations", "info")
        return redirect(url_for(".round_page", round_id=round_id))
    if not form.validate_on_submit():
        return _render_round(survey_round, form), 400
    session = db.session()
    made = create_invitations(session=session, survey_round=survey_round, people=form.parsed)
    audit("survey_round.invited", survey_round, invitations=len(made))
    session.commit()
    return invitation_pack.download(survey_round, made, "invitations")


@bp.get("/<int:round_id>/not-responded")
@roles_required(*MANAGERS)
@export_limit_for_csv
def not_responded(round_id: int) -> str | WerkzeugResponse:
    """Who has been invited but has not answered yet, for reminders."""
    survey_round = load_round(round_id)
    waiting = list_invitations(session=db.session(), survey_round=survey_round, responded=False)
    if request.args.get("format") == "csv":
        audit("survey_round.not_responded_exported", survey_round, people=len(waiting))
        db.session().commit()
        return invitation_pack.people_csv(survey_round, waiting)
    # The page lists names and email addresses, so every showing of it is audited too.
    audit("survey_round.not_responded_viewed", survey_round, people=len(waiting))
    db.session().commit()
    return render_template(
        "staff/surveys/not_responded.html",
        survey_round=survey_round,
        waiting=waiting,
        form=FlaskForm(),
    )


@bp.post("/<int:round_id>/reminders")
@roles_required(*MANAGERS)
@export_limit
def reminders(round_id: int) -> WerkzeugResponse:
    """New links for everyone who has not answered; their old links stop working."""
    survey_round = load_round(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    session = db.session()
    waiting = list_invitations(session=session, survey_round=survey_round, responded=False)
    made = [(i, reissue_token(session=session, invitation=i)) for i in waiting]
    audit("survey_round.reminder_links", survey_round, invitations=len(made))
    session.commit()
    return invitation_pack.download(survey_round, made, "reminders")


@bp.post("/<int:round_id>/paper")
@roles_required(*MANAGERS)
def paper(round_id: int) -> str | WerkzeugResponse:
    """Type in a paper copy: the survey's own pages, with the response marked as paper."""
    survey_round = load_round(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not survey_round.is_open():
        flash("This round is closed, so it cannot take paper copies", "info")
        return redirect(url_for(".round_page", round_id=round_id))
    session = db.session()
    form_version = session.get(FormVersion, survey_round.form_version_id)
    assert form_version is not None
    response, token = start_response(
        session=session,
        organisation_id=survey_round.organisation_id,
        form_version=form_version,
        round_id=survey_round.id,
        channel="paper",
        entered_by_user_id=current_user.id,
    )
    audit("survey_round.paper_started", survey_round, response=response.id)
    session.commit()
    first = journey.definition_of(form_version).pages[0]
    target = url_for("respond.page", slug=form_version.slug, page_id=first.id)
    return journey.remember(redirect(target), form_version.slug, token)


@bp.route("/<int:round_id>/close", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def close(round_id: int) -> str | WerkzeugResponse:
    """Close a round now, after saying what that means: no link takes answers again."""
    survey_round = load_round(round_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        return render_template("staff/surveys/close.html", survey_round=survey_round, form=form)
    close_round(session=db.session(), survey_round=survey_round)
    audit("survey_round.closed", survey_round)
    db.session().commit()
    flash(f"{survey_round.name} round is closed", "success")
    return redirect(url_for(".round_page", round_id=round_id))
