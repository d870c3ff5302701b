"""Backups of the whole database, and putting one back, for SQLite and PostgreSQL.

SQLite copies with its online backup API: a copy is consistent while Heard runs, and a
restore writes the live file in one transaction, so running processes read the restored
data at once. PostgreSQL uses pg_dump's custom format, and pg_restore in one transaction,
so a restore that fails changes nothing. Beside each backup sits a JSON manifest
(`<file>.json`) with the schema revision, when it was made, a checksum and the row counts
of key tables; a restore checks it, and reads the revision from the backup itself.

This module is the one to import from. The manifest and row counts are in
models/backup_manifest.py, and the work for each database in models/backup_sqlite.py and
models/backup_postgres.py.
"""

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from models.backup_manifest import (
    KEY_TABLES,
    BackupError,
    Checked,
    Manifest,
    contents,
    fsync,
    manifest_path,
    sha256,
)
from models.backup_postgres import POSTGRES_MAGIC, postgres_backup, postgres_check, postgres_restore
from models.backup_postgres import libpq as _libpq
from models.backup_sqlite import SQLITE_MAGIC, sqlite_backup, sqlite_check, sqlite_restore
from models.database import make_engine, normalise_url
from models.migrate import alembic_config, upgrade

__all__ = [
    "KEY_TABLES",
    "BackupError",
    "Checked",
    "Manifest",
    "_libpq",
    "check_backup",
    "database_kind",
    "describe_url",
    "head_revision",
    "known_revisions",
    "live_state",
    "make_backup",
    "manifest_path",
    "restore_backup",
]


def database_kind(url: str) -> str:
    """Which kind of database `url` points at, sqlite or postgresql; others cannot be copied."""
    backend = make_url(normalise_url(url)).get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise BackupError(f"Heard cannot back up a {backend} database.")
    return backend


def known_revisions() -> set[str]:
    """Every schema revision this code has a migration for."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}


def head_revision() -> str:
    """The newest schema revision this code has a migration for."""
    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


def describe_url(url: str) -> str:
    """The database's address without its password, to print."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def live_state(url: str) -> tuple[str | None, dict[str, int]]:
    """The live database's revision (None if unmigrated) and its key tables' row counts."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return contents(connection, required=False)
    finally:
        engine.dispose()


def make_backup(*, url: str, out: Path, force: bool = False) -> Manifest:
    """Write a consistent copy of the database to `out`, and its manifest beside it."""
    kind = database_kind(url)
    manifest_file = manifest_path(out)
    for existing in (out, manifest_file):
        if existing.exists() and not force:
            raise BackupError(f"{existing} already exists. Choose another name, or use --force.")
    if not out.parent.is_dir():
        raise BackupError(f"There is no folder {out.parent} to write the backup in.")
    # The copy holds personal data: mkstemp makes it readable by its owner only.
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(handle)
    partial = Path(name)
    try:
        if kind == "sqlite":
            revision, counts = sqlite_backup(url, partial)
        else:
            revision, counts = postgres_backup(url, partial)
        fsync(partial)
        manifest = Manifest(
            database=kind,
            revision=revision,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            size=partial.stat().st_size,
            sha256=sha256(partial),
            counts=counts,
        )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    manifest.write(manifest_file)
    return manifest


def check_backup(*, url: str, path: Path) -> Checked:
    """Check a backup before restoring it; a BackupError says what is wrong with it."""
    kind = database_kind(url)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    magics = {SQLITE_MAGIC: "sqlite", POSTGRES_MAGIC: "postgresql"}
    found = next((name for magic, name in magics.items() if start.startswith(magic)), None)
    if found is None:
        raise BackupError(f"{path} is not a Heard backup: it is neither SQLite nor pg_dump's.")
    if found != kind:
        raise BackupError(
            f"{path} is a {found} backup, but DATABASE_URL points at a {kind} database."
        )
    manifest = Manifest.read(manifest_path(path))
    if manifest is not None and (
        manifest.size != path.stat().st_size or manifest.sha256 != sha256(path)
    ):
        raise BackupError(
            f"{path} is not the file its manifest describes: it is damaged or incomplete."
        )
    revision, tables = sqlite_check(path) if kind == "sqlite" else postgres_check(path)
    if revision not in known_revisions():
        raise BackupError(
            f"{path} has schema revision {revision}, which this version of Heard does not "
            f"know (it knows revisions up to {head_revision()}). It was probably made by a "
            "newer version of Heard: upgrade Heard, then restore it."
        )
    return Checked(path, kind, revision, manifest, frozenset(tables))


def restore_backup(*, url: str, checked: Checked) -> str:
    """Replace the whole database with a checked backup, then migrate it to head."""
    if checked.database == "sqlite":
        sqlite_restore(url, checked.path)
    else:
        postgres_restore(url, checked)
    upgrade(url)
    return head_revision()
