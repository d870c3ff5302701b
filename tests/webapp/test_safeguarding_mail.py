"""Safeguarding leads are emailed at once when an alert is raised, without the words.

The alerts are raised the real way: a child sending All about Me, and an officer importing
a spreadsheet. The mail server is a stand-in that records what it was given.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from models import (
    AuditEvent,
    OrganisationCreate,
    Role,
    User,
    UserCreate,
    create_organisation,
    create_user,
)
from models.jobs import Job, JobStatus
from models.safeguarding import AlertAction, AlertStatus, SafeguardingAlert, act_on_alert
from tests.conftest import sign_in
from tests.mail import REFUSED, fake_smtp, mail_server_down, sent_messages
from tests.surveys import make_round
from tests.webapp.test_safeguarding import send
from tests.webapp.test_survey_imports import as_csv, check, confirm, headings, rows_for, upload
from webapp.analysis_jobs import run
from webapp.safeguarding_mail import ATTEMPTS, KIND, RETRY_AFTER, notices_to_retry

DISCLOSURE = "my dad hurts me when mum is out"
NAME = "Jamie Smith"
PUBLIC = "https://heard.example.gov.uk"


def child_sends(app, words=DISCLOSURE):
    return send(
        app.test_client(),
        {
            "about-me": {"name": NAME, "provided-by": "child-with-help"},
            "aspirations": {"three-wishes": words},
        },
    )


def add_user(session, organisation_id, email, role, active=True):
    user = create_user(
        session=session,
        organisation_id=organisation_id,
        data=UserCreate(
            email=email, full_name=email.split("@")[0], role=role, password="a long password 12"
        ),
    )
    user.is_active = active
    session.add(user)
    session.commit()
    return user


def queue_with(monkeypatch, app, run_job):
    """The app's queue, with its task replaced."""
    queue = app.extensions["heard.queue"]
    monkeypatch.setitem(app.extensions, "heard.queue", replace(queue, run_job=run_job))


def notices(session):
    session.expire_all()
    return list(session.exec(select(Job).where(Job.kind == KIND).order_by(Job.id)))


@pytest.fixture
def leads(session, demo):
    """The demo's lead, a second lead, a lead who has left, and the mail server."""
    org = demo.organisation.id
    add_user(session, org, "second.lead@example.org", Role.SAFEGUARDING)
    add_user(session, org, "left.lead@example.org", Role.SAFEGUARDING, active=False)
    add_user(session, org, REFUSED, Role.SAFEGUARDING)
    return org


def test_every_active_lead_is_emailed_a_link_and_never_the_words(
    app, session, published, leads, monkeypatch
):
    sender = "heard@kent.gov.uk"
    sent = fake_smtp(monkeypatch, app, HEARD_PUBLIC_URL=PUBLIC, HEARD_MAIL_FROM=sender)

    page = child_sends(app)

    assert "0800 1111" in page  # the child's confirmation page is as it always is
    [alert] = session.exec(select(SafeguardingAlert)).all()
    messages = dict(sent_messages(sent))
    assert sorted(messages) == ["safeguarding@demo.heard", "second.lead@example.org"]
    message = messages["safeguarding@demo.heard"]
    assert message["From"] == sender
    assert message["Subject"] == "Heard: a new safeguarding alert for Kent County Council (demo)"
    body = message.get_content()
    assert "- High severity: All about Me, sent " in body
    assert f"{PUBLIC}/staff/safeguarding/{alert.id}" in body
    assert "Hello Sam Safeguarding," in body
    for private in ("hurts", "dad", "Jamie", "Smith"):
        assert private not in body and private not in message["Subject"]
    [job] = notices(session)
    assert job.status == JobStatus.DONE
    assert job.result == {"alerts": 1, "leads": 3, "sent": 2}
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "safeguarding.alert.notified")
    ).all()
    assert event.object_id == str(alert.id) and event.details == {"leads": 2, "severity": "high"}


def test_without_a_public_address_the_email_names_the_alert_instead_of_a_link(
    app, session, published, leads, monkeypatch
):
    sent = fake_smtp(monkeypatch, app, HEARD_PUBLIC_URL="")
    child_sends(app)
    [alert] = session.exec(select(SafeguardingAlert)).all()
    body = sent_messages(sent)[0][1].get_content()
    assert f"Alert {alert.id} on Heard's Safeguarding page" in body and "http" not in body


def test_an_ordinary_answer_emails_nobody(app, session, published, leads, monkeypatch):
    sent = fake_smtp(monkeypatch, app)
    child_sends(app, "I'm dying to go swimming")
    assert sent == [] and notices(session) == []


def test_with_no_mail_server_nothing_is_recorded_and_the_dashboard_still_says(
    app, session, published, leads
):
    child_sends(app)
    assert notices(session) == []
    client = app.test_client()
    sign_in(client, "safeguarding@demo.heard")
    assert "1 open safeguarding alert" in client.get("/staff/").get_data(as_text=True)


def test_a_mail_server_that_is_down_fails_the_email_not_the_answers(
    app, session, published, leads, monkeypatch
):
    fake_smtp(monkeypatch, app)
    mail_server_down(monkeypatch)
    page = child_sends(app)
    assert "0800 1111" in page
    [alert] = session.exec(select(SafeguardingAlert)).all()
    assert alert.status == AlertStatus.OPEN
    [job] = notices(session)
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "The mail server could not be reached (ConnectionRefusedError). It will be tried again."
    )


