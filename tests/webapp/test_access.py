"""The URL-map meta-test: every endpoint declares who it is for, and staff routes stay closed.

It also holds the table of sensitive capabilities, which roles hold each, and checks it
against the live URL map, with real requests where a role's access depends on the data
(who answered a survey round, for example).
"""

import io
import re
from typing import ClassVar

import pandas as pd
import pytest
from flask.testing import FlaskClient

from models import Role
from models.surveys import Anonymity
from tests.conftest import csrf_token, make_app, sign_in
from tests.pagecheck import PageProblem, check_page
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
ROLE_ORDER = tuple(DEMO_EMAILS)
ADMIN, OFFICER, PARTICIPATION, SAFEGUARDING, REVIEWER = ROLE_ORDER
ANALYSTS = {ADMIN, OFFICER, PARTICIPATION}
MANAGERS = {ADMIN, OFFICER}

# Who holds each sensitive capability, and the routes that give it. Each line is a
# decision about children's and families' information: change one only as such.
CAPABILITIES = {
    "see the audit log": ({"staff.audit_log"}, {ADMIN}),
    "see the staff accounts": ({"staff.users"}, {ADMIN}),
    "see each translation's review status": ({"staff.languages"}, {ADMIN}),
    "upload and publish form definitions": ({"staff_forms.index", "staff_forms.publish"}, {ADMIN}),
    "set the rules for agreement and learning": ({"agreement.settings"}, {ADMIN}),
    # The messages hold respondents' email addresses.
    "download the outbox of messages to respondents": ({"follow_ups.outbox"}, {ADMIN}),
    # Alerts show what a child wrote, as written: administrators manage accounts, not this.
    "read safeguarding alerts and record what was done": (
        {"safeguarding.index", "safeguarding.alert"},
        {SAFEGUARDING},
    ),
    # Who answered is in an export only where the round allows it to the role: see
    # test_only_the_roles_the_round_allows_export_who_answered.
    "export a round's responses": (
        {"survey_results.export", "survey_results.download", "survey_results.dictionary_csv"},
        MANAGERS,
    ),
    "see and download who has not answered (names and email addresses)": (
        {"staff_surveys.not_responded"},
        MANAGERS,
    ),
    "invite people and download their links": (
        {"staff_surveys.invite", "staff_surveys.reminders"},
        MANAGERS,
    ),
    # The check page shows the file's first answers before they are screened and redacted.
    "import a spreadsheet of answers": (
        {"survey_imports.upload", "survey_imports.columns", "survey_imports.confirm"},
        MANAGERS,
    ),
    "type in a paper copy": ({"staff_surveys.paper"}, MANAGERS),
    "email respondents what changed": ({"yswd.tell"}, MANAGERS),
    "read redacted comments and code them": (
        {"review.queue_page", "review.comment", "review.save", "review.bulk"},
        ANALYSTS,
    ),
    "read a round's results, small numbers hidden": ({"survey_results.results"}, ANALYSTS),
    "download a plan's evidence documents": ({"plans.document"}, ANALYSTS),
    "rate plan actions and link evidence": (
        {"plans.rate", "plans.report", "plans.add_link", "plans.remove_link"},
        MANAGERS,
    ),
    "review and follow You said, we did entries": (
        {"yswd.index", "yswd.entry_page", "yswd.step"},
        {*ANALYSTS, REVIEWER},
    ),
}
# Everything the two narrowest roles can open: a new page for either is a decision too.
ONLY = {
    SAFEGUARDING: {"staff.dashboard", "auth.sign_out", "safeguarding.index", "safeguarding.alert"},
    REVIEWER: {"staff.dashboard", "auth.sign_out", "yswd.index", "yswd.entry_page", "yswd.step"},
}


