"""Backing up, checking and restoring a SQLite database, with SQLite's online backup API.

A copy is consistent while Heard runs, and a restore writes the live file in one
transaction, so running processes read the restored data at once.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from models.backup_manifest import BackupError, tally
from models.database import normalise_url

SQLITE_MAGIC = b"SQLite format 3\x00"


def sqlite_file(url: str) -> Path:
    """The file a SQLite URL points at; a BackupError for a database in memory."""
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory, so there is no file to back up or restore.")
    return Path(database)


def sqlite_backup(url: str, partial: Path) -> tuple[str, dict[str, int]]:
    """Copy the live database to `partial`; returns the copy's revision and row counts."""
    live = sqlite_file(url)
    if not live.is_file():
        raise BackupError(f"There is no database at {live}.")
    source, copy = sqlite3.connect(live, timeout=30), sqlite3.connect(partial)
    with closing(source), closing(copy):
        source.backup(copy)
        # One self-contained file, with no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed SQLite's integrity check; nothing was written.")
        return tally(_tables(copy), lambda sql: copy.execute(sql).fetchone()[0])


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def sqlite_check(path: Path) -> tuple[str, set[str]]:
    """A SQLite backup's revision and tables, once it is known to be undamaged and Heard's."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as backup:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the quick check found damage")
            tables = _tables(backup)
            if "alembic_version" not in tables:
                raise BackupError(f"{path} is a SQLite database, but not one of Heard's.")
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged and cannot be restored ({error}).") from None
    if row is None:
        raise BackupError(f"{path} has no schema revision, so it cannot be restored.")
    return str(row[0]), tables


def sqlite_restore(url: str, path: Path) -> None:
    """Write the backup at `path` over the live database."""
    live = sqlite_file(url)
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    with closing(source), closing(sqlite3.connect(live, timeout=30)) as target:
        # All pages in one step: one write transaction, so readers see all or nothing.
        source.backup(target)