def test_a_queue_that_cannot_be_reached_does_not_stop_the_answers(
    app, session, published, leads, monkeypatch
):
    fake_smtp(monkeypatch, app)

    def broken(job_id):
        raise ConnectionError("redis is down")

    queue_with(monkeypatch, app, broken)
    page = child_sends(app)
    assert "0800 1111" in page and len(session.exec(select(SafeguardingAlert)).all()) == 1
    [job] = notices(session)
    assert job.status == JobStatus.QUEUED  # recorded with the alert, for a worker to retry
    # The worker's sweep queues it again once it has waited too long to be a slow queue.
    assert notices_to_retry(session, job.created_at + timedelta(minutes=1)) == []
    assert notices_to_retry(session, job.created_at + timedelta(minutes=3)) == [job.id]
    # The worker runs that sweep every minute; once the queue is back, the email goes.
    monkeypatch.undo()  # the queue as it was; the stand-in mail server again
    sent = fake_smtp(monkeypatch, app)
    job.created_at -= timedelta(minutes=3)
    session.add(job)
    session.commit()
    app.extensions["heard.queue"].retry_safeguarding_notices()
    [job] = notices(session)
    assert job.status == JobStatus.DONE and len(sent_messages(sent)) == 2


def test_an_alert_dealt_with_before_the_email_goes_is_left_out(
    app, session, published, leads, monkeypatch
):
    sent = fake_smtp(monkeypatch, app)
    held = []
    queue_with(monkeypatch, app, held.append)
    child_sends(app)
    [alert] = session.exec(select(SafeguardingAlert)).all()
    lead = session.exec(select(User).where(User.email == "safeguarding@demo.heard")).one()
    act_on_alert(session=session, alert=alert, action=AlertAction.ACKNOWLEDGE, by=lead)
    session.commit()

    [job_id] = held
    with app.app_context():
        run(app.extensions["heard.engine"], job_id)
    [job] = notices(session)
    assert job.result == {"alerts": 0, "leads": 3, "sent": 0} and sent == []


def test_an_import_with_a_disclosure_emails_the_leads_once_it_is_committed(
    client, app, session, demo, published, leads, monkeypatch
):
    sent = fake_smtp(monkeypatch, app)
    survey_round = make_round(session, demo.organisation.id)
    sign_in(client, "officer@demo.heard")
    header, rows = rows_for(headings(session, survey_round), 3)
    rows[1][-2] = DISCLOSURE  # the free-text column
    uploaded = upload(client, survey_round, as_csv(header, rows), "paper.csv")
    assert check(client, uploaded.location).status_code == 200
    assert confirm(client, uploaded.location).status_code == 302
    [alert] = session.exec(select(SafeguardingAlert)).all()
    [job] = notices(session)
    assert job.params == {"alert_ids": [alert.id]} and job.status == JobStatus.DONE
    assert len(sent_messages(sent)) == 2


def test_a_failed_email_is_tried_again_later_until_the_attempts_run_out(
    app, session, published, leads, monkeypatch
):
    fake_smtp(monkeypatch, app)
    mail_server_down(monkeypatch)
    child_sends(app)
    [job] = notices(session)
    assert job.message.endswith("It will be tried again.")
    for attempt in range(2, ATTEMPTS + 1):
        failed_at = job.finished_at
        assert notices_to_retry(session, failed_at + RETRY_AFTER * (attempt - 1)) == []
        assert notices_to_retry(session, failed_at + RETRY_AFTER * attempt) == [job.id]
        session.commit()
        with app.app_context():
            run(app.extensions["heard.engine"], job.id)
        [job] = notices(session)
        assert job.status == JobStatus.FAILED and job.params["attempts"] == attempt
        assert job.message.startswith("The mail server could not be reached")
    assert not job.message.endswith("It will be tried again.")
    assert notices_to_retry(session, job.finished_at + timedelta(days=1)) == []
    # Once the mail server is back, a retried notice goes out.
    sent = fake_smtp(monkeypatch, app)
    child_sends(app)
    assert [to for to, _message in sent_messages(sent)] == [
        "safeguarding@demo.heard",
        "second.lead@example.org",
    ]


def test_every_address_refused_or_no_lead_fails_the_email_and_records_no_event(
    app, session, demo, published, monkeypatch
):
    fake_smtp(monkeypatch, app)
    org = demo.organisation.id
    lead = session.exec(select(User).where(User.email == "safeguarding@demo.heard")).one()
    lead.email = REFUSED
    session.add(lead)
    session.commit()
    child_sends(app)
    [job] = notices(session)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The mail server refused every safeguarding lead's address.")
    lead.is_active = False
    session.add(lead)
    add_user(session, org, "admin.two@example.org", Role.ADMIN)
    session.commit()
    child_sends(app)
    second = notices(session)[1]
    assert second.message.startswith("This organisation has no active safeguarding lead")
    notified = select(AuditEvent).where(AuditEvent.action == "safeguarding.alert.notified")
    assert session.exec(notified).all() == []


def test_another_organisations_leads_are_not_told(app, session, published, leads, monkeypatch):
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull", name="Hull City Council")
    )
    session.commit()
    add_user(session, other.id, "hull.lead@example.org", Role.SAFEGUARDING)
    sent = fake_smtp(monkeypatch, app)
    child_sends(app)
    told = [to for to, _message in sent_messages(sent)]
    assert "hull.lead@example.org" not in told and len(told) == 2


def test_a_job_queued_twice_runs_once(app, session, published, leads, monkeypatch):
    sent = fake_smtp(monkeypatch, app)
    held = []
    queue_with(monkeypatch, app, held.append)
    child_sends(app)
    [job_id] = held
    with app.app_context():  # as the worker runs it
        run(app.extensions["heard.engine"], job_id)
        run(app.extensions["heard.engine"], job_id)
    assert len(sent_messages(sent)) == 2
