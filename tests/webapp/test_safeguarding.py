"""Screening at submission, and the safeguarding lead's pages."""

from sqlmodel import select

from models import AuditEvent
from models.coding import Comment
from models.safeguarding import AlertStatus, SafeguardingAlert
from tests.conftest import csrf_token, sign_in
from tests.webapp.test_respond import BASE, begin, post_page

LEAD = "safeguarding@demo.heard"


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
    send(client, {"aspirations": {"get-better-at": "i dont want to be alive"}})
    [alert] = alerts(session)
    return alert


def test_the_lead_sees_alerts_and_each_view_is_audited(app, published, session):
    child = app.test_client()
    alert = _raise_one(child, session)
    lead = app.test_client()
    sign_in(lead, LEAD)
    listing = lead.get("/staff/safeguarding/").get_data(as_text=True)
    assert f"Alert {alert.id}" in listing and "High" in listing and "1 open" in listing
    assert "open safeguarding alert" in lead.get("/staff/").get_data(as_text=True)
    detail = lead.get(f"/staff/safeguarding/{alert.id}").get_data(as_text=True)
    assert "i dont want to be alive" in detail
    assert "Possible suicidal thoughts" in detail
    viewed = session.exec(
        select(AuditEvent).where(AuditEvent.action == "safeguarding.alert.viewed")
    ).all()
    assert len(viewed) == 1


def test_the_lead_records_what_was_done(app, published, session):
    alert = _raise_one(app.test_client(), session)
    lead = app.test_client()
    sign_in(lead, LEAD)
    url = f"/staff/safeguarding/{alert.id}"
    token = csrf_token(lead, url)
    missing = lead.post(url, data={"csrf_token": token, "note": "x"})
    assert missing.status_code == 200
    page = missing.get_data(as_text=True)
    assert "Select what you have done" in page and 'href="#status"' in page
    done = lead.post(
        url, data={"csrf_token": token, "status": "acknowledged", "note": "Referred to the DSL"}
    )
    assert done.headers["Location"].endswith("/staff/safeguarding/")
    session.expire_all()
    handled = session.get(SafeguardingAlert, alert.id)
    assert handled.status == AlertStatus.ACKNOWLEDGED
    assert "Referred to the DSL" in handled.note and handled.handled_by_id is not None
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "safeguarding.alert.acknowledged")
    ).one()


def test_only_leads_and_admins_see_alerts(app, published, session):
    alert = _raise_one(app.test_client(), session)
    for email, status in [
        ("participation@demo.heard", 403),
        ("officer@demo.heard", 403),
        ("admin@demo.heard", 200),
    ]:
        client = app.test_client()
        sign_in(client, email)
        assert client.get(f"/staff/safeguarding/{alert.id}").status_code == status, email
        assert client.get("/staff/safeguarding/").status_code == status, email


def test_an_unknown_alert_is_404(app, published):
    lead = app.test_client()
    sign_in(lead, LEAD)
    assert lead.get("/staff/safeguarding/999").status_code == 404
