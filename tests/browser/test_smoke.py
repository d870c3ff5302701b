"""The real server in real headless Chromium: accessibility, keyboard and small screens."""

import pytest

from tests.browser.conftest import run_axe, screenshot
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/accessibility",
    "/sign-in",
    "/no-such-page",
    "/resume",
    "/resume/AAAABBBBCCCCDDDDEEEEFFFFGGGG",  # a link that finds nothing
    "/f/all-about-me-pathway-1",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_wcag_violations(page, live_server, path):
    page.goto(live_server + path)
    assert run_axe(page) == []
    assert page.watch.problems == []
    screenshot(page, "page" + path.replace("/", "_"))


def test_sign_in_errors_have_no_wcag_violations(page, live_server):
    page.goto(live_server + "/sign-in")
    with page.expect_navigation():
        page.click("#submit")
    assert page.locator(".govuk-error-summary").is_visible()
    # GOV.UK Frontend moves focus to the error summary so screen readers announce it.
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert run_axe(page) == []
    assert page.title().startswith("Error: Sign in")
    screenshot(page, "sign-in-errors")


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main-content", timeout=5000)  # the fragment changes a moment later
    assert page.url.endswith("#main-content")


def test_staff_can_sign_in_with_the_keyboard_alone(page, live_server):
    page.goto(live_server + "/sign-in")
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        reached.append(focused)
        if focused == "email":
            page.keyboard.type("officer@demo.heard")
        elif focused == "password":
            page.keyboard.type(DEMO_PASSWORD)
            page.keyboard.press("Enter")
            break
    page.wait_for_url("**/staff/")
    assert "email" in reached and "password" in reached
    assert page.locator("h1").inner_text() == "Your work"
    assert run_axe(page) == []
    assert page.watch.problems == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_horizontal_scrolling_at_320_pixels(browser, live_server, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 320


def test_the_interface_uses_the_councils_font_and_colour(page, live_server):
    page.goto(live_server + "/")
    font = page.evaluate("getComputedStyle(document.querySelector('.govuk-body')).fontFamily")
    assert "GDS Transport" not in font and "arial" in font.lower()
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('.heard-header')).backgroundColor"
    )
    assert colour == "rgb(29, 79, 118)"
