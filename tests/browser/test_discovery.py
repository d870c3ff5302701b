"""A participation worker finds themes in the demo comments and makes one a theme."""

import uuid

import pytest

from tests.browser.conftest import run_axe, screenshot, sign_in, words

pytestmark = pytest.mark.browser


def press_enter_on(page, selector: str) -> None:
    """Move the keyboard focus to an element and press Enter, waiting for the next page."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_participation_worker_creates_a_theme_from_a_discovered_group(page, live_server):
    # Shared with the other browser tests: a name nobody else uses, so nothing clashes.
    name = f"Getting help in time {uuid.uuid4().hex[:6]}"
    sign_in(page, live_server, "participation@demo.heard")
    page.goto(f"{live_server}/staff/codebooks/")
    assert run_axe(page) == []
    press_enter_on(page, "#main-content a.govuk-link >> nth=0")
    assert run_axe(page) == []

    # Find themes: the number of themes typed, and Enter sends the form.
    page.focus("#themes")
    page.keyboard.type("6")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = words(page.inner_text("#main-content"))
    assert "Finding themes" in main and "suggested themes from" in main
    assert run_axe(page) == []
    press_enter_on(page, "a:has-text('Review the themes found')")

    # The groups, each with its name, keywords and example comments.
    assert page.locator("h1").inner_text() == "Themes found"
    assert run_axe(page) == []
    screenshot(page, "discovery-groups")
    groups = page.locator("#main-content section[data-cluster]")
    assert groups.count() >= 6
    first = groups.nth(0)
    group_name = first.locator("h3").inner_text()
    assert "Keywords:" in first.inner_text()
    assert 3 <= first.locator("li.heard-verbatim").count() <= 5
    assert "kept as “other”" in page.inner_text("[data-discovery-run]")
    group_id = first.get_attribute("data-cluster")

    # Adding a group to a theme asks which one; looking changes nothing.
    other_id = groups.nth(1).get_attribute("data-cluster")
    press_enter_on(page, f"#cluster-{other_id} a:has-text('Add to an existing theme')")
    assert page.locator("h1").inner_text() == "Add to an existing theme"
    assert page.locator("input[name='theme']").count() >= 14
    assert run_axe(page) == []
    press_enter_on(page, "a.govuk-back-link")

    press_enter_on(page, f"#cluster-{group_id} a:has-text('Create a theme')")

    # The form starts from the group; an empty name is refused, and nothing else is lost.
    assert page.locator("h1").inner_text() == "Create a theme"
    assert page.input_value("#name") == group_name
    examples = page.input_value("#examples")
    assert examples.count("\n") >= 2
    assert run_axe(page) == []
    page.focus("#name")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Enter the theme name" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#examples") == examples
    assert run_axe(page) == []
    screenshot(page, "discovery-create-theme-error")

    # The error summary takes the keyboard to the name; the worker types it and sends.
    press_enter_on_summary_link(page)
    page.keyboard.type(name)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    banner = words(page.inner_text(".govuk-notification-banner--success"))
    assert f"Theme “{name}” created." in banner
    assert "for people to accept or reject" in banner
    decided = words(page.inner_text(f"#cluster-{group_id}"))
    assert group_name in decided and f"Became “{name}”" in decided
    assert page.locator(f"section#cluster-{group_id}").count() == 0  # no longer to review
    assert run_axe(page) == []
    screenshot(page, "discovery-theme-created")

    # The new theme is in the codebook.
    press_enter_on(page, "a.govuk-back-link")
    assert name in page.inner_text("#main-content")
    assert run_axe(page) == []
    assert page.watch.problems == []


def press_enter_on_summary_link(page) -> None:
    """Follow the error summary's link to the field, as a keyboard user would."""
    page.focus(".govuk-error-summary a[href='#name']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "name"
