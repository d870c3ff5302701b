"""Pages for children, young people and families answering a form through an open link."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.builder import initial_data, page_form_class
from models import FormVersion, Organisation, resume_code, start_response, submit_response
from webapp import db, follow_ups, journey, survey_rounds
from webapp.access import public
from webapp.branding import current_organisation
from webapp.extensions import limiter, start_limits
from webapp.questions import page_has_heading_question, question_params
from webapp.screening import process_submission

bp = Blueprint("respond", __name__)


@bp.get("/f/<slug>")
@public
def start(slug: str) -> str | WerkzeugResponse:
    """The form's start page: what it is for, and that an adult can help.

    A survey with a round open now sends people to that round, so their answers count in it.
    """
    _version, definition, response = journey.current(slug)
    survey_round = survey_rounds.open_round_for(slug)
    if survey_round is not None and (response is None or journey.is_submitted(response)):
        if not survey_round.open_link:
            return survey_rounds.invitation_only(survey_round)  # type: ignore[return-value]
        return redirect(url_for("survey_links.open_link", code=survey_round.open_code))
    return render_template(
        "respond/start.html", definition=definition, response=response, form=FlaskForm()
    )


@bp.post("/f/<slug>")
@public
@limiter.limit(start_limits)
def begin(slug: str) -> WerkzeugResponse:
    """Start a new response and go to its first page.

    While a round of this survey is open, the new response belongs to it (and asks the
    round's version), so "Start again" never leaves answers outside every round.
    """
    form_version, definition = journey.published_form(slug)
    organisation = current_organisation()
    if organisation is None or not FlaskForm().validate_on_submit():
        abort(400)
    survey_round = survey_rounds.open_round_for(slug)
    if survey_round is not None:
        if not survey_round.open_link:
            return survey_rounds.invitation_only(survey_round)  # type: ignore[return-value]
        form_version = db.session().get(FormVersion, survey_round.form_version_id)
        definition = journey.definition_of(form_version)  # type: ignore[arg-type]
    session = db.session()
    _response, token = start_response(
        session=session,
        organisation_id=organisation.id,
        form_version=form_version,  # type: ignore[arg-type]
        language=journey.locale_code(),
        round_id=survey_round.id if survey_round else None,
    )
    session.commit()
    target = url_for(".page", slug=slug, page_id=definition.pages[0].id, started=1)
    return journey.remember(redirect(target), slug, token)


@bp.route("/f/<slug>/pages/<page_id>", methods=["GET", "POST"])
@public
def page(slug: str, page_id: str) -> str | WerkzeugResponse:
    """One page of questions. Moving on saves the page."""
    _form_version, definition, response = journey.current(slug)
    this_page = definition.page(page_id)
    if this_page is None:
        abort(404)
    if response is None:
        return render_template("respond/not_found.html", definition=definition), 404
    if journey.is_submitted(response):
        return redirect(url_for(".confirmation", slug=slug))
    closed = survey_rounds.closed_page(response)
    if closed is not None:
        return closed
    context = journey.build_context(response, this_page.questions)
    form_class = page_form_class(this_page, context)
    form = form_class(data=initial_data(this_page, response.answers))
    if form.validate_on_submit():
        journey.save_page(response, this_page, form)
        following = journey.next_page(definition, this_page)
        if request.args.get("change") or following is None:
            return redirect(url_for(".check_answers", slug=slug))
        return redirect(url_for(".page", slug=slug, page_id=following.id))
    return render_template(
        "respond/page.html",
        definition=definition,
        page=this_page,
        form=form,
        response=response,
        params=question_params(slug, this_page, form),
        previous=journey.previous_page(definition, this_page),
        code=resume_code(journey.current_token(slug) or ""),
        token=journey.current_token(slug),
        started=request.args.get("started"),
        number=list(definition.pages).index(this_page) + 1,
        heading_in_question=page_has_heading_question(this_page),
    )


@bp.route("/f/<slug>/check-answers", methods=["GET", "POST"])
@public
def check_answers(slug: str) -> str | WerkzeugResponse:
    """Every answer on one page, with a way to change each; then send."""
    _form_version, definition, response = journey.current(slug)
    if response is None:
        return render_template("respond/not_found.html", definition=definition), 404
    if journey.is_submitted(response):
        return redirect(url_for(".confirmation", slug=slug))
    closed = survey_rounds.closed_page(response)
    if closed is not None:
        return closed
    form = FlaskForm()
    if form.validate_on_submit():
        session = db.session()
        # Only one request can send a response; a second click just sees the confirmation.
        if submit_response(session=session, response=response):
            survey_rounds.after_submit(session, response)
            follow_ups.after_submit(session, response, definition, survey_rounds.round_of(response))
            process_submission(
                session=session,
                organisation=session.get(Organisation, response.organisation_id),
                response=response,
                definition=definition,
            )
        session.commit()
        return redirect(url_for(".confirmation", slug=slug))
    return render_template(
        "respond/check_answers.html",
        definition=definition,
        form=form,
        rows=journey.summary_rows(definition, response),
    )


@bp.get("/f/<slug>/confirmation")
@public
def confirmation(slug: str) -> str | WerkzeugResponse:
    """Thank you, what happens next, and where to get help."""
    _form_version, definition, response = journey.current(slug)
    if response is None or not journey.is_submitted(response):
        return render_template("respond/not_found.html", definition=definition), 404
    return render_template(
        "respond/confirmation.html",
        definition=definition,
        response=response,
        paper=survey_rounds.paper_round(response),
    )
