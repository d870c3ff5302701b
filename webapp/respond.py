"""Pages for children, young people and families answering a form through an open link."""

from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.builder import initial_data, page_form_class
from forms.schema import FormDefinition, Page
from models import (
    FormVersion,
    Organisation,
    Response,
    resume_code,
    start_response,
    submit_response,
)
from webapp import db, follow_ups, journey, safeguarding_mail, survey_rounds
from webapp.access import public
from webapp.branding import current_organisation
from webapp.extensions import limiter, start_limits, submit_limits
from webapp.questions import page_has_heading_question, question_params
from webapp.queue import enqueue_quietly
from webapp.screening import process_submission

bp = Blueprint("respond", __name__)

#: Sent with a page when the person chose another language before moving on, so what they
#: typed is saved (or shown again with its errors) in that language, not lost.
LANGUAGE_SWITCH = "language_switch"


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
    unfinished = None if response is None or journey.is_submitted(response) else response
    return render_template(
        "respond/start.html", definition=definition, response=unfinished, form=FlaskForm()
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
        round_version = db.session().get(FormVersion, survey_round.form_version_id)
        if round_version is None:
            abort(404)
        form_version, definition = round_version, journey.definition_of(round_version)
    session = db.session()
    _response, token = start_response(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        form_version=form_version,
        language=journey.locale_code(),
        round_id=survey_round.id if survey_round else None,
    )
    session.commit()
    target = url_for(".page", slug=slug, page_id=definition.pages[0].id, started=1)
    return journey.remember(redirect(target), slug, token)


def _too_many(_limit: RequestLimit) -> FlaskResponse:
    """Too many saves or sends from one address: say so, and that saved answers are kept."""
    return make_response(render_template("respond/too_many.html"), 429)


def _staff_signed_in() -> bool:
    # Staff typing in paper copies use these pages too, many from one office's address.
    return bool(current_user.is_authenticated)


submit_limit = limiter.limit(
    submit_limits, methods=["POST"], on_breach=_too_many, exempt_when=_staff_signed_in
)


@bp.route("/f/<slug>/pages/<page_id>", methods=["GET", "POST"])
@public
@submit_limit
def page(slug: str, page_id: str) -> ResponseReturnValue:
    """One page of questions. Moving on saves the page.

    A page changed in another window or tab since this one showed it is not saved over: it
    is shown again with the newer answers, and what was entered here listed above them.
    """
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
    form_class = page_form_class(this_page, journey.build_context(response, this_page.questions))
    form = form_class(data=initial_data(this_page, response.answers))
    seen, typed = journey.seen_version(response), None
    if form.validate_on_submit():
        if journey.save_page(response, this_page, form, seen):
            if request.form.get(LANGUAGE_SWITCH):
                # Sent by a language link (static/heard.js): saved, stay on this page.
                again: dict[str, Any] = {"change": 1} if request.args.get("change") else {}
                return redirect(url_for(".page", slug=slug, page_id=page_id, **again))
            following = journey.next_page(definition, this_page)
            if request.args.get("change") or following is None:
                return redirect(url_for(".check_answers", slug=slug))
            return redirect(url_for(".page", slug=slug, page_id=following.id))
        typed = journey.typed_answers(response, this_page, form)
        form = form_class(formdata=None, data=initial_data(this_page, response.answers))
        seen = response.version
    return _show_page(definition, this_page, form, response, seen, typed)


def _show_page(
    definition: FormDefinition,
    this_page: Page,
    form: FlaskForm,
    response: Response,
    seen: int,
    typed: list[dict[str, Any]] | None,
) -> str:
    token = journey.current_token(definition.slug)
    return render_template(
        "respond/page.html",
        definition=definition,
        page=this_page,
        form=form,
        response=response,
        params=question_params(definition.slug, this_page, form),
        previous=journey.previous_page(definition, this_page),
        code=resume_code(token or ""),
        token=token,
        started=request.args.get("started"),
        number=list(definition.pages).index(this_page) + 1,
        heading_in_question=page_has_heading_question(this_page),
        version=seen,
        version_field=journey.VERSION_FIELD,
        typed=typed,
        page_has_errors=typed is not None,
    )


@bp.route("/f/<slug>/check-answers", methods=["GET", "POST"])
@public
@submit_limit
def check_answers(slug: str) -> ResponseReturnValue:
    """Every answer on one page, with a way to change each; then send.

    Only the answers shown are sent: if they changed in another tab after this page showed
    them, nothing is sent and the page shows them again, saying so.
    """
    _form_version, definition, response = journey.current(slug)
    if response is None:
        return render_template("respond/not_found.html", definition=definition), 404
    if journey.is_submitted(response):
        return redirect(url_for(".confirmation", slug=slug))
    closed = survey_rounds.closed_page(response)
    if closed is not None:
        return closed
    form = FlaskForm()
    changed = False
    if form.validate_on_submit():
        # Only one request can send a response; a second click just sees the confirmation.
        if _send(response, definition, journey.seen_version(response)):
            # Sent, the answers stay open to this browser only until it closes, and for an
            # hour at most (RECEIPT_LIFETIME): a shared computer keeps no one's answers.
            sent = redirect(url_for(".confirmation", slug=slug))
            return journey.remember(sent, slug, journey.current_token(slug) or "", lasting=False)
        if journey.is_submitted(response):
            return redirect(url_for(".confirmation", slug=slug))
        changed = True
    return render_template(
        "respond/check_answers.html",
        definition=definition,
        response=response,
        form=form,
        rows=journey.summary_rows(definition, response),
        version=response.version,
        version_field=journey.VERSION_FIELD,
        changed=changed,
        page_has_errors=changed,
    )


def _send(response: Response, definition: FormDefinition, seen: int) -> bool:
    """Send the answers seen at version `seen`, then screen them; False if not sent now."""
    session = db.session()
    if not submit_response(session=session, response=response, seen_version=seen):
        return False
    survey_rounds.after_submit(session, response)
    follow_ups.after_submit(session, response, definition, survey_rounds.round_of(response))
    process_submission(
        session=session,
        organisation=session.get(Organisation, response.organisation_id),  # type: ignore[arg-type]
        response=response,
        definition=definition,
    )
    notice = safeguarding_mail.notice_job(session, response.organisation_id, [response.id])  # type: ignore[list-item]
    session.commit()
    if notice is not None:
        enqueue_quietly(notice.id)  # type: ignore[arg-type]
    return True


@bp.get("/f/<slug>/confirmation")
@public
def confirmation(slug: str) -> ResponseReturnValue:
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
