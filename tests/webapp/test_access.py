"""The URL-map meta-test: every endpoint declares who it is for, and staff routes stay closed."""

import re

import pytest

from models import Role
from tests.conftest import make_app, sign_in
from webapp.access import allowed_roles

# Adding to this list is a decision to let anyone open a page: review it as such.
PUBLIC_ENDPOINTS = {
    "static",
    "public.home",
    "public.accessibility",
    "public.healthz",
    "auth.sign_in",
    "respond.start",
    "respond.begin",
    "respond.page",
    "respond.check_answers",
    "respond.confirmation",
    "resume.by_link",
    "resume.by_code",
    "survey_links.begin_invited",
    "survey_links.begin_open",
    "survey_links.invitation",
    "survey_links.open_link",
    "symbols.symbol",
    "printing.blank",
    "printing.summary",
    "symbols.easy_read",
    "symbols.question",
    "yswd_public.default",
    "yswd_public.entries",
    "yswd_public.easy_read",
    "yswd_public.easy_read_pdf",
    "yswd_public.feed",
}
DEMO_EMAILS = {
    Role.ADMIN: "admin@demo.heard",
    Role.OFFICER: "officer@demo.heard",
    Role.PARTICIPATION: "participation@demo.heard",
    Role.SAFEGUARDING: "safeguarding@demo.heard",
    Role.REVIEWER: "reviewer@demo.heard",
}


def concrete_requests(app):
    """Yield (endpoint, method, url) for every route, with placeholder arguments."""
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.fixture
def open_app(database_url):
    # CSRF off so that the access guard, not the CSRF check, is what answers a POST.
    app = make_app(database_url, WTF_CSRF_ENABLED=False)
    yield app
    app.extensions["heard.engine"].dispose()


def test_every_endpoint_declares_who_it_is_for(open_app):
    with open_app.test_request_context():
        undeclared = [
            endpoint
            for endpoint, view in open_app.view_functions.items()
            if endpoint != "static"
            and not getattr(view, "_heard_public", False)
            and not getattr(view, "_heard_roles", None)
        ]
        public = {e for e in open_app.view_functions if allowed_roles(e) is None}
    assert undeclared == []
    assert public == PUBLIC_ENDPOINTS


def test_no_staff_endpoint_answers_an_anonymous_request(open_app):
    client = open_app.test_client()
    checked = 0
    with open_app.test_request_context():
        staff = [r for r in concrete_requests(open_app) if allowed_roles(r[0]) is not None]
    for endpoint, method, url in staff:
        response = client.open(url, method=method)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/sign-in?next="), (endpoint, method)
        else:
            assert response.status_code in {401, 403}, (endpoint, method, response.status_code)
        checked += 1
    assert checked >= 4  # the staff routes that exist today, so the walk cannot silently be empty


def test_each_role_is_refused_what_it_may_not_open(open_app, session, demo):
    with open_app.test_request_context():
        staff = [
            (endpoint, method, url, allowed_roles(endpoint))
            for endpoint, method, url in concrete_requests(open_app)
            if allowed_roles(endpoint) is not None and endpoint != "auth.sign_out"
        ]
    for role, email in DEMO_EMAILS.items():
        client = open_app.test_client()
        assert sign_in(client, email).status_code == 302
        for endpoint, method, url, roles in staff:
            status = client.open(url, method=method).status_code
            if role in roles:
                # Allowed in: a placeholder id may well not exist, but nothing is refused.
                assert status not in {401, 403} and status < 500, (role, endpoint, status)
            else:
                assert status == 403, (role, endpoint, status)


def test_only_admins_can_see_users_and_the_audit_log(open_app, demo):
    with open_app.test_request_context():
        assert allowed_roles("staff.users") == {Role.ADMIN}
        assert allowed_roles("staff.audit_log") == {Role.ADMIN}
        assert allowed_roles("staff.languages") == {Role.ADMIN}


def test_a_route_that_forgets_to_declare_is_closed(database_url, demo):
    app = make_app(database_url, WTF_CSRF_ENABLED=False)

    @app.get("/forgotten")
    def forgotten():
        return "open"

    client = app.test_client()
    assert client.get("/forgotten").headers["Location"].startswith("/sign-in")
    sign_in(client, DEMO_EMAILS[Role.ADMIN])
    assert client.get("/forgotten").status_code == 403
    app.extensions["heard.engine"].dispose()


def test_next_only_leads_back_into_this_site(client, demo):
    from tests.conftest import csrf_token

    for target, expected in [
        ("/staff/users", "/staff/users"),
        ("https://evil.example/", "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example", "/staff/"),
    ]:
        fresh = client.application.test_client()
        token = csrf_token(fresh, "/sign-in")
        response = fresh.post(
            "/sign-in?next=" + target,
            data={
                "csrf_token": token,
                "email": "admin@demo.heard",
                "password": "correct-horse-battery",
            },
        )
        assert response.headers["Location"] == expected, target
