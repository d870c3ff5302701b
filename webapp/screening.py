"""What happens to free-text answers when a response is sent.

Each answer is screened for a possible safeguarding concern first, synchronously, before the
confirmation page, so a disclosure never waits for a review queue. Then it is redacted,
given a sentiment and coded against the organisation's active codebook. Everything happens
in the caller's transaction, so a response is never half processed.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session

from analysis.redaction import redact
from analysis.safeguarding import Screening, most_severe, screen
from analysis.sentiment import LexiconSentiment
from forms.schema import FormDefinition
from models import (
    Organisation,
    Response,
    list_districts,
    list_settings,
    list_users,
    record_event,
)
from models.coding import CodingSource, code_comment, get_active_codebook, save_comment
from models.safeguarding import alert_summary, create_alert
from models.surveys import Invitation
from webapp import coder_cache

FREE_TEXT_KINDS = frozenset({"short_text", "long_text"})
#: The question, where a form asks it, by which a respondent agrees to be quoted without
#: their name; their comments can then be linked as quotes in plans and "You said, we did".
QUOTE_CONSENT = "quote-consent"
log = logging.getLogger(__name__)


def free_text_answers(
    definition: FormDefinition, answers: dict[str, object]
) -> Iterator[tuple[str, str]]:
    """Each non-empty free-text answer as (question id, text), in form order."""
    for page in definition.pages:
        for question in page.questions:
            if question.kind not in FREE_TEXT_KINDS or question.personal:
                continue
            value = answers.get(question.id)
            if isinstance(value, str) and value.strip():
                yield question.id, value


def district_of(
    session: Session, organisation: Organisation, definition: FormDefinition, response: Response
) -> int | None:
    """Where the respondent lives or goes to school: their answer, else their invitation's."""
    districts = {d.id for d in list_districts(session=session, organisation=organisation)}
    for page in definition.pages:
        for question in page.questions:
            value = (
                str(response.answers.get(question.id, "")) if question.kind == "district" else ""
            )
            if value.isdigit() and int(value) in districts:
                return int(value)
    if response.invitation_id is not None:
        invitation = session.get(Invitation, response.invitation_id)
        if invitation is not None and invitation.district_id in districts:
            return invitation.district_id
    return None


def organisation_words(session: Session, organisation: Organisation) -> tuple[list[str], list[str]]:
    """What redaction must always remove in this organisation: its staff's names, and the
    names of its settings."""
    staff = list_users(session=session, organisation_id=organisation.id)  # type: ignore[arg-type]
    settings = list_settings(session=session, organisation=organisation)
    return [user.full_name for user in staff], [setting.name for setting in settings]


@dataclass(frozen=True)
class Analysed:
    """One free-text answer, screened, redacted and given a sentiment; nothing stored yet."""

    question_id: str
    text: str
    screening: Screening
    redacted: str
    sentiment: str


def analyse(
    definition: FormDefinition,
    answers: dict[str, object],
    *,
    names: list[str],
    places: list[str],
) -> list[Analysed]:
    """The slow part of sending, with no database: used ahead of a bulk import's one write."""
    sentiment = LexiconSentiment().fit([])
    found = []
    for question_id, text in free_text_answers(definition, answers):
        redacted = redact(text, names=names, places=places)
        found.append(
            Analysed(
                question_id=question_id,
                text=text,
                screening=screen(text),
                redacted=redacted,
                sentiment=str(sentiment.predict([redacted])[0]),
            )
        )
    return found


def record(
    *,
    session: Session,
    organisation: Organisation,
    response: Response,
    analysed: list[Analysed],
    district_id: int | None = None,
) -> Screening:
    """Store what `analyse` found: alerts for the lead, redacted comments, their coding."""
    comments = []
    agreed = response.answers.get(QUOTE_CONSENT) == "yes"
    for item in analysed:
        if item.screening.flag:
            _raise_alert(
                session, organisation, response, item.question_id, item.text, item.screening
            )
        comments.append(
            save_comment(
                session=session,
                organisation_id=organisation.id,  # type: ignore[arg-type]
                response_id=response.id,
                question_id=item.question_id,
                text_redacted=item.redacted,
                sentiment=item.sentiment,
                flagged=item.screening.flag,
                # A comment that raised a safeguarding flag is never quoted, whatever was said.
                quote_consent=agreed and not item.screening.flag,
                district_id=district_id,
                language=response.language,
            )
        )
    _code(session, organisation, comments)
    return most_severe([item.screening for item in analysed])


def process_submission(
    *, session: Session, organisation: Organisation, response: Response, definition: FormDefinition
) -> Screening:
    """Screen, redact, and code every free-text answer; return the most severe screening."""
    if not any(free_text_answers(definition, response.answers)):
        return most_severe([])
    names, places = organisation_words(session, organisation)
    if response.respondent_name:
        names.append(response.respondent_name)
    analysed = analyse(definition, response.answers, names=names, places=places)
    return record(
        session=session,
        organisation=organisation,
        response=response,
        analysed=analysed,
        district_id=district_of(session, organisation, definition, response),
    )


def _raise_alert(
    session: Session,
    organisation: Organisation,
    response: Response,
    question_id: str,
    text: str,
    result: Screening,
) -> None:
    alert = create_alert(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        response_id=response.id,  # type: ignore[arg-type]
        question_id=question_id,
        severity=result.severity,
        reason=result.reason,
        categories=list(result.categories),
        text=text,
    )
    record_event(
        session=session,
        action="safeguarding.alert.raised",
        organisation_id=organisation.id,
        object_type="safeguarding_alert",
        object_id=alert.id,
        details=alert_summary(alert),
    )
    log.warning(
        "safeguarding alert raised",
        extra={"alert_id": alert.id, "severity": alert.severity},
    )


def _code(session: Session, organisation: Organisation, comments: list) -> None:
    codebook = get_active_codebook(session=session, organisation_id=organisation.id)  # type: ignore[arg-type]
    if codebook is None or not comments:
        return
    loaded = coder_cache.latest(session, codebook)
    if loaded is None:
        return
    try:
        codings = loaded.code_with_uncertainty([comment.text_redacted for comment in comments])
    except Exception:
        # Coding can be redone later; a response must still be sent, and its screening kept.
        log.exception("coding a new response failed", extra={"coder_model_id": loaded.model_id})
        return
    for comment, (themes, unsure) in zip(comments, codings, strict=True):
        comment.uncertainty = unsure
        code_comment(
            session=session,
            comment=comment,
            theme_ids=themes,
            source=CodingSource.MACHINE,
            coder_model_id=loaded.model_id,
        )
