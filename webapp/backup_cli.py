"""`heard backup` and `heard restore`: a copy of the whole database, and putting one back."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from models.backup import (
    KEY_TABLES,
    BackupError,
    check_backup,
    describe_url,
    live_state,
    make_backup,
    manifest_path,
    restore_backup,
)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    value = count / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{KEY_TABLES[t]}: {n}" for t, n in counts.items() if t in KEY_TABLES)


def _unreachable(url: str, error: OperationalError) -> str:
    said = str(error.orig or error).strip().splitlines()[0]
    return f"Cannot reach the database at {describe_url(url)}: {said}."


def _engine_dispose() -> None:
    # Connections opened before a restore may hold plans for the tables it replaced.
    current_app.extensions["heard.engine"].dispose()


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write; a manifest, FILE.json, is written beside it.",
)
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@with_appcontext
def backup(out: Path, force: bool) -> None:
    """Write a consistent copy of the whole database, safe while Heard runs."""
    url = current_app.config["DATABASE_URL"]
    try:
        manifest = make_backup(url=url, out=out, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except OperationalError as error:
        raise click.ClickException(_unreachable(url, error)) from None
    click.echo(f"Backed up {describe_url(url)} to {out} ({_size(manifest.size)}).")
    click.echo(f"Schema revision {manifest.revision}, made {manifest.created_at}.")
    click.echo(f"Rows: {_counts(manifest.counts)}.")
    click.echo(f"Manifest: {manifest_path(out)}")
    click.echo("The backup holds personal data: keep it as safe as the database itself.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with a backup, then migrate it to the newest schema."""
    url = current_app.config["DATABASE_URL"]
    try:
        checked = check_backup(url=url, path=path)
        revision, counts = live_state(url)
    except BackupError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    except OperationalError as error:
        raise click.ClickException(f"{_unreachable(url, error)} Nothing was changed.") from None
    manifest = checked.manifest
    click.echo(f"Backup: {path}, schema revision {checked.revision}.")
    if manifest is None:
        click.echo(f"  There is no manifest ({manifest_path(path).name}) to say what it holds.")
    else:
        click.echo(f"  Made {manifest.created_at}, {_size(manifest.size)}.")
        click.echo(f"  Rows: {_counts(manifest.counts)}.")
    click.echo(f"Database: {describe_url(url)}, schema revision {revision or 'none'}.")
    if counts:
        click.echo(f"  Rows now: {_counts(counts)}.")
    click.echo("Restoring replaces everything in the database with the backup.")
    if not yes:
        click.confirm("Restore this backup?", abort=True)
    _engine_dispose()
    try:
        head = restore_backup(url=url, checked=checked)
    except BackupError as error:
        raise click.ClickException(f"{error} The database is as it was.") from None
    finally:
        _engine_dispose()
    _revision, restored = live_state(url)
    click.echo(f"Restored. The database is at schema revision {head}.")
    click.echo(f"Rows: {_counts(restored)}.")


BACKUP_COMMANDS = (backup, restore)
