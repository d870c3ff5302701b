"""`heard redaction reapply`: redact stored comments and their quotes with today's redaction.

Run it after upgrading Heard, or after adding staff or settings, so that words stored
before are redacted the way new ones are. It is safe to run again: a second run finds
nothing to change. Each run writes an audit event with counts only.
"""

from collections.abc import Sequence

import click
from flask.cli import AppGroup

from analysis.redaction import redact
from models import record_event
from models.reredaction import redact_again
from webapp import db
from webapp.command_organisation import organisation_for
from webapp.screening import organisation_words

# What redact_again counts, and how each is named on the screen.
KINDS = {
    "comments": "Comments",
    "plan evidence quotes": "Plan evidence quotes",
    "yswd quotes": "“You said, we did” quotes",
    "discovery clusters": "Discovery clusters",
    "discovery results": "Discovery results",
}


@click.group("redaction", cls=AppGroup)
def redaction_group() -> None:
    """Redaction of stored comments."""


@redaction_group.command("reapply")
@click.option(
    "--organisation",
    "slug",
    help="The organisation's slug (default: the only one there is).",
)
@click.option("--dry-run", is_flag=True, help="Count what would change, and change nothing.")
def redaction_reapply(slug: str | None, dry_run: bool) -> None:
    """Redact every stored comment and quote again with the current redaction."""
    session = db.session()
    organisation = organisation_for(slug)
    names, places = organisation_words(session, organisation)

    def again(text: str, more_names: Sequence[str]) -> str:
        return redact(text, names=[*names, *more_names], places=places)

    counts = redact_again(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        redact=again,
        dry_run=dry_run,
    )
    verb = "would change" if dry_run else "changed"
    for kind, label in KINDS.items():
        click.echo(f"{label}: {counts[kind]} {verb}")
    if dry_run:
        click.echo("This was a dry run: nothing was changed.")
        session.rollback()
        return
    record_event(
        session=session,
        action="redaction.reapplied",
        organisation_id=organisation.id,
        details={"via": "command line", **{kind: counts[kind] for kind in KINDS}},
    )
    session.commit()
    if not any(counts.values()):
        click.echo("Everything stored was already redacted as it would be today.")
