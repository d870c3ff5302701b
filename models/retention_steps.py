"""Each retention rule's purge step: what is past its cutoff, and deleting or stripping it.

A step takes the session, the cutoff (anything that started before it has passed its
period) and the function that deletes whole responses, and returns how many rows it
removed or stripped. Each only touches rows that still hold what it removes, so a second
run finds nothing. models/retention.py runs them, one transaction each.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models import privacy
from models.audit import AuditEvent
from models.jobs import Job, JobFile, JobStatus
from models.plan_evidence import PlanImport
from models.privacy_comments import delete_where
from models.responses import FormVersion, Response, ResponseStatus, ResponseUpload
from models.retention_identities import Questions, strip_identity
from models.review import DiscoveredCluster
from models.safeguarding import AlertStatus, SafeguardingAlert
from models.surveys import LOCAL_TIME, Invitation, SurveyImport, SurveyRound
from models.yswd import FollowUp

SIGN_IN_ACTIONS = ("sign-in", "sign-in-failed", "sign-out")

Step = Callable[[Session, datetime, privacy.Remover], int]


def purge_drafts(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete unfinished responses not changed since the cutoff."""
    ids = session.exec(
        select(Response.id).where(
            Response.status == ResponseStatus.IN_PROGRESS, col(Response.updated_at) < cutoff
        )
    ).all()
    found = [i for i in ids if i is not None]
    privacy.delete_responses(session=session, response_ids=found, delete_invitations=False)
    return len(found)


def _sent_before(cutoff: datetime) -> Any:
    return (col(Response.status) == ResponseStatus.SUBMITTED) & (
        col(Response.submitted_at) < cutoff
    )


def purge_pictures(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete the pictures in responses sent before the cutoff."""
    rows = session.exec(
        select(ResponseUpload, Response)
        .join(Response, col(Response.id) == ResponseUpload.response_id)
        .where(_sent_before(cutoff))
    ).all()
    for upload, response in rows:
        if upload.question_id in response.answers:
            response.answers = {
                k: v for k, v in response.answers.items() if k != upload.question_id
            }
            session.add(response)
        session.delete(upload)
    session.flush()
    return len(rows)


def purge_identities(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Strip who answered from responses sent before the cutoff."""
    questions: dict[int, Questions] = {}
    changed = 0
    for response in session.exec(select(Response).where(_sent_before(cutoff))):
        if response.form_version_id not in questions:
            version = session.get(FormVersion, response.form_version_id)
            definition = version.definition if version else {}
            questions[response.form_version_id] = Questions.of(definition)
        if strip_identity(session, response, questions[response.form_version_id]):
            changed += 1
    session.flush()
    return changed


def purge_invitations(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Strip names, addresses and references from invitations to rounds closed by then."""
    closed_by = cutoff.astimezone(LOCAL_TIME).date()
    query = (
        select(Invitation)
        .join(SurveyRound, col(SurveyRound.id) == Invitation.round_id)
        .where(col(SurveyRound.closes_on) < closed_by)
        .where(
            or_(
                col(Invitation.name) != "",
                col(Invitation.email) != "",
                col(Invitation.reference) != "",
            )
        )
    )
    found = list(session.exec(query))
    for invitation in found:
        privacy.forget_invitation(invitation)
        session.add(invitation)
    session.flush()
    return len(found)


def purge_follow_ups(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Strip the addresses of people who asked to hear back before the cutoff."""
    query = select(FollowUp).where(FollowUp.email != "", col(FollowUp.created_at) < cutoff)
    found = list(session.exec(query))
    for follow_up in found:
        follow_up.email = ""
        session.add(follow_up)
    session.flush()
    return len(found)


def purge_safeguarding(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete safeguarding alerts closed before the cutoff."""
    closed = (col(SafeguardingAlert.status) == AlertStatus.CLOSED) & (
        col(SafeguardingAlert.handled_at) < cutoff
    )
    return delete_where(session, SafeguardingAlert, closed)


def purge_responses(session: Session, cutoff: datetime, remove: privacy.Remover) -> int:
    """Delete whole responses sent before the cutoff, unless they raised an alert."""
    alerted = select(SafeguardingAlert.response_id)
    ids = session.exec(
        select(Response.id).where(_sent_before(cutoff), col(Response.id).not_in(alerted))
    ).all()
    found = [i for i in ids if i is not None]
    if found:
        remove(session, found)
    return len(found)


def purge_imports(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete uploaded survey spreadsheets never imported, and plan files."""
    waiting = col(SurveyImport.imported_at).is_(None) & (col(SurveyImport.created_at) < cutoff)
    removed = delete_where(session, SurveyImport, waiting)
    return removed + delete_where(session, PlanImport, col(PlanImport.created_at) < cutoff)


def purge_job_files(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete files made by jobs before the cutoff."""
    return delete_where(session, JobFile, col(JobFile.created_at) < cutoff)


def purge_jobs(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete finished jobs; keep a listed discovery run's record, without its quotes."""
    finished = col(Job.status).in_([JobStatus.DONE, JobStatus.FAILED]) & (
        col(Job.finished_at) < cutoff
    )
    listed = set(session.exec(select(DiscoveredCluster.job_id).distinct()).all())
    count = 0
    for job in session.exec(select(Job).where(finished)):
        if job.id in listed:
            if job.result:
                job.result = {}
                session.add(job)
                count += 1
            continue
        delete_where(session, JobFile, JobFile.job_id == job.id)
        session.delete(job)
        count += 1
    session.flush()
    return count


def purge_sign_ins(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete sign-in, failed sign-in and sign-out events before the cutoff."""
    old = col(AuditEvent.occurred_at) < cutoff
    return delete_where(session, AuditEvent, old & col(AuditEvent.action).in_(SIGN_IN_ACTIONS))


def purge_audit(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    """Delete other audit events before the cutoff, but not those about a kept alert."""
    kept_alerts = [str(i) for i in session.exec(select(SafeguardingAlert.id)).all()]
    # Coalesced, because a NULL would make the whole condition NULL and keep the event.
    about_kept_alert = (func.coalesce(AuditEvent.object_type, "") == "safeguarding_alert") & (
        func.coalesce(AuditEvent.object_id, "").in_(kept_alerts)
    )
    old = (col(AuditEvent.occurred_at) < cutoff) & col(AuditEvent.action).not_in(SIGN_IN_ACTIONS)
    return delete_where(session, AuditEvent, old & ~about_kept_alert)


STEPS: dict[str, Step] = {
    "drafts": purge_drafts,
    "pictures": purge_pictures,
    "identities": purge_identities,
    "invitations": purge_invitations,
    "follow-ups": purge_follow_ups,
    "safeguarding": purge_safeguarding,
    "responses": purge_responses,
    "imports": purge_imports,
    "job-files": purge_job_files,
    "jobs": purge_jobs,
    "sign-ins": purge_sign_ins,
    "audit": purge_audit,
}
