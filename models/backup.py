"""Backups of the whole database, and putting one back, for SQLite and PostgreSQL.

SQLite copies with its online backup API: a copy is consistent while Heard runs, and a
restore writes the live file in one transaction, so running processes read the restored
data at once. PostgreSQL uses pg_dump's custom format, and pg_restore in one transaction,
so a restore that fails changes nothing. Beside each backup sits a JSON manifest
(`<file>.json`) with the schema revision, when it was made, a checksum and the row counts
of key tables; a restore checks it, and reads the revision from the backup itself.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlmodel import SQLModel

from models.database import make_engine, normalise_url
from models.migrate import alembic_config, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
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
CLIENT_PACKAGE = "postgresql-client"


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
        _write_atomically(path, json.dumps(asdict(self), indent=2).encode() + b"\n")

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
            return _contents(connection, required=False)
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
            revision, counts = _sqlite_backup(url, partial)
        else:
            revision, counts = _postgres_backup(url, partial)
        _fsync(partial)
        manifest = Manifest(
            database=kind,
            revision=revision,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            size=partial.stat().st_size,
            sha256=_sha256(partial),
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
        manifest.size != path.stat().st_size or manifest.sha256 != _sha256(path)
    ):
        raise BackupError(
            f"{path} is not the file its manifest describes: it is damaged or incomplete."
        )
    revision, tables = _sqlite_check(path) if kind == "sqlite" else _postgres_check(path)
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
        _sqlite_restore(url, checked.path)
    else:
        _postgres_restore(url, checked)
    upgrade(url)
    return head_revision()


def _contents(connection: Connection, *, required: bool = True) -> tuple[Any, dict[str, int]]:
    tables = set(inspect(connection).get_table_names())
    return _tally(tables, lambda sql: connection.execute(text(sql)).scalar(), required=required)


def _tally(
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


def _sqlite_file(url: str) -> Path:
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory, so there is no file to back up or restore.")
    return Path(database)


def _sqlite_backup(url: str, partial: Path) -> tuple[str, dict[str, int]]:
    live = _sqlite_file(url)
    if not live.is_file():
        raise BackupError(f"There is no database at {live}.")
    source, copy = sqlite3.connect(live, timeout=30), sqlite3.connect(partial)
    with closing(source), closing(copy):
        source.backup(copy)
        # One self-contained file, with no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The copy failed SQLite's integrity check; nothing was written.")
        return _tally(_sqlite_tables(copy), lambda sql: copy.execute(sql).fetchone()[0])


def _sqlite_tables(connection: sqlite3.Connection) -> set[str]:
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }


def _sqlite_check(path: Path) -> tuple[str, set[str]]:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as backup:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the quick check found damage")
            tables = _sqlite_tables(backup)
            if "alembic_version" not in tables:
                raise BackupError(f"{path} is a SQLite database, but not one of Heard's.")
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged and cannot be restored ({error}).") from None
    if row is None:
        raise BackupError(f"{path} has no schema revision, so it cannot be restored.")
    return str(row[0]), tables


def _sqlite_restore(url: str, path: Path) -> None:
    live = _sqlite_file(url)
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    with closing(source), closing(sqlite3.connect(live, timeout=30)) as target:
        # All pages in one step: one write transaction, so readers see all or nothing.
        source.backup(target)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install PostgreSQL's client tools, which include it "
            f"(on Debian or Ubuntu: apt-get install {CLIENT_PACKAGE})."
        )
    return found


def _run(args: list[str], *, env: dict[str, str] | None = None, what: str) -> str:
    result = subprocess.run(  # noqa: S603  (fixed arguments, no shell)
        args, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        said = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit {result.returncode}"
        raise BackupError(f"{what} failed: {said}")
    return result.stdout


def _compatible_tool(name: str, connection: Connection) -> str:
    """The path of pg_dump or pg_restore, once it is known to handle the server's version."""
    tool = _tool(name)
    said = _run([tool, "--version"], what=f"{name} --version")
    match = re.search(r"PostgreSQL\)\s*(\d+)", said)
    tool_major = int(match.group(1)) if match else 0
    server_major = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} is version {tool_major}, but the server runs PostgreSQL {server_major}, "
            f"which it cannot handle. Install {CLIENT_PACKAGE}-{server_major} (or newer) and "
            f"put its {name} first on PATH."
        )
    return tool


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump and pg_restore, and the environment that carries the password.

    A password on the command line would be visible to every user of the machine.
    """
    parsed = make_url(normalise_url(url))
    env = {"PGPASSWORD": str(parsed.password)} if parsed.password else {}
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False), env


def _postgres_backup(url: str, partial: Path) -> tuple[str, dict[str, int]]:
    engine = make_engine(url)
    target, env = _libpq(url)
    try:
        with engine.connect() as connection:
            tool = _compatible_tool("pg_dump", connection)
            connection.rollback()
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the same snapshot as the counts, so the manifest is exact.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                revision, counts = _contents(connection)
                _run(
                    [
                        tool,
                        "--format=custom",
                        "--no-owner",
                        f"--snapshot={snapshot}",
                        f"--file={partial}",
                        f"--dbname={target}",
                    ],
                    env=env,
                    what="pg_dump",
                )
    finally:
        engine.dispose()
    return revision, counts


def _postgres_check(path: Path) -> tuple[str, set[str]]:
    tool = _tool("pg_restore")
    try:
        listing = _run([tool, "--list", str(path)], what="Reading the backup")
        data = _run(
            [tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
            what="Reading the backup",
        )
    except BackupError as error:
        raise BackupError(
            f"{path} cannot be read: it is damaged, or pg_dump was newer than this pg_restore "
            f"({error})."
        ) from None
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", listing, re.MULTILINE))
    match = re.search(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(\S+)\n", data, re.M)
    if "alembic_version" not in tables or match is None:
        raise BackupError(f"{path} is a PostgreSQL backup, but not one of Heard's.")
    return match.group(1), tables


def _postgres_restore(url: str, checked: Checked) -> None:
    engine = make_engine(url)
    target, env = _libpq(url)
    try:
        with engine.connect() as connection:
            tool = _compatible_tool("pg_restore", connection)
            _refuse_open_transactions(connection)
        args = ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        _run([tool, *args, f"--dbname={target}", str(checked.path)], env=env, what="pg_restore")
        with engine.begin() as connection:
            # Tables a newer schema added, which the backup cannot know: they hold only the
            # replaced data, and the migrations to head make them again.
            extra = set(inspect(connection).get_table_names()) & set(SQLModel.metadata.tables)
            for table in sorted(extra - checked.tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        engine.dispose()


def _refuse_open_transactions(connection: Connection) -> None:
    """Stop before pg_restore would wait, without end, for a transaction left open elsewhere.

    pg_restore turns lock timeouts off, and dropping a table waits for every reader of it.
    """
    waiting = connection.execute(
        text(
            "SELECT pid, application_name FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state LIKE 'idle in transaction%'"
        )
    ).all()
    if waiting:
        who = ", ".join(f"process {pid} ({name or 'no name'})" for pid, name in waiting)
        raise BackupError(
            f"Another connection has a transaction open on this database: {who}. "
            "Finish or close it (or stop Heard and its worker), then restore again."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
