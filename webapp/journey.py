"""The respondent's journey through a form: which form, which response, which page next."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import abort, current_app, request
from flask_babel import format_date, get_locale, gettext
from sqlmodel import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.builder import read_answers, read_pictures
from forms.kinds import BuildContext
from forms.schema import FormDefinition, Page, Question, parse_definition
from forms.summary import describe
from models import (
    FormVersion,
    Organisation,
    Response,
    ResponseStatus,
    find_response,
    get_published_form,
    list_districts,
    list_settings,
    save_answers,
    save_upload,
)
from webapp import db
from webapp.branding import current_organisation

COOKIE_LIFETIME = 60 * 24 * 60 * 60


class FormNotFound(Exception):
    """No published form has that slug."""


def definition_of(form_version: FormVersion) -> FormDefinition:
    """The checked definition a stored version holds, parsed once per version."""
    cache = current_app.extensions.setdefault("heard.definitions", {})
    key = (form_version.id, form_version.checksum)
    if key not in cache:
        source = f"{form_version.slug} version {form_version.version}"
        cache[key] = parse_definition(form_version.definition, source)
    return cache[key]


def definition_by_id(session: Session, form_version_id: int) -> FormDefinition:
    """The checked definition of a stored version, by id (for rounds, imports and jobs)."""
    version = session.get(FormVersion, form_version_id)
    if version is None:
        raise LookupError(f"no form version {form_version_id}")
    return definition_of(version)


def published_form(slug: str) -> tuple[FormVersion, FormDefinition]:
    """The published version of a form and its definition, or a friendly 404."""
    form_version = get_published_form(session=db.session(), slug=slug)
    if form_version is None:
        abort(404)
    return form_version, definition_of(form_version)


def cookie_name(slug: str) -> str:
    return f"heard-response-{slug}"


def remember(
    response: WerkzeugResponse, slug: str, token: str, *, lasting: bool = True
) -> WerkzeugResponse:
    """Keep the resume token in a cookie, so answers survive a browser restart; not
    `lasting`, it goes when the browser closes (once the answers are sent)."""
    response.set_cookie(
        cookie_name(slug),
        token,
        max_age=COOKIE_LIFETIME if lasting else None,
        # The whole site: a survey's open link and invitation pages need it too, to offer
        # to carry on. It is HttpOnly and same-site, and only this site ever sees it.
        path="/",
        secure=current_app.config["HEARD_HTTPS"],
        httponly=True,
        samesite="Lax",
    )
    return response


def current_token(slug: str) -> str | None:
    return request.cookies.get(cookie_name(slug))


def current_response(slug: str, form_version: FormVersion) -> Response | None:
    """This browser's response to the form, if it has one that has not expired."""
    token = current_token(slug)
    if not token:
        return None
    found = find_response(session=db.session(), secret=token)
    if found is None or found.form_version_id != form_version.id:
        return None
    return found


def current(slug: str) -> tuple[FormVersion, FormDefinition, Response | None]:
    """The form this browser is answering, its definition, and its response.

    A response carries on with the version it started on, even after a newer version is
    published (a survey round pins its version), so its answers keep their meaning.
    """
    token = current_token(slug)
    found = find_response(session=db.session(), secret=token) if token else None
    if found is not None:
        version = db.session().get(FormVersion, found.form_version_id)
        if version is not None and version.slug == slug:
            return version, definition_of(version), found
    form_version, definition = published_form(slug)
    return form_version, definition, None


LISTED_KINDS = frozenset({"district", "setting"})


def build_context(
    response: Response | None = None, questions: Iterable[Question] | None = None
) -> BuildContext:
    """What the builders need: the settings and districts of the organisation asking.

    Given the questions at hand, it reads them only when one of them lists them: most
    pages do not, and this is the busiest path in Heard.
    """
    if questions is not None and not any(q.kind in LISTED_KINDS for q in questions):
        return BuildContext()
    organisation = (
        db.session().get(Organisation, response.organisation_id)
        if response is not None
        else current_organisation()
    )
    if organisation is None:
        return BuildContext()
    return context_for(db.session(), organisation)


