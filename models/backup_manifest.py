"""What a backup holds: its manifest, the checks it passed, and the key tables' row counts.

Also the file handling a backup needs to be trustworthy on disk: a checksum, and writes
that are flushed to the disk, or replace a file in one step.
"""

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

FORMAT = "heard-backup"
# The tables whose row counts a backup reports and a restore shows, with their names.
KEY_TABLES = {
    "organisation": "organisations",
    "staff_user": "staff accounts",
    "form_version": "form versions",
    "response": "responses",
    "response_upload": "pictures",
    "comment": "comments",
    "survey_round": "survey rounds",
    "invitation": "invitations",
    "plan_action": "plan actions",
    "rating_entry": "ratings",
    "yswd_entry": "“You said, we did” entries",
    "safeguarding_alert": "safeguarding alerts",
    "audit_event": "audit events",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What a backup file holds, written beside it as JSON."""

    database: str
    revision: str
    created_at: str
    size: int
    sha256: str
    counts: dict[str, int]
    format: str = FORMAT

    def write(self, path: Path) -> None:
        """Write the manifest as JSON, atomically."""
        write_atomically(path, json.dumps(asdict(self), indent=2).encode() + b"\n")

    @classmethod
    def read(cls, path: Path) -> "Manifest | None":
        """The manifest at `path`, None if there is none, or a BackupError if it is broken."""
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (ValueError, TypeError) as error:
            raise BackupError(f"{path} is not a Heard backup manifest ({error}).") from None
        if manifest.format != FORMAT:
            raise BackupError(f"{path} is not a Heard backup manifest.")
        return manifest


@dataclass(frozen=True)
class Checked:
    """A backup file that passed every check and can be restored."""

    path: Path
    database: str
    revision: str
    manifest: Manifest | None
    tables: frozenset[str]


def manifest_path(path: Path) -> Path:
    """Where a backup's manifest is: beside it, with `.json` added to its name."""
    return path.with_name(path.name + ".json")


def contents(connection: Connection, *, required: bool = True) -> tuple[Any, dict[str, int]]:
    """The revision and the key tables' row counts of the database `connection` reads."""
    tables = set(inspect(connection).get_table_names())
    return tally(tables, lambda sql: connection.execute(text(sql)).scalar(), required=required)


def tally(
    tables: set[str], scalar: Callable[[str], Any], *, required: bool = True
) -> tuple[Any, dict[str, int]]:
    """The revision and the key tables' row counts, read with `scalar` (one SQL value)."""
    if "alembic_version" not in tables:
        if required:
            raise BackupError("The database has never been migrated, so there is nothing to copy.")
        return None, {}
    revision = scalar("SELECT version_num FROM alembic_version")
    # Names come from KEY_TABLES, not from input.
    counts = {t: int(scalar(f'SELECT count(*) FROM "{t}"')) for t in KEY_TABLES if t in tables}  # noqa: S608
    return revision, counts


def sha256(path: Path) -> str:
    """The file's SHA-256 checksum, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync(path: Path) -> None:
    """Make sure the file's contents are on the disk."""
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new, never half."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
