"""An officer links evidence to 1E1 and takes its impact rating through check and challenge."""

import pytest

from tests.browser.conftest import run_axe, screenshot, sign_in, words
from webapp.plan_ratings import period_label, this_month

pytestmark = pytest.mark.browser
ACTION = "/staff/plans/kent-app/actions/1E1"


def submit(page, form_selector):
    with page.expect_navigation():
        page.click(f"{form_selector} button[type=submit]")


def test_linking_evidence_suggesting_proposing_challenging_and_agreeing(page, live_server):
    month = period_label(this_month())
    sign_in(page, live_server, "officer@demo.heard")
    page.goto(f"{live_server}/staff/plans")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("text=Kent Accelerated Progress Plan")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("a:has-text('1E1')")
    assert page.url.split("?")[0].endswith(ACTION)
    assert run_axe(page) == []
    assert "No suggestion: there is not enough evidence" in page.inner_text("#main-content")

    # A theme, with the direction the action should move it.
    with page.expect_navigation():
        page.click("text=Link a theme")
    assert run_axe(page) == []
    # A theme the demo's survey comments are not coded to, so it has too few comments to judge.
    page.check("label:has-text('GP accessibility and dedicated lines')")
    page.check("input[name='direction'][value='less-negative']")
    submit(page, "form[method=post]:has(input[name='theme'])")

    # A KPI entered by hand; an error first, then the real value, nothing lost on the way.
    with page.expect_navigation():
        page.click("text=Add a KPI value")
    page.fill("#label", "Parents satisfied with communication (%)")
    page.fill("#value", "sixty-one")
    submit(page, "form[method=post]:has(#label)")
    assert "Value must be a number, like 61 or 61.5" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#label") == "Parents satisfied with communication (%)"
    assert run_axe(page) == []
    page.fill("#value", "61")
    page.fill("#baseline", "40")
    page.fill("#target", "60")
    year, month_number = this_month().split("-")
    page.fill("#measured_on", "1")
    page.fill("#measured_on-month", month_number)
    page.fill("#measured_on-year", year)
    submit(page, "form[method=post]:has(#label)")

    main = words(page.inner_text("#main-content"))
    assert f"Suggested for {month}: Green" in main
    assert "Parents satisfied with communication (%) 61 meets the target of 60" in main
    assert "too few to judge" in main  # the theme is named, but not counted
    assert run_axe(page) == []

    # The officer proposes Green, with the keyboard alone.
    page.focus("input[name='kent-impact-proposed-value'][value='green']")
    page.keyboard.press("Space")
    page.focus("#kent-impact-proposed-commentary")
    page.keyboard.type("The communication survey has met its target.")
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    impact = page.locator("h3:has-text('Impact:')")
    assert words(impact.inner_text()) == "Impact: Green (proposed, not yet agreed)"
    assert "You proposed this rating, so someone else checks and challenges it." in page.inner_text(
        "#main-content"
    )
    screenshot(page, "plan-action-proposed")

    # An area lead challenges it to Amber, and it is agreed at Amber.
    page.click("button:has-text('Sign out')")
    sign_in(page, live_server, "admin@demo.heard")
    page.goto(f"{live_server}{ACTION}")
    page.check("input[name='kent-impact-challenged-value'][value='amber']")
    page.fill(
        "#kent-impact-challenged-commentary", "One figure is early evidence at best; keep Amber."
    )
    submit(page, "form[action*='/ratings/kent-impact/challenged']")
    assert page.is_checked("input[name='kent-impact-agreed-value'][value='amber']")
    submit(page, "form[action*='/ratings/kent-impact/agreed']")
    assert run_axe(page) == []
    screenshot(page, "plan-action-agreed")

    history = page.locator("[data-rating-history] tbody tr")
    rows = [history.nth(i).inner_text() for i in range(history.count())]
    assert len(rows) == 3
    assert "Proposed" in rows[0] and "Green" in rows[0] and "Officer" in rows[0]
    assert "Challenged" in rows[1] and "Amber" in rows[1] and "keep Amber" in rows[1]
    assert "Agreed" in rows[2] and "Amber" in rows[2]
    suggested = [words(history.nth(i).locator("td").nth(5).inner_text()) for i in range(3)]
    assert suggested == ["Green", "Green", "Green"]
    assert words(impact.inner_text()) == "Impact: Amber"


def test_the_scorecard_and_import_pages_pass_axe(page, live_server):
    sign_in(page, live_server, "officer@demo.heard")
    page.goto(f"{live_server}/staff/plans/kent-app/scorecard?period=2023-10")
    assert "113 of 116 actions reported" in page.inner_text("#main-content")
    assert run_axe(page) == []
    page.goto(f"{live_server}/staff/plans/import")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("button:has-text('Check the file')")
    assert "Select a CSV or XLSX file" in page.inner_text(".govuk-error-summary")
    assert run_axe(page) == []
