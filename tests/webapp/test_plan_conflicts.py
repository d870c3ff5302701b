"""Two people on one plan action: a step or report sent over someone else's newer one is
caught and loses nothing, and two sent in the same instant take turns."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from models import Role
from models.plan_reports import ActionReport, RatingEntry, Stage
from models.plans import PlanAction, get_action
from models.users import UserCreate, create_user
from tests.conftest import DEMO_PASSWORD, csrf_token, sign_in
from tests.free_to_write import watch_pages
from tests.same_instant import same_instant
from tests.webapp.plans import small_plan, step
from webapp import staff_plan_actions

PAGE = "/staff/plans/kent-app/actions/1E1?period=2023-10"
REPORT = "/staff/plans/kent-app/actions/1E1/report?period=2023-10"
SECOND_OFFICER = "second.officer@demo.heard"


@pytest.fixture
def plan(session, demo):
    create_user(
        session=session,
        organisation_id=demo.organisation.id,
        data=UserCreate(
            email=SECOND_OFFICER,
            full_name="Robin Second",
            role=Role.OFFICER,
            password=DEMO_PASSWORD,
        ),
    )
    return small_plan(session, demo.organisation.id)


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def stamp_of(client, name) -> str:
    """The stamp a form on the action page carries, as the page was opened now."""
    return soup_of(client.get(PAGE)).find("input", {"name": name})["value"]


def send_report(client, stamp, risks):
    return client.post(
        REPORT,
        data={
            "report-csrf_token": csrf_token(client, PAGE),
            "report-reported": "yes",
            "report-confident": "no",
            "report-key_risks": risks,
            "report-stamp": stamp,
        },
    )


def saved_risks(session) -> str:
    session.expire_all()
    return session.exec(select(ActionReport)).one().key_risks


def test_a_report_saved_meanwhile_is_not_overwritten_unseen(app, session, plan):
    mine, theirs = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    opened = stamp_of(mine, "report-stamp")
    assert send_report(theirs, stamp_of(theirs, "report-stamp"), "Staff leaving").status_code == 302

    page = send_report(mine, opened, "Funding ends in March")

    assert page.status_code == 200
    soup = soup_of(page)
    assert "Someone else saved this while you were editing it" in soup.get_text()
    assert soup.select_one('.govuk-error-summary a[href="#report-stamp"]') is not None
    shown = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in soup.select("#report-stamp .govuk-summary-list__row")
    }
    assert shown["Key risks"] == "Staff leaving"
    assert shown["Is the owner confident of a better rating next period?"] == "No"
    assert soup.find("textarea", {"name": "report-key_risks"}).get_text().strip() == (
        "Funding ends in March"
    )
    assert saved_risks(session) == "Staff leaving"
    # Sent again, having seen theirs, this person's words are saved.
    again = soup.find("input", {"name": "report-stamp"})["value"]
    assert send_report(mine, again, "Funding ends in March").status_code == 302
    assert saved_risks(session) == "Funding ends in March"


def test_a_rating_step_saved_meanwhile_does_not_save_the_report_over_it(app, session, plan):
    """A rating's step is not a change to the report, so the report form still saves."""
    mine, theirs = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    opened = stamp_of(mine, "report-stamp")
    assert step(theirs, "1E1", "kent-impact", "proposed", "green", "Survey").status_code == 302
    assert send_report(mine, opened, "Funding ends in March").status_code == 302
    assert saved_risks(session) == "Funding ends in March"


def send_step(client, stage, value, commentary, stamp):
    prefix = f"kent-impact-{stage}-"
    return client.post(
        f"/staff/plans/kent-app/actions/1E1/ratings/kent-impact/{stage}?period=2023-10",
        data={
            f"{prefix}csrf_token": csrf_token(client, PAGE),
            f"{prefix}value": value,
            f"{prefix}commentary": commentary,
            f"{prefix}stamp": stamp,
        },
    )


def steps(session) -> list[tuple[Stage, str]]:
    session.expire_all()
    return [(e.stage, e.value) for e in session.exec(select(RatingEntry).order_by(RatingEntry.id))]


def test_agreeing_a_rating_that_changed_since_the_page_opened_is_caught(app, session, plan):
    officer, admin = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    assert step(officer, "1E1", "kent-impact", "proposed", "green", "Survey").status_code == 302
    opened = stamp_of(admin, "kent-impact-agreed-stamp")  # the admin opens the page ...
    # ... and meanwhile the rating is challenged and proposed again, at a different value.
    for who, stage, value, why in [
        (admin, "challenged", "amber", "One survey"),
        (officer, "proposed", "red", "Fewer"),
    ]:
        assert step(who, "1E1", "kent-impact", stage, value, why).status_code == 302

    page = send_step(admin, "agreed", "green", "Agreed at the meeting", opened)

    assert page.status_code == 200
    soup = soup_of(page)
    summary = soup.select_one('.govuk-error-summary a[href="#kent-impact-agreed-stamp"]')
    assert summary.get_text(strip=True).startswith("Someone else recorded a step")
    assert soup.find(id="kent-impact-agreed-stamp").name == "p"
    kept = soup.find("textarea", {"name": "kent-impact-agreed-commentary"}).get_text().strip()
    assert kept == "Agreed at the meeting"
    assert steps(session)[-1] == (Stage.PROPOSED, "red")
    # Sent again, with the page's new stamp, the step is recorded.
    again = soup.find("input", {"name": "kent-impact-agreed-stamp"})["value"]
    assert send_step(admin, "agreed", "green", "Agreed at the meeting", again).status_code == 302
    assert steps(session)[-1] == (Stage.AGREED, "green")


