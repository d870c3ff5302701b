"""Screening at submission, and the safeguarding lead's pages."""

import json
import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlmodel import select

from models import AuditEvent, Role, get_organisation_by_slug
from models.coding import Comment
from models.safeguarding import (
    AlertStatus,
    SafeguardingAlert,
    create_alert,
    list_alerts,
)
from models.types import utcnow
from tests.conftest import csrf_token, sign_in
from tests.same_instant import same_instant
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.test_respond import BASE, begin, post_page
from webapp import staff_safeguarding

LEAD = DEMO_EMAILS[Role.SAFEGUARDING]
WORDS = "i dont want to be alive"
NOT_LEADS = [role for role in Role if role != Role.SAFEGUARDING]


def send(client, answers):
    """Answer the given pages of All about Me and send it."""
    begin(client)
    for page_id, data in answers.items():
        assert post_page(client, page_id, data).status_code == 302
    token = csrf_token(client, f"{BASE}/check-answers")
    sent = client.post(f"{BASE}/check-answers", data={"csrf_token": token})
    assert sent.headers["Location"] == f"{BASE}/confirmation"
    return client.get(f"{BASE}/confirmation").get_data(as_text=True)


def alerts(session):
    session.expire_all()
    return list(session.exec(select(SafeguardingAlert)))


def test_a_disclosure_raises_an_alert_before_the_confirmation_page(client, published, session):
    page = send(
        client,
        {
            "about-me": {"name": "Jamie Smith", "provided-by": "child-with-help"},
            "aspirations": {
                "get-better-at": "reading",
                "three-wishes": "Jamie wants a dog. my dad hurts me when mum is out",
            },
        },
    )
    # Help is always shown; nothing on the page says the answer was flagged.
    assert "Talk to an adult you trust" in page and "0800 1111" in page
    assert "flag" not in page.lower() and "safeguarding" not in page.lower()
    [alert] = alerts(session)
    assert alert.severity == "high"
    assert alert.question_id == "three-wishes"
    assert alert.text == "Jamie wants a dog. my dad hurts me when mum is out"
    assert "physical abuse" in alert.categories
    assert alert.status == AlertStatus.OPEN
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "safeguarding.alert.raised")
    ).one()
    assert event.object_id == str(alert.id)
    # The audit log records that it happened, never what the child wrote.
    assert "hurts" not in str(event.details)


def test_every_free_text_answer_is_stored_redacted_with_a_sentiment(client, published, session):
    send(
        client,
        {
            "about-me": {"name": "Jamie Smith", "provided-by": "child-with-help"},
            "aspirations": {
                "get-better-at": "Jamie loves Riverside Primary School, email jo@example.org",
                "three-wishes": "I am so happy with my lovely teacher",
            },
        },
    )
    session.expire_all()
    comments = {c.question_id: c for c in session.exec(select(Comment))}
    assert set(comments) == {"get-better-at", "three-wishes"}  # the name is not a comment
    assert comments["get-better-at"].text_redacted == "[name] loves [setting], email [email]"
    assert comments["three-wishes"].sentiment == "positive"
    assert not any(c.flagged for c in comments.values())
    assert alerts(session) == []


def test_ordinary_answers_raise_no_alert(client, published, session):
    send(client, {"aspirations": {"get-better-at": "I'm dying to go swimming"}})
    assert alerts(session) == []


def _raise_one(client, session):
    send(client, {"aspirations": {"get-better-at": WORDS}})
    [alert] = alerts(session)
    return alert


@pytest.fixture
def alert(app, published, session):
    """One real alert, raised by a child sending a form."""
    return _raise_one(app.test_client(), session)


@pytest.fixture
def lead(app):
    client = app.test_client()
    assert sign_in(client, LEAD).status_code == 302
    return client


def events(session, action=None):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.object_type == "safeguarding_alert")
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))


def reload(session, alert):
    session.expire_all()
    return session.get(SafeguardingAlert, alert.id)


def act(client, alert, **data):
    url = f"/staff/safeguarding/{alert.id}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **data})


