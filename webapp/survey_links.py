"""The links people answer a survey round through: a personal invitation, or the open link."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import format_date
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.schema import FormDefinition
from models import FormVersion, Response, start_response
from models.responses import is_live, renew_resume_token
from models.surveys import (
    Invitation,
    SurveyRound,
    claim_invitation,
    find_invitation,
    find_round_by_code,
)
from webapp import db, journey, survey_rounds
from webapp.access import public
from webapp.extensions import limiter, start_limits

bp = Blueprint("survey_links", __name__)
Page = str | tuple[str, int]


class LinkProblem(Exception):
    """A link that cannot be used now; carries the page that says why."""

    def __init__(self, page: Page) -> None:
        super().__init__("link cannot be used")
        self.page = page


@bp.errorhandler(LinkProblem)
def _explain(problem: LinkProblem) -> Page:
    return problem.page


def _form(survey_round: SurveyRound) -> tuple[FormVersion, FormDefinition]:
    form_version = db.session().get(FormVersion, survey_round.form_version_id)
    if form_version is None:
        abort(404)
    return form_version, journey.definition_of(form_version)


def _invitation(token: str) -> tuple[Invitation, SurveyRound]:
    """The invitation and its round; raises LinkProblem when the link cannot be used."""
    invitation = find_invitation(session=db.session(), token=token)
    if invitation is None:
        raise LinkProblem((render_template("respond/invitation_invalid.html"), 404))
    survey_round = db.session().get(SurveyRound, invitation.round_id)
    assert survey_round is not None
    if not survey_round.is_open():
        raise LinkProblem(survey_rounds.unavailable(survey_round))
    if invitation.responded:
        page = render_template("respond/invitation_used.html", survey_round=survey_round)
        raise LinkProblem((page, 409))
    return invitation, survey_round


def _start_page(
    survey_round: SurveyRound, *, invited: bool, action: str, carry_on: bool = False
) -> str:
    version, definition = _form(survey_round)
    mine = journey.current_response(version.slug, version)
    unfinished = (
        mine
        if not invited and mine is not None and mine.round_id == survey_round.id and is_live(mine)
        else None
    )
    return render_template(
        "respond/start.html",
        definition=definition,
        response=unfinished,
        form=FlaskForm(),
        survey_round=survey_round,
        statement=survey_rounds.anonymity_statement(survey_round, invited=invited),
        closes=format_date(survey_round.closes_on, "d MMMM yyyy"),
        action=action,
        carry_on=carry_on,
    )


def _begin(survey_round: SurveyRound) -> tuple[Response, str]:
    form_version, _definition = _form(survey_round)
    return start_response(
        session=db.session(),
        organisation_id=survey_round.organisation_id,
        form_version=form_version,
        language=journey.locale_code(),
        round_id=survey_round.id,
    )


def _go_to_first_page(survey_round: SurveyRound, token: str) -> WerkzeugResponse:
    form_version, definition = _form(survey_round)
    target = url_for(
        "respond.page", slug=form_version.slug, page_id=definition.pages[0].id, started=1
    )
    return journey.remember(redirect(target), form_version.slug, token)


def _carry_on(survey_round: SurveyRound, draft: Response) -> WerkzeugResponse:
    """Back to an unfinished response; a browser without its cookie gets a new resume token."""
    form_version, definition = _form(survey_round)
    mine = journey.current_response(form_version.slug, form_version)
    token = journey.current_token(form_version.slug) if mine and mine.id == draft.id else None
    if token is None:
        token = renew_resume_token(session=db.session(), response=draft)
        db.session().commit()
    following = journey.resume_page(definition, draft)
    target = (
        url_for("respond.page", slug=form_version.slug, page_id=following.id, started=1)
        if following
        else url_for("respond.check_answers", slug=form_version.slug)
    )
    return journey.remember(redirect(target), form_version.slug, token)


def _draft(invitation: Invitation) -> Response | None:
    if invitation.draft_response_id is None:
        return None
    draft = db.session().get(Response, invitation.draft_response_id)
    return draft if draft is not None and is_live(draft) else None


@bp.get("/i/<token>")
@public
@limiter.limit("120 per hour")
def invitation(token: str) -> Page:
    """The first page of a survey reached through a personal invitation link."""
    invited, survey_round = _invitation(token)
    action = url_for(".begin_invited", token=token)
    return _start_page(
        survey_round, invited=True, action=action, carry_on=_draft(invited) is not None
    )


@bp.post("/i/<token>")
@public
@limiter.limit(start_limits)
def begin_invited(token: str) -> Page | WerkzeugResponse:
    """Start (or carry on with) the one response an invitation allows."""
    invited, survey_round = _invitation(token)
    if not FlaskForm().validate_on_submit():
        abort(400)
    draft = _draft(invited)
    if draft is not None:
        return _carry_on(survey_round, draft)
    session = db.session()
    response, resume_token = _begin(survey_round)
    if invited.draft_response_id is not None:  # an expired draft: start afresh
        invited.draft_response_id = None
        session.add(invited)
        session.flush()
    if not claim_invitation(session=session, invitation=invited, response=response):
        # Another tab started first: keep its response, not this one.
        session.rollback()
        return redirect(url_for(".invitation", token=token))
    session.commit()
    return _go_to_first_page(survey_round, resume_token)


def _open_round(code: str) -> SurveyRound:
    survey_round = find_round_by_code(session=db.session(), code=code)
    if survey_round is None or not survey_round.open_link:
        raise LinkProblem((render_template("respond/invitation_invalid.html"), 404))
    if not survey_round.is_open():
        raise LinkProblem(survey_rounds.unavailable(survey_round))
    return survey_round


@bp.get("/r/<code>")
@public
def open_link(code: str) -> Page:
    """The first page of a survey reached through its open link or QR code."""
    survey_round = _open_round(code)
    return _start_page(survey_round, invited=False, action=url_for(".begin_open", code=code))


@bp.post("/r/<code>")
@public
@limiter.limit(start_limits)
def begin_open(code: str) -> WerkzeugResponse:
    """Start a new response through the open link."""
    survey_round = _open_round(code)
    if not FlaskForm().validate_on_submit():
        abort(400)
    _response, token = _begin(survey_round)
    db.session().commit()
    return _go_to_first_page(survey_round, token)
