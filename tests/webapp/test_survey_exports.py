"""Exports of a round's responses: safe cells, small numbers hidden, identity only for admins."""

import io
import re

import pandas as pd
import pytest
from sqlmodel import select

from models import list_districts
from models.audit import AuditEvent
from models.coding import Comment
from models.surveys import Anonymity, create_invitations, mark_invitation_responded
from tests.conftest import csrf_token, sign_in
from tests.surveys import add_responses, make_round, parent_answers

FORMULA = '=HYPERLINK("http://evil.example","click")'


def build(session, demo, anonymity=Anonymity.CONFIDENTIAL, year="2026/27"):
    survey_round = make_round(session, demo.organisation.id, anonymity=anonymity, year=year)
    dover, thanet = (
        str(d.id)
        for d in list_districts(session=session, organisation=demo.organisation)
        if d.name in {"Dover", "Thanet"}
    )
    answers = [parent_answers("agree", district=dover)] * 6
    answers += [parent_answers("disagree", district=thanet)] * 2
    made = add_responses(session, survey_round, answers)
    [(invitation, _token)] = create_invitations(
        session=session,
        survey_round=survey_round,
        people=[{"name": "Jo Parent", "email": "jo@example.com", "reference": "FAM-9"}],
    )
    invitation.draft_response_id = made[0].id
    mark_invitation_responded(session=session, survey_round=survey_round, response=made[0])
    session.add(
        Comment(
            organisation_id=demo.organisation.id,
            response_id=made[0].id,
            question_id="working-well",
            text_redacted=FORMULA,
        )
    )
    session.commit()
    return survey_round


@pytest.fixture
def survey_round(session, demo, published):
    return build(session, demo)


def download(client, survey_round, kind):
    """Ask for an export as a member of staff would, then download it from the job page."""
    url = f"/staff/surveys/{survey_round.id}"
    asked = client.post(f"{url}/export.{kind}", data={"csrf_token": csrf_token(client, url)})
    assert asked.status_code == 302 and "/jobs/" in asked.location
    page = client.get(asked.location).get_data(as_text=True)
    link = re.search(r'href="(/staff/surveys/downloads/\d+)"', page)
    assert link, page[page.find("<main") :][:1500]
    response = client.get(link.group(1))
    assert response.status_code == 200, response.status_code
    assert "attachment" in response.headers["Content-Disposition"]
    return response


def test_csv_export_neutralises_formulas_and_hides_rare_answers(client, survey_round):
    sign_in(client, "officer@demo.heard")
    data = download(client, survey_round, "csv").data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(frame) == 8
    assert "'" + FORMULA in set(frame["working-well"])
    assert FORMULA not in set(frame["working-well"])
    assert set(frame["district"]) == {"Dover", "[fewer than 5]"}  # only 2 from Thanet
    assert "invited_name" not in frame.columns  # officers never see who answered


def test_xlsx_has_responses_a_data_dictionary_and_a_suppressed_summary(client, survey_round):
    sign_in(client, "officer@demo.heard")
    data = download(client, survey_round, "xlsx").data
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
    assert set(sheets) == {"Responses", "Data dictionary", "Summary"}
    assert "'" + FORMULA in set(sheets["Responses"]["working-well"])
    dictionary = sheets["Data dictionary"].set_index("column")
    assert dictionary.loc["listened-to", "meaning"].startswith("I feel listened to")
    assert "Strongly agree" in dictionary.loc["listened-to", "values"]
    summary = sheets["Summary"]
    listened = summary[summary["question"] == "listened-to"].set_index("answer")
    assert listened.loc["Disagree", "count"] == "[fewer than 5]"
    # 6 agreeing out of 8 would give the hidden 2 away, so it is hidden too.
    assert listened.loc["Agree", "count"] == "[fewer than 5]"
    assert listened.loc["Strongly agree", "count"] == "0"
    assert set(summary[summary["question"] == "district"]["count"]) == {"0", "[fewer than 5]"}


