"""`heard retention` and `heard sar`: the retention policy, and subject access and erasure.

`heard retention purge` applies the policy in models/retention.py and is safe to run every
day. `heard sar export` writes everything held about one person; `heard sar erase` removes
it. Both find the person in one organisation, by invitation email, name or response id
(webapp/sar_subjects.py); webapp/subject_access.py builds the file, and
webapp/response_removal.py keeps “You said, we did” figures in step with what goes.
Every run writes an audit event with counts only, never a name or an address.
"""

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from models import privacy as held
from models import record_event, retention
from models.responses import FormVersion
from models.safeguarding import SafeguardingAlert
from models.types import utcnow
from webapp import db
from webapp.response_removal import remove_keeping_figures
from webapp.sar_subjects import Sought, selector_options, sought
from webapp.subject_access import subject_file, subject_summary, write_subject_file

YSWD_NOTE = (
    "“You said, we did” figures now leave them out. Check those entries' words, which may "
    "still give the old numbers."
)


def _audit(action: str, organisation_id: int | None, details: dict[str, Any]) -> None:
    record_event(
        session=db.session(),
        action=action,
        organisation_id=organisation_id,
        details={"via": "command line", **details},
    )


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {number}" for name, number in counts.items()) or "nothing"


def _numbered(word: str, number: int) -> str:
    if number == 1:
        return f"{number} {word}"
    return f"{number} {word}es" if word.endswith("s") else f"{number} {word}s"


# -- heard retention ------------------------------------------------------------------------


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """Show and apply the retention policy."""


def _policy() -> retention.Policy:
    try:
        return retention.policy(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@retention_group.command("show")
def retention_show() -> None:
    """Print how long each kind of data is kept, and what happens then."""
    found = _policy()
    for rule in retention.RULES:
        days = found.days[rule.key]
        changed = "" if days == rule.default_days else f", default {rule.default_days}"
        click.echo(f"{rule.label} ({rule.key}): {_numbered('day', days)} {rule.starts}")
        click.echo(f"  {rule.ends_with}: {rule.covers}.")
        click.echo(f"  Set with {rule.setting}{changed}.")


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, and change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Delete or strip everything past its retention period (safe to run daily)."""
    found = _policy()
    counts = retention.run_purge(
        session=db.session(),
        policy=found,
        now=utcnow(),
        dry_run=dry_run,
        remove=remove_keeping_figures,
    )
    for rule in retention.RULES:
        verb = rule.ends_with.lower()
        done = f"would be {verb}" if dry_run else verb
        click.echo(f"{rule.label}: {counts[rule.key]} {done}")
    if not any(counts.values()):
        click.echo("Nothing was past its retention period.")
    elif dry_run:
        click.echo("This was a dry run: nothing was changed.")


# -- heard sar ------------------------------------------------------------------------------


@click.group("sar", cls=AppGroup)
def sar_group() -> None:
    """Subject access requests and erasure."""


def _audit_details(found: Sought, counts: dict[str, int]) -> dict[str, Any]:
    digest = held.selector_digest(found.value, current_app.config["SECRET_KEY"])
    return {"found_by": found.kind, "selector_digest": digest, "counts": counts}


@sar_group.command("export")
@selector_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="A .json file, or a .zip file with the JSON and the pictures.",
)
def sar_export(
    email: str | None,
    name: str | None,
    response_id: int | None,
    respondent: str | None,
    slug: str | None,
    out: Path,
) -> None:
    """Write everything held about one person (a subject access request)."""
    found = sought(email, name, response_id, respondent, slug)
    session = db.session()
    document, pictures = subject_file(session, found.organisation, found.subject, found.kind)
    write_subject_file(out, document, pictures)
    summary = subject_summary(document)
    _audit("sar.exported", found.organisation.id, _audit_details(found, summary))
    session.commit()
    click.echo(f"Wrote everything held to {out}: {_counts_text(summary)}.")
    for note in document["subject_access_request"]["notes_for_the_reviewer"]:
        click.echo(f"Check before release: {note}")


@sar_group.command("erase")
@selector_options
@click.option("--yes", is_flag=True, help="Erase without asking to confirm.")
@click.option(
    "--include-safeguarding",
    is_flag=True,
    help="Erase responses with safeguarding alerts too, and the alerts.",
)
def sar_erase(
    email: str | None,
    name: str | None,
    response_id: int | None,
    respondent: str | None,
    slug: str | None,
    yes: bool,
    include_safeguarding: bool,
) -> None:
    """Erase everything held about one person: responses, invitations, addresses."""
    found = sought(email, name, response_id, respondent, slug)
    session = db.session()
    alerts = held.alerts_for(session=session, response_ids=found.subject.response_ids)
    if alerts and not include_safeguarding:
        raise _kept_for_safeguarding(alerts)
    _preview(session, found.subject, len(alerts))
    if not yes:
        click.confirm("Erase all of this? It cannot be undone", abort=True)
    counts = _erase(session, found)
    click.echo(f"Erased: {_counts_text(counts)}.")
    if counts.get("yswd entries adjusted"):
        click.echo(YSWD_NOTE)


def _kept_for_safeguarding(alerts: list[SafeguardingAlert]) -> click.ClickException:
    responses = sorted({a.response_id for a in alerts})
    which = f"{_numbered('response', len(responses))} ({', '.join(map(str, responses))})"
    return click.ClickException(
        f"Nothing was erased. {which} raised {_numbered('safeguarding alert', len(alerts))}. "
        "Safeguarding records must be kept, so Heard will not erase them on request. If the "
        "safeguarding lead and the data protection officer agree they should go, run this "
        "again with --include-safeguarding."
    )


def _erase(session: Session, found: Sought) -> dict[str, int]:
    """Erase the person and audit it in one transaction; returns what went, by kind."""
    try:
        erased = held.erase_subject(
            session=session, subject=found.subject, remove=remove_keeping_figures
        )
        counts = {name: number for name, number in erased.items() if number}
        _audit("sar.erased", found.organisation.id, _audit_details(found, counts))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return counts


def _preview(session: Session, subject: held.Subject, alerts: int) -> None:
    click.echo("This will erase:")
    for response in subject.responses:
        version = session.get(FormVersion, response.form_version_id)
        sent = response.submitted_at
        state = f"sent {sent.day} {sent:%B %Y}" if sent else "not sent"
        click.echo(f"  response {response.id}: {version.title if version else 'a form'}, {state}")
    comments = held.comments_for(session=session, response_ids=subject.response_ids)
    pictures = held.uploads_for(session=session, response_ids=subject.response_ids)
    click.echo(
        f"  with {_numbered('comment', len(comments))}, {_numbered('picture', len(pictures))}"
        f" and {_numbered('safeguarding alert', alerts)}"
    )
    click.echo(f"  {_numbered('invitation', len(subject.invitations))}")
    click.echo(f"  {_numbered('follow-up address', len(subject.follow_ups))}")
