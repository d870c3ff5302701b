"""Telling the people who took part what changed.

A respondent who says yes to hearing back and leaves an email address becomes a follow-up
when they send their answers; the address is then taken out of the answers, so no export
or results page ever shows it, and in anonymous rounds nothing links it to them.

Sending is a background job, and each person is told once: their address is erased as
soon as the message has gone. Each message goes through the configured SMTP server; with
none configured it is written to the outbox folder as an .eml file, which an administrator
downloads. The staff page reports what share of each round's respondents were told.
"""

import io
import logging
import zipfile
from collections import defaultdict
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template
from flask_babel import force_locale, gettext
from flask_login import current_user
from sqlmodel import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.schema import FormDefinition
from models import Organisation, Response, Role, record_event
from models.jobs import Job
from models.surveys import Anonymity, SurveyRound, count_submitted, list_rounds
from models.yswd import (
    FollowUp,
    YswdEntry,
    list_entries,
    list_follow_ups,
    mark_told,
    save_follow_up,
)
from webapp import db, mail
from webapp.access import roles_required
from webapp.analysis_jobs import JobProblem, Report
from webapp.extensions import export_limit

KIND = "yswd-follow-up"
log = logging.getLogger(__name__)
WANTS_FOLLOW_UP = "follow-up"  # the question id forms use to ask whether to hear back
bp = Blueprint("follow_ups", __name__, url_prefix="/staff/you-said-we-did")


def contact_question_id(definition: FormDefinition) -> str | None:
    found = [q.id for q in definition.questions() if q.personal == "contact_email"]
    return found[0] if found else None


def after_submit(
    session: Session, response: Response, definition: FormDefinition, survey_round: Any
) -> None:
    """Keep the address of someone who asked to hear back, and take it out of the answers."""
    question_id = contact_question_id(definition)
    if question_id is None:
        return
    answers = dict(response.answers)
    email = str(answers.pop(question_id, "") or "").strip()
    # Only a round has published entries to tell people about; outside one, keep nothing.
    if answers.get(WANTS_FOLLOW_UP) == "yes" and email and survey_round is not None:
        anonymous = survey_round.anonymity == Anonymity.ANONYMOUS
        follow_up = save_follow_up(
            session=session,
            organisation_id=response.organisation_id,
            response_id=None if anonymous else response.id,
            round_id=response.round_id,
            audience=definition.audience,
            email=email,
            language=response.language,
        )
        if anonymous:  # the day alone, so the time cannot be matched with the response's
            follow_up.created_at = follow_up.created_at.replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            session.add(follow_up)
    if answers != response.answers:
        response.answers = answers
        session.add(response)
        session.flush()


