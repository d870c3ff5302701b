"""What respondents read around the questions: help that fits who is answering, phone
numbers that read the right way round, and links that go where people expect."""

from bs4 import BeautifulSoup

from tests.conftest import csrf_token
from tests.surveys import answer_every_page, definition, make_round, send, start
from tests.webapp.test_respond import BASE, begin, post_page


def soup(client, url) -> BeautifulSoup:
    return BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")


def send_all_about_me(client) -> None:
    begin(client)
    check = f"{BASE}/check-answers"
    assert client.post(check, data={"csrf_token": csrf_token(client, check)}).status_code == 302


def test_a_child_gets_childline_with_its_number_kept_left_to_right_in_arabic(client, published):
    send_all_about_me(client)
    page = soup(client, f"{BASE}/confirmation?lang=ar")
    [number] = [b for b in page.find_all("bdi") if "1111" in b.get_text()]
    assert number.get_text() == "0800 1111" and number["dir"] == "ltr"
    assert "NSPCC" not in page.get_text()


def test_a_parent_gets_help_for_adults_worried_about_a_child(client, session, demo, published):
    survey_round = make_round(session, demo.organisation.id)
    assert start(client, f"/r/{survey_round.open_code}").status_code == 302
    answer_every_page(client, definition(session, survey_round), {"follow-up": "no"})
    checking = soup(client, "/f/parent-termly/check-answers").get_text(" ")
    assert "the team that runs this survey can read them" in checking
    assert "the people who support you" not in checking
    assert send(client, "parent-termly").status_code == 302

    page = soup(client, "/f/parent-termly/confirmation")
    text = page.get_text(" ")
    assert "If you are worried about a child" in text and "0808 800 5000" in text
    assert "Childline" not in text and "Talk to an adult you trust" not in text
    assert "We read every answer" in text


def test_a_child_is_told_before_starting_that_worries_about_safety_are_passed_on(client, published):
    text = soup(client, BASE).get_text(" ")
    assert "we will tell someone whose job is to keep children safe" in text


def test_once_sent_the_start_page_offers_no_way_back_into_the_answers(client, published):
    send_all_about_me(client)
    page = soup(client, BASE)
    assert "Carry on where you stopped" not in page.get_text()
    assert not page.select('a[href^="/resume/"]')


def test_back_from_a_change_goes_to_check_your_answers(client, published):
    begin(client)
    back = soup(client, f"{BASE}/pages/aspirations?change=1").select_one(".govuk-back-link")
    assert back["href"] == f"{BASE}/check-answers"
    checking = soup(client, f"{BASE}/check-answers").select_one(".govuk-back-link")
    assert checking["href"].startswith(f"{BASE}/pages/")


def test_every_change_link_says_what_it_changes(client, published):
    begin(client)
    assert post_page(client, "aspirations", {"get-better-at": "Reading"}).status_code == 302
    page = soup(client, f"{BASE}/check-answers")
    hidden = [
        link.select_one(".govuk-visually-hidden").get_text(strip=True)
        for link in page.select(".govuk-summary-list__actions a")
    ]
    assert len(hidden) > 10 and len(set(hidden)) == len(hidden)
    # Typed answers find their own direction, whatever script they are in.
    assert page.find("span", {"dir": "auto"}, string="Reading") is not None


def test_a_page_sent_by_a_language_link_is_saved_and_shown_again(client, published, session):
    begin(client)
    sent = post_page(client, "aspirations", {"get-better-at": "Reading", "language_switch": "1"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"{BASE}/pages/aspirations"
    page = soup(client, f"{BASE}/pages/aspirations")
    assert page.find("textarea", {"name": "get-better-at"}).get_text().strip() == "Reading"
    changing = post_page(
        client,
        "aspirations",
        {"get-better-at": "Maths", "language_switch": "1"},
        query_string={"change": "1"},
    )
    assert changing.headers["Location"] == f"{BASE}/pages/aspirations?change=1"
