"""`heard backup` and `heard restore`: back up, destroy, restore, and every row comes back."""

import hashlib
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import models.backup as backup_module
from models import (
    Response,
    ResponseStatus,
    make_engine,
    migrate,
    new_session,
    save_answers,
    save_upload,
    start_response,
)
from models.coding import Comment
from tests.conftest import csrf_token, make_app, sign_in
from tests.surveys import add_responses, make_round, parent_answers
from webapp.cli import cli

SLUG = "all-about-me-pathway-1"


def heard(app, *args: str, input: str | None = None):
    """Run a `heard` command in this process, against this test's app and database."""
    return app.test_cli_runner().invoke(cli, list(args), input=input)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data(app, session, demo, published):
    """Submitted responses with varied answers, drafts, a picture, and comments."""
    organisation = demo.organisation.id
    survey_round = make_round(session, organisation)
    sent = add_responses(
        session,
        survey_round,
        [
            parent_answers("strongly-agree", **{"working-well": "The new SENCO listens."}),
            parent_answers("disagree", **{"could-be-better": "Waiting lists are too long."}),
            parent_answers("dont-know", district="1", **{"setting-type": "special"}),
            parent_answers("agree", **{"phase": "secondary", "follow-up": "no"}),
            {"listened-to": "neither", "on-time": "strongly-disagree"},
        ],
    )
    draft, token = start_response(
        session=session, organisation_id=organisation, form_version=published, language="ar"
    )
    save_answers(
        session=session,
        response=draft,
        page_id="independence",
        answers={"independence": ["own-voice", "holding-cup"], "independence-comments": "أحب"},
    )
    save_upload(
        session=session,
        response=draft,
        question_id="picture",
        data=bytes(range(256)) * 4,
        content_type="image/png",
        filename="me.png",
    )
    session.commit()
    # One sent through the pages, so screening stores its comment too.
    client = app.test_client()
    client.post(f"/f/{SLUG}", data={"csrf_token": csrf_token(client, f"/f/{SLUG}")})
    url = f"/f/{SLUG}/pages/anything-else"
    client.post(
        url, data={"csrf_token": csrf_token(client, url), "anything-else": "I like swimming"}
    )
    check = f"/f/{SLUG}/check-answers"
    assert client.post(check, data={"csrf_token": csrf_token(client, check)}).status_code == 302
    session.expire_all()
    assert session.scalars(select(Comment)).first() is not None
    assert len(session.scalars(select(Response)).all()) == len(sent) + 2
    session.close()
    return {"token": token, "draft": draft.id}


def destroy(url: str, how: str) -> None:
    """Lose the data: every table dropped, every row deleted, or the whole database gone."""
    if how == "lose the whole database":
        _lose_the_database(url)
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        if how == "drop every table" and connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        elif how == "drop every table":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in [*(t.name for t in SQLModel.metadata.sorted_tables), "alembic_version"]:
                connection.execute(text(f'DROP TABLE "{name}"'))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()


def _lose_the_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for path in Path(parsed.database).parent.glob(Path(parsed.database).name + "*"):
            path.unlink()  # the database, and its write-ahead log and index beside it
        return
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