def told_figures(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """For each round: respondents, how many asked to hear back, and how many were told."""
    rounds = sorted(
        list_rounds(session=session, organisation_id=organisation_id),
        key=lambda r: r.id or 0,
        reverse=True,
    )
    if not rounds:
        return []
    round_ids = [r.id for r in rounds if r.id is not None]
    counts = count_submitted(session=session, round_ids=round_ids)
    by_round: dict[int | None, list[FollowUp]] = defaultdict(list)
    for follow_up in list_follow_ups(
        session=session, organisation_id=organisation_id, round_ids=round_ids
    ):
        by_round[follow_up.round_id].append(follow_up)
    rows = []
    for survey_round in rounds:
        mine = by_round[survey_round.id]
        answered = counts.get(survey_round.id, 0)  # type: ignore[arg-type]
        told = sum(1 for f in mine if f.told_at is not None)
        rows.append(
            {
                "round": survey_round,
                "respondents": answered,
                "asked": len(mine),
                "told": told,
                "percent": round(100 * told / answered) if answered else None,
                "waiting": len(mine) - told,
            }
        )
    return rows


def _message(
    organisation: Organisation, follow_up: FollowUp, entries: list[Any], sender: str
) -> EmailMessage:
    with force_locale(follow_up.language or "en"):
        subject = gettext("What changed after your survey: %(name)s", name=organisation.name)
        body = render_template(
            "yswd/follow_up_email.txt",
            organisation=organisation,
            entries=entries,
            public_url=current_app.config.get("HEARD_PUBLIC_URL", ""),
        )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = follow_up.email
    message.set_content(body)
    return message


def outbox_folder(organisation: Organisation) -> Path:
    """Each organisation's own outbox, so an administrator sees only their own messages."""
    return Path(current_app.config["HEARD_OUTBOX_DIR"]) / organisation.slug


def deliver(
    organisation: Organisation, messages: list[tuple[FollowUp, EmailMessage]]
) -> tuple[str, list[FollowUp]]:
    """Send through SMTP, or write to the outbox; return where, and who was reached."""
    if not mail.configured():
        outbox = outbox_folder(organisation)
        outbox.mkdir(parents=True, exist_ok=True)
        for follow_up, message in messages:
            (outbox / f"follow-up-{follow_up.id}.eml").write_bytes(bytes(message))
        return "outbox", [f for f, _m in messages]
    by_id = {follow_up.id: follow_up for follow_up, _m in messages}
    reached = mail.send([(follow_up.id, message) for follow_up, message in messages])
    return "smtp", [by_id[key] for key in reached]


def run_follow_up(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Tell everyone who asked, in one round, about its term's published entries."""
    organisation, survey_round = _round_of(session, job)
    entries = _published_for(session, organisation, survey_round)
    waiting = [
        f
        for f in list_follow_ups(
            session=session,
            organisation_id=organisation.id,  # type: ignore[arg-type]
            round_ids=[survey_round.id],  # type: ignore[list-item]
        )
        if f.told_at is None and f.email
    ]
    report(20, f"Writing {len(waiting)} messages")
    messages = _write_messages(session, organisation, entries, waiting)
    report(60, "Sending")
    where, reached = _send(organisation, messages)
    for follow_up in reached:
        mark_told(session=session, follow_up=follow_up, entry_ids=[e.id for e in entries])  # type: ignore[misc]
    return {
        "sent": len(reached),
        "failed": len(messages) - len(reached),
        "via": where,
        "round": survey_round.name,
    }


def _round_of(session: Session, job: Job) -> tuple[Organisation, SurveyRound]:
    """The job's organisation and round, or the job's problem if the round is gone."""
    organisation = session.get(Organisation, job.organisation_id)
    survey_round = session.get(SurveyRound, job.params.get("round_id", 0))
    if organisation is None or survey_round is None:
        raise JobProblem("The survey round no longer exists.")
    if survey_round.organisation_id != organisation.id:
        raise JobProblem("The survey round no longer exists.")
    return organisation, survey_round


def _published_for(
    session: Session, organisation: Organisation, survey_round: SurveyRound
) -> list[YswdEntry]:
    """The entries published for the round's term and audience; there must be some."""
    entries: list[YswdEntry] = list_entries(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        published_only=True,
        audience=survey_round.audience,  # type: ignore[arg-type]
        academic_year=survey_round.academic_year,
        term=survey_round.term.value,
    )
    if not entries:
        raise JobProblem(
            "Nothing is published for this round's term and audience yet, so there is "
            "nothing to tell people."
        )
    return entries


def _write_messages(
    session: Session,
    organisation: Organisation,
    entries: list[YswdEntry],
    waiting: list[FollowUp],
) -> list[tuple[FollowUp, EmailMessage]]:
    """One message for each person waiting, in the language they answered in."""
    from webapp.yswd_view import prepare

    sender = current_app.config.get("HEARD_MAIL_FROM") or "heard@localhost"
    messages = []
    shown: dict[str, list] = {}  # the entries in each language, prepared once
    with current_app.test_request_context("/"):
        for follow_up in waiting:
            language = follow_up.language or "en"
            if language not in shown:
                shown[language] = prepare(session, entries, language)
            messages.append((follow_up, _message(organisation, follow_up, shown[language], sender)))
    return messages


def _send(
    organisation: Organisation, messages: list[tuple[FollowUp, EmailMessage]]
) -> tuple[str, list[FollowUp]]:
    """Deliver the messages, if any; a mail server that cannot be reached is the job's problem."""
    try:
        return deliver(organisation, messages) if messages else ("none", [])
    except mail.MailServerProblem as problem:
        raise JobProblem(
            f"The mail server could not be reached ({problem}). Nobody was told; try again "
            "later, or ask an administrator to check the email settings."
        ) from None


@bp.get("/outbox")
@roles_required(Role.ADMIN)
@export_limit
def outbox() -> WerkzeugResponse:
    """The organisation's waiting messages as one zip file; they then leave the server.

    The messages hold email addresses, so once downloaded they are deleted here, and the
    administrator's mail program sends them.
    """
    organisation = db.session().get(Organisation, current_user.organisation_id)
    folder = outbox_folder(organisation)  # type: ignore[arg-type]
    waiting = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in waiting:
            archive.write(path, path.name)
    # The messages hold respondents' email addresses: who took them is on the record.
    record_event(
        session=db.session(),
        action="yswd.outbox_downloaded",
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="organisation",
        object_id=current_user.organisation_id,
        details={"messages": len(waiting)},
    )
    db.session().commit()
    for path in waiting:
        path.unlink()
    log.info("outbox downloaded", extra={"messages": len(waiting)})
    response = current_app.response_class(out.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="heard-outbox.zip"'
    return response