def context_for(session: Session, organisation: Organisation) -> BuildContext:
    """An organisation's settings and districts, as its forms' questions list them."""
    settings = list_settings(session=session, organisation=organisation)
    districts = list_districts(session=session, organisation=organisation)
    return BuildContext(
        settings=tuple((str(s.id), s.name) for s in settings),
        districts=tuple((str(d.id), d.name) for d in districts),
    )


def next_page(definition: FormDefinition, page: Page) -> Page | None:
    pages = list(definition.pages)
    index = pages.index(page)
    return pages[index + 1] if index + 1 < len(pages) else None


def previous_page(definition: FormDefinition, page: Page) -> Page | None:
    pages = list(definition.pages)
    index = pages.index(page)
    return pages[index - 1] if index > 0 else None


def resume_page(definition: FormDefinition, response: Response) -> Page | None:
    """The first page not yet done, or None when every page is done."""
    return next((p for p in definition.pages if p.id not in response.pages_done), None)


VERSION_FIELD = "draft_version"


def seen_version(response: Response) -> int:
    """The draft's version when this page was shown: the form's hidden field, else now's."""
    posted = request.form.get(VERSION_FIELD, "")
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few enough to store.
    return int(posted) if re.fullmatch(r"[0-9]{1,9}", posted) else response.version


def _without_unasked_details(page: Page, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop personal details given for a case the person did not choose: an email address
    typed in, then "No" to being emailed, is not kept (nor shown on check your answers)."""
    kept = dict(answers)
    for question in page.questions:
        rule = question.required_if
        if question.personal and rule and kept.get(rule.question) != rule.answer:
            kept[question.id] = None  # saving None removes an earlier answer too
    return kept


def save_page(response: Response, page: Page, form: Any, seen: int) -> bool:
    """Store a validated page: its answers, its pictures and the respondent's name.

    False, storing nothing, when the page was changed in another tab after version `seen`.
    """
    session = db.session()
    answers = _without_unasked_details(page, read_answers(page, form))
    pictures = read_pictures(page, form)
    named = [q for q in page.questions if q.personal == "respondent_name"]
    for question_id, image in pictures.items():
        answers[question_id] = {"filename": image.filename}
    saved = save_answers(
        session=session,
        response=response,
        page_id=page.id,
        answers=answers,
        respondent_name=answers.get(named[0].id) if named else None,
        name_given=bool(named),
        seen_version=seen,
    )
    if not saved:
        return False
    for question_id, image in pictures.items():
        save_upload(
            session=session,
            response=response,
            question_id=question_id,
            data=image.data,
            content_type=image.content_type,
            filename=image.filename,
        )
    session.commit()
    return True


def typed_answers(response: Response, page: Page, form: Any) -> list[dict[str, Any]]:
    """What someone entered on a page that was not saved, in words, question by question."""
    answers = read_answers(page, form)
    for question_id, image in read_pictures(page, form).items():
        answers[question_id] = {"filename": image.filename}
    return [row for row in _described(response, page.questions, answers) if row["lines"]]


def summary_rows(definition: FormDefinition, response: Response) -> list[dict[str, Any]]:
    """Each page with its questions and answers in words, for checking and printing.

    An answer whose question's label is also another's ("Comments:" in every section) is
    marked `repeated`, so its Change link can name the section too.
    """
    labels = [q.label for q in definition.questions()]
    rows = []
    for page in definition.pages:
        answers = _described(response, page.questions, response.answers)
        for answer in answers:
            answer["repeated"] = labels.count(answer["question"].label) > 1
        rows.append({"page": page, "answers": answers})
    return rows


def _described(
    response: Response, questions: Iterable[Question], answers: dict[str, Any]
) -> list[dict[str, Any]]:
    questions = list(questions)
    context = build_context(response, questions)
    settings, districts = dict(context.settings), dict(context.districts)
    return [
        {
            "question": question,
            "lines": describe(
                question,
                answers.get(question.id),
                translate=gettext,
                settings=settings,
                districts=districts,
                format_date=lambda iso: format_date(date.fromisoformat(iso), "d MMMM yyyy"),
            ),
        }
        for question in questions
    ]


def is_submitted(response: Response) -> bool:
    return response.status == ResponseStatus.SUBMITTED


def locale_code() -> str:
    return str(get_locale() or "en")
