"""Signing in and out."""

from models import list_users
from models.audit import list_events
from tests.conftest import DEMO_PASSWORD, csrf_token, sign_in


def test_staff_sign_in_with_the_right_password(client, demo):
    response = sign_in(client, "Officer@Demo.Heard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "Olu Officer" in page
    assert "Officer" in page


def test_wrong_password_shows_an_error_and_keeps_the_email(client, demo, session):
    response = sign_in(client, "officer@demo.heard", "not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in page
    assert 'value="officer@demo.heard"' in page
    assert "<title>Error: Sign in" in page
    assert client.get("/staff/").status_code == 302
    assert list_events(session=session, action="sign-in-failed")


def test_empty_form_gets_govuk_messages(client):
    token = csrf_token(client, "/sign-in")
    page = client.post("/sign-in", data={"csrf_token": token}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#email"' in page


def test_badly_formed_email_is_explained(client):
    token = csrf_token(client, "/sign-in")
    page = client.post(
        "/sign-in", data={"csrf_token": token, "email": "not an email", "password": "x"}
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format, like name@example.com" in page


def test_inactive_user_cannot_sign_in(client, demo, session):
    user = next(u for u in list_users(session=session, organisation_id=demo.organisation.id))
    user.is_active = False
    session.add(user)
    session.commit()
    response = sign_in(client, user.email, DEMO_PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_sign_out_needs_a_post_with_a_token_and_ends_the_session(client, demo, session):
    sign_in(client, "admin@demo.heard")
    assert client.post("/sign-out").status_code == 400  # no CSRF token
    token = csrf_token(client, "/staff/")
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.headers["Location"] == "/"
    assert "You have signed out." in client.get("/").get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    assert [e.action for e in list_events(session=session)][:2] == ["sign-out", "sign-in"]


def test_signed_in_user_visiting_sign_in_goes_to_their_dashboard(client, demo):
    sign_in(client, "admin@demo.heard")
    assert client.get("/sign-in").headers["Location"] == "/staff/"
