"""Public pages, error pages, health check and logs."""

import io
import json
import logging

from sqlalchemy.exc import OperationalError

from tests.conftest import csrf_token, make_app
from webapp.logs import JsonFormatter


def test_home_page_shows_the_councils_brand(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "Kent County Council (demo)" in page
    assert "--govuk-brand-colour: #1d4f76" in page
    assert "govuk-header__logotype" not in page  # no crown
    with client.get("/static/dist/heard.css") as stylesheet:
        assert "GDS Transport" not in stylesheet.get_data(as_text=True)


def test_branding_comes_from_the_organisation_record(client, demo, session):
    demo.organisation.name = "Hull City Council"
    demo.organisation.brand_colour = "#6b2c91"
    session.add(demo.organisation)
    session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Hull City Council" in page
    assert "--govuk-brand-colour: #6b2c91" in page


def test_pages_work_before_any_organisation_exists(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Heard" in response.get_data(as_text=True)


def test_accessibility_statement(client, demo):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "Accessibility statement" in page
    assert "400%" in page


def test_not_found_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_method_not_allowed_page(client):
    assert client.delete("/").status_code == 405


def test_unexpected_errors_get_the_500_page_without_details(database_url, caplog):
    app = make_app(database_url, TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    boom._heard_public = True
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internal detail" not in page
    app.extensions["heard.engine"].dispose()


def test_request_too_large_is_a_clear_413(database_url):
    app = make_app(database_url, MAX_CONTENT_LENGTH=100, WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/sign-in", data={"email": "x" * 500})
    assert response.status_code == 413
    assert "The file is too big" in response.get_data(as_text=True)
    app.extensions["heard.engine"].dispose()


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_reports_an_unreachable_database(app, monkeypatch):
    engine = app.extensions["heard.engine"]

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(engine, "connect", broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"


def test_logs_are_json_and_never_hold_what_people_typed(client, demo):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    secret = "my-private-words-about-my-child"
    try:
        token = csrf_token(client, "/sign-in")
        client.post(
            "/sign-in?note=" + secret,
            data={"csrf_token": token, "email": secret + "@x.org", "password": secret},
        )
    finally:
        logging.getLogger().removeHandler(handler)
    logged = stream.getvalue()
    assert secret not in logged
    lines = [json.loads(line) for line in logged.splitlines()]
    requests = [
        (r["method"], r["route"], r["status"]) for r in lines if r["logger"] == "heard.request"
    ]
    assert ("POST", "/sign-in", 200) in requests
