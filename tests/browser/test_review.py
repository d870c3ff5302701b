"""A participation worker retrains the coder, reads its quality, and reviews by keyboard alone."""

import re

import pytest
from sqlmodel import select

from models import get_default_organisation, make_engine, new_session
from models.coding import CodingSource, CommentTheme, get_active_codebook
from models.jobs import JobStatus, create_job
from models.review import CodingDecision, Decision
from tests.browser.conftest import run_axe, sign_in

pytestmark = pytest.mark.browser


def test_retraining_then_reviewing_comments_with_the_keyboard(page, live_server, live_database_url):
    engine = make_engine(live_database_url)
    with new_session(engine) as session:
        organisation = get_default_organisation(session=session)
        codebook = get_active_codebook(session=session, organisation_id=organisation.id)
        # A retrain part-way through, as the worker reports it, to see its progress.
        running = create_job(
            session=session,
            organisation_id=organisation.id,
            kind="retrain",
            params={"codebook_id": codebook.id},
        )
        running.status, running.progress = JobStatus.RUNNING, 35
        running.message = "Checking the coder: part 2 of 5"
        session.commit()
        running_id, codebook_id = running.id, codebook.id

    sign_in(page, live_server, "participation@demo.heard")
    page.goto(f"{live_server}/staff/jobs/{running_id}")
    assert page.locator("#job-progress").get_attribute("value") == "35"
    assert "Checking the coder: part 2 of 5" in page.inner_text("#main-content")
    assert run_axe(page) == []
    with new_session(engine) as session:
        job = session.get(type(running), running_id)
        job.status = JobStatus.FAILED  # let the real retrain below start cleanly
        session.commit()

    # Retrain for real from the quality page, and see the new figures.
    page.goto(f"{live_server}/staff/codebooks/{codebook_id}/quality")
    assert run_axe(page) == []
    with page.expect_navigation():
        page.click("button:has-text('Retrain the coder')")
    assert "The coder has been retrained" in page.inner_text("#main-content")
    assert run_axe(page) == []
    page.goto(f"{live_server}/staff/codebooks/{codebook_id}/quality")
    overall = page.locator(".govuk-summary-list__row:has-text('Overall F1') dd").first.inner_text()
    assert re.fullmatch(r"0\.\d\d|1\.00", overall.strip()), overall
    figures = page.locator("#quality tbody td.govuk-table__cell--numeric").all_inner_texts()
    assert figures and all(re.fullmatch(r"\d+|\d\.\d\d", f.strip()) for f in figures)
    assert run_axe(page) == []

    # The queue, then the first comment with a confident suggestion, by keyboard alone.
    page.goto(f"{live_server}/staff/review/?band=high")
    assert run_axe(page) == []
    page.focus("#start-reviewing")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert run_axe(page) == []
    first_url = page.url
    first_id = int(re.search(r"/staff/review/(\d+)", first_url).group(1))
    suggested = page.locator("input[data-suggested='true']")
    assert suggested.count() >= 1
    page.keyboard.press("r")  # reject every suggestion
    assert suggested.first.is_checked() is False
    page.keyboard.press("a")  # then accept them all again
    assert suggested.first.is_checked() is True
    page.keyboard.press("-")
    assert page.locator("#sentiment-negative").is_checked()
    assert "Sentiment: negative" in page.inner_text("#shortcut-status")
    with page.expect_navigation():
        page.keyboard.press("s")
    assert "Saved" in page.inner_text(".govuk-notification-banner")
    assert run_axe(page) == []

    # The next comment: reject what the coder suggested, with the keyboard.
    second_id = int(re.search(r"/staff/review/(\d+)", page.url).group(1))
    assert second_id != first_id
    rejected = page.locator("input[data-suggested='true']").count()
    assert rejected >= 1, "the next confident comment has a suggestion to reject"
    # The shortcuts can be turned off (and the choice is kept), then on again.
    page.click("label[for='shortcuts-on']")
    page.keyboard.press("r")
    assert page.locator("input[data-suggested='true']").first.is_checked()
    page.reload()
    assert page.locator("#shortcuts-on").is_checked() is False
    page.click("label[for='shortcuts-on']")
    page.keyboard.press("r")
    page.keyboard.press("0")
    with page.expect_navigation():
        page.keyboard.press("s")
    assert "Saved" in page.inner_text(".govuk-notification-banner")

    with new_session(engine) as session:
        first = session.exec(
            select(CodingDecision).where(CodingDecision.comment_id == first_id)
        ).all()
        assert {d.decision for d in first} >= {Decision.ACCEPT}
        # The queue was filtered to a confident machine suggestion, so one accepted has it
        # (others may come from discovery, which gives no confidence).
        assert any(
            (d.machine_confidence or 0) >= 0.8 for d in first if d.decision == Decision.ACCEPT
        )
        second = session.exec(
            select(CodingDecision).where(CodingDecision.comment_id == second_id)
        ).all()
        assert sum(d.decision == Decision.REJECT for d in second) == rejected
        human = session.exec(
            select(CommentTheme)
            .where(CommentTheme.comment_id == second_id)
            .where(CommentTheme.source == CodingSource.HUMAN)
        ).all()
        assert human == []
    engine.dispose()

    # What was decided is on the comment's own page.
    page.goto(f"{live_server}/staff/review/{first_id}")
    assert "Accept “" in page.inner_text("#main-content")
    assert run_axe(page) == []
