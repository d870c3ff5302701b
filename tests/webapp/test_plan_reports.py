"""The owner's report and check and challenge: a rating is not a report, and nobody settles
their own proposal against a challenge."""

from bs4 import BeautifulSoup
from sqlmodel import select

from models.plan_reports import RatingEntry, Stage
from tests.conftest import sign_in
from tests.webapp.plans import small_plan, step
from webapp.plan_ratings import build_scorecard

PAGE = "/staff/plans/kent-app/actions/1E1?period=2023-10"


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_proposing_a_rating_is_not_the_owner_reporting(app, session, demo):
    plan = small_plan(session, demo.organisation.id)
    officer = signed_in(app, "officer@demo.heard")
    assert step(officer, "1E1", "kent-impact", "proposed", "green", "Survey").status_code == 302

    soup = BeautifulSoup(officer.get(PAGE).get_data(as_text=True), "html.parser")
    report = soup.find(id="report").find_next("p")
    assert "Confident of a better rating" not in soup.get_text()
    assert report is None or "did not report" not in report.get_text()
    assert soup.find("input", {"name": "report-confident", "checked": True}) is None
    card = build_scorecard(session, plan, "2023-10")
    assert card.reported == 0  # no owner has reported
    # The rating itself still counts, as a proposal not yet agreed.
    assert any(r.action == "1E1" and r.value == "green" and r.reported for r in card.rows)


def test_the_proposer_accepts_a_challenge_only_at_its_value(app, session, demo):
    small_plan(session, demo.organisation.id)
    officer, admin = signed_in(app, "officer@demo.heard"), signed_in(app, "admin@demo.heard")
    assert step(officer, "1E1", "kent-impact", "proposed", "green", "Survey").status_code == 302
    assert step(admin, "1E1", "kent-impact", "challenged", "amber", "One survey").status_code == 302

    overruled = step(officer, "1E1", "kent-impact", "agreed", "green")
    assert overruled.status_code == 200
    assert "you can agree it only at the challenged rating, Amber" in overruled.get_data(
        as_text=True
    )
    assert step(officer, "1E1", "kent-impact", "agreed", "amber").status_code == 302
    entries = session.exec(select(RatingEntry).order_by(RatingEntry.id)).all()
    assert [(e.stage, e.value) for e in entries][-1] == (Stage.AGREED, "amber")
