"""`heard plans`: import a plan file, and write a plan's scorecard for the board."""

from pathlib import Path

import click
from flask.cli import AppGroup

from analysis.plan_rows import PlanFileError
from models.plan_reports import is_period
from models.plans import get_plan
from webapp import db
from webapp.command_organisation import organisation_for
from webapp.plan_forms import PLAN_NAME
from webapp.plan_imports import SCHEME_SETS, check, save_rows, scheme_keys_of
from webapp.plan_ratings import build_scorecard
from webapp.scorecard_exports import FORMATS, build_file


@click.group("plans", cls=AppGroup)
def plans_group() -> None:
    """Import improvement plans and export their scorecards."""


@plans_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "name", required=True, help="The plan's short name, such as kent-app.")
@click.option("--title", default="", help="The plan's title (needed for a new plan).")
@click.option(
    "--schemes",
    type=click.Choice(list(SCHEME_SETS)),
    default="kent",
    show_default=True,
    help="The rating schemes a new plan starts with.",
)
@click.option(
    "--organisation", "slug", help="The organisation's slug (needed if there are several)."
)
@click.option("--dry-run", is_flag=True, help="Print the warnings without saving anything.")
def plans_import(
    path: Path, name: str, title: str, schemes: str, slug: str | None, dry_run: bool
) -> None:
    """Import a plan from a CSV or XLSX file, printing everything it changed or guessed."""
    session = db.session()
    organisation = organisation_for(slug)
    existing = get_plan(session=session, organisation_id=organisation.id, name=name)  # type: ignore[arg-type]
    if existing is None and not title:
        raise click.BadParameter("a new plan needs a title", param_hint="--title")
    if len(title) > 200 or not PLAN_NAME.match(name):
        raise click.BadParameter(
            "use lower case letters, numbers and hyphens for --plan, and at most 200 "
            "characters for --title"
        )
    keys = scheme_keys_of(session, existing) if existing else SCHEME_SETS[schemes][1]
    try:
        rows = check(path.read_bytes(), path.name, scheme_keys=keys)
    except PlanFileError as error:
        raise click.ClickException(str(error)) from None
    for warning in rows.warnings:
        where = f"row {warning.row}" if warning.row else "file"
        click.echo(f"Warning ({where}): {warning.message}")
    if dry_run:
        click.echo(f"{len(rows.actions)} actions read; nothing saved (--dry-run).")
        return
    saved = save_rows(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        name=name,
        title=title,
        scheme_keys=keys,
        rows=rows,
    )
    session.commit()
    click.echo(
        f"{name}: {saved.created} actions added, {saved.updated} updated, "
        f"{len(rows.warnings)} warnings to check."
    )


@plans_group.command("scorecard")
@click.option("--plan", "name", required=True, help="The plan's short name.")
@click.option("--period", required=True, help="The reporting period, as YYYY-MM.")
@click.option("--format", "kind", type=click.Choice(list(FORMATS)), required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option(
    "--organisation", "slug", help="The organisation's slug (needed if there are several)."
)
def plans_scorecard(name: str, period: str, kind: str, out: Path, slug: str | None) -> None:
    """Write the scorecard for a period: counts by area, movement and exceptions."""
    if not is_period(period):
        raise click.BadParameter("give the period as YYYY-MM, like 2023-10", param_hint="--period")
    organisation = organisation_for(slug)
    plan = get_plan(session=db.session(), organisation_id=organisation.id, name=name)  # type: ignore[arg-type]
    if plan is None:
        raise click.BadParameter(f"there is no plan called {name!r}", param_hint="--plan")
    content, _ = build_file(build_scorecard(db.session(), plan, period), kind)
    out.write_bytes(content)
    click.echo(f"Wrote the {period} scorecard for {name} to {out} ({len(content)} bytes).")
