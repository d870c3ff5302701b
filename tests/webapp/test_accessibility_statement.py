"""The accessibility statement says what the suite checks, no more and no less."""

import ast
from pathlib import Path

from babel.dates import format_date
from bs4 import BeautifulSoup

from webapp.accessibility import CHECKS, LAST_REVIEWED, SWEEP

ROOT = Path(__file__).resolve().parents[2]


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_check_names_tests_that_exist():
    for check in CHECKS:
        assert check.tests, check.text
        for test_id in check.tests:
            file, name = test_id.split("::")
            assert name in functions_in(ROOT / file), f"{test_id} is not in the suite"


def test_every_accessibility_test_is_in_the_statement():
    named = {t.split("::")[1] for check in CHECKS for t in check.tests if t.startswith(SWEEP)}
    assert functions_in(ROOT / SWEEP) - named == set()


def test_the_page_lists_every_check_and_when_it_was_reviewed(client):
    soup = BeautifulSoup(client.get("/accessibility?lang=en").get_data(as_text=True), "html.parser")
    listed = [" ".join(li.get_text().split()) for li in soup.select("[data-checks] li")]
    assert listed == [str(check.text) for check in CHECKS]
    reviewed = soup.select_one("[data-last-reviewed]")
    assert reviewed["data-last-reviewed"] == LAST_REVIEWED.isoformat()
    assert format_date(LAST_REVIEWED, "d MMMM yyyy", locale="en") in reviewed.get_text()
    assert "200%," in soup.get_text() and "%%" not in soup.get_text()


def test_the_review_date_is_written_for_the_reader(client):
    soup = BeautifulSoup(client.get("/accessibility?lang=ar").get_data(as_text=True), "html.parser")
    arabic_date = format_date(LAST_REVIEWED, "d MMMM yyyy", locale="ar")
    assert arabic_date != format_date(LAST_REVIEWED, "d MMMM yyyy", locale="en")
    assert arabic_date in soup.select_one("[data-last-reviewed]").get_text()
