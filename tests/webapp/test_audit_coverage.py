"""Every view of words as written, every export and every safeguarding action is audited.

Each route in SENSITIVE is driven once by a role that may use it; exactly the expected
event must appear, naming who did it, in which organisation, to what, and holding none of
the words people wrote (nor a name or email address) in its details.
"""

import json
from typing import Any

import pytest
from sqlmodel import col, select

from models import AuditEvent, Role
from models.surveys import SurveyRound, save_import
from tests.conftest import make_app, sign_in
from tests.surveys import STATEMENTS
from tests.webapp.test_access import DEMO_EMAILS, OnceCheckedClient
from tests.webapp.test_object_access import ALDERNEY, Org, build
from webapp.follow_ups import outbox_folder

NOTE = "Rang the school's safeguarding lead about it"

# (what, role, method, URL, form data, expected action, object type, object key)
SENSITIVE = [
    # A child's words as written, and everything the lead records about them.
    ("alert", Role.SAFEGUARDING, "GET", "/staff/safeguarding/{alert}", None,
     "safeguarding.alert.viewed", "safeguarding_alert", "alert"),
    ("acknowledge", Role.SAFEGUARDING, "POST", "/staff/safeguarding/{alert}",
     {"action": "acknowledged"}, "safeguarding.alert.acknowledged", "safeguarding_alert", "alert"),
    ("note", Role.SAFEGUARDING, "POST", "/staff/safeguarding/{alert}",
     {"action": "action_recorded", "note": NOTE},
     "safeguarding.alert.action_recorded", "safeguarding_alert", "alert"),
    ("escalate", Role.SAFEGUARDING, "POST", "/staff/safeguarding/{alert}",
     {"action": "escalated", "escalated_to": "police", "note": NOTE},
     "safeguarding.alert.escalated", "safeguarding_alert", "alert"),
    ("close", Role.SAFEGUARDING, "POST", "/staff/safeguarding/{alert}",
     {"action": "closed", "note": "No further action needed"}, "safeguarding.alert.closed",
     "safeguarding_alert", "alert"),
    # Who was invited: names, email addresses and references.
    ("not answered", Role.ADMIN, "GET", "/staff/surveys/{round}/not-responded", None,
     "survey_round.not_responded_viewed", "survey_round", "round"),
    ("not answered, downloaded", Role.OFFICER, "GET",
     "/staff/surveys/{round}/not-responded?format=csv", None,
     "survey_round.not_responded_exported", "survey_round", "round"),
    ("invitation links", Role.OFFICER, "POST", "/staff/surveys/{round}/invitations",
     {"people": "Sam Taylor, sam@example.com, FAM-0042"},
     "survey_round.invited", "survey_round", "round"),
    ("reminder links", Role.ADMIN, "POST", "/staff/surveys/{round}/reminders", {},
     "survey_round.reminder_links", "survey_round", "round"),
    # A spreadsheet's answers, shown as written before they are screened and redacted.
    ("import check", Role.OFFICER, "POST", "/staff/surveys/{round}/import/{full_import}",
     {f"map--{s}": s for s in (*STATEMENTS, "could-be-better")},
     "survey_round.import_checked", "survey_round", "round"),
    # Exports and downloads.
    ("responses", Role.ADMIN, "GET", "/staff/surveys/downloads/{export_job}", None,
     "survey_round.exported", "survey_round", "round"),
    ("evidence document", Role.PARTICIPATION, "GET",
     "/staff/plans/{plan}/actions/{action}/evidence/{document}/file", None,
     "plan.evidence.downloaded", "plan_action", "action_id"),
    ("scorecard", Role.ADMIN, "GET", "/staff/plans/downloads/{scorecard_job}", None,
     "plan.scorecard.exported", "plan", "plan_id"),
    ("You said, we did", Role.ADMIN, "GET", "/staff/you-said-we-did/downloads/{yswd_job}", None,
     "yswd.exported", "job", "yswd_job"),
    ("outbox", Role.ADMIN, "GET", "/staff/you-said-we-did/outbox", None,
     "yswd.outbox_downloaded", "organisation", "organisation"),
    ("codebook", Role.PARTICIPATION, "GET", "/staff/codebooks/{codebook}/export/qdc", None,
     "codebook.exported", "codebook", "codebook"),
    ("codebook version", Role.OFFICER, "GET",
     "/staff/codebooks/{codebook}/versions/1/export/csv", None,
     "codebook.exported", "codebook", "codebook"),
]  # fmt: skip