class OnceCheckedClient(FlaskClient):
    """A test client that runs the page checks once for each distinct page.

    Walking every route as every role renders the same refusal page hundreds of times; the
    checks (a strict HTML parse among them) are the slow part. A page that differs from one
    already checked only in its CSP nonce, CSRF token, links and form targets is not parsed
    again, but its nonces are still checked against the response's own.
    """

    checked: ClassVar[set[str]] = set()

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        downloaded = response.headers.get("Content-Disposition", "").startswith("attachment")
        if response.mimetype != "text/html" or downloaded or 300 <= response.status_code < 400:
            return response
        html = response.get_data(as_text=True)
        csp = response.headers.get("Content-Security-Policy")
        key = re.sub(r'value="[\w.-]{40,}"', 'value=""', re.sub(r'nonce="[^"]*"', "", html))
        # Links and form targets name the page's own address (the language links do), and
        # no check reads them, except error-summary links to "#field", which are kept.
        key = re.sub(r'(href|action)="(?!#)[^"]*"', "", key)
        if key not in self.checked:
            check_page(html, csp, response.request.path)
            self.checked.add(key)
        else:
            nonce = re.search(r"'nonce-([^']+)'", csp or "")
            used = set(re.findall(r'nonce="([^"]*)"', html))
            if used and (not nonce or used != {nonce.group(1)}):
                raise PageProblem(f"{response.request.path}: a nonce that is not this response's")
        return response


def concrete_requests(app):
    """Yield (endpoint, method, url) for every route, with placeholder arguments."""
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.fixture
def open_app(database_url):
    # CSRF and rate limits off so that the access guard is what answers each request.
    app = make_app(database_url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app.test_client_class = OnceCheckedClient
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


def test_each_sensitive_capability_is_held_by_the_roles_in_the_table(open_app):
    with open_app.test_request_context():
        held = {
            capability: {endpoint: allowed_roles(endpoint) for endpoint in endpoints}
            for capability, (endpoints, _roles) in CAPABILITIES.items()
        }
        staff = {e for e in open_app.view_functions if allowed_roles(e) is not None}
        only = {role: {e for e in staff if role in allowed_roles(e)} for role in ONLY}
    assert held == {
        capability: dict.fromkeys(endpoints, roles)
        for capability, (endpoints, roles) in CAPABILITIES.items()
    }
    assert only == ONLY
    # In words, as the issue puts it.
    assert PARTICIPATION not in held["export a round's responses"]["survey_results.export"]
    assert (
        PARTICIPATION
        not in held["read safeguarding alerts and record what was done"]["safeguarding.alert"]
    )
    assert OFFICER not in held["see the staff accounts"]["staff.users"]


# Who sees who answered in an export, by role and by the round's anonymity. Every other
# role cannot export at all.
SEES_WHO_ANSWERED = {
    (ADMIN, Anonymity.NAMED): True,
    (ADMIN, Anonymity.CONFIDENTIAL): True,
    (ADMIN, Anonymity.ANONYMOUS): False,
    (OFFICER, Anonymity.NAMED): True,
    (OFFICER, Anonymity.CONFIDENTIAL): False,
    (OFFICER, Anonymity.ANONYMOUS): False,
}


def test_only_the_roles_the_round_allows_export_who_answered(app, session, demo, published):
    from tests.webapp.test_survey_exports import build, download

    rounds = {
        anonymity: build(session, demo, anonymity, year=year)
        for anonymity, year in zip(Anonymity, ("2026/27", "2027/28", "2028/29"), strict=True)
    }
    for role in ROLE_ORDER:
        client = app.test_client()
        sign_in(client, DEMO_EMAILS[role])
        for anonymity, survey_round in rounds.items():
            base = f"/staff/surveys/{survey_round.id}"
            if (role, anonymity) not in SEES_WHO_ANSWERED:
                token = {"csrf_token": csrf_token(client, "/staff/")}
                assert client.post(f"{base}/export.csv", data=token).status_code == 403, role
                assert client.get(f"{base}/data-dictionary.csv").status_code == 403, role
                continue
            frame = pd.read_csv(io.BytesIO(download(client, survey_round, "csv").data), dtype=str)
            dictionary = client.get(f"{base}/data-dictionary.csv").get_data(as_text=True)
            sees = SEES_WHO_ANSWERED[role, anonymity]
            assert ("invited_email" in frame.columns) is sees, (role, anonymity)
            assert ("jo@example.com" in set(frame.get("invited_email", []))) is sees
            assert ("invited_email" in dictionary) is sees, (role, anonymity)


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
