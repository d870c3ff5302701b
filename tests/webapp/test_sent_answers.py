"""Once sent, answers are not opened again by their resume code or link, and the browser
that sent them keeps them only until it closes, and for an hour at most."""

import re
from datetime import timedelta

from sqlmodel import select

from models.responses import RECEIPT_LIFETIME, Response
from tests.conftest import csrf_token
from tests.webapp.test_respond import BASE, begin, post_page

WORDS = "my dad hurts me"


def send_all_about_me(client) -> tuple[str, str]:
    """Start, answer, and send All about Me; return its resume code and full token."""
    started = begin(client)
    token = started.headers["Set-Cookie"].split("=", 1)[1].split(";")[0]
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    code = re.search(r"keep this code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", page).group(1)
    assert post_page(client, "aspirations", {"get-better-at": WORDS}).status_code == 302
    check = f"{BASE}/check-answers"
    sent = client.post(check, data={"csrf_token": csrf_token(client, check)})
    assert sent.headers["Location"] == f"{BASE}/confirmation"
    # The cookie now goes when the browser closes: no Max-Age, no Expires.
    cookie = sent.headers["Set-Cookie"]
    assert cookie.startswith(f"heard-response-{BASE[3:]}=")
    assert "Max-Age" not in cookie and "Expires" not in cookie
    return code, token


def test_the_resume_code_and_link_do_not_open_sent_answers(client, published, app):
    code, token = send_all_about_me(client)

    someone_else = app.test_client()
    typed = someone_else.post(
        "/resume", data={"csrf_token": csrf_token(someone_else, "/resume"), "code": code}
    )
    linked = app.test_client().get(f"/resume/{token}")

    for page in (typed, linked):
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "These answers have been sent" in html
        assert WORDS not in html
        cookies = page.headers.getlist("Set-Cookie")
        assert not [c for c in cookies if c.startswith("heard-response-")]  # nothing to carry on
    assert someone_else.get(f"{BASE}/summary.pdf").status_code == 404
    assert someone_else.get(f"{BASE}/confirmation").status_code == 404


def test_the_browser_that_sent_them_keeps_them_for_an_hour(client, published, session):
    send_all_about_me(client)
    assert client.get(f"{BASE}/confirmation").status_code == 200
    assert client.get(f"{BASE}/summary.pdf").status_code == 200

    response = session.exec(select(Response)).one()
    response.submitted_at -= RECEIPT_LIFETIME + timedelta(minutes=1)
    session.commit()

    assert client.get(f"{BASE}/confirmation").status_code == 404
    assert client.get(f"{BASE}/summary.pdf").status_code == 404


def test_an_unfinished_response_still_opens_by_code(client, published, app):
    started = begin(client)
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    code = re.search(r"keep this code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", page).group(1)
    other = app.test_client()
    carried = other.post("/resume", data={"csrf_token": csrf_token(other, "/resume"), "code": code})
    assert carried.status_code == 302 and "/pages/" in carried.headers["Location"]
