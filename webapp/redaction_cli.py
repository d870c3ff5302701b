"""`heard redaction reapply`: redact stored comments and their quotes with today's redaction.

Run it after upgrading Heard, or after adding staff or settings, so that words stored
before are redacted the way new ones are. It is safe to run again: a second run finds
nothing to change. Each run writes an audit event with counts only.
"""

from collections.abc import Sequence

import click
from flask import current_app
from flask.cli import AppGroup

from analysis.redaction import redact
from models import record_event
from models.reredaction import KINDS, redact_again
from webapp import db
from webapp.command_organisation import organisation_for
from webapp.screening import organisation_words

# How each kind that redact_again counts is named on the screen.
LABELS = {
    "comments": "Comments",
    "plan evidence quotes": "Plan evidence quotes",
    "yswd quotes": "“You said, we did” quotes",
    "discovery clusters": "Discovery clusters",
    "discovery results": "Discovery results",
    "theme examples": "Themes' examples",
    "codebook versions": "Codebook versions",
}


@click.group("redaction", cls=AppGroup)
def redaction_group() -> None:
    """Redaction of stored comments."""


@redaction_group.command("reapply")
@click.option(
    "--organisation",
    "slug",
    help="The organisation's slug (default: HEARD_ORGANISATION, or the only one there is).",
)
@click.option("--dry-run", is_flag=True, help="Count what would change, and change nothing.")
def redaction_reapply(slug: str | None, dry_run: bool) -> None:
    """Redact every stored comment and quote again with the current redaction."""
    session = db.session()
    organisation = organisation_for(slug or current_app.config.get("HEARD_ORGANISATION"))
    names, places = organisation_words(session, organisation)

    def again(text: str, more_names: Sequence[str]) -> str:
        return redact(text, names=[*names, *more_names], places=places)

    counts = redact_again(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        redact=again,
        dry_run=dry_run,
    )
    if dry_run:
        session.rollback()
    else:
        record_event(
            session=session,
            action="redaction.reapplied",
            organisation_id=organisation.id,
            details={"via": "command line", **counts},
        )
        session.commit()
    verb = "would change" if dry_run else "changed"
    for kind in KINDS:
        click.echo(f"{LABELS[kind]}: {counts[kind]} {verb}")
    if dry_run:
        click.echo("This was a dry run: nothing was changed.")
    elif not any(counts.values()):
        click.echo("Everything stored was already redacted as it would be today.")
    elif counts["comments"]:
        click.echo("Retrain the coder so that it forgets the words that are now redacted.")
