"""Backing up, checking and restoring a PostgreSQL database with pg_dump and pg_restore.

A backup is pg_dump's custom format, read from the same snapshot as the manifest's row
counts. A restore runs pg_restore in one transaction, so a restore that fails changes
nothing. Both tools must be at least as new as the server.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlmodel import SQLModel

from models.backup_manifest import BackupError, Checked, contents
from models.database import make_engine, normalise_url

POSTGRES_MAGIC = b"PGDMP"
CLIENT_PACKAGE = "postgresql-client"


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


def libpq(url: str) -> tuple[str, dict[str, str]]:
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


def postgres_backup(url: str, partial: Path) -> tuple[str, dict[str, int]]:
    """Dump the database to `partial`; returns its revision and row counts at that moment."""
    engine = make_engine(url)
    target, env = libpq(url)
    try:
        with engine.connect() as connection:
            tool = _compatible_tool("pg_dump", connection)
            connection.rollback()
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the same snapshot as the counts, so the manifest is exact.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                revision, counts = contents(connection)
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


def postgres_check(path: Path) -> tuple[str, set[str]]:
    """A pg_dump backup's revision and tables, once pg_restore can read it and it is Heard's."""
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


def postgres_restore(url: str, checked: Checked) -> None:
    """Replace the database with a checked backup, in one transaction."""
    engine = make_engine(url)
    target, env = libpq(url)
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
