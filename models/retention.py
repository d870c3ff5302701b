"""How long Heard keeps each kind of data, and the purge that applies it (safe to run daily).

Each rule says what it covers, how long it is kept and from when, and what happens at the
end: the rows are deleted, or stripped to what the figures need. Stripping keeps results,
theme counts and response rates exactly as they were; deleting a response takes everything
hanging off it (see models/privacy.py), so no figure counts a row that is gone.

The purge is idempotent: each step only touches rows that still hold what it removes, so
a second run finds nothing. Each data type is one transaction, committed before the next,
so a failure part way keeps what was already done; this is the one data function that
commits, because that is its point.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from models import privacy
from models.audit import AuditEvent, record_event
from models.coding import Comment
from models.jobs import Job, JobFile, JobStatus
from models.plan_evidence import PlanImport
from models.responses import FormVersion, Response, ResponseStatus, ResponseUpload
from models.review import DiscoveredCluster
from models.safeguarding import AlertStatus, SafeguardingAlert
from models.surveys import LOCAL_TIME, Invitation, SurveyImport, SurveyRound
from models.yswd import FollowUp

SIGN_IN_ACTIONS = ("sign-in", "sign-in-failed", "sign-out")
FREE_TEXT_KINDS = frozenset({"short_text", "long_text"})
MAX_DAYS = 100 * 366


class Ending(StrEnum):
    DELETE = "delete"
    STRIP = "strip"


@dataclass(frozen=True)
class Rule:
    """One kind of data: what it is, how long it stays, and what happens then."""

    key: str
    label: str
    covers: str
    default_days: int
    starts: str  # from when the period runs, as words
    ending: Ending
    setting: str  # the environment variable that changes the period

    @property
    def ends_with(self) -> str:
        return "Deleted" if self.ending is Ending.DELETE else "Stripped"


RULES = (
    Rule(
        "drafts",
        "Unfinished responses",
        "answers and pictures never sent; the invitation link can start again",
        60,
        "since last changed (a resume link stops working after 60 days anyway)",
        Ending.DELETE,
        "HEARD_RETAIN_DRAFTS_DAYS",
    ),
    Rule(
        "pictures",
        "Pictures in sent responses",
        "drawings and photos, and their file names",
        365,
        "since the response was sent",
        Ending.DELETE,
        "HEARD_RETAIN_PICTURES_DAYS",
    ),
    Rule(
        "identities",
        "Who answered a sent response",
        "the name given or typed in from paper, any contact address, the other-setting "
        "name, and free text as written (replaced by its redacted copy); the answers to "
        "fixed questions stay, so results do not change",
        365,
        "since the response was sent",
        Ending.STRIP,
        "HEARD_RETAIN_IDENTITIES_DAYS",
    ),
    Rule(
        "invitations",
        "Who was invited",
        "invitation names, email addresses and references; the invitation stays, so "
        "response rates do not change",
        90,
        "after the round closes",
        Ending.STRIP,
        "HEARD_RETAIN_INVITATIONS_DAYS",
    ),
    Rule(
        "follow-ups",
        "Addresses left to hear what changed",
        "email addresses of people not told yet (an address is erased as soon as they "
        "are told); the request stays, so the told figures do not change",
        365,
        "since they asked",
        Ending.STRIP,
        "HEARD_RETAIN_FOLLOW_UPS_DAYS",
    ),
    Rule(
        "safeguarding",
        "Safeguarding alerts",
        "closed alerts, with the words as written and the lead's notes; an alert that is "
        "open, acknowledged or escalated is never deleted, nor is its response",
        6 * 365,
        "after the alert was closed",
        Ending.DELETE,
        "HEARD_RETAIN_SAFEGUARDING_DAYS",
    ),
    Rule(
        "responses",
        "Sent responses",
        "the whole response, with its comments, codings, review decisions, quotes and "
        "invitation; survey results, theme counts and “You said, we did” figures drop by it",
        6 * 365,
        "since the response was sent",
        Ending.DELETE,
        "HEARD_RETAIN_RESPONSES_DAYS",
    ),
    Rule(
        "imports",
        "Uploaded spreadsheets",
        "survey spreadsheets never imported, and plan files (an imported survey "
        "spreadsheet's contents are dropped as soon as it is imported)",
        7,
        "since uploaded",
        Ending.DELETE,
        "HEARD_RETAIN_IMPORTS_DAYS",
    ),
    Rule(
        "job-files",
        "Files made by jobs",
        "exports and reports waiting to be downloaded (downloads stop after 24 hours)",
        1,
        "since made",
        Ending.DELETE,
        "HEARD_RETAIN_JOB_FILES_DAYS",
    ),
    Rule(
        "jobs",
        "Finished jobs",
        "the record of a finished or failed job; a theme discovery run whose clusters are "
        "still listed keeps its record, with its quotes taken out of the result",
        90,
        "since it finished",
        Ending.DELETE,
        "HEARD_RETAIN_JOBS_DAYS",
    ),
    Rule(
        "sign-ins",
        "Sign-in records",
        "audit events for signing in, failed sign-ins and signing out (attempts are "
        "otherwise only counted for rate limits, in memory or Redis, for at most an hour)",
        365,
        "since the event",
        Ending.DELETE,
        "HEARD_RETAIN_SIGN_INS_DAYS",
    ),
    Rule(
        "audit",
        "Audit events",
        "every other audit event; events about a safeguarding alert stay while the alert does",
        6 * 365,
        "since the event",
        Ending.DELETE,
        "HEARD_RETAIN_AUDIT_DAYS",
    ),
)
RULE_KEYS = tuple(rule.key for rule in RULES)


@dataclass(frozen=True)
class Policy:
    """The period, in days, for every rule."""

    days: Mapping[str, int]

    def cutoff(self, key: str, now: datetime) -> datetime:
        """Anything that started before this moment has passed its period."""
        return now - timedelta(days=self.days[key])


def policy(settings: Mapping[str, Any] | None = None) -> Policy:
    """The policy, with each rule's period from `settings[rule.setting]` where set.

    Raises ValueError, naming the setting, for a period that is not a whole number of
    days from 1 to 36,600.
    """
    settings = settings or {}
    days = {}
    for rule in RULES:
        value = settings.get(rule.setting)
        days[rule.key] = rule.default_days if value in (None, "") else checked_days(rule, value)
    return Policy(days)


def checked_days(rule: Rule, value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise ValueError(f"{rule.setting} must be a whole number of days from 1 to {MAX_DAYS}")
    return int(text)


# -- the purge ------------------------------------------------------------------------------


Step = Callable[[Session, datetime, privacy.Remover], int]


def run_purge(
    *,
    session: Session,
    policy: Policy,
    now: datetime,
    dry_run: bool = False,
    remove: privacy.Remover = privacy.remove_with_invitations,
) -> dict[str, int]:
    """Apply every rule as of `now`; returns how many rows each one removed or stripped.

    Each rule runs in its own transaction and is committed (or, for a dry run, rolled
    back, so the counts are exact and nothing changes). A real run records one audit
    event with the counts. `remove` deletes whole responses (see models.privacy).
    """
    counts: dict[str, int] = {}
    for rule in RULES:
        counts[rule.key] = STEPS[rule.key](session, policy.cutoff(rule.key, now), remove)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    if not dry_run:
        record_event(
            session=session,
            action="retention.purged",
            details={"counts": counts, "days": dict(policy.days)},
        )
        session.commit()
    return counts


def _delete_where(session: Session, model: Any, condition: Any) -> int:
    result = session.execute(delete(model).where(condition))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_drafts(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
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


@dataclass(frozen=True)
class Questions:
    """A form's questions that can say who answered, by what they hold."""

    personal: frozenset[str]
    free_text: frozenset[str]
    settings: frozenset[str]

    @classmethod
    def of(cls, definition: dict[str, Any]) -> "Questions":
        found: dict[str, set[str]] = {"personal": set(), "free_text": set(), "settings": set()}
        for page in definition.get("pages", []):
            for question in page.get("questions", []):
                kind, question_id = question.get("kind"), str(question.get("id"))
                if question.get("personal"):
                    found["personal"].add(question_id)
                elif kind in FREE_TEXT_KINDS:
                    found["free_text"].add(question_id)
                elif kind == "setting":
                    found["settings"].add(question_id)
        return cls(**{name: frozenset(ids) for name, ids in found.items()})


