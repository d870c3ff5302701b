"""Exports and downloads of answers, comments and people are limited for each person.

Every one counts against one limit, HEARD_EXPORT_LIMITS, kept per signed-in account (so
colleagues behind one office address are counted apart) and in Redis when that is where
rate limits live. Reaching it gives the 429 page in Heard's own design.
"""

import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from models import Role
from models.surveys import create_invitations
from tests.conftest import REDIS_URL, make_app, sign_in, unavailable
from tests.fuzzing import is_heard_page
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.yswd import coded_term
from webapp.extensions import limiter
from webapp.settings import from_environment

#: Limits do not depend on the database: these tests run on SQLite only.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Setup:
    app: object
    round_id: int
    codebook_id: int


def _app(database_url, session, demo, published, **config) -> Setup:
    # CSRF is off: these tests are about the limit, and CSRF has tests of its own.
    app = make_app(database_url, HEARD_EXPORT_LIMITS="2 per hour", WTF_CSRF_ENABLED=False, **config)
    term = coded_term(session, demo.organisation.id)
    create_invitations(
        session=session, survey_round=term.survey_round, people=[{"name": "A parent"}]
    )
    session.commit()
    return Setup(app, term.survey_round.id, term.waiting.codebook_id)


@pytest.fixture
def setup(database_url, session, demo, published):
    made = _app(database_url, session, demo, published)
    yield made
    made.app.extensions["heard.engine"].dispose()


def client_as(setup: Setup, role: Role):
    client = setup.app.test_client()
    assert sign_in(client, DEMO_EMAILS[role]).status_code == 302
    return client


def _job_download(client, export_url: str, downloads: str) -> str:
    """Start an export (its job runs at once in tests) and return where its file is."""
    started = client.post(export_url, data={"format": "csv"})
    assert started.status_code == 302, started.status_code
    job_id = re.search(r"/jobs/(\d+)", started.headers["Location"])[1]
    return f"{downloads}/{job_id}"


def exports(setup: Setup) -> list[tuple[Role, str, str, str | None]]:
    """(role, method, url, how to make it) for every export and download of people's words."""
    survey = f"/staff/surveys/{setup.round_id}"
    book = f"/staff/codebooks/{setup.codebook_id}"
    return [
        (Role.OFFICER, "POST", f"{survey}/export.csv", None),
        (Role.OFFICER, "POST", f"{survey}/export.xlsx", None),
        (Role.OFFICER, "GET", "/staff/surveys/downloads", f"{survey}/export.csv"),
        (Role.OFFICER, "POST", "/staff/you-said-we-did/exports", None),
        (Role.OFFICER, "GET", "/staff/you-said-we-did/downloads", "/staff/you-said-we-did/exports"),
        (Role.OFFICER, "POST", f"{survey}/invitations", None),
        (Role.OFFICER, "POST", f"{survey}/reminders", None),
        (Role.OFFICER, "GET", f"{survey}/not-responded?format=csv", None),
        (Role.ADMIN, "GET", "/staff/you-said-we-did/outbox", None),
        (Role.PARTICIPATION, "GET", f"{book}/export/csv", None),
        (Role.PARTICIPATION, "GET", f"{book}/versions/1/export/qdc", None),
    ]


DATA = {
    "/invitations": {"people": "Sam Taylor, sam@example.com, FAM-1"},
    "/exports": {"format": "csv"},
}


def request(client, method: str, url: str):
    data = next((d for end, d in DATA.items() if url.endswith(end)), None)
    return client.open(url, method=method, data=data)


def assert_limit_page(response) -> None:
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert is_heard_page(html)
    heading = BeautifulSoup(html, "html.parser").h1.get_text(strip=True)
    assert heading == "Too many attempts"
    assert "Wait a few minutes, then try again" in html


@sqlite_only
def test_every_export_and_download_stops_at_the_limit(setup):
    for role, method, url, made_by in exports(setup):
        client = client_as(setup, role)
        with setup.app.app_context():
            limiter.reset()
        if made_by is not None:
            url = _job_download(client, made_by, url)
            with setup.app.app_context():
                limiter.reset()
        for attempt in (1, 2):
            response = request(client, method, url)
            assert response.status_code < 400, (url, attempt, response.status_code)
        assert_limit_page(request(client, method, url))


@sqlite_only
def test_someone_else_at_the_same_address_is_not_stopped(setup):
    csv_url = f"/staff/surveys/{setup.round_id}/not-responded?format=csv"
    officer, admin = client_as(setup, Role.OFFICER), client_as(setup, Role.ADMIN)
    assert officer.environ_base.get("REMOTE_ADDR") == admin.environ_base.get("REMOTE_ADDR")
    for _ in range(2):
        assert officer.get(csv_url).status_code == 200
    assert_limit_page(officer.get(csv_url))
    assert admin.get(csv_url).status_code == 200
    assert_limit_page(officer.get(csv_url))


@sqlite_only
def test_every_export_counts_against_one_limit(setup):
    officer = client_as(setup, Role.OFFICER)
    survey = f"/staff/surveys/{setup.round_id}"
    assert officer.get(f"{survey}/not-responded?format=csv").status_code == 200
    assert officer.post(f"{survey}/export.csv").status_code == 302
    assert_limit_page(officer.post("/staff/you-said-we-did/exports", data={"format": "csv"}))


@sqlite_only
def test_pages_refusals_and_missing_files_cost_nothing(setup):
    officer = client_as(setup, Role.OFFICER)
    survey = f"/staff/surveys/{setup.round_id}"
    for _ in range(3):
        assert officer.get(f"{survey}/not-responded").status_code == 200  # the page, not a file
        assert officer.get("/staff/surveys/downloads/9999").status_code == 404
        assert officer.post(f"{survey}/invitations", data={"people": ""}).status_code == 400
    for _ in range(2):
        assert officer.get(f"{survey}/not-responded?format=csv").status_code == 200
    assert_limit_page(officer.get(f"{survey}/not-responded?format=csv"))


def test_the_limit_is_a_setting_with_a_default(monkeypatch):
    monkeypatch.delenv("HEARD_EXPORT_LIMITS", raising=False)
    assert from_environment()["HEARD_EXPORT_LIMITS"] == "60 per hour"
    monkeypatch.setenv("HEARD_EXPORT_LIMITS", "10 per hour;100 per day")
    assert from_environment()["HEARD_EXPORT_LIMITS"] == "10 per hour;100 per day"


@sqlite_only
def test_export_counts_can_be_kept_in_redis(database_url, session, demo, published, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", "REQUIRE_REDIS", str(error))
    server = redis.Redis.from_url(REDIS_URL)
    prefix = "heard-export-limits-test"
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    # Flask-Limiter keeps the first app's key prefix for the whole process; this app's own
    # prefix keeps its counters apart from every other test's.
    monkeypatch.setattr(limiter, "_key_prefix", None)
    setup = _app(
        database_url,
        session,
        demo,
        published,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
    )
    try:
        officer = client_as(setup, Role.OFFICER)
        csv_url = f"/staff/surveys/{setup.round_id}/not-responded?format=csv"
        for _ in range(2):
            assert officer.get(csv_url).status_code == 200
        assert_limit_page(officer.get(csv_url))
        keys = [key.decode() for key in server.scan_iter(f"*{prefix}*")]
        assert any(f"{prefix}/user:" in key and "/exports/" in key for key in keys), keys
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
        setup.app.extensions["heard.engine"].dispose()
