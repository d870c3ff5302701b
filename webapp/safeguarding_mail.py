"""Telling safeguarding leads by email, at once, that a new alert is waiting for them.

An alert is raised while a respondent's answers are sent, but a lead may not sign in for
days. So when a mail server is set up (HEARD_SMTP_HOST), each send or import that raises
alerts also queues one background job that emails every active safeguarding lead in the
organisation; a slow mail server never holds up anyone's confirmation page.

The email holds none of the words written, no name and no answers: only how severe each
alert is, which form, when it was sent, and a link to sign in and read it. Every alert a
lead was told about gets an audit event. With no mail server set up, nothing is sent, and
leads see open alerts on their dashboard when they sign in.

If the mail server is down, or every address is refused, or there is no active lead, the
job fails and the worker's sweep (webapp/queue.py, every minute) tries it again later, up
to :data:`ATTEMPTS` times; a notice the queue never received is queued again the same way.
Alerts dealt with in the meantime are left out. With HEARD_JOBS_IMMEDIATE (tests, a
one-person demo) the email is sent inside the request that raised the alert.
"""

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, NoReturn

from flask import current_app, url_for
from sqlmodel import Session, col, select

from models import FormVersion, Organisation, Response, Role, User, list_users, record_event
from models.jobs import Job, JobStatus, create_job
from models.privacy import chunks
from models.safeguarding import AlertStatus, SafeguardingAlert
from models.surveys import LOCAL_TIME
from webapp import mail
from webapp.analysis_jobs import JobProblem, Report

KIND = "safeguarding-notify"
#: How many times the email is tried, and how long after each failure it is tried again.
ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)
#: A notice still queued this long after it was recorded was probably never queued.
STUCK_AFTER = timedelta(minutes=2)
log = logging.getLogger(__name__)


def notice_job(session: Session, organisation_id: int, response_ids: list[int]) -> Job | None:
    """Record the job that will email the leads about these responses' open alerts.

    Call it in the same transaction as the alerts, so both are kept or neither is, and
    queue the job with `webapp.queue.enqueue_quietly` once that transaction is committed. Returns
    None when there is nothing to tell or no mail server to tell it through.
    """
    if not mail.configured() or not response_ids:
        return None
    session.flush()
    alert_ids = [
        alert_id
        for chunk in chunks(response_ids)
        for alert_id in session.exec(
            select(SafeguardingAlert.id).where(
                SafeguardingAlert.organisation_id == organisation_id,
                col(SafeguardingAlert.response_id).in_(chunk),
                SafeguardingAlert.status == AlertStatus.OPEN,
            )
        )
    ]
    if not alert_ids:
        return None
    return create_job(
        session=session,
        organisation_id=organisation_id,
        kind=KIND,
        params={"alert_ids": sorted(alert_ids)},
    )


