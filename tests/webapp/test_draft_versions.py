"""Two windows or tabs on one draft lose nothing: optimistic version checks on every save."""

import re
import threading

import pytest
from sqlmodel import select

from models import Response, ResponseStatus, new_session, save_answers, submit_response
from tests.conftest import make_app, sign_in

SLUG = "all-about-me-pathway-1"
BASE = f"/f/{SLUG}"
CHANGED = "These answers were changed in another window or tab since you opened this page."
NOT_SENT = "Your answers were changed in another window or tab since you opened this page"


def begin(client) -> str:
    """Start a response; return its resume token (the cookie both windows share)."""
    html = client.get(BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    started = client.post(BASE, data={"csrf_token": token})
    assert started.status_code == 302
    return started.headers["Set-Cookie"].split("=", 1)[1].split(";")[0]


def second_window(app, token: str):
    """Another browser carrying the same resume cookie, as a second device or tab would."""
    other = app.test_client()
    other.set_cookie(f"heard-response-{SLUG}", token)
    return other


def open_page(client, url: str) -> dict[str, str]:
    """What a page's form carries when it is shown: its CSRF token and the draft's version."""
    html = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    version = re.search(r'name="draft_version" value="(\d+)"', html)
    assert csrf and version, url
    return {"csrf_token": csrf.group(1), "draft_version": version.group(1)}


def press(client, url: str, shown: dict[str, str], answers: dict | None = None):
    return client.post(url, data={**shown, **(answers or {})})


def stored(session) -> Response:
    session.expire_all()
    return session.exec(select(Response)).one()


def test_a_stale_save_of_the_same_page_is_refused_and_nothing_is_lost(
    app, client, published, session
):
    url = f"{BASE}/pages/independence"
    other = second_window(app, begin(client))
    first, second = open_page(client, url), open_page(other, url)

    saved = press(client, url, first, {"independence": ["own-voice"]})
    assert saved.status_code == 302
    refused = press(other, url, second, {"independence": ["knowing-routine", "holding-cup"]})

    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert "There is a problem" in page and CHANGED in page
    assert page.count('href="#typed-answers"') == 1 and 'id="typed-answers"' in page
    assert re.search(r"<title>\s*Error:", page)
    # The fields show what is saved; what was entered in this window is listed above them.
    assert re.search(r'value="own-voice"\s+checked', page)
    assert not re.search(r'value="holding-cup"\s+checked', page)
    typed = page.split('id="typed-answers"', 1)[1].split("</div>", 1)[0]
    assert "Knowing my routine" in typed and "Holding my own cup" in typed
    assert "Having my own voice" not in typed
    assert stored(session).answers["independence"] == ["own-voice"]

    # Having seen the newer answers, the second window may now save its own.
    again = press(other, url, open_page(other, url), {"independence": ["holding-cup"]})
    assert again.status_code == 302
    assert stored(session).answers["independence"] == ["holding-cup"]


def test_a_stale_save_that_emptied_a_page_says_it_was_blank(app, client, published, session):
    url = f"{BASE}/pages/home"
    other = second_window(app, begin(client))
    first, second = open_page(client, url), open_page(other, url)
    press(client, url, first, {"home": ["pets"], "home-comments": "My dog"})
    page = press(other, url, second, {"home-comments": ""}).get_data(as_text=True)
    assert CHANGED in page and "You had left every answer on this page blank." in page
    assert stored(session).answers == {"home": ["pets"], "home-comments": "My dog"}


def test_saves_of_different_pages_from_two_windows_are_both_kept(app, client, published, session):
    home, independence = f"{BASE}/pages/home", f"{BASE}/pages/independence"
    other = second_window(app, begin(client))
    first, second = open_page(client, independence), open_page(other, home)
    assert first["draft_version"] == second["draft_version"]

    assert press(client, independence, first, {"independence": ["own-voice"]}).status_code == 302
    assert press(other, home, second, {"home": ["family"]}).status_code == 302

    saved = stored(session)
    assert saved.answers == {"independence": ["own-voice"], "home": ["family"]}
    assert saved.pages_done == ["independence", "home"]
    assert saved.version == int(first["draft_version"]) + 2


def test_pressing_save_twice_with_the_same_answers_is_not_a_conflict(client, published, session):
    url = f"{BASE}/pages/home"
    begin(client)
    shown = open_page(client, url)
    assert press(client, url, shown, {"home": ["family"]}).status_code == 302
    assert press(client, url, shown, {"home": ["family"]}).status_code == 302
    assert stored(session).answers == {"home": ["family"]}


def test_a_validation_error_keeps_the_version_the_page_was_opened_at(
    app, client, published, session
):
    url = f"{BASE}/pages/anything-else"
    other = second_window(app, begin(client))
    first, second = open_page(client, url), open_page(other, url)
    press(client, url, first, {"anything-else": "From the first window"})
    too_long = press(other, url, second, {"anything-else": "x" * 4001}).get_data(as_text=True)
    assert "4000 characters or fewer" in too_long
    assert f'name="draft_version" value="{second["draft_version"]}"' in too_long
    fixed = press(other, url, second, {"anything-else": "From the second window"})
    assert CHANGED in fixed.get_data(as_text=True)
    assert stored(session).answers["anything-else"] == "From the first window"


def test_a_stale_send_is_refused_until_the_new_answers_are_checked(app, client, published, session):
    check, home = f"{BASE}/check-answers", f"{BASE}/pages/home"
    other = second_window(app, begin(client))
    press(client, home, open_page(client, home), {"home": ["family"]})
    checked, other_shown = open_page(client, check), open_page(other, home)
    press(other, home, other_shown, {"home": ["close-friends"]})

    refused = press(client, check, checked)
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert NOT_SENT in page and 'href="#answers"' in page and re.search(r"<title>\s*Error:", page)
    assert "My close friends" in page and "My family" not in page
    assert stored(session).status == ResponseStatus.IN_PROGRESS

    sent = press(client, check, open_page(client, check))
    assert sent.headers["Location"] == f"{BASE}/confirmation"
    saved = stored(session)
    assert saved.status == ResponseStatus.SUBMITTED and saved.answers == {"home": ["close-friends"]}
    # The other window's next save finds the answers sent, not a draft to change.
    late = press(other, home, other_shown, {"home": ["pets"]})
    assert late.headers["Location"] == f"{BASE}/confirmation"


def test_the_submit_limit_answers_429_with_a_clear_page_and_keeps_the_draft(database_url):
    app = make_app(database_url, HEARD_SUBMIT_LIMITS="3 per hour")
    from models.demo import load_demo
    from tests.conftest import DEMO_PASSWORD
    from webapp.form_loading import load_shipped

    with new_session(app.extensions["heard.engine"]) as session:
        load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
        load_shipped(session=session, publish=True)
        session.commit()
        client = app.test_client()
        begin(client)
        for page_id, choice in (("home", "family"), ("independence", "own-voice")):
            url = f"{BASE}/pages/{page_id}"
            assert (
                press(client, url, open_page(client, url), {page_id: [choice]}).status_code == 302
            )
        check = f"{BASE}/check-answers"
        shown = open_page(client, check)
        url = f"{BASE}/pages/home"
        page_shown = open_page(client, url)
        assert press(client, url, page_shown, {"home": ["pets"]}).status_code == 302  # the third
        limited = press(client, url, page_shown, {"home": ["close-friends"]})
        assert limited.status_code == 429
        text = limited.get_data(as_text=True)
        assert "Wait a few minutes before you carry on" in text
        assert "Everything you saved before is kept" in text
        # Sending counts on its own, and its limit is not used up by the pages.
        assert press(client, check, shown).status_code == 200  # changed since shown: check again
        saved = stored(session)
        assert saved.status == ResponseStatus.IN_PROGRESS
        assert saved.answers == {"home": ["pets"], "independence": ["own-voice"]}
        # Staff typing in paper copies from one office are not held back by it.
        sign_in(client, "officer@demo.heard")
        staff = press(client, url, open_page(client, url), {"home": ["close-friends"]})
        assert staff.status_code == 302
        assert stored(session).answers["home"] == ["close-friends"]
    app.extensions["heard.engine"].dispose()


# The data function itself: a compare-and-set on the version, so saves cannot interleave.


@pytest.fixture
def draft(session, demo, published):
    from models import get_published_form, start_response

    version = get_published_form(session=session, slug=SLUG)
    response, _token = start_response(
        session=session, organisation_id=demo.organisation.id, form_version=version
    )
    session.commit()
    return response


def test_a_save_that_lands_in_between_is_merged_not_overwritten(app, session, draft):
    engine = app.extensions["heard.engine"]
    with new_session(engine) as elsewhere:
        stale = elsewhere.get(Response, draft.id)
        assert stale.version == 1
        # Another request saves a page after this one read the row.
        assert save_answers(
            session=session, response=draft, page_id="home", answers={"home": ["pets"]}
        )
        session.commit()
        assert stale.version == 1 and stale.answers == {}  # this copy has not seen it
        assert save_answers(
            session=elsewhere,
            response=stale,
            page_id="independence",
            answers={"independence": ["own-voice"]},
            seen_version=1,
        )
        elsewhere.commit()
    saved = stored(session)
    assert saved.answers == {"home": ["pets"], "independence": ["own-voice"]}
    assert saved.version == 3 and saved.page_versions == {"home": 2, "independence": 3}


def test_a_page_saved_after_the_version_seen_is_refused(app, session, draft):
    save = {"session": session, "response": draft, "page_id": "home"}
    assert save_answers(**save, answers={"home": ["pets"]}, seen_version=1)
    session.commit()
    assert not save_answers(**save, answers={"home": ["family"]}, seen_version=1)
    assert save_answers(**save, answers={"home": ["pets"]}, seen_version=1)  # the same: fine
    assert save_answers(**save, answers={"home": ["family"]}, seen_version=2)
    session.commit()
    assert stored(session).answers == {"home": ["family"]} and draft.version == 3


def test_sending_is_refused_when_the_answers_changed_after_the_version_seen(session, draft):
    save_answers(session=session, response=draft, page_id="home", answers={"home": ["pets"]})
    session.commit()
    assert not submit_response(session=session, response=draft, seen_version=1)
    assert draft.status == ResponseStatus.IN_PROGRESS
    assert submit_response(session=session, response=draft, seen_version=2)
    assert draft.status == ResponseStatus.SUBMITTED


def test_concurrent_saves_of_different_pages_all_land(app, session, draft):
    engine = app.extensions["heard.engine"]
    pages = [f"page-{n}" for n in range(6)]
    barrier = threading.Barrier(len(pages))
    failures: list[BaseException] = []

    def save(page_id: str) -> None:
        try:
            with new_session(engine) as own:
                response = own.get(Response, draft.id)
                barrier.wait()  # every thread has read version 1 before any writes
                saved = save_answers(
                    session=own,
                    response=response,
                    page_id=page_id,
                    answers={page_id: "yes"},
                    seen_version=1,
                )
                own.commit()
                assert saved
        except BaseException as error:  # reported in the main thread
            failures.append(error)

    threads = [threading.Thread(target=save, args=(p,)) for p in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    saved = stored(session)
    assert saved.answers == dict.fromkeys(pages, "yes")
    assert sorted(saved.pages_done) == pages and saved.version == 1 + len(pages)


@pytest.mark.parametrize("posted", ["", "²", "-1", "1e3", "9" * 40])
def test_a_missing_or_odd_version_field_saves_as_before(client, published, session, posted):
    url = f"{BASE}/pages/home"
    begin(client)
    shown = {**open_page(client, url), "draft_version": posted}
    assert press(client, url, shown, {"home": ["family"]}).status_code == 302
    assert stored(session).answers == {"home": ["family"]}