def strip_identity(session: Session, response: Response, questions: Questions) -> bool:
    """Take what says who answered out of a sent response; True if anything changed."""
    answers = dict(response.answers)
    for question_id in questions.personal:
        answers.pop(question_id, None)
    redacted = {}
    if questions.free_text & set(answers):
        redacted = dict(
            session.exec(
                select(Comment.question_id, Comment.text_redacted).where(
                    Comment.response_id == response.id
                )
            ).all()
        )
    for question_id in questions.free_text & set(answers):
        if question_id in redacted:
            answers[question_id] = redacted[question_id]
        else:
            answers.pop(question_id)
    for question_id in questions.settings & set(answers):
        value = answers[question_id]
        if isinstance(value, dict) and value.get("other"):
            answers[question_id] = {**value, "other": ""}
    if answers == response.answers and response.respondent_name is None:
        return False
    response.answers, response.respondent_name = answers, None
    session.add(response)
    return True


def purge_invitations(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
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
    query = select(FollowUp).where(FollowUp.email != "", col(FollowUp.created_at) < cutoff)
    found = list(session.exec(query))
    for follow_up in found:
        follow_up.email = ""
        session.add(follow_up)
    session.flush()
    return len(found)


def purge_safeguarding(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    closed = (col(SafeguardingAlert.status) == AlertStatus.CLOSED) & (
        col(SafeguardingAlert.handled_at) < cutoff
    )
    return _delete_where(session, SafeguardingAlert, closed)


def purge_responses(session: Session, cutoff: datetime, remove: privacy.Remover) -> int:
    alerted = select(SafeguardingAlert.response_id)
    ids = session.exec(
        select(Response.id).where(_sent_before(cutoff), col(Response.id).not_in(alerted))
    ).all()
    found = [i for i in ids if i is not None]
    if found:
        remove(session, found)
    return len(found)


def purge_imports(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    waiting = col(SurveyImport.imported_at).is_(None) & (col(SurveyImport.created_at) < cutoff)
    removed = _delete_where(session, SurveyImport, waiting)
    return removed + _delete_where(session, PlanImport, col(PlanImport.created_at) < cutoff)


def purge_job_files(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    return _delete_where(session, JobFile, col(JobFile.created_at) < cutoff)


def purge_jobs(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
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
        _delete_where(session, JobFile, JobFile.job_id == job.id)
        session.delete(job)
        count += 1
    session.flush()
    return count


def purge_sign_ins(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    old = col(AuditEvent.occurred_at) < cutoff
    return _delete_where(session, AuditEvent, old & col(AuditEvent.action).in_(SIGN_IN_ACTIONS))


def purge_audit(session: Session, cutoff: datetime, _remove: privacy.Remover) -> int:
    kept_alerts = [str(i) for i in session.exec(select(SafeguardingAlert.id)).all()]
    # Coalesced, because a NULL would make the whole condition NULL and keep the event.
    about_kept_alert = (func.coalesce(AuditEvent.object_type, "") == "safeguarding_alert") & (
        func.coalesce(AuditEvent.object_id, "").in_(kept_alerts)
    )
    old = (col(AuditEvent.occurred_at) < cutoff) & col(AuditEvent.action).not_in(SIGN_IN_ACTIONS)
    return _delete_where(session, AuditEvent, old & ~about_kept_alert)


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