def run_notify(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Email every active safeguarding lead about the job's alerts that are still open."""
    organisation = session.get(Organisation, job.organisation_id)
    if organisation is None:
        raise JobProblem("The organisation no longer exists.")
    alerts = list(
        session.exec(
            select(SafeguardingAlert)
            .where(
                SafeguardingAlert.organisation_id == organisation.id,
                col(SafeguardingAlert.id).in_(job.params.get("alert_ids", [])),
                SafeguardingAlert.status == AlertStatus.OPEN,
            )
            .order_by(col(SafeguardingAlert.id))
        )
    )
    leads = [
        user
        for user in list_users(session=session, organisation_id=organisation.id)  # type: ignore[arg-type]
        if user.role == Role.SAFEGUARDING and user.is_active
    ]
    if not alerts:
        return {"alerts": 0, "leads": len(leads), "sent": 0}
    if not leads:
        _not_told(job, "This organisation has no active safeguarding lead to tell.")
    report(30, f"Writing to {len(leads)} safeguarding leads")
    lines = _alert_lines(session, alerts)
    messages = [(lead.id, _message(organisation, lead, lines)) for lead in leads]
    try:
        reached = mail.send(messages)
    except mail.MailServerProblem as problem:
        _not_told(job, f"The mail server could not be reached ({problem}).")
    if not reached:
        _not_told(job, "The mail server refused every safeguarding lead's address.")
    for alert in alerts:
        record_event(
            session=session,
            action="safeguarding.alert.notified",
            organisation_id=organisation.id,
            object_type="safeguarding_alert",
            object_id=alert.id,
            details={"leads": len(reached), "severity": alert.severity},
        )
    return {"alerts": len(alerts), "leads": len(leads), "sent": len(reached)}


def _not_told(job: Job, why: str) -> NoReturn:
    attempt = int(job.params.get("attempts", 1))
    log.warning(
        "safeguarding leads not emailed",
        extra={"job_id": job.id, "attempt": attempt, "reason": why},
    )
    again = "" if attempt >= ATTEMPTS else " It will be tried again."
    raise JobProblem(why + again)


def notices_to_retry(session: Session, now: datetime) -> list[int]:
    """Notices to queue again: ones still queued long after they were recorded (the queue
    could not be reached then), and failed ones, a while after each failure, until
    :data:`ATTEMPTS` have been made. A failed one is marked queued again here; the caller
    commits, then queues the ids. A job queued twice still runs once (`claim_job`)."""
    jobs = session.exec(
        select(Job).where(
            Job.kind == KIND, col(Job.status).in_([JobStatus.QUEUED, JobStatus.FAILED])
        )
    ).all()
    again = []
    for job in jobs:
        if job.status == JobStatus.QUEUED:
            if job.created_at < now - STUCK_AFTER:
                again.append(job.id)
            continue
        attempts = int(job.params.get("attempts", 1))
        if attempts >= ATTEMPTS or job.finished_at is None:
            continue
        if job.finished_at < now - RETRY_AFTER * attempts:
            job.params = {**job.params, "attempts": attempts + 1}
            job.status = JobStatus.QUEUED
            job.finished_at = None
            job.message = "Trying again"
            session.add(job)
            again.append(job.id)
    return [job_id for job_id in again if job_id is not None]


def _alert_lines(session: Session, alerts: list[SafeguardingAlert]) -> list[str]:
    """One line for each alert: severity, form, when and a link; never the words.

    The link needs Heard's public address (HEARD_PUBLIC_URL); without it, the line names
    the alert so the lead can find it on the safeguarding page.
    """
    base = current_app.config.get("HEARD_PUBLIC_URL") or ""
    lines = []
    with current_app.test_request_context("/", base_url=base or "http://localhost"):
        for alert in alerts:
            response = session.get(Response, alert.response_id)
            version = session.get(FormVersion, response.form_version_id) if response else None
            sent = alert.created_at.astimezone(LOCAL_TIME)
            when = f"{sent.day} {sent:%B %Y} at {sent:%H:%M}"
            form = version.title if version else "a form"
            where = (
                url_for("safeguarding.alert", alert_id=alert.id, _external=True)
                if base
                else f"Alert {alert.id} on Heard's Safeguarding page"
            )
            lines.append(
                f"- {alert.severity.capitalize()} severity: {form}, sent {when}\n  {where}"
            )
    return lines


def _message(organisation: Organisation, lead: User, lines: list[str]) -> EmailMessage:
    count = len(lines)
    message = EmailMessage()
    message["Subject"] = (
        f"Heard: a new safeguarding alert for {organisation.name}"
        if count == 1
        else f"Heard: {count} new safeguarding alerts for {organisation.name}"
    )
    message["From"] = current_app.config.get("HEARD_MAIL_FROM") or "heard@localhost"
    message["To"] = lead.email
    alerts = "an answer" if count == 1 else f"{count} answers"
    message.set_content(
        f"Hello {lead.full_name},\n\n"
        f"Heard has found {alerts} sent to {organisation.name} that may be a safeguarding "
        "concern. A safeguarding lead needs to read "
        f"{'it' if count == 1 else 'them'} and record what was done.\n\n"
        + "\n".join(lines)
        + "\n\nSign in to Heard to read what was written. This email does not include what "
        "was written, or who wrote it.\n\n"
        f"You are getting this email because you are a safeguarding lead for "
        f"{organisation.name} on Heard.\n"
    )
    return message
