"""An entry goes from a theme to the public page, in English and Polish, and into documents."""

import io
from pathlib import Path

import pytest

from tests.browser.conftest import run_axe, screenshot, sign_in, words

pytestmark = pytest.mark.browser
TITLE = "Telling families what happens next"


def sign_out(page):
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")


def open_entry(page, base):
    page.goto(f"{base}/staff/you-said-we-did")
    with page.expect_navigation():
        page.click(f"a:has-text('{TITLE}')")


def take_step(page, label):
    with page.expect_navigation():
        page.click(f"button:has-text('{label}')")


def download(page, base, fmt) -> bytes:
    page.goto(f"{base}/staff/you-said-we-did")
    page.check(f"input[name='format'][value='{fmt}']")
    page.select_option("#audience", "parents")
    with page.expect_navigation():
        page.click("button:has-text('Make the file')")
    assert "Your file is ready" in page.inner_text("#main-content")
    assert run_axe(page) == []
    with page.expect_download() as found:
        page.click("a:has-text('Download')")
    return Path(found.value.path()).read_bytes()


def test_drafting_reviewing_publishing_and_reading_an_entry(page, live_server):
    from docx import Document
    from pypdf import PdfReader

    sign_in(page, live_server, "officer@demo.heard")
    page.goto(f"{live_server}/staff/you-said-we-did")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("text=Draft a new entry")
    # Nothing chosen: a message, not an error page.
    with page.expect_navigation():
        page.click("button:has-text('Continue')")
    assert "Select the survey term" in page.inner_text(".govuk-error-summary")
    assert run_axe(page) == []
    # Choose the term with the keyboard alone.
    page.focus("#scope")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "2026/27 Autumn: Parents and carers" in page.inner_text("#main-content")
    assert run_axe(page) == []
    page.fill("#title", TITLE)
    page.check("label:has-text('Consistency and clear information')")
    with page.expect_navigation():
        page.click("button:has-text('Write the draft')")

    # Heard's draft is there to edit; the officer writes what changed.
    assert page.url.endswith("/edit")
    assert run_axe(page) == []
    drafted = page.input_value("#you_said")
    assert "parents and carers answered our 2026/27 Autumn survey" in drafted
    assert "told us about consistency and clear information" in drafted
    page.fill("#we_did", "3 families will get a named contact.")
    page.fill("#easy_did", "You will have one person to talk to.")
    page.check("input[name='delivery'][value='in-progress']")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    # A small count is refused, and nothing typed is lost.
    assert "must not give a count under 5" in page.inner_text(".govuk-error-summary")
    assert page.input_value("#easy_did") == "You will have one person to talk to."
    assert run_axe(page) == []
    page.fill("#we_did", "Every family now has a named contact who replies within 5 days.")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    assert run_axe(page) == []

    # Quotes, chosen from the consenting comments.
    with page.expect_navigation():
        page.click("text=Choose quotes")
    assert run_axe(page) == []
    boxes = page.locator("input[name='quotes']")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    chosen = page.locator(f"label[for='{boxes.nth(0).get_attribute('id')}']").inner_text()
    with page.expect_navigation():
        page.click("button:has-text('Save quotes')")
    assert chosen in page.inner_text("#main-content")

    # The officer cannot review their own words; a reviewer can, but cannot publish.
    assert "reviewer who did not write it reviews it" in page.inner_text("[data-waiting-for]")
    sign_out(page)
    sign_in(page, live_server, "reviewer@demo.heard")
    open_entry(page, live_server)
    assert run_axe(page) == []
    take_step(page, "Mark as reviewed")
    assert page.locator("button:has-text('Publish')").count() == 0
    sign_out(page)

    sign_in(page, live_server, "officer@demo.heard")
    open_entry(page, live_server)
    take_step(page, "Approve")
    take_step(page, "Publish")
    assert page.get_attribute("[data-entry-state]", "data-entry-state") == "published"
    history = words(page.inner_text("[data-history]"))
    assert "Reviewed by Rae Reviewer" in history and "Published by Olu Officer" in history

    # The public page, signed out, in English and in Polish.
    sign_out(page)
    page.goto(f"{live_server}/you-said-we-did/kent-demo")
    main = words(page.inner_text("#main-content"))
    assert TITLE in main and "Every family now has a named contact" in main
    assert chosen in main
    assert run_axe(page) == []
    screenshot(page, "yswd-public")
    with page.expect_navigation():
        page.click("a[hreflang='pl']")
    assert page.get_attribute("html", "lang") == "pl"
    main = words(page.inner_text("#main-content"))
    assert "Powiedzieliście, zrobiliśmy" in page.inner_text("h1")
    assert TITLE in main and "Zrobiliśmy" in main
    assert run_axe(page) == []
    with page.expect_navigation():
        page.locator("a:has-text('Wersja łatwa do czytania')").first.click()
    assert page.locator("img[src*='/symbols/easy-read/']").count() >= 2
    screenshot(page, "yswd-easy-read-pl")
    assert run_axe(page) == []
    page.goto(f"{live_server}/you-said-we-did/kent-demo?lang=en")

    # The documents for the term hold the same words.
    sign_in(page, live_server, "officer@demo.heard")
    docx = Document(io.BytesIO(download(page, live_server, "docx")))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert TITLE in text and "Every family now has a named contact" in text and chosen in text
    pdf = PdfReader(io.BytesIO(download(page, live_server, "pdf")))
    pdf_text = words(" ".join(p.extract_text() for p in pdf.pages))
    assert TITLE in pdf_text and "Every family now has a named contact" in pdf_text

    # The survey's start page says what changed since last time.
    sign_out(page)
    page.goto(f"{live_server}/f/parent-termly")
    assert "What changed since last time" in page.inner_text("#main-content")
    assert TITLE in page.inner_text("#what-changed ~ div")
    assert run_axe(page) == []
    assert page.watch.problems == []