def test_two_checks_sent_in_the_same_instant_take_turns(app, session, plan, monkeypatch):
    officer = signed_in(app, "officer@demo.heard")
    assert step(officer, "1E1", "kent-impact", "proposed", "green", "Survey").status_code == 302
    admin, second = signed_in(app, "admin@demo.heard"), signed_in(app, SECOND_OFFICER)
    opened = stamp_of(admin, "kent-impact-agreed-stamp")
    challenge = stamp_of(second, "kent-impact-challenged-stamp")

    first, later, held = same_instant(
        monkeypatch,
        staff_plan_actions,
        "add_rating",
        lambda: send_step(admin, "agreed", "green", "", opened),
        lambda: send_step(second, "challenged", "amber", "Only one survey", challenge),
    )

    assert held  # the challenge waited while the agreement was being recorded
    assert first.status_code == 302
    # Agreed first, the rating can be challenged no more: the page says so, and keeps the
    # reason the second person wrote.
    assert later.status_code == 200
    page = soup_of(later)
    assert "cannot be challenged now" in page.select_one(".govuk-error-summary").get_text()
    reason = page.find("textarea", {"name": "kent-impact-challenged-commentary"})
    assert reason.get_text().strip() == "Only one survey"
    assert steps(session) == [(Stage.PROPOSED, "green"), (Stage.AGREED, "green")]


def test_two_first_reports_sent_in_the_same_instant_make_one_report(
    app, session, plan, monkeypatch
):
    mine, theirs = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    opened = stamp_of(mine, "report-stamp")

    first, later, held = same_instant(
        monkeypatch,
        staff_plan_actions,
        "save_report",
        lambda: send_report(theirs, opened, "Staff leaving"),
        lambda: send_report(mine, opened, "Funding ends in March"),
    )

    assert held
    assert (first.status_code, later.status_code) == (302, 200)
    assert "Someone else saved this while you were editing it" in later.get_data(as_text=True)
    assert saved_risks(session) == "Staff leaving"


@pytest.mark.parametrize("form", ["rating", "report"])
def test_a_refused_step_or_report_lets_go_of_the_action_before_the_page_is_drawn(
    app, session, plan, database_url, monkeypatch, form
):
    officer = signed_in(app, "officer@demo.heard")
    action = get_action(session=session, plan=plan, code="1E1")
    free = watch_pages(monkeypatch, staff_plan_actions, database_url, PlanAction, action.id)

    if form == "rating":
        page = send_step(
            officer, "proposed", "green", "", stamp_of(officer, "kent-impact-proposed-stamp")
        )
        error = "Enter the commentary for this rating"
    else:
        page = officer.post(
            REPORT,
            data={
                "report-csrf_token": csrf_token(officer, PAGE),
                "report-reported": "yes",
                "report-stamp": stamp_of(officer, "report-stamp"),
            },
        )
        error = "Select whether the owner is confident"

    assert page.status_code == 200 and error in page.get_data(as_text=True)
    # Drawn last, after the page opened to get the form's token: nobody else's save waits.
    assert free[-1] is True


def test_a_month_that_has_not_begun_is_not_a_reporting_period(app, session, plan):
    officer = signed_in(app, "officer@demo.heard")
    today = date.today()
    future = f"{today.year + 1}-{today.month:02d}"
    page = officer.get(f"/staff/plans/kent-app/actions/1E1?period={future}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"There are no ratings for a period called “{future}”, or it has not started yet" in text
    sent = officer.post(
        f"/staff/plans/kent-app/actions/1E1/ratings/kent-impact/proposed?period={future}",
        data={
            "kent-impact-proposed-csrf_token": csrf_token(officer, PAGE),
            "kent-impact-proposed-value": "green",
            "kent-impact-proposed-commentary": "Too early",
        },
    )
    assert sent.status_code == 404
    assert steps(session) == []
    for url in ("/staff/plans/kent-app?period=abc", "/staff/plans/kent-app/scorecard?period=abc"):
        assert "There are no ratings for a period called “abc”" in officer.get(url).get_data(
            as_text=True
        )


def test_a_first_report_saved_meanwhile_is_caught_even_when_it_says_the_least(app, session, plan):
    """'Reported, not confident, no risks' is a report: a save over it is caught."""
    mine, theirs = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    opened = stamp_of(mine, "report-stamp")
    assert send_report(theirs, stamp_of(theirs, "report-stamp"), "").status_code == 302
    page = mine.post(
        REPORT,
        data={
            "report-csrf_token": csrf_token(mine, PAGE),
            "report-reported": "no",
            "report-stamp": opened,
        },
    )
    assert page.status_code == 200
    assert "Someone else saved this while you were editing it" in page.get_data(as_text=True)
    session.expire_all()
    assert not session.exec(select(ActionReport)).one().did_not_report


def test_the_scorecard_never_opens_on_a_month_that_has_not_begun(app, session, plan):
    today = date.today()
    future = f"{today.year + 1}-{today.month:02d}"
    action = get_action(session=session, plan=plan, code="1E1")
    session.add(ActionReport(action_id=action.id, period=future, answered=True))
    session.commit()
    officer = signed_in(app, "officer@demo.heard")
    page = officer.get("/staff/plans/kent-app/scorecard").get_data(as_text=True)
    assert f"{today.year + 1}" not in BeautifulSoup(page, "html.parser").find("h1").get_text()
    assert future not in page
