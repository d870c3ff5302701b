"""Termly surveys in a real browser: a parent on a phone through an invitation, then the rest."""

import re
from datetime import date

import pytest

from forms.schema import load_definition
from models import get_default_organisation, make_engine, new_session
from models.demo_surveys import schedule
from models.surveys import create_invitations, list_rounds, submitted_responses
from tests.browser.conftest import ROOT, run_axe, screenshot
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SLUG = "parent-termly"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def invitation(live_database_url):
    """A fresh invitation to the demo's open round, and that round."""
    engine = make_engine(live_database_url)
    with new_session(engine) as session:
        organisation = get_default_organisation(session=session)
        rounds = list_rounds(session=session, organisation_id=organisation.id)
        [survey_round] = [r for r in rounds if r.is_open()]
        [(_invitation, token)] = create_invitations(
            session=session, survey_round=survey_round, people=[{"name": "Pat Parent"}]
        )
        session.commit()
        before = len(submitted_responses(session=session, survey_round=survey_round))
    engine.dispose()
    return token, survey_round, before


def answer(page, question) -> None:
    """Answer one question the way a parent would: tap a radio, or type a comment."""
    if question.kind in {"likert", "single_choice"}:
        ids = [o.id for o in question.options]
        choice = "agree" if "agree" in ids else ids[0]
        page.check(f"input[name='{question.id}'][value='{choice}']")
    elif question.kind == "district":
        page.locator(f"input[name='{question.id}']").first.check()
    elif question.kind == "long_text":
        page.fill(f"#{question.id}", "The new caseworker calls me back within a week.")
    elif question.kind == "email":  # asked to hear what changed, so an address is needed
        page.fill(f"#{question.id}", "parent@example.org")


def test_a_parent_answers_on_a_phone_and_the_results_count_it(browser, live_server, invitation):
    token, survey_round, before = invitation
    definition = load_definition(ROOT / "forms" / "definitions" / f"{SLUG}.yaml")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/i/{token}")
    assert run_axe(page) == []
    assert "Only a few administrators can see who gave them" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "parent-survey-start-375")
    with page.expect_navigation():
        page.click("text=Start now")
    for number, form_page in enumerate(definition.pages):
        assert f"/pages/{form_page.id}" in page.url
        assert run_axe(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
        for question in form_page.questions:
            answer(page, question)
        if number == 0:
            screenshot(page, "parent-survey-statements-375")
        with page.expect_navigation():
            page.click("button:has-text('Save and continue')")
    assert page.url.endswith("/check-answers")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("button:has-text('Send my answers')")
    assert page.url.endswith("/confirmation")
    assert run_axe(page) == []
    # The link has done its job: opening it again says so.
    page.goto(f"{live_server}/i/{token}")
    assert "You have already answered this survey" in page.inner_text("main")
    assert run_axe(page) == []
    context.close()

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    officer = staff.new_page()
    officer.goto(f"{live_server}/sign-in")
    officer.fill("#email", "officer@demo.heard")
    officer.fill("#password", DEMO_PASSWORD)
    with officer.expect_navigation():
        officer.click("button:has-text('Sign in')")
    officer.goto(f"{live_server}/staff/surveys/{survey_round.id}/results")
    assert run_axe(officer) == []
    text = officer.inner_text("main")
    assert f"{before + 1} responses sent" in text
    trend = officer.inner_text("#trend-parent-confidence")
    assert re.search(re.escape(survey_round.name) + rf"\s+\d+%\s+{before + 1}\b", trend), trend
    names = [line.split("\t")[0] for line in trend.splitlines() if "\t" in line][1:]
    expected = [f"{year} {term.label}" for year, term, _o, _c in schedule(date.today())]
    assert names == expected and names[-1] == survey_round.name, trend
    screenshot(officer, "parent-survey-results-1280")
    staff.close()


def fill(page, question) -> None:
    """Answer any question on a termly survey page."""
    if question.kind == "symbol_tiles":
        page.check(f"#{question.id}")  # the first tile
    elif question.kind == "setting":
        page.select_option(f"#{question.id}", index=1)
    else:
        answer(page, question)


@pytest.mark.parametrize("slug", ["cyp-termly", "school-termly"])
def test_every_page_of_the_other_termly_surveys_passes_axe(browser, live_server, slug):
    definition = load_definition(ROOT / "forms" / "definitions" / f"{slug}.yaml")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/f/{slug}")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("text=Start now")
    for form_page in definition.pages:
        assert f"/pages/{form_page.id}" in page.url
        assert run_axe(page) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
        for question in form_page.questions:
            fill(page, question)
        if slug == "cyp-termly" and form_page.id == "what-is-good":
            screenshot(page, "cyp-termly-tiles-375")
        with page.expect_navigation():
            page.click("button:has-text('Save and continue')")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("button:has-text('Send my answers')")
    assert page.url.endswith("/confirmation") and run_axe(page) == []
    context.close()


def test_pages_for_links_that_cannot_be_used_pass_axe(page, live_server, live_database_url):
    page.goto(f"{live_server}/i/not-a-real-invitation")
    assert "This survey link does not work" in page.inner_text("main")
    assert run_axe(page) == []
    engine = make_engine(live_database_url)
    with new_session(engine) as session:
        organisation = get_default_organisation(session=session)
        rounds = list_rounds(session=session, organisation_id=organisation.id)
        closed = next(r for r in rounds if not r.is_open())
    engine.dispose()
    page.goto(f"{live_server}/r/{closed.open_code}")
    assert "This survey has closed" in page.inner_text("main")
    assert run_axe(page) == []
