"""Helpers for survey tests: a round of a shipped survey, and answering it page by page."""

import re
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from forms.schema import FormDefinition, parse_definition
from models import FormVersion, get_published_form
from models.demo_surveys import STATEMENTS as DEMO_STATEMENTS
from models.surveys import Anonymity, SurveyRound, SurveyRoundCreate, Term, create_round
from tests.conftest import csrf_token


def make_round(
    session: Session,
    organisation_id: int,
    *,
    slug: str = "parent-termly",
    year: str = "2026/27",
    term: Term = Term.AUTUMN,
    opens: date | None = None,
    closes: date | None = None,
    anonymity: Anonymity = Anonymity.CONFIDENTIAL,
    form_version: FormVersion | None = None,
) -> SurveyRound:
    """A round open from yesterday to next month, unless told otherwise."""
    today = date.today()
    version = form_version or get_published_form(session=session, slug=slug)
    assert version is not None, f"{slug} is not published"
    survey_round = create_round(
        session=session,
        organisation_id=organisation_id,
        form_version=version,
        data=SurveyRoundCreate(
            academic_year=year,
            term=term,
            opens_on=opens or today - timedelta(days=1),
            closes_on=closes or today + timedelta(days=30),
            anonymity=anonymity,
        ),
    )
    session.commit()
    return survey_round


def definition(session: Session, survey_round: SurveyRound) -> FormDefinition:
    version = session.get(FormVersion, survey_round.form_version_id)
    assert version is not None
    return parse_definition(version.definition, version.slug)


def page_data(page: Any, choices: dict[str, str] | None = None) -> dict[str, Any]:
    """Answers for one page: the given choices, else the first option of each question."""
    choices = choices or {}
    data: dict[str, Any] = {}
    for question in page.questions:
        if question.id in choices:
            data[question.id] = choices[question.id]
        elif question.kind in {"likert", "single_choice"}:
            data[question.id] = question.options[0].id
        elif question.kind == "symbol_tiles":
            data[question.id] = [question.options[0].id]
        elif question.kind == "yes_no_unsure_grid":
            data.update({f"{question.id}--{row.id}": "yes" for row in question.rows})
        elif question.kind in {"short_text", "long_text"}:
            data[question.id] = "The staff listened to us and it helped."
        elif question.kind == "email":  # the first option of "hear back?" is yes
            data[question.id] = "parent@example.org"
    return data


def answer_every_page(
    client: Any, form: FormDefinition, choices: dict[str, str] | None = None
) -> None:
    """Post each page in turn, as someone answering would."""
    for page in form.pages:
        url = f"/f/{form.slug}/pages/{page.id}"
        token = csrf_token(client, url)
        response = client.post(url, data={"csrf_token": token, **page_data(page, choices)})
        assert response.status_code == 302, (url, response.get_data(as_text=True)[:2000])


def send(client: Any, slug: str) -> Any:
    url = f"/f/{slug}/check-answers"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token})


def start(client: Any, url: str) -> Any:
    """Press "Start now" on a survey's first page (an invitation or an open link)."""
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token})


def invitation_token(link: str) -> str:
    match = re.search(r"/i/([A-Za-z0-9_-]+)", link)
    assert match, link
    return match.group(1)


def add_responses(
    session: Session, survey_round: SurveyRound, answers: list[dict[str, Any]], **kwargs: Any
) -> list[Any]:
    """Sent responses with these answers, stored directly (no screening or coding)."""
    from models import save_answers, start_response, submit_response

    version = session.get(FormVersion, survey_round.form_version_id)
    made = []
    for answer in answers:
        response, _token = start_response(
            session=session,
            organisation_id=survey_round.organisation_id,
            form_version=version,  # type: ignore[arg-type]
            round_id=survey_round.id,
            **kwargs,
        )
        save_answers(session=session, response=response, page_id="all", answers=answer)
        submit_response(session=session, response=response)
        made.append(response)
    session.commit()
    return made


STATEMENTS = DEMO_STATEMENTS  # the parent survey's confidence statements


def parent_answers(value: str, **extra: Any) -> dict[str, Any]:
    """Every parent confidence statement answered `value`, plus anything in `extra`."""
    return {**dict.fromkeys(STATEMENTS, value), **extra}
