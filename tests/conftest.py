"""Shared fixtures: an app on a fresh, migrated database, for SQLite and PostgreSQL."""

import os
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.routing import Rule

import models.users as _users
from models import migrate, new_session
from models.demo import load_demo
from tests.pagecheck import check_page
from webapp import create_app

# Hashing a password at full strength takes a noticeable fraction of a second, and most
# tests load the demo's users and sign in. Tests hash with a deliberately cheap argon2
# setting; the app keeps the library's defaults (tests/models/test_users.py checks them).
FULL_STRENGTH_HASHER = _users._hasher
_users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_users._DUMMY_HASH = _users._hasher.hash("not-a-real-password-for-timing")


class SharedBuilderRule(Rule):
    """A route whose URL builder is compiled once per process, not once per app.

    werkzeug compiles a small function for each route to build its URLs, from the route's
    parts alone; the function reads converters from the route it is bound to. A web worker
    makes one app, but the suite makes one per test, and compiling every route's builder
    again was about a tenth of a typical test's time. A route with a default for one of its
    own variables is compiled as usual, since its builder holds a converted value.
    """

    _builders: ClassVar[dict[tuple, Callable[..., Any]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., Any]:
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return super()._compile_builder(append_unknown)
        key = (tuple(self._trace), tuple(defaults), append_unknown)
        if key not in self._builders:
            self._builders[key] = super()._compile_builder(append_unknown)
        return self._builders[key]


Flask.url_rule_class = SharedBuilderRule

DEMO_PASSWORD = "correct-horse-battery"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Under pytest-xdist each worker process is "gw0", "gw1", ...; each keeps its own Redis
# database and job queue file so that one worker emptying them cannot touch another's.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WORKER_INDEX = int(WORKER.removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - WORKER_INDEX % 8}")


def required(name: str) -> bool:
    """True when CI says a service must be there (REQUIRE_POSTGRES=1 and so on)."""
    return os.environ.get(name, "").strip() in {"1", "true", "yes"}


def unavailable(service: str, flag: str, reason: str) -> None:
    """Skip with a clear message, or fail when the service is required."""
    message = f"{service} is not available ({reason})."
    if required(flag):
        pytest.fail(f"{message} {flag}=1, so this is a failure, not a skip.")
    pytest.skip(
        f"{message} Set it up, or run `bash .ci/run`; {flag}=1 turns this skip into a failure."
    )


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped at the end of the run."""
    with scratch_postgres() as url:
        yield url


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped afterwards.

    Skips, or fails when PostgreSQL is required, if there is no server.
    """
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"heard_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        unavailable("PostgreSQL", "REQUIRE_POSTGRES", str(error).splitlines()[0])
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Iterator[sqlite3.Connection]:
    """One SQLite database migrated to head, copied for each test (migrating takes a second)."""
    path = tmp_path_factory.mktemp("template") / "heard.db"
    migrate.upgrade(f"sqlite:///{path}")
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


class PostgresReset:
    """Empties the session's PostgreSQL database between tests instead of rebuilding it.

    Deleting every row and restarting the sequences takes a few milliseconds; dropping
    the schema and migrating again takes over a second. A test that leaves the schema
    anywhere but head (a migration test going down) gets a rebuilt one next time.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.head = migrate.head_revision(url)
        self.migrated = False

    def rebuild(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrate.upgrade(self.url)
        self.migrated = True

    def at_head(self) -> bool:
        return migrate.current_revision(self.engine) == self.head

    def reset(self) -> None:
        if not self.migrated or not self.at_head():
            self.rebuild()
            return
        with self.engine.begin() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).scalars()
            # Names come from the catalogue, not from input.
            statements = [f'DELETE FROM "{t}"' for t in tables]  # noqa: S608
            statements += [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
            # Rows go in any order: foreign keys are not checked while replicating.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            if statements:
                connection.execute(text("; ".join(statements)))


@pytest.fixture(scope="session")
def postgres_reset(postgres_server_url) -> Iterator[PostgresReset]:
    reset = PostgresReset(postgres_server_url)
    yield reset
    reset.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A migrated, empty database of each kind."""
    return fresh_database(request, tmp_path)


def fresh_database(request: pytest.FixtureRequest, folder) -> str:
    """A migrated, empty database of the kind `request.param` names ("sqlite" in `folder`).

    For fixtures of any scope: a module-scoped one builds its data once on it.
    """
    if request.param == "sqlite":
        path = folder / "heard.db"
        template = request.getfixturevalue("sqlite_template")
        with sqlite3.connect(path) as copy:
            template.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    reset = request.getfixturevalue("postgres_reset")
    reset.reset()
    return reset.url


@contextmanager
def own_database(request: pytest.FixtureRequest, folder) -> Iterator[str]:
    """A migrated, empty database of the kind `request.param` names, that no other test empties.

    `fresh_database`'s PostgreSQL database is emptied before every test that asks for one, so
    a module-scoped fixture whose module also has function-scoped database tests keeps its
    data here instead: in a PostgreSQL database of its own, dropped afterwards.
    """
    if request.param == "sqlite":
        yield fresh_database(request, folder)
        return
    with scratch_postgres() as url:
        migrate.upgrade(url)
        yield url


def app_config(database_url: str, **overrides) -> dict:
    """Settings for a test app; `overrides` win."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_STORAGE_URI": "memory://",
        "HEARD_ORGANISATION": None,
        "HEARD_HTTPS": False,
        # Jobs run inline in tests; test_jobs.py and test_production_profile.py run real workers.
        "HEARD_JOBS_IMMEDIATE": True,
        "REDIS_URL": None,
        "HEARD_QUEUE_REDIS_URL": None,
        "HEARD_QUEUE_PATH": os.path.join(tempfile.gettempdir(), f"heard-test-queue-{WORKER}.db"),
        "HEARD_SMTP_HOST": None,
        "HEARD_OUTBOX_DIR": tempfile.mkdtemp(prefix="heard-outbox-"),
    }
    config.update(overrides)
    return config


class CheckedClient(FlaskClient):
    """A test client that runs the page-level checks on every HTML page it gets."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        downloaded = response.headers.get("Content-Disposition", "").startswith("attachment")
        if (
            response.mimetype == "text/html"
            and not downloaded
            and not 300 <= response.status_code < 400
        ):
            check_page(
                response.get_data(as_text=True),
                response.headers.get("Content-Security-Policy"),
                response.request.path,
            )
        return response


_made_apps: list[Flask] = []


def make_app(database_url: str, **overrides) -> Flask:
    """Create an app whose test client checks every page; its engine is closed after the test."""
    app = create_app(app_config(database_url, **overrides))
    app.test_client_class = CheckedClient
    _made_apps.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_made_apps() -> Iterator[None]:
    """Close the database connections of every app a test made, even one it forgot.

    A connection left for the garbage collector warns, and warnings are errors here, so a
    forgotten engine would fail whichever later test happened to be running at the time.
    """
    yield
    while _made_apps:
        _made_apps.pop().extensions["heard.engine"].dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    yield app
    app.extensions["heard.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask):
    """A database session on the app's engine, for arranging and checking data."""
    db_session = new_session(app.extensions["heard.engine"])
    yield db_session
    db_session.close()


@pytest.fixture
def demo(session):
    """The demo organisation, districts, settings and one user per role."""
    result = load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
    session.commit()
    return result


@pytest.fixture
def published(session, demo):
    """The shipped forms, loaded and published."""
    from webapp.form_loading import load_shipped

    loaded = load_shipped(session=session, publish=True)
    session.commit()
    return loaded[0][0]


def csrf_token(client: FlaskClient, url: str) -> str:
    """Fetch a page and return the CSRF token from its form."""
    html = client.get(url).get_data(as_text=True)
    if not client.application.config.get("WTF_CSRF_ENABLED", True):
        return ""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the real form, CSRF token and all."""
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