@pytest.fixture
def app(database_url):
    # CSRF and rate limits are tested elsewhere: here only what each request records.
    app = make_app(database_url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app.test_client_class = OnceCheckedClient
    yield app
    app.extensions["heard.engine"].dispose()


@pytest.fixture
def org(app, session, demo, published) -> Org:
    """The demo organisation with one of everything (tests/webapp/test_object_access.py)."""
    from models import get_user_by_email

    emails = dict(DEMO_EMAILS)
    users = {role: get_user_by_email(session=session, email=e).id for role, e in emails.items()}
    found = Org(demo.organisation.id, ALDERNEY, emails, users)  # type: ignore[arg-type]
    build(session, found)
    survey_round = session.get(SurveyRound, int(found.objects["round"]))
    columns = [*STATEMENTS, "could-be-better"]
    rows = [",".join(columns), ",".join(["Agree"] * len(STATEMENTS) + ["Alderney wrote this"])]
    full = save_import(
        session=session,
        survey_round=survey_round,  # type: ignore[arg-type]
        user_id=users[Role.OFFICER],
        filename="answers.csv",
        data=("\n".join(rows) + "\n").encode(),
    )
    with app.app_context():
        folder = outbox_folder(demo.organisation)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1.eml").write_text("To: parent@alderney.example\n\nAlderney news\n")
    session.commit()
    found.objects.update(
        full_import=str(full.id), organisation=str(demo.organisation.id), **_ids(session, found)
    )
    return found


def _ids(session: Any, org: Org) -> dict[str, str]:
    """The numeric ids of the plan and action, which URLs name by name and code."""
    from models.plans import get_action, get_plan

    plan = get_plan(session=session, organisation_id=org.organisation_id, name=org.objects["plan"])
    action = get_action(session=session, plan=plan, code=org.objects["action"])  # type: ignore[arg-type]
    return {"plan_id": str(plan.id), "action_id": str(action.id)}  # type: ignore[union-attr]


def _newest(session: Any) -> int:
    return max(session.exec(select(AuditEvent.id)).all(), default=0)  # type: ignore[arg-type]


def test_each_sensitive_route_writes_exactly_its_event(app, session, org):
    clients = {}
    for role in {row[1] for row in SENSITIVE}:
        clients[role] = app.test_client()
        assert sign_in(clients[role], DEMO_EMAILS[role]).status_code == 302
    problems = []
    for what, role, method, url, data, action, object_type, key in SENSITIVE:
        since = _newest(session)
        response = clients[role].open(url.format(**org.objects), method=method, data=data)
        if response.status_code not in {200, 302}:
            problems.append((what, "status", response.status_code))
            continue
        session.expire_all()
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > since).order_by(col(AuditEvent.id))
        ).all()
        found = [(e.action, e.object_type, e.object_id) for e in events]
        if found != [(action, object_type, org.objects[key])]:
            problems.append((what, "events", found))
            continue
        [event] = events
        if (event.actor_user_id, event.organisation_id) != (org.users[role], org.organisation_id):
            problems.append((what, "who", event.actor_user_id, event.organisation_id))
    assert problems == []
    # No event in the whole log holds an answer, the alert's words, the lead's note, a name
    # or an email address; the fixture's texts all carry "Alderney".
    details = " ".join(json.dumps(e.details) for e in session.exec(select(AuditEvent)))
    assert '"severity": "high"' in details  # there is something to look through
    for written in (ALDERNEY, "alderney", NOTE, "Sam Taylor", "@", "FAM-0042"):
        assert written not in details


def test_the_audit_log_can_be_filtered_by_action_and_person(app, session, org):
    admin, officer = app.test_client(), app.test_client()
    sign_in(admin, DEMO_EMAILS[Role.ADMIN])
    sign_in(officer, DEMO_EMAILS[Role.OFFICER])
    officer.get(f"/staff/codebooks/{org.objects['codebook']}/export/csv")
    admin.get(f"/staff/surveys/{org.objects['round']}/not-responded")
    page = admin.get("/staff/audit-log").get_data(as_text=True)
    assert "codebook.exported" in page and "survey_round.not_responded_viewed" in page
    assert "Olu Officer" in page  # people are named, not only numbered
    by_action = admin.get("/staff/audit-log?action=codebook.exported").get_data(as_text=True)
    rows = by_action[by_action.index("<tbody") :]
    assert "codebook.exported" in rows and "not_responded_viewed" not in rows
    assert "sign-in" not in rows
    officer_id = org.users[Role.OFFICER]
    by_person = admin.get(f"/staff/audit-log?person={officer_id}").get_data(as_text=True)
    rows = by_person[by_person.index("<tbody") :]
    assert "codebook.exported" in rows and "not_responded_viewed" not in rows
    assert f'value="{officer_id}" selected' in by_person
    both = admin.get(
        f"/staff/audit-log?person={officer_id}&action=survey_round.not_responded_viewed"
    )
    assert "No events match these filters" in both.get_data(as_text=True)
    # An action or person from nowhere (or another organisation) shows everything.
    anything = admin.get("/staff/audit-log?action=nothing.real&person=99999")
    assert "not_responded_viewed" in anything.get_data(as_text=True)
