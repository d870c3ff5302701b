"""`heard yswd export`: published “You said, we did” entries as a file."""

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp import db
from webapp.command_organisation import organisation_for
from webapp.i18n import available_languages
from webapp.yswd_exports import FORMATS, Selection, build_file


@click.group("yswd", cls=AppGroup)
def yswd_group() -> None:
    """Export “You said, we did”."""


@yswd_group.command("export")
@click.option("--format", "kind", type=click.Choice(list(FORMATS)), required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option("--term", default="", help='One term only, like "2026/27 Autumn".')
@click.option(
    "--audience", type=click.Choice(["parents", "cyp", "schools"]), help="One audience only."
)
@click.option("--lang", "language", default="en", show_default=True, help="Language code.")
@click.option(
    "--organisation", "slug", help="The organisation's slug (needed if there are several)."
)
def yswd_export(
    kind: str, out: Path, term: str, audience: str | None, language: str, slug: str | None
) -> None:
    """Write the published entries as HTML (a newsletter section), DOCX, PDF, easy read or CSV."""
    if language not in available_languages():
        raise click.BadParameter(
            f"choose one of {', '.join(available_languages())}", param_hint="--lang"
        )
    selection = Selection(
        organisation=organisation_for(slug), term=term, audience=audience or "", language=language
    )
    problem = selection.problem()
    if problem:
        raise click.BadParameter(problem, param_hint="--term")
    content, _ = build_file(db.session(), selection, kind)
    out.write_bytes(content)
    click.echo(f"Wrote {kind} to {out} ({len(content)} bytes).")