def test_admins_see_who_answered_in_named_or_confidential_rounds_only(
    client, session, demo, published, survey_round
):
    sign_in(client, "admin@demo.heard")
    frame = pd.read_csv(
        io.BytesIO(download(client, survey_round, "csv").data), dtype=str, keep_default_na=False
    )
    assert "Jo Parent" in set(frame["invited_name"]) and "jo@example.com" in set(
        frame["invited_email"]
    )
    assert "Thanet" in set(frame["district"])  # with identity, nothing is hidden
    anonymous = build(session, demo, Anonymity.ANONYMOUS, year="2027/28")
    frame = pd.read_csv(io.BytesIO(download(client, anonymous, "csv").data), dtype=str)
    assert "invited_name" not in frame.columns


def test_every_export_is_written_to_the_audit_log(client, session, survey_round):
    sign_in(client, "admin@demo.heard")
    download(client, survey_round, "csv")
    download(client, survey_round, "xlsx")
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "survey_round.exported")
    ).all()
    assert [(e.details["format"], e.details["rows"], e.details["identity"]) for e in events] == [
        ("csv", 8, True),
        ("xlsx", 8, True),
    ]
    assert all(e.actor_user_id is not None and e.object_id == str(survey_round.id) for e in events)


def test_the_data_dictionary_is_a_csv_too(client, survey_round):
    sign_in(client, "officer@demo.heard")
    response = client.get(f"/staff/surveys/{survey_round.id}/data-dictionary.csv")
    frame = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    assert {"response", "submitted", "channel", "listened-to", "working-well"} <= set(
        frame["column"]
    )
    token = csrf_token(client, f"/staff/surveys/{survey_round.id}")
    json_export = client.post(
        f"/staff/surveys/{survey_round.id}/export.json", data={"csrf_token": token}
    )
    assert json_export.status_code == 404


def test_officers_see_who_answered_only_in_named_rounds(client, session, demo, published):
    named = build(session, demo, Anonymity.NAMED, year="2027/28")
    confidential = build(session, demo, Anonymity.CONFIDENTIAL, year="2028/29")
    sign_in(client, "officer@demo.heard")
    frame = pd.read_csv(io.BytesIO(download(client, named, "csv").data), dtype=str)
    assert "Jo Parent" in set(frame["invited_name"])
    frame = pd.read_csv(io.BytesIO(download(client, confidential, "csv").data), dtype=str)
    assert "invited_name" not in frame.columns


def test_equality_answers_stay_out_of_the_rows_but_are_counted(client, session, demo, published):
    survey_round = make_round(session, demo.organisation.id)
    add_responses(session, survey_round, [parent_answers("agree", **{"ethnic-group": "asian"})] * 6)
    sign_in(client, "officer@demo.heard")
    data = download(client, survey_round, "xlsx").data
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
    assert "ethnic-group" not in sheets["Responses"].columns
    assert "ethnic-group" in set(sheets["Summary"]["question"])


def test_only_the_person_who_asked_can_download_an_export(client, app, session, survey_round):
    sign_in(client, "admin@demo.heard")
    url = f"/staff/surveys/{survey_round.id}"
    asked = client.post(f"{url}/export.csv", data={"csrf_token": csrf_token(client, url)})
    job_id = asked.location.rsplit("/", 1)[1]
    other = app.test_client()
    sign_in(other, "officer@demo.heard")
    assert other.get(f"/staff/surveys/downloads/{job_id}").status_code == 404
    page = other.get(asked.location).get_data(as_text=True)
    assert "Only the person who asked for this file can download it" in page
    assert client.get(f"/staff/surveys/downloads/{job_id}").status_code == 200


def test_exports_are_deleted_after_a_day(client, session, survey_round):
    from datetime import timedelta

    from models.jobs import JobFile

    sign_in(client, "officer@demo.heard")
    download(client, survey_round, "csv")
    stored = session.exec(select(JobFile)).one()
    stored.created_at = stored.created_at - timedelta(hours=25)
    session.add(stored)
    session.commit()
    assert client.get(f"/staff/surveys/downloads/{stored.job_id}").status_code == 404
    old_job = stored.job_id
    download(client, survey_round, "csv")  # asking again clears the old file away
    session.expire_all()
    kept = [f.job_id for f in session.exec(select(JobFile))]
    assert old_job not in kept and len(kept) == 1, (old_job, kept)
