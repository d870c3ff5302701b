"""Easy read: English in short sentences, with a symbol above every question."""

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from forms.schema import load_definition, parse_definition, shipped_definitions
from forms.symbols import default_symbols, question_set
from tests.conftest import csrf_token, sign_in
from tests.surveys import definition as definition_of
from tests.surveys import make_round, page_data, start
from tests.webapp.test_i18n import TRANSLATIONS

SLUG = "all-about-me-pathway-1"


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def easy(msgid: str) -> str:
    with (TRANSLATIONS / "easy" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)[msgid].string


def test_easy_read_is_english_in_its_own_words(client, published):
    page = soup_of(client.get(f"/f/{SLUG}?lang=easy"))
    assert page.html["lang"] == "en"
    assert page.body["dir"] == "ltr"
    current = page.select_one(".heard-languages__current")
    assert current.get_text() == "Easy read" and current["lang"] == "en"
    english = soup_of(client.get(f"/f/{SLUG}?lang=en"))
    said = [" ".join(p.get_text().split()) for p in english.select("main p.govuk-body")]
    rewritten = [(s, easy(s)) for s in said if easy(s) and easy(s) != s]
    assert rewritten, "the start page reads the same in easy read"
    shown = " ".join(page.select_one("main").get_text().split())
    for standard, easier in rewritten:
        assert easier in shown and standard not in shown


def test_the_choice_is_remembered_and_offered_on_every_page(client, published):
    response = client.get("/?lang=easy")
    assert "heard-lang=easy" in response.headers["Set-Cookie"]
    page = soup_of(client.get("/accessibility"))
    assert page.select_one(".heard-languages__current").get_text() == "Easy read"
    link = soup_of(client.get("/?lang=en")).select_one('a[href="/?lang=easy"]')
    assert link["hreflang"] == "en" and link.get_text() == "Easy read"


def test_easy_read_is_not_a_language_for_you_said_we_did(app):
    from webapp.i18n import available_languages, reading_choices

    with app.test_request_context("/"):
        assert "easy" in reading_choices()
        assert "easy" not in available_languages()


def test_every_question_of_every_shipped_form_has_a_symbol():
    for path in shipped_definitions():
        definition = load_definition(path)
        symbols = default_symbols(question_set(definition.slug))
        assert set(symbols) == {q.id for q in definition.questions()}, definition.slug


def test_each_question_shows_its_symbol_in_easy_read_only(client, published, session):
    token = csrf_token(client, f"/f/{SLUG}")
    client.post(f"/f/{SLUG}", data={"csrf_token": token})
    definition = parse_definition(published.definition, SLUG)
    for page in definition.pages:
        url = f"/f/{SLUG}/pages/{page.id}"
        plain = soup_of(client.get(f"{url}?lang=en"))
        assert plain.select(".heard-question-symbol") == []
        shown = soup_of(client.get(f"{url}?lang=easy")).select("img.heard-question-symbol")
        assert [img["src"] for img in shown] == [
            f"/symbols/{SLUG}/questions/{q.id}" for q in page.questions
        ]
        assert all(img["alt"] == "" for img in shown)
    with client.get(f"/symbols/{SLUG}/questions/{definition.pages[0].questions[0].id}") as picture:
        assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
        assert b"<svg" in picture.data


def test_termly_survey_pages_show_symbols_in_easy_read(client, session, demo, published):
    survey_round = make_round(session, demo.organisation.id, slug="cyp-termly")
    client.get("/?lang=easy")
    start(client, f"/r/{survey_round.open_code}")
    form = definition_of(session, survey_round)
    first = form.pages[0]
    page = soup_of(client.get(f"/f/{form.slug}/pages/{first.id}"))
    assert len(page.select("img.heard-question-symbol")) == len(first.questions)
    assert page_data(first)  # the page has questions to answer


@pytest.mark.parametrize("question_id", ["no-such-question", "what-is-good-x"])
def test_unknown_question_symbols_are_not_found(client, published, question_id):
    assert client.get(f"/symbols/cyp-termly/questions/{question_id}").status_code == 404


def test_a_councils_own_question_picture_wins(app, client, published, tmp_path):
    folder = tmp_path / f"{SLUG}.questions"
    folder.mkdir()
    (folder / "name.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" id="ours"/>')
    (tmp_path / "name.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" id="option"/>')
    app.config["HEARD_SYMBOLS_DIR"] = str(tmp_path)
    with client.get(f"/symbols/{SLUG}/questions/name") as ours:
        assert b'id="ours"' in ours.data
    (folder / "name.svg").unlink()
    # A picture at the top of the folder is for an option; it never stands for a question.
    with client.get(f"/symbols/{SLUG}/questions/name") as shipped:
        assert shipped.status_code == 200 and b'id="option"' not in shipped.data


def test_read_aloud_has_its_no_voice_message_in_the_readers_language(client, published):
    strings = soup_of(client.get("/?lang=pl")).select_one("#heard-strings")
    assert strings["data-no-voice-label"]
    assert (
        strings["data-no-voice-label"] != "Read aloud: this device has no voice for this language"
    )


def test_the_character_count_speaks_the_readers_language(client, published):
    token = csrf_token(client, f"/f/{SLUG}")
    client.post(f"/f/{SLUG}", data={"csrf_token": token})
    definition = parse_definition(published.definition, SLUG)
    for page in definition.pages:
        found = soup_of(client.get(f"/f/{SLUG}/pages/{page.id}?lang=uk")).select(
            "[data-module=govuk-character-count]"
        )
        if found:
            counter = found[0]
            break
    else:
        pytest.fail("All about Me has no character count")
    under = counter["data-i18n.characters-under-limit.other"]
    assert "%{count}" in under and "characters remaining" not in under
    assert "You can enter up to" not in counter.get_text()


def test_admins_see_whether_each_catalogue_has_been_checked(client, demo):
    sign_in(client, "admin@demo.heard")
    page = soup_of(client.get("/staff/languages"))
    rows = {
        row.select("td")[0].get_text(" ", strip=True): row.select("td")
        for row in page.select("tbody tr")
    }
    assert {"Easy read (easy)", "العربية (ar)", "Polski (pl)"} <= set(rows)
    arabic = rows["العربية (ar)"]
    assert arabic[2].get_text(strip=True) == "Not checked yet"
    assert "native speaker" in arabic[3].get_text()
    assert arabic[0].select_one("span")["lang"] == "ar"


def test_only_admins_see_the_languages_page(client, demo):
    sign_in(client, "officer@demo.heard")
    assert client.get("/staff/languages").status_code == 403
