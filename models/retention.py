"""How long Heard keeps each kind of data, and the purge that applies it (safe to run daily).

Each rule says what it covers, how long it is kept and from when, and what happens at the
end: the rows are deleted, or stripped to what the figures need. Stripping keeps results,
theme counts and response rates exactly as they were; deleting a response takes everything
hanging off it (see models/privacy.py), so no figure counts a row that is gone.

The purge is idempotent: each step only touches rows that still hold what it removes, so
a second run finds nothing. Each data type is one transaction, committed before the next,
so a failure part way keeps what was already done; this is the one data function that
commits, because that is its point. Each rule's step is in models/retention_steps.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from models import privacy
from models.audit import record_event
from models.retention_steps import STEPS

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
    """The period `value` gives for the rule, in days; ValueError naming its setting if not."""
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise ValueError(f"{rule.setting} must be a whole number of days from 1 to {MAX_DAYS}")
    return int(text)


# -- the purge ------------------------------------------------------------------------------


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
