"""`heard codebook`: a codebook to and from CSV or REFI-QDA (.qdc) files.

Importing follows the same rules as the import page (webapp.codebook_imports): the file is
checked as a whole, and the codebook it names is updated as its next version, or made as a
new draft codebook if there is none by that name.
"""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import Session

from analysis.codebook_files import MAX_NAME, CodebookFile, CodebookFileError
from models.coding import Codebook, get_active_codebook, list_codebooks
from webapp import codebook_imports as files
from webapp import db
from webapp.command_organisation import organisation_for
from webapp.wording import counted

ORGANISATION_HELP = "The organisation's slug (needed if there are several)."


def _codebook_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Refuse a codebook name longer than a codebook's name may be."""
    if value is not None and len(value) > MAX_NAME:
        raise click.BadParameter(
            f"a codebook name must be {MAX_NAME} characters or fewer; this one has {len(value)}"
        )
    return value


@click.group("codebook", cls=AppGroup)
def codebook_group() -> None:
    """Export and import codebooks."""


@codebook_group.command("export")
@click.option("--format", "kind", type=click.Choice(list(files.FORMATS)), required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option(
    "--codebook",
    "name",
    callback=_codebook_name,
    help="The codebook's name (default: the one in use).",
)
@click.option("--organisation", "slug", help=ORGANISATION_HELP)
def codebook_export(kind: str, out: Path, name: str | None, slug: str | None) -> None:
    """Write a codebook's themes as CSV, or as a REFI-QDA codebook for NVivo, ATLAS.ti,
    MAXQDA or QualCoder. Without --codebook: the active codebook, else the newest."""
    session = db.session()
    organisation = organisation_for(slug)
    organisation_id: int = organisation.id  # type: ignore[assignment]
    if name:
        codebook = files.find_codebook(session, organisation_id, name)
        if codebook is None:
            raise click.BadParameter(
                f"there is no codebook called {name!r}", param_hint="--codebook"
            )
    else:
        codebook = get_active_codebook(session=session, organisation_id=organisation_id) or next(
            iter(list_codebooks(session=session, organisation_id=organisation_id)), None
        )
        if codebook is None:
            raise click.ClickException(f"{organisation.name} has no codebooks yet.")
    book = files.current_file(session, codebook)
    try:
        data = files.file_bytes(book, kind)
    except CodebookFileError as error:
        raise click.ClickException("; ".join(error.problems)) from None
    out.write_bytes(data)
    themes = len(book.themes)
    click.echo(
        f"Wrote “{codebook.name}” version {codebook.version} ({counted(themes, 'theme')}) to {out}."
    )


@codebook_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--codebook",
    "name",
    callback=_codebook_name,
    help="The codebook to update, or to create if there is none by this name "
    "(default: the name in a .qdc file, else the file's name).",
)
@click.option("--organisation", "slug", help=ORGANISATION_HELP)
def codebook_import(path: Path, name: str | None, slug: str | None) -> None:
    """Import a codebook from a CSV or .qdc file (told apart by the file's name), printing
    every change. Themes are matched by key: new keys are added, changed ones edited, and
    themes whose keys are missing retired."""
    session = db.session()
    organisation = organisation_for(slug)
    organisation_id: int = organisation.id  # type: ignore[assignment]
    filename = files.short_filename(path.name)
    with path.open("rb") as handle:
        data = handle.read(files.MAX_UPLOAD + 1)
    codebook, book, plan = _read_and_plan(session, organisation_id, path, filename, data, name)
    for line in files.describe_plan(plan) if codebook is not None else []:
        click.echo(line)
    if codebook is not None and not plan.has_changes:
        click.echo(
            f"Nothing changed: {path.name} matches “{codebook.name}” version {codebook.version}."
        )
        return
    saved = files.save_import(
        session=session,
        plan=plan,
        organisation_id=organisation_id,
        user_id=None,
        filename=filename,
        via="command line",
    )
    session.commit()
    _say_what_was_saved(saved.codebook, saved.created, book, plan)


def _read_and_plan(
    session: Session,
    organisation_id: int,
    path: Path,
    filename: str,
    data: bytes,
    name: str | None,
) -> tuple[Codebook | None, CodebookFile, files.ImportPlan]:
    """The codebook the file updates (None for a new one), the file read, and the changes."""
    try:
        codebook = files.find_codebook(session, organisation_id, name) if name else None
        book = files.read_file(
            data,
            filename,
            name=codebook.name if codebook else name or "",
            check_name=codebook is None,
        )
        if codebook is None and not name:
            codebook = files.find_codebook(session, organisation_id, book.name)
            if codebook is not None:
                # The codebook keeps its own spelling of its name.
                book = files.read_file(data, filename, name=codebook.name, check_name=False)
        plan = files.plan_import(session=session, book=book, codebook=codebook)
    except CodebookFileError as error:
        raise click.ClickException(
            f"{path.name} was not imported:\n" + "\n".join(f"  {p}" for p in error.problems)
        ) from None
    return codebook, book, plan


def _say_what_was_saved(
    codebook: Codebook, created: bool, book: CodebookFile, plan: files.ImportPlan
) -> None:
    """Say which codebook was made or updated, and how."""
    if created:
        themes = len(book.themes)
        click.echo(
            f"Created “{codebook.name}”, a draft codebook with "
            f"{counted(themes, 'theme')} (version {codebook.version})."
        )
    else:
        click.echo(
            f"Updated “{codebook.name}” to version {codebook.version}: "
            f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.retired)} retired."
        )