def summary_links(page):
    """The error summary's links, in order, as (href, text)."""
    summary = page[page.index("govuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    return re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)


def safeguarding_requests(app, alert_id):
    """(method, url) for every route of the safeguarding blueprint, with a real alert id."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.partition(".")[0] != "safeguarding":
                continue
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, alert_id))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    endpoints = {endpoint for endpoint, _, _ in found}
    # The walk cannot silently be empty: the routes that exist today are in it.
    assert {"safeguarding.index", "safeguarding.alert"} <= endpoints
    assert ("safeguarding.alert", "POST", f"/staff/safeguarding/{alert_id}") in found
    return found


# Who may look


def test_every_role_has_a_demo_account_to_check():
    assert set(DEMO_EMAILS) == set(Role)


def test_only_the_safeguarding_lead_may_open_the_safeguarding_pages(app):
    from webapp.access import allowed_roles

    with app.test_request_context():
        for endpoint in app.view_functions:
            if endpoint.startswith("safeguarding."):
                assert allowed_roles(endpoint) == {Role.SAFEGUARDING}, endpoint


@pytest.mark.parametrize("role", NOT_LEADS, ids=str)
def test_every_other_role_is_refused_every_safeguarding_url(app, alert, session, role):
    client = app.test_client()
    assert sign_in(client, DEMO_EMAILS[role]).status_code == 302
    token = csrf_token(client, "/staff/")  # the sign-out form's token: a POST that would work
    for endpoint, method, url in safeguarding_requests(app, alert.id):
        data = {"csrf_token": token, "action": "closed", "note": "Dealt with"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (role, endpoint, method)
        page = response.get_data(as_text=True)
        assert WORDS not in page and "You do not have permission" in page, (role, endpoint)
    # Nothing was done to the alert, and nobody but the lead was recorded looking at it.
    assert reload(session, alert).status == AlertStatus.OPEN
    assert [e.action for e in events(session)] == ["safeguarding.alert.raised"]


def test_signed_out_visitors_are_sent_to_sign_in(app, alert, session):
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    for endpoint, method, url in safeguarding_requests(app, alert.id):
        data = {"csrf_token": token, "action": "closed"} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (endpoint, method)
        assert response.headers["Location"].startswith("/sign-in?next="), (endpoint, method)
        assert WORDS not in response.get_data(as_text=True)
    assert reload(session, alert).status == AlertStatus.OPEN


def test_the_lead_can_open_every_safeguarding_url(app, alert, lead):
    for endpoint, method, url in safeguarding_requests(app, alert.id):
        if method == "GET":
            assert lead.get(url).status_code == 200, endpoint


@pytest.mark.parametrize("role", NOT_LEADS, ids=str)
def test_other_roles_are_not_told_about_alerts(app, alert, role):
    client = app.test_client()
    sign_in(client, DEMO_EMAILS[role])
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert "/staff/safeguarding" not in dashboard
    assert "safeguarding alert" not in dashboard.lower() and WORDS not in dashboard


def test_the_lead_is_told_how_many_alerts_are_open(alert, lead):
    dashboard = lead.get("/staff/").get_data(as_text=True)
    assert "1 open safeguarding alert" in dashboard
    assert 'href="/staff/safeguarding/"' in dashboard
    assert WORDS not in dashboard  # the words are on the alert's own page, nowhere else


def test_an_unknown_alert_is_404(app, published):
    lead = app.test_client()
    sign_in(lead, LEAD)
    assert lead.get("/staff/safeguarding/999").status_code == 404


def test_an_alert_from_another_organisation_is_404(alert, lead, session):
    from models import Organisation

    other = Organisation(slug="elsewhere", name="Elsewhere Council")
    session.add(other)
    session.flush()
    alert = reload(session, alert)
    alert.organisation_id = other.id
    session.add(alert)
    session.commit()
    assert lead.get(f"/staff/safeguarding/{alert.id}").status_code == 404
    assert f"Alert {alert.id}" not in lead.get("/staff/safeguarding/").get_data(as_text=True)


# What the lead sees


def test_the_lead_sees_alerts_and_each_view_is_audited(alert, lead, session):
    listing = lead.get("/staff/safeguarding/").get_data(as_text=True)
    assert f"Alert {alert.id}" in listing and "High" in listing and "1 open" in listing
    assert WORDS not in listing  # the list names the concern, not the words
    for _ in range(2):
        detail = lead.get(f"/staff/safeguarding/{alert.id}").get_data(as_text=True)
        assert WORDS in detail  # in full, unredacted
        assert "Possible suicidal thoughts" in detail
        assert "This year I want to get better at:" in detail  # the question, not its id
    viewed = events(session, "safeguarding.alert.viewed")
    assert len(viewed) == 2
    assert all(e.actor_user_id is not None for e in viewed)
    assert all(e.object_id == str(alert.id) for e in viewed)
    assert all(WORDS not in json.dumps(e.details) for e in viewed)
    assert viewed[0].details["severity"] == "high"


def _alerts_to_order(session, alert):
    """Alerts of every status and severity, raised an hour apart, oldest first."""
    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    start = utcnow() - timedelta(days=1)
    made = {}
    for hours, name, severity, status in [
        (0, "old-high", "high", AlertStatus.OPEN),
        (1, "old-low", "low", AlertStatus.OPEN),
        (2, "old-closed", "high", AlertStatus.CLOSED),
        (3, "old-escalated", "low", AlertStatus.ESCALATED),
        (4, "new-medium", "medium", AlertStatus.OPEN),
        (5, "new-acknowledged", "high", AlertStatus.ACKNOWLEDGED),
        (6, "new-closed", "low", AlertStatus.CLOSED),
        (7, "new-low", "low", AlertStatus.OPEN),
        (8, "new-high", "high", AlertStatus.OPEN),
        (9, "newest-escalated", "medium", AlertStatus.ESCALATED),
    ]:
        made[name] = create_alert(
            session=session,
            organisation_id=organisation.id,
            response_id=alert.response_id,
            question_id="get-better-at",
            severity=severity,
            reason="Test",
            categories=["test"],
            text=name,
        )
        made[name].created_at = start + timedelta(hours=hours)
        made[name].status = status
        session.add(made[name])
    session.delete(session.get(SafeguardingAlert, alert.id))
    session.commit()
    return organisation, made


EXPECTED_ORDER = [
    "new-high",
    "old-high",
    "new-medium",
    "new-low",
    "old-low",
    "newest-escalated",
    "new-acknowledged",
    "old-escalated",
    "new-closed",
    "old-closed",
]


def test_alerts_are_ordered_open_and_severe_first_then_handled_then_closed(alert, session):
    organisation, _ = _alerts_to_order(session, alert)
    listed = list_alerts(session=session, organisation_id=organisation.id)
    assert [a.text for a in listed] == EXPECTED_ORDER
    handled = list_alerts(
        session=session, organisation_id=organisation.id, status=AlertStatus.ESCALATED
    )
    assert [a.text for a in handled] == ["newest-escalated", "old-escalated"]


def test_the_list_shows_alerts_in_that_order_with_their_status(alert, lead, session):
    _, made = _alerts_to_order(session, alert)
    listing = lead.get("/staff/safeguarding/").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r">Alert (\d+)</a>", listing)]
    assert shown == [made[name].id for name in EXPECTED_ORDER]
    assert "5 open" in listing
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', listing, re.S)[1:]
    statuses = [re.search(r'govuk-tag--\w+">(\w+)</strong>\s*</td>\s*$', r).group(1) for r in rows]
    assert statuses == ["Open"] * 5 + ["Escalated", "Acknowledged", "Escalated"] + ["Closed"] * 2


# What the lead does


def test_acknowledging(alert, lead, session):
    done = act(lead, alert, action="acknowledged", note="")
    assert done.headers["Location"] == "/staff/safeguarding/"
    assert f"Alert {alert.id}: acknowledged" in lead.get("/staff/safeguarding/").get_data(
        as_text=True
    )
    handled = reload(session, alert)
    assert handled.status == AlertStatus.ACKNOWLEDGED
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC: Sam Safeguarding acknowledged the alert\.", handled.note
    )
    assert handled.handled_by_id is not None and handled.handled_at is not None
    [event] = events(session, "safeguarding.alert.acknowledged")
    assert event.actor_user_id == handled.handled_by_id
    assert event.details["status"] == "acknowledged" and WORDS not in json.dumps(event.details)
    # It cannot be acknowledged twice; the other actions are still offered.
    page = lead.get(f"/staff/safeguarding/{alert.id}").get_data(as_text=True)
    assert 'value="acknowledged"' not in page and 'value="action_recorded"' in page


def test_recording_an_action(alert, lead, session):
    note = "Referred to the designated safeguarding lead at the school"
    assert act(lead, alert, action="action_recorded", note=note).status_code == 302
    handled = reload(session, alert)
    # Recording an action on an open alert means it is being dealt with.
    assert handled.status == AlertStatus.ACKNOWLEDGED
    assert handled.note.endswith(f"UTC: Sam Safeguarding recorded an action.\n{note}")
    [event] = events(session, "safeguarding.alert.action_recorded")
    assert note not in json.dumps(event.details) and WORDS not in json.dumps(event.details)
    # A second record keeps the first and adds a line beneath it.
    act(lead, alert, action="action_recorded", note="Spoke to the parent carer")
    handled = reload(session, alert)
    assert handled.note.split("\n\n")[0].endswith(note)
    assert handled.note.count("recorded an action") == 2
    assert handled.note.endswith("Spoke to the parent carer")
    page = lead.get(f"/staff/safeguarding/{alert.id}").get_data(as_text=True)
    assert note in page and "Spoke to the parent carer" in page


def test_two_leads_recording_at_once_both_keep_their_lines(app, alert, lead, session, monkeypatch):
    other = app.test_client()
    assert sign_in(other, LEAD).status_code == 302
    url = f"/staff/safeguarding/{alert.id}"
    tokens = csrf_token(lead, url), csrf_token(other, url)

    first, second, held = same_instant(
        monkeypatch,
        staff_safeguarding,
        "act_on_alert",
        lambda: lead.post(
            url, data={"csrf_token": tokens[0], "action": "action_recorded", "note": "Rang school"}
        ),
        lambda: other.post(
            url, data={"csrf_token": tokens[1], "action": "action_recorded", "note": "Rang home"}
        ),
    )

    assert held  # the second waited until the first had saved
    assert (first.status_code, second.status_code) == (302, 302)
    note = reload(session, alert).note
    assert note.count("recorded an action") == 2
    assert "Rang school" in note and "Rang home" in note


def test_escalating(alert, lead, session):
    note = "Rang the front door at 10am, reference 12345"
    done = act(lead, alert, action="escalated", escalated_to="childrens-social-care", note=note)
    assert done.status_code == 302
    handled = reload(session, alert)
    assert handled.status == AlertStatus.ESCALATED
    assert handled.note.endswith(
        f"Sam Safeguarding escalated it to Children's social care front door.\n{note}"
    )
    [event] = events(session, "safeguarding.alert.escalated")
    assert event.details["escalated_to"] == "childrens-social-care"
    assert event.details["status"] == "escalated"
    assert note not in json.dumps(event.details) and WORDS not in json.dumps(event.details)
    # It can be escalated again, to someone else, and still closed.
    assert (
        act(lead, alert, action="escalated", escalated_to="police", note="101").status_code == 302
    )
    assert "escalated it to Police.\n101" in reload(session, alert).note


def test_closing(alert, lead, session):
    assert act(lead, alert, action="closed", note="No further action").status_code == 302
    handled = reload(session, alert)
    assert handled.status == AlertStatus.CLOSED
    assert handled.note.endswith("Sam Safeguarding closed the alert.\nNo further action")
    [event] = events(session, "safeguarding.alert.closed")
    assert WORDS not in json.dumps(event.details) and "No further" not in json.dumps(event.details)
    # A closed alert still shows what was written and done, but takes nothing more.
    url = f"/staff/safeguarding/{alert.id}"
    page = lead.get(url).get_data(as_text=True)
    assert WORDS in page and "No further action" in page
    assert "This alert is closed" in page and 'name="action"' not in page
    token = csrf_token(lead, "/staff/")
    refused = lead.post(
        url, data={"csrf_token": token, "action": "escalated", "note": "Rang home at 4pm"}
    )
    # Closed while they wrote: nothing is saved, and the page gives them back their note.
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert f"Alert {alert.id} was closed while you were writing, so nothing was saved" in shown
    assert "Rang home at 4pm" in shown
    assert reload(session, alert).note == handled.note
    assert not events(session, "safeguarding.alert.escalated")


def test_every_action_is_audited_without_the_childs_words(alert, lead, session):
    act(lead, alert, action="acknowledged")
    act(lead, alert, action="action_recorded", note="Told the school")
    act(lead, alert, action="escalated", escalated_to="lado", note="Emailed the LADO")
    unexplained = act(lead, alert, action="closed")
    assert "Enter a note saying why the alert can be closed" in unexplained.get_data(as_text=True)
    act(lead, alert, action="closed", note="The LADO has it in hand")
    actions = [e.action for e in events(session) if e.action != "safeguarding.alert.viewed"]
    assert actions == [
        "safeguarding.alert.raised",
        "safeguarding.alert.acknowledged",
        "safeguarding.alert.action_recorded",
        "safeguarding.alert.escalated",
        "safeguarding.alert.closed",
    ]
    for event in events(session):
        assert WORDS not in json.dumps(event.details), event.action
    note = reload(session, alert).note
    assert note.count("Sam Safeguarding") == 4 and note.count(" UTC: ") == 4


# What goes wrong


def _unchanged(session, alert):
    handled = reload(session, alert)
    return handled.status == AlertStatus.OPEN and handled.note == ""


def test_choosing_nothing_is_an_error(alert, lead, session):
    response = act(lead, alert, note="Typed before choosing")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Alert" in page
    assert summary_links(page) == [("#action", "Select what you have done")]
    assert "Typed before choosing</textarea>" in page  # nothing typed is lost
    assert WORDS in page  # the page is shown again, in full
    assert _unchanged(session, alert)


def test_an_action_not_on_offer_is_an_error(alert, lead, session):
    page = act(lead, alert, action="deleted", note="x").get_data(as_text=True)
    assert summary_links(page) == [("#action", "Select what you have done")]
    act(lead, alert, action="acknowledged")
    page = act(lead, alert, action="acknowledged").get_data(as_text=True)
    assert summary_links(page) == [("#action", "Select what you have done")]
    assert len(events(session, "safeguarding.alert.acknowledged")) == 1


def test_recording_an_action_needs_a_note(alert, lead, session):
    page = act(lead, alert, action="action_recorded", note="   ").get_data(as_text=True)
    assert summary_links(page) == [("#note", "Enter a note saying what you did")]
    assert 'value="action_recorded" checked' in page
    assert _unchanged(session, alert)


def test_escalating_needs_who_to_and_a_note(alert, lead, session):
    page = act(lead, alert, action="escalated", escalated_to="", note="").get_data(as_text=True)
    assert summary_links(page) == [
        ("#escalated_to", "Select who you escalated it to"),
        ("#note", "Enter a note saying what you did"),
    ]
    # Escalate stays chosen, so the question under it is shown.
    assert 'value="escalated" checked' in page
    assert 'class="govuk-radios__conditional" id="conditional-action-3"' in page
    page = act(lead, alert, action="escalated", note="Rang them at 10am").get_data(as_text=True)
    assert summary_links(page) == [("#escalated_to", "Select who you escalated it to")]
    assert "Rang them at 10am</textarea>" in page
    page = act(lead, alert, action="escalated", escalated_to="police", note="").get_data(
        as_text=True
    )
    assert summary_links(page) == [("#note", "Enter a note saying what you did")]
    assert '<option value="police" selected>' in page
    assert _unchanged(session, alert)
    assert not events(session, "safeguarding.alert.escalated")


def test_a_note_over_2000_characters_is_an_error(alert, lead, session):
    long = "a" * 2001
    response = act(lead, alert, action="closed", note=long)
    page = response.get_data(as_text=True)
    assert summary_links(page) == [("#note", "The note must be 2,000 characters or fewer")]
    assert f"{long}</textarea>" in page
    assert _unchanged(session, alert)
    assert act(lead, alert, action="closed", note="a" * 2000).status_code == 302


def test_escalation_is_hidden_until_chosen(alert, lead):
    page = lead.get(f"/staff/safeguarding/{alert.id}").get_data(as_text=True)
    assert 'data-aria-controls="conditional-action-3"' in page
    assert (
        'class="govuk-radios__conditional govuk-radios__conditional--hidden"'
        ' id="conditional-action-3"' in page
    )
    assert "Children&#39;s social care front door" in page and "LADO" in page
