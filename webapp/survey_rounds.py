"""What a survey round changes for someone answering: whether it is open, what is kept."""

from flask import render_template
from flask_babel import format_date, gettext
from sqlmodel import Session

from models import Response
from models.surveys import (
    Anonymity,
    Channel,
    RoundState,
    SurveyRound,
    list_rounds,
    mark_invitation_responded,
)
from webapp import db
from webapp.branding import current_organisation


def round_of(response: Response) -> SurveyRound | None:
    """The round a response belongs to, if any."""
    if response.round_id is None:
        return None
    return db.session().get(SurveyRound, response.round_id)


def closed_page(response: Response) -> tuple[str, int] | None:
    """The "this survey has closed" page when a response's round takes no more answers."""
    survey_round = round_of(response)
    if survey_round is None or survey_round.is_open():
        return None
    return unavailable(survey_round)


def unavailable(survey_round: SurveyRound) -> tuple[str, int]:
    """The page for a round that is not open: not yet, or no longer."""
    if survey_round.state() == RoundState.UPCOMING:
        page = render_template(
            "respond/round_not_open.html",
            survey_round=survey_round,
            opens=format_date(survey_round.opens_on, "d MMMM yyyy"),
        )
        return page, 403
    page = render_template(
        "respond/round_closed.html",
        survey_round=survey_round,
        closed=format_date(survey_round.closes_on, "d MMMM yyyy"),
    )
    return page, 410


def after_submit(session: Session, response: Response) -> None:
    """Use up the invitation behind a response, unlinking it in anonymous rounds."""
    survey_round = round_of(response)
    if survey_round is not None:
        mark_invitation_responded(session=session, survey_round=survey_round, response=response)


def open_round_for(slug: str) -> SurveyRound | None:
    """The newest round of this survey that is open now, if there is one."""
    organisation = current_organisation()
    if organisation is None or organisation.id is None:
        return None
    rounds = list_rounds(session=db.session(), organisation_id=organisation.id, form_slug=slug)
    live = [r for r in rounds if r.is_open()]
    return live[-1] if live else None


def invitation_only(survey_round: SurveyRound) -> tuple[str, int]:
    """The page for a survey's own address while its open round takes invitations only."""
    return render_template("respond/invitation_only.html", survey_round=survey_round), 403


def paper_round(response: Response) -> bool:
    """True when staff typed this response in from a paper copy."""
    return response.channel == Channel.PAPER


def anonymity_statement(survey_round: SurveyRound, *, invited: bool) -> str:
    """What is kept about who answered, in plain words, for the first page."""
    if not invited:
        return gettext(
            "This link does not tell us who you are. Please do not write anyone's name in "
            "your answers."
        )
    if survey_round.anonymity == Anonymity.ANONYMOUS:
        return gettext(
            "Your answers are anonymous. When you send them, nothing links them to you or "
            "to your invitation. We only record that your invitation has been used."
        )
    if survey_round.anonymity == Anonymity.CONFIDENTIAL:
        return gettext(
            "Your answers are confidential. Only a few administrators can see who gave them. "
            "Reports and results never name you."
        )
    return gettext(
        "Your name is kept with your answers, so staff working on this survey can see who "
        "gave them and contact you about them. Results never name you."
    )
