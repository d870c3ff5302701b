"""Staff set up rounds, invite people, enter paper copies and close rounds."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlmodel import select

from models import Response, ResponseStatus
from models.audit import AuditEvent
from models.surveys import Invitation, SurveyRound, digest
from tests.conftest import csrf_token, sign_in
from tests.surveys import answer_every_page, definition, invitation_token, make_round, send, start

OFFICER = "officer@demo.heard"


@pytest.fixture
def officer(client, demo, published):
    sign_in(client, OFFICER)
    return client


@pytest.fixture
def survey_round(session, demo, published):
    return make_round(session, demo.organisation.id)


def new_round(client, **overrides):
    today = date.today()
    closes = today + timedelta(days=20)
    data = {
        "csrf_token": csrf_token(client, "/staff/surveys/new"),
        "survey": "parent-termly",
        "academic_year": "2026/27",
        "term": "autumn",
        "opens_on": [str(today.day), str(today.month), str(today.year)],
        "closes_on": [str(closes.day), str(closes.month), str(closes.year)],
        "anonymity": "confidential",
        "open_link": "yes",
    }
    data.update(overrides)
    return client.post("/staff/surveys/new", data=data)


def test_an_officer_sets_up_a_round_that_pins_the_form_version(officer, session, demo):
    created = new_round(officer, districts=[])
    assert created.status_code == 302
    survey_round = session.exec(select(SurveyRound)).one()
    assert survey_round.name == "2026/27 Autumn" and survey_round.is_open()
    assert survey_round.audience == "parents"
    page = officer.get(created.location).get_data(as_text=True)
    assert "2026/27 Autumn" in page and f"/r/{survey_round.open_code}" in page
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "survey_round.created"))
    assert event.one().object_id == str(survey_round.id)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"academic_year": "2026-27"}, "Enter the academic year in the correct format"),
        ({"academic_year": "2026/2x"}, "Enter the academic year in the correct format"),
        ({"academic_year": "2026/29"}, "Enter an academic year whose years follow on"),
        ({"term": ""}, "Select the term"),
        ({"closes_on": ["1", "1", "2020"]}, "The closing date must be the same as or after"),
        ({"opens_on": ["31", "2", "2027"]}, "Opening date must be a real date"),
        ({"survey": "no-such-survey"}, "Not a valid choice"),
    ],
)
def test_bad_round_details_get_clear_errors(officer, session, overrides, message):
    response = new_round(officer, **overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert session.exec(select(SurveyRound)).all() == []


def test_a_survey_has_one_round_a_term(officer, session):
    new_round(officer)
    again = new_round(officer)
    assert "This survey already has a round for that term" in again.get_data(as_text=True)
    assert len(session.exec(select(SurveyRound)).all()) == 1


def test_invitations_download_as_links_and_qr_codes_for_a_mail_merge(
    officer, session, survey_round, app
):
    url = f"/staff/surveys/{survey_round.id}"
    people = 'Jo Parent, jo@example.com, FAM-1\n=HYPERLINK("x"), , FAM-2\n'
    response = officer.post(
        f"{url}/invitations", data={"csrf_token": csrf_token(officer, url), "people": people}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.DictReader(io.StringIO(pack.read("links.csv").decode("utf-8-sig"))))
    assert [r["reference"] for r in rows] == ["FAM-1", "FAM-2"]
    assert rows[1]["name"].startswith("'=")  # a formula in a name is made plain text
    assert pack.read(rows[0]["qr_file"]).startswith(b"\x89PNG")
    tokens = [invitation_token(r["link"]) for r in rows]
    stored = session.exec(select(Invitation)).all()
    assert {i.token_hash for i in stored} == {digest(t) for t in tokens}
    # The link works for the person it was made for.
    assert app.test_client().get(f"/i/{tokens[0]}").status_code == 200


def test_bad_invitation_lines_are_named(officer, session, survey_round):
    url = f"/staff/surveys/{survey_round.id}"
    response = officer.post(
        f"{url}/invitations",
        data={"csrf_token": csrf_token(officer, url), "people": "Jo, not-an-email\n, ,\n"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 1: enter an email address in the correct format" in page
    assert "Line 2: enter a name or a reference" in page
    assert session.exec(select(Invitation)).all() == []


def test_open_link_qr_codes(officer, survey_round):
    svg = officer.get(f"/staff/surveys/{survey_round.id}/open-link.svg")
    png = officer.get(f"/staff/surveys/{survey_round.id}/open-link.png")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert png.data.startswith(b"\x89PNG")
    assert officer.get(f"/staff/surveys/{survey_round.id}/open-link.gif").status_code == 404


def test_people_who_have_not_answered_and_their_reminder_links(officer, session, survey_round, app):
    url = f"/staff/surveys/{survey_round.id}"
    pack = officer.post(
        f"{url}/invitations",
        data={"csrf_token": csrf_token(officer, url), "people": "Ann, , A1\nBen, , B2"},
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                zipfile.ZipFile(io.BytesIO(pack.data)).read("links.csv").decode("utf-8-sig")
            )
        )
    )
    ann = app.test_client()
    start(ann, f"/i/{invitation_token(rows[0]['link'])}")
    answer_every_page(ann, definition(session, survey_round))
    send(ann, "parent-termly")

    waiting = officer.get(f"{url}/not-responded").get_data(as_text=True)
    assert "Ben" in waiting and "Ann" not in waiting
    listing = officer.get(f"{url}/not-responded?format=csv").data.decode("utf-8-sig")
    assert "Ben" in listing and "Ann" not in listing

    token = csrf_token(officer, f"{url}/not-responded")
    reminder = officer.post(f"{url}/reminders", data={"csrf_token": token})
    fresh = list(
        csv.DictReader(
            io.StringIO(
                zipfile.ZipFile(io.BytesIO(reminder.data)).read("links.csv").decode("utf-8-sig")
            )
        )
    )
    assert [r["name"] for r in fresh] == ["Ben"]
    assert app.test_client().get(f"/i/{invitation_token(rows[1]['link'])}").status_code == 404
    assert app.test_client().get(f"/i/{invitation_token(fresh[0]['link'])}").status_code == 200


def test_paper_copies_are_typed_in_through_the_survey_and_marked(officer, session, survey_round):
    url = f"/staff/surveys/{survey_round.id}"
    started = officer.post(f"{url}/paper", data={"csrf_token": csrf_token(officer, url)})
    assert started.status_code == 302 and "/f/parent-termly/pages/" in started.location
    answer_every_page(officer, definition(session, survey_round))
    send(officer, "parent-termly")
    confirmation = officer.get("/f/parent-termly/confirmation").get_data(as_text=True)
    assert "enter another paper copy" in confirmation
    response = session.exec(select(Response)).one()
    assert response.channel == "paper" and response.status == ResponseStatus.SUBMITTED
    assert response.entered_by_user_id is not None
    assert "1 paper" in officer.get(url).get_data(as_text=True).replace("0 online, ", "")


def test_closing_a_round_stops_every_link(officer, session, survey_round, app):
    url = f"/staff/surveys/{survey_round.id}"
    asked = officer.get(f"{url}/close").get_data(as_text=True)
    assert "Are you sure you want to close 2026/27 Autumn?" in asked
    session.refresh(survey_round)
    assert survey_round.is_open()  # asking changes nothing
    closed = officer.post(f"{url}/close", data={"csrf_token": csrf_token(officer, f"{url}/close")})
    assert closed.status_code == 302
    session.refresh(survey_round)
    assert not survey_round.is_open()
    assert app.test_client().get(f"/r/{survey_round.open_code}").status_code == 410


def test_other_organisations_rounds_are_not_found(officer, session, demo, published):
    from models import OrganisationCreate, create_organisation

    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull-demo", name="Hull (demo)")
    )
    session.commit()
    theirs = make_round(session, other.id)
    for path in (
        "",
        "/results",
        "/data-dictionary.csv",
        "/open-link.svg",
        "/not-responded",
        "/import",
        "/close",
    ):
        assert officer.get(f"/staff/surveys/{theirs.id}{path}").status_code == 404, path
    token = csrf_token(officer, "/staff/surveys/new")
    for path in (
        "/invitations",
        "/reminders",
        "/paper",
        "/close",
        "/import",
        "/import/1/confirm",
        "/export.csv",
    ):
        posted = officer.post(f"/staff/surveys/{theirs.id}{path}", data={"csrf_token": token})
        assert posted.status_code == 404, path
    session.expire_all()
    assert session.get(SurveyRound, theirs.id).is_open()


def test_participation_workers_read_results_but_do_not_run_rounds(
    client, session, survey_round, demo
):
    sign_in(client, "participation@demo.heard")
    assert client.get(f"/staff/surveys/{survey_round.id}/results").status_code == 200
    assert client.get("/staff/surveys/new").status_code == 403
    token = csrf_token(client, f"/staff/surveys/{survey_round.id}/results")
    exported = client.post(
        f"/staff/surveys/{survey_round.id}/export.csv", data={"csrf_token": token}
    )
    assert exported.status_code == 403
    sign_in_safeguarding = client.application.test_client()
    sign_in(sign_in_safeguarding, "safeguarding@demo.heard")
    assert sign_in_safeguarding.get("/staff/surveys/").status_code == 403