@pytest.mark.parametrize("how", ["drop every table", "delete every row", "lose the whole database"])
def test_backup_destroy_restore_gives_back_every_row(
    request, app, data, database_url, tmp_path, how
):
    before = snapshot(database_url)
    out = tmp_path / "heard-backup.db"

    made = heard(app, "backup", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert "Rows: organisations: 1" in made.output and "responses: 7" in made.output
    assert re.search(r"\(\d+\.\d [KM]B\)", made.output)
    manifest = out.with_name(out.name + ".json").read_text()
    assert f'"revision": "{migrate.head_revision(database_url)}"' in manifest
    assert digest(out) in manifest

    app.extensions["heard.engine"].dispose()
    if database_url.startswith("postgresql"):
        # Its pooled connection would not survive the database being dropped.
        request.getfixturevalue("postgres_reset").engine.dispose()
    destroy(database_url, how)
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None or how == "delete every row"
    engine.dispose()
    if how == "delete every row":
        assert snapshot(database_url) != before

    restored = heard(app, "restore", str(out), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "Restored. The database is at schema revision" in restored.output
    assert "Rows: organisations: 1" in restored.output

    assert migrate.is_up_to_date(database_url)
    assert snapshot(database_url) == before
    engine = make_engine(database_url)
    with new_session(engine) as session:
        responses = {r.id: r for r in session.scalars(select(Response))}
        sent = [r for r in responses.values() if r.status == ResponseStatus.SUBMITTED]
        assert len(responses) == 7 and len(sent) == 6
        assert {r.answers.get("listened-to") for r in sent} >= {"strongly-agree", "neither"}
        assert all(r.submitted_at and r.submitted_at.tzinfo == UTC for r in sent)
        assert responses[data["draft"]].language == "ar"
    engine.dispose()
    _serves_from(app, data["token"])


def _serves_from(app, token: str) -> None:
    """The app reads the restored draft, signs staff in, and starts new responses after it."""
    client = app.test_client()
    resumed = client.get(f"/resume/{token}")
    assert resumed.status_code == 302
    page = client.get(f"/f/{SLUG}/pages/independence").get_data(as_text=True)
    assert re.search(r'value="holding-cup"\s+checked', page) and "أحب" in page
    assert sign_in(app.test_client(), "admin@demo.heard").status_code == 302
    fresh = app.test_client()
    started = fresh.post(f"/f/{SLUG}", data={"csrf_token": csrf_token(fresh, f"/f/{SLUG}")})
    assert started.status_code == 302  # the ids carry on after the restored ones


def test_restore_asks_first_and_shows_what_it_would_restore(app, data, database_url, tmp_path):
    out = tmp_path / "backup.db"
    assert heard(app, "backup", "--out", str(out)).exit_code == 0
    before = snapshot(database_url)
    declined = heard(app, "restore", str(out), input="n\n")
    assert declined.exit_code == 1
    assert (
        f"Backup: {out}, schema revision {migrate.head_revision(database_url)}" in declined.output
    )
    assert "responses: 7" in declined.output and "Rows now:" in declined.output
    assert "Restore this backup? [y/N]" in declined.output and "Aborted" in declined.output
    assert snapshot(database_url) == before
    accepted = heard(app, "restore", str(out), input="y\n")
    assert accepted.exit_code == 0 and "Restored." in accepted.output


def test_backup_will_not_overwrite_a_file_unless_forced(app, demo, database_url, tmp_path):
    out = tmp_path / "backup.db"
    assert heard(app, "backup", "--out", str(out)).exit_code == 0
    first = digest(out)
    again = heard(app, "backup", "--out", str(out))
    assert again.exit_code != 0 and "already exists" in again.output and "--force" in again.output
    assert digest(out) == first
    forced = heard(app, "backup", "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in tmp_path.glob("*backup*")) == ["backup.db", "backup.db.json"]


def _refused(app, database_url, path: Path, *words: str) -> None:
    before = snapshot(database_url)
    result = heard(app, "restore", str(path), "--yes")
    assert result.exit_code != 0
    for word in words:
        assert word in result.output, result.output
    assert "Nothing was changed" in result.output or "is as it was" in result.output
    assert snapshot(database_url) == before


def test_restore_refuses_what_is_not_a_heard_backup(app, demo, database_url, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup at all")
    _refused(app, database_url, junk, "is not a Heard backup")
    _refused(app, database_url, tmp_path / "missing.db", "There is no backup file")
    other = tmp_path / "other.db"
    if database_url.startswith("sqlite"):
        other.write_bytes(b"PGDMP" + bytes(200))
        _refused(app, database_url, other, "is a postgresql backup", "points at a sqlite")
        foreign = tmp_path / "foreign.db"
        with sqlite3.connect(foreign) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        connection.close()
        _refused(app, database_url, foreign, "not one of Heard's")
    else:
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        connection.close()
        _refused(app, database_url, other, "is a sqlite backup", "points at a postgresql")


def test_restore_refuses_a_damaged_backup(app, demo, database_url, tmp_path):
    out = tmp_path / "backup.db"
    assert heard(app, "backup", "--out", str(out)).exit_code == 0
    whole = out.read_bytes()
    out.write_bytes(whole[: len(whole) // 2])
    _refused(app, database_url, out, "damaged or incomplete")
    # Without its manifest, the damage is found in the file itself, or by pg_restore's
    # single transaction, which then changes nothing.
    out.with_name(out.name + ".json").unlink()
    _refused(app, database_url, out)


def test_restore_refuses_a_backup_from_a_newer_schema(app, demo, database_url, tmp_path):
    head = migrate.head_revision(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    out = tmp_path / "from-the-future.db"
    made = heard(app, "backup", "--out", str(out))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
    engine.dispose()
    assert made.exit_code == 0 and "Schema revision 0999" in made.output
    _refused(app, database_url, out, "revision 0999", f"up to {head}", "newer version of Heard")


def test_a_restore_and_a_reader_left_open(app, demo, database_url, tmp_path):
    """SQLite restores under an open reader; PostgreSQL says who holds it instead of hanging."""
    out = tmp_path / "backup.db"
    assert heard(app, "backup", "--out", str(out)).exit_code == 0
    engine = make_engine(database_url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        connection.execute(text("SELECT count(*) FROM response")).scalar()  # and it stays open
        result = heard(app, "restore", str(out), "--yes")
        if connection.dialect.name == "sqlite":
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0
            assert "Another connection has a transaction open" in result.output
            assert "The database is as it was" in result.output
    engine.dispose()


def test_backup_writes_atomically_and_keeps_the_copy_private(app, demo, database_url, tmp_path):
    out = tmp_path / "backup.db"
    assert heard(app, "backup", "--out", str(out)).exit_code == 0
    assert out.stat().st_mode & 0o077 == 0  # it holds personal data
    assert not list(tmp_path.glob(".*partial"))
    made_at = datetime.fromisoformat(
        re.search(r'"created_at": "([^"]+)"', out.with_name(out.name + ".json").read_text())
        .group(1)
        .replace("Z", "+00:00")
    )
    assert abs((datetime.now(UTC) - made_at).total_seconds()) < 120


def test_a_backup_from_an_older_schema_is_restored_and_migrated(
    app, session, demo, published, database_url, tmp_path
):
    draft, _token = start_response(
        session=session, organisation_id=demo.organisation.id, form_version=published
    )
    save_answers(session=session, response=draft, page_id="home", answers={"home": ["pets"]})
    session.commit()
    session.close()
    app.extensions["heard.engine"].dispose()
    migrate.downgrade(database_url, "0008")
    out = tmp_path / "older.db"
    made = heard(app, "backup", "--out", str(out))
    assert made.exit_code == 0 and "Schema revision 0008" in made.output
    migrate.upgrade(database_url)
    destroy(database_url, "delete every row")
    out.with_name(out.name + ".json").unlink()  # a copy made some other way has none

    restored = heard(app, "restore", str(out), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "schema revision 0008" in restored.output and "There is no manifest" in restored.output
    assert migrate.is_up_to_date(database_url)
    engine = make_engine(database_url)
    with new_session(engine) as fresh:
        back = fresh.get(Response, draft.id)
        assert back.answers == {"home": ["pets"]} and back.version == 1
        assert back.page_versions == {}
    engine.dispose()


def test_the_password_goes_to_the_tools_in_the_environment_not_the_command_line():
    url = "postgresql+psycopg://heard:s3cr%40t@db.example:5433/heard?sslmode=require"
    target, env = backup_module._libpq(url)
    assert target == "postgresql://heard@db.example:5433/heard?sslmode=require"
    assert env == {"PGPASSWORD": "s3cr@t"}
    assert backup_module.describe_url(url) == (
        "postgresql+psycopg://heard:***@db.example:5433/heard?sslmode=require"
    )


def test_missing_or_old_postgresql_tools_are_named(postgres_reset, tmp_path, monkeypatch):
    postgres_reset.reset()
    app = make_app(postgres_reset.url)
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    out = tmp_path / "backup.db"
    missing = heard(app, "backup", "--out", str(out))
    assert missing.exit_code != 0
    assert "pg_dump was not found" in missing.output
    assert "apt-get install postgresql-client" in missing.output
    old = tools / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    too_old = heard(app, "backup", "--out", str(out))
    assert too_old.exit_code != 0
    assert "pg_dump is version 9, but the server runs PostgreSQL" in too_old.output
    assert "postgresql-client-" in too_old.output
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    app.extensions["heard.engine"].dispose()


def test_a_database_it_cannot_reach_is_a_message_not_a_traceback(postgres_reset, tmp_path):
    missing = make_url(postgres_reset.url).set(database="heard_no_such_database")
    app = make_app(missing.render_as_string(hide_password=False))
    made = heard(app, "backup", "--out", str(tmp_path / "backup.db"))
    assert made.exit_code == 1 and "Cannot reach the database at" in made.output
    assert "heard_no_such_database" in made.output and "Traceback" not in made.output
    app.extensions["heard.engine"].dispose()
