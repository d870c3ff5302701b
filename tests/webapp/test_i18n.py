"""The locale comes from ?lang=, then the cookie, then Accept-Language; catalogues are complete."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_english_by_default(client):
    assert html_lang(client.get("/")) == "en"


def test_lang_parameter_wins_and_is_remembered(client):
    response = client.get("/?lang=pl")
    assert html_lang(response) == "pl"
    assert "heard-lang=pl" in response.headers["Set-Cookie"]
    assert html_lang(client.get("/accessibility", headers={"Accept-Language": "uk"})) == "pl"
    assert html_lang(client.get("/?lang=en")) == "en"


def test_accept_language_is_used_when_nothing_was_chosen(client):
    assert (
        html_lang(client.get("/", headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})) == "ro"
    )


def test_unknown_languages_are_ignored(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "fr"})
    assert html_lang(response) == "en"
    assert "Set-Cookie" not in response.headers


def test_pages_are_translated_and_arabic_reads_right_to_left(client):
    english = client.get("/?lang=en").get_data(as_text=True)
    arabic = client.get("/?lang=ar").get_data(as_text=True)
    assert '<body class="govuk-template__body" dir="rtl">' in arabic
    assert "Have your say" in english and "Have your say" not in arabic


def test_switcher_links_keep_the_page_and_mark_each_language(client):
    page = client.get("/accessibility?lang=en").get_data(as_text=True)
    assert 'href="/accessibility?lang=pl" lang="pl" hreflang="pl"' in page
    assert (
        '<span class="heard-languages__current" lang="en" aria-current="true">English</span>'
        in page
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_every_catalogue_is_complete_and_keeps_its_placeholders(path):
    with path.open("rb") as po, (TRANSLATIONS / "messages.pot").open("rb") as pot:
        catalogue, template = read_po(po), read_po(pot)
    missing = [
        m.id for m in template if m.id and (m.id not in catalogue or not catalogue[m.id].string)
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []
    for message in catalogue:
        if message.id:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_there_are_catalogues_to_check():
    assert {p.parent.parent.name for p in CATALOGUES} >= {"pl", "ro", "ne", "uk", "ar"}


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    """Every translatable string in the code and definitions is in messages.pot (run
    `make translations-update` after changing text)."""
    import subprocess
    import sys

    pybabel = Path(sys.executable).with_name("pybabel")
    out = tmp_path / "fresh.pot"
    root = TRANSLATIONS.parent
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(out),
            "webapp",
            "forms",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as fresh, (TRANSLATIONS / "messages.pot").open("rb") as committed:
        assert {m.id for m in read_po(fresh)} == {m.id for m in read_po(committed)}


def test_counts_are_written_the_readers_way(app):
    """Figures are formatted by Babel for the reader's language, not printed raw."""
    from flask_babel import force_locale

    from analysis.yswd import ThemeFigure
    from webapp.yswd_view import count_text

    figure = ThemeFigure(1, "Waiting times", 12000, 30000)
    with app.test_request_context("/"):
        with force_locale("en"):
            assert count_text(figure).startswith("12,000 of 30,000")
        with force_locale("pl"):
            assert "12\xa0000" in count_text(figure) and "30\xa0000" in count_text(figure)
