"""Demo survey rounds: two past terms and the current one, with synthetic responses.

The answers are random but seeded, so every demo shows the same figures: parent
confidence rises a little each term, as Kent's did, and comments come from an invented
bank in `demo_surveys.yaml`. Nothing here describes a real person.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from models.demo import read_yaml
from models.organisations import Organisation, list_districts
from models.responses import (
    FormVersion,
    Response,
    get_published_form,
    save_answers,
    start_response,
    submit_response,
)
from models.surveys import (
    Anonymity,
    SurveyRound,
    SurveyRoundCreate,
    Term,
    create_invitations,
    create_round,
    list_rounds,
    mark_invitation_responded,
)

COMMENTS = Path(__file__).with_name("demo_surveys.yaml")
SLUG = "parent-termly"
SEED = 2026
# (responses, chance that a statement is agreed with) for the two past terms and this one.
ROUNDS = ((150, 0.55), (170, 0.58), (110, 0.62))
STATEMENTS = (
    "listened-to",
    "involved-in-decisions",
    "clear-information",
    "sen-service-communication",
    "setting-meets-needs",
    "on-time",
    "making-a-difference",
    "confident-future",
)
CONTEXT = {
    "setting-type": ("primary", "primary", "secondary", "secondary", "special", "early-years"),
    "phase": ("primary", "primary", "secondary", "secondary", "early-years", "post-16"),
    "sen-status": ("sen-support", "sen-support", "ehcp", "ehcp", "assessment", "dont-know"),
    "primary-need": (
        "communication-and-interaction",
        "communication-and-interaction",
        "social-emotional-mental-health",
        "cognition-and-learning",
        "sensory-or-physical",
    ),
}
INVITED = ("Alex Morgan", "Sam Patel", "Jordan Lee", "Chris Walker", "Robin Hughes", "Kim Ahmed")


def term_of(day: date) -> tuple[str, Term]:
    """The academic year and term a day falls in (September to December is Autumn)."""
    start = day.year if day.month >= 9 else day.year - 1
    year = f"{start}/{(start + 1) % 100:02d}"
    if day.month >= 9:
        return year, Term.AUTUMN
    return year, Term.SPRING if day.month <= 3 else Term.SUMMER


def previous_term(year: str, term: Term) -> tuple[str, Term]:
    if term == Term.AUTUMN:
        start = int(year[:4]) - 1
        return f"{start}/{(start + 1) % 100:02d}", Term.SUMMER
    return year, Term.AUTUMN if term == Term.SPRING else Term.SPRING


# Three weeks in the middle of each term: (month, day) it opens, and the term's year offset.
WINDOWS = {Term.AUTUMN: (0, 11, 2), Term.SPRING: (1, 2, 23), Term.SUMMER: (1, 6, 8)}


def window(year: str, term: Term) -> tuple[date, date]:
    offset, month, day = WINDOWS[term]
    opens = date(int(year[:4]) + offset, month, day)
    return opens, opens + timedelta(days=20)


def schedule(today: date) -> list[tuple[str, Term, date, date]]:
    """The two past rounds and the current one, oldest first, with their dates.

    The current round runs from two weeks ago to three weeks ahead, so it is open."""
    year, term = term_of(today)
    middle = previous_term(year, term)
    first = previous_term(*middle)
    return [
        (*first, *window(*first)),
        (*middle, *window(*middle)),
        (year, term, today - timedelta(days=14), today + timedelta(days=21)),
    ]


@dataclass
class DemoAnswers:
    """A seeded source of believable answers."""

    rng: random.Random
    districts: list[str]
    comments: dict[str, list[str]]
    # Its own sequence, so that asking about quotes leaves every other demo answer as it was.
    consent: random.Random = field(default_factory=lambda: random.Random(SEED + 1))  # noqa: S311

    def statement(self, agree: float) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return "dont-know"
        if roll < 0.05 + agree * 0.95:
            return self.rng.choice(("agree", "agree", "strongly-agree"))
        return self.rng.choice(("neither", "disagree", "disagree", "strongly-disagree"))

    def answers(self, agree: float) -> dict[str, Any]:
        found: dict[str, Any] = {s: self.statement(agree) for s in STATEMENTS}
        found["district"] = self.rng.choice(self.districts)
        for question, choices in CONTEXT.items():
            if self.rng.random() < 0.9:
                found[question] = self.rng.choice(choices)
        for question, chance in (("working-well", 0.6), ("could-be-better", 0.7)):
            if self.rng.random() < chance:
                found[question] = self.rng.choice(self.comments[question])
        if self.rng.random() < 0.2:
            found["anything-else"] = self.rng.choice(self.comments["anything-else"])
        found["quote-consent"] = "yes" if self.consent.random() < 0.6 else "no"
        return found


def _sent_at(survey_round: SurveyRound, rng: random.Random) -> datetime:
    days = (survey_round.closes_on - survey_round.opens_on).days
    today = datetime.now(UTC).date()
    last = min(days, max((today - survey_round.opens_on).days, 0))
    day = survey_round.opens_on + timedelta(days=rng.randint(0, last))
    return datetime.combine(day, time(9), UTC) + timedelta(minutes=rng.randint(0, 600))


def _respond(
    session: Session,
    survey_round: SurveyRound,
    version: FormVersion,
    answers: dict[str, Any],
    channel: str,
) -> Response:
    response, _token = start_response(
        session=session,
        organisation_id=survey_round.organisation_id,
        form_version=version,
        round_id=survey_round.id,
        channel=channel,
    )
    save_answers(session=session, response=response, page_id="demo", answers=answers)
    submit_response(session=session, response=response)
    return response


def load_demo_surveys(
    *, session: Session, organisation: Organisation, today: date | None = None
) -> list[Response]:
    """Add the demo rounds of the parent survey if the organisation has none yet.

    Returns the new responses, so the caller can screen, redact and code their comments.
    """
    version = get_published_form(session=session, slug=SLUG)
    organisation_id = organisation.id
    assert organisation_id is not None
    if version is None or list_rounds(
        session=session, organisation_id=organisation_id, form_slug=SLUG
    ):
        return []
    rng = random.Random(SEED)  # noqa: S311 (made-up demo answers, not secrets)
    source = DemoAnswers(
        rng,
        [str(d.id) for d in list_districts(session=session, organisation=organisation)],
        read_yaml(COMMENTS.read_text(encoding="utf-8")),
    )
    made: list[Response] = []
    for (year, term, opens, closes), (count, agree) in zip(
        schedule(today or date.today()), ROUNDS, strict=True
    ):
        survey_round = create_round(
            session=session,
            organisation_id=organisation_id,
            form_version=version,
            data=SurveyRoundCreate(
                academic_year=year,
                term=term,
                opens_on=opens,
                closes_on=closes,
                anonymity=Anonymity.CONFIDENTIAL,
            ),
        )
        responses = [
            _respond(
                session,
                survey_round,
                version,
                source.answers(agree),
                "paper" if rng.random() < 0.1 else "online",
            )
            for _ in range(count)
        ]
        for response in responses:
            response.submitted_at = _sent_at(survey_round, rng)
            session.add(response)
        _invite(session, survey_round, responses[: len(INVITED) // 2])
        made += responses
    session.flush()
    return made


def _invite(session: Session, survey_round: SurveyRound, answered: list[Response]) -> None:
    """Invite a few people; the first of them have answered, the rest are waiting."""
    people = [{"name": name, "reference": f"FAM-{n:04d}"} for n, name in enumerate(INVITED, 1)]
    made = create_invitations(session=session, survey_round=survey_round, people=people)
    for (invitation, _token), response in zip(made, answered, strict=False):
        invitation.draft_response_id = response.id
        session.add(invitation)
        session.flush()
        mark_invitation_responded(session=session, survey_round=survey_round, response=response)
