"""A child, helped by an adult, completes All about Me with the keyboard alone."""

import pytest

from tests.browser.conftest import answer_page_with_keyboard, focused, run_axe, screenshot

pytestmark = pytest.mark.browser
SLUG = "all-about-me-pathway-1"


def test_whole_form_by_keyboard_with_upload_and_resume(browser, live_server, picture):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/f/{SLUG}")
    assert run_axe(page) == []
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Start now":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    resume_link = page.locator(".govuk-details a").get_attribute("href")
    pages_seen = 0
    while "/pages/" in page.url:
        assert run_axe(page) == [], page.url
        if "/pages/independence" in page.url:
            screenshot(page, "tiles-1280")
        answer_page_with_keyboard(page, picture)
        pages_seen += 1
        if pages_seen == 6:
            context.close()  # the adult closes the browser halfway through
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(live_server + resume_link)
            assert page.url.endswith("/pages/engagement")  # where the adult stopped
    assert pages_seen == 15
    assert page.url.endswith("/check-answers")
    assert run_axe(page) == []
    body = page.locator("main").inner_text()
    assert "Sam" in body and "me.png" in body and "27 March 2026" in body
    assert "Having my own voice" in body  # the first tile on the independence page
    for _ in range(200):
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Send my answers":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/confirmation")
    assert run_axe(page) == []
    assert "Childline" in page.locator("main").inner_text()
    context.close()


def test_tile_page_at_320_pixels(browser, live_server):
    context, page = started(browser, live_server, {"width": 320, "height": 640})
    page.goto(f"{live_server}/f/{SLUG}/pages/independence")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert run_axe(page) == []
    tile = page.locator(".heard-tile__label").first.bounding_box()
    assert tile["width"] >= 44 and tile["height"] >= 44
    screenshot(page, "tiles-320")
    page.goto(f"{live_server}/f/{SLUG}/check-answers")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_selected_tiles_show_a_tick_and_border_not_just_colour(page, live_server):
    page.goto(f"{live_server}/f/{SLUG}")
    with page.expect_navigation():
        page.click("text=Start now")
    page.goto(f"{live_server}/f/{SLUG}/pages/independence")
    label = page.locator("label[for='independence']")
    before = label.evaluate("e => getComputedStyle(e).borderTopWidth")
    page.focus("#independence")
    page.keyboard.press("Space")
    assert page.is_checked("#independence")
    after = label.evaluate("e => getComputedStyle(e).borderTopWidth")
    tick = label.evaluate("e => getComputedStyle(e, '::after').content")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))
    assert "✓" in tick


def test_errors_on_a_form_page_are_accessible(page, live_server):
    page.goto(f"{live_server}/f/{SLUG}")
    with page.expect_navigation():
        page.click("text=Start now")
    page.fill("#date-completed", "31")
    page.fill("#date-completed-month", "2")
    with page.expect_navigation():
        page.click("button:has-text('Save and continue')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert run_axe(page) == []
    page.click(".govuk-error-summary a[href='#date-completed']")
    assert focused(page)["id"] == "date-completed"


def test_read_aloud_is_an_enhancement(browser, live_server):
    with_js = browser.new_context()
    page = with_js.new_page()
    page.goto(f"{live_server}/f/{SLUG}")
    with page.expect_navigation():
        page.click("text=Start now")
    has_speech = page.evaluate("'speechSynthesis' in window")
    buttons = page.locator("button.heard-read-aloud").count()
    assert buttons == (5 if has_speech else 0)
    with_js.close()
    without_js = browser.new_context(java_script_enabled=False)
    page = without_js.new_page()
    page.goto(f"{live_server}/f/{SLUG}")
    with page.expect_navigation():
        page.click("text=Start now")
    assert page.locator("button.heard-read-aloud").count() == 0
    assert page.locator("#name").is_visible()
    without_js.close()


def started(browser, live_server, viewport=None):
    """A new browser on the first page of the form, having pressed Start now."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/f/{SLUG}")
    with page.expect_navigation():
        page.click("text=Start now")
    return context, page


def test_changing_language_mid_page_keeps_what_was_typed(browser, live_server):
    context, page = started(browser, live_server)
    assert "/pages/about-me" in page.url
    page.fill("#name", "Sam")
    with page.expect_navigation():
        page.click("a.heard-languages__link[hreflang='ar']")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert "/pages/about-me" in page.url
    # Saved, or shown again with its errors: either way, the name is still there.
    assert page.input_value("#name") == "Sam"
    assert run_axe(page) == []
    context.close()


def test_changing_language_after_a_refused_save_keeps_what_was_typed(browser, live_server):
    context, page = started(browser, live_server)
    page.fill("#name", "Sam")
    with page.expect_navigation():
        page.click("form[data-heard-language-save] button[type=submit]")
    assert page.locator(".govuk-error-summary").is_visible()  # who filled it in is missing
    with page.expect_navigation():
        page.click("a.heard-languages__link[hreflang='ar']")  # nothing changed since
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.input_value("#name") == "Sam"
    context.close()
