"""Officers import plans, link evidence, and check and challenge ratings."""

import io
from datetime import date

import pytest
from sqlmodel import select

from models.audit import AuditEvent
from models.coding import get_active_codebook, list_themes, save_comment
from models.plan_evidence import (
    EvidenceKind,
    EvidenceLink,
    PlanImport,
    QuoteConsentError,
    add_evidence,
)
from models.plan_reports import RatingEntry, Stage
from models.plans import get_action, get_plan, list_actions
from tests.conftest import csrf_token, sign_in
from tests.webapp.plans import FIXTURES, small_plan, sqlite_only, step

OFFICER = "officer@demo.heard"
ADMIN = "admin@demo.heard"
PARTICIPATION = "participation@demo.heard"


KPI_PAGE = "/staff/plans/kent-app/actions/1E1/evidence/kpi"


def add_kpi(client, value="12", measured_on=("1", "10", "2023"), **fields):
    """Post the KPI form as its page does; `fields` adds to or replaces the usual ones."""
    data = {"label": "Requests for assessment", "value": value, "higher_is_better": "no"}
    data |= {"measured_on": list(measured_on), **fields}
    return client.post(KPI_PAGE, data={"csrf_token": csrf_token(client, KPI_PAGE), **data})


@pytest.fixture
def plan(session, demo):
    return small_plan(session, demo.organisation.id)


def upload(client, path, name="kent-app", title="Kent Accelerated Progress Plan", schemes="kent"):
    token = csrf_token(client, "/staff/plans/import")
    data = {"csrf_token": token, "name": name, "title": title, "schemes": schemes}
    if path is not None:
        data["spreadsheet"] = (io.BytesIO(path.read_bytes()), path.name)
    return client.post("/staff/plans/import", data=data, content_type="multipart/form-data")


def test_an_officer_imports_a_messy_plan_after_seeing_every_warning(client, session, demo):
    sign_in(client, OFFICER)
    checked = upload(client, FIXTURES / "plan-messy.csv")
    assert checked.status_code == 302
    assert get_plan(session=session, organisation_id=demo.organisation.id, name="kent-app") is None
    review = client.get(checked.location).get_data(as_text=True)
    assert "has 7 actions" in review
    assert "Code “1 e 3” read as 1E3" in review
    assert "8A2 is on rows 7 and 9 with different due dates" in review
    assert "could not read “30/0/2024” as a date" in review
    token = csrf_token(client, checked.location)
    saved = client.post(checked.location, data={"csrf_token": token})
    assert saved.status_code == 302
    plan = get_plan(session=session, organisation_id=demo.organisation.id, name="kent-app")
    codes = {a.code: a for a in list_actions(session=session, plan=plan)}
    assert set(codes) == {"1E1", "1E3", "1C2", "6J2", "8E1", "8A2", "9B1"}
    assert (codes["6J2"].due_raw, codes["6J2"].due_on, codes["6J2"].date_notes) == (
        "\u0442\u0432\u0441",
        None,
        {"due": "TBC"},
    )
    assert codes["8A2"].revised_on == date(2024, 3, 31) and codes["8E1"].status == "completed"
    page = client.get(saved.location).get_data(as_text=True)
    assert "1E3" in page and "No impact measure" in page
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.imported")).one()
    assert event.details["created"] == 7


def test_importing_again_updates_actions_and_keeps_their_ratings(client, session, demo, plan):
    sign_in(client, OFFICER)
    assert step(client, "1E1", "kent-impact", "proposed", "amber", "On track").status_code == 302
    checked = upload(client, FIXTURES / "plan-messy.csv")
    client.post(checked.location, data={"csrf_token": csrf_token(client, checked.location)})
    session.expire_all()
    assert len(list_actions(session=session, plan=plan)) == 7
    assert len(session.exec(select(RatingEntry)).all()) == 1


@sqlite_only
@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, "Select a CSV or XLSX file"),
        (FIXTURES / "scorecard-expected.csv", "The file must have a column headed “action”"),
        (FIXTURES.parent / "__init__.py", "The selected file must be a CSV or XLSX file"),
    ],
)
def test_a_bad_plan_file_gets_a_clear_error_and_saves_nothing(client, session, demo, path, message):
    sign_in(client, OFFICER)
    response = upload(client, path)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert session.exec(select(PlanImport)).all() == []


@sqlite_only
def test_a_damaged_xlsx_is_refused_politely(client, session, demo, tmp_path):
    sign_in(client, OFFICER)
    broken = tmp_path / "plan.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    response = upload(client, broken)
    assert response.status_code == 200
    assert "could not be read" in response.get_data(as_text=True)


@sqlite_only
def test_participation_workers_can_read_plans_but_not_change_them(client, plan):
    sign_in(client, PARTICIPATION)
    assert client.get("/staff/plans/kent-app/actions/1E1").status_code == 200
    assert client.get("/staff/plans/import").status_code == 403
    assert step(client, "1E1", "kent-impact", "proposed", "green", "Mine").status_code == 403
    assert "Propose rating" not in client.get("/staff/plans/kent-app/actions/1E1").get_data(
        as_text=True
    )


def test_check_and_challenge_keeps_every_step_and_the_suggestion(client, session, plan):
    sign_in(client, OFFICER)
    assert (
        step(client, "1E1", "kent-impact", "proposed", "green", "Survey results").status_code == 302
    )
    # Nobody challenges their own proposal.
    own = step(client, "1E1", "kent-impact", "challenged", "amber", "No")
    assert own.status_code == 200
    assert "cannot be challenged now" in own.get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, ADMIN)
    challenged = step(client, "1E1", "kent-impact", "challenged", "amber", "Only one survey so far")
    assert challenged.status_code == 302
    assert step(client, "1E1", "kent-impact", "agreed", "amber").status_code == 302
    entries = session.exec(select(RatingEntry).order_by(RatingEntry.id)).all()
    assert [(e.stage, e.value) for e in entries] == [
        (Stage.PROPOSED, "green"),
        (Stage.CHALLENGED, "amber"),
        (Stage.AGREED, "amber"),
    ]
    assert all(
        e.suggestion_reasons[0] == "Not enough evidence to suggest a rating" for e in entries
    )
    page = client.get("/staff/plans/kent-app/actions/1E1?period=2023-10").get_data(as_text=True)
    assert "Only one survey so far" in page and "Survey results" in page
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert {"plan.rating.proposed", "plan.rating.challenged", "plan.rating.agreed"} <= set(actions)


@sqlite_only
def test_nobody_agrees_their_own_proposal_unchallenged(client, session, plan):
    sign_in(client, OFFICER)
    step(client, "1E1", "kent-impact", "proposed", "green", "Survey results")
    own = step(client, "1E1", "kent-impact", "agreed", "green")
    assert own.status_code == 200 and "cannot be agreed now" in own.get_data(as_text=True)
    assert [e.stage for e in session.exec(select(RatingEntry)).all()] == [Stage.PROPOSED]


@sqlite_only
def test_a_step_out_of_turn_or_without_a_reason_is_refused(client, session, plan):
    sign_in(client, OFFICER)
    out_of_turn = step(client, "1E1", "kent-impact", "agreed", "amber")  # nothing proposed yet
    assert out_of_turn.status_code == 200
    assert "cannot be agreed now" in out_of_turn.get_data(as_text=True)
    missing = step(client, "1E1", "kent-impact", "proposed", "", "")
    assert missing.status_code == 200
    text = missing.get_data(as_text=True)
    assert "Select a rating" in text and "Enter the commentary for this rating" in text
    assert 'href="#kent-impact-proposed-value"' in text
    assert session.exec(select(RatingEntry)).all() == []


def test_the_suggestion_uses_a_linked_kpi_and_is_recorded_with_the_rating(client, session, plan):
    sign_in(client, OFFICER)
    page = "/staff/plans/kent-app/actions/1E1/evidence/kpi?period=2023-10"
    token = csrf_token(client, page)
    added = client.post(
        page,
        data={
            "csrf_token": token,
            "label": "Parents satisfied (%)",
            "value": "61",
            "baseline": "40",
            "target": "60",
            "higher_is_better": "yes",
            "measured_on": ["1", "10", "2023"],
        },
    )
    assert added.status_code == 302
    text = client.get("/staff/plans/kent-app/actions/1E1?period=2023-10").get_data(as_text=True)
    assert "Parents satisfied (%) 61 meets the target of 60" in text
    assert "Suggested for October 2023" in text
    step(client, "1E1", "kent-impact", "proposed", "amber", "Cautious")
    entry = session.exec(select(RatingEntry)).one()
    assert entry.suggested == "green" and entry.value == "amber"


@sqlite_only
def test_bad_kpi_values_get_clear_errors_and_nothing_is_linked(client, session, plan):
    sign_in(client, OFFICER)
    response = add_kpi(client, "lots", ("31", "2", "2023"), label="", higher_is_better="yes")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter what is measured" in text and "Date measured must be a real date" in text
    assert session.exec(select(EvidenceLink)).all() == []


def test_a_theme_and_a_document_are_linked_and_the_document_downloads(client, session, demo, plan):
    sign_in(client, OFFICER)
    codebook = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    page = "/staff/plans/kent-app/actions/1E1/evidence/theme"
    linked = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "theme": str(theme.id),
            "direction": "less-negative",
        },
    )
    assert linked.status_code == 302
    page = "/staff/plans/kent-app/actions/1E1/evidence/document"
    uploaded = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "label": "Mystery shopper report",
            "document": (io.BytesIO(b"%PDF-1.4 report"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    links = session.exec(select(EvidenceLink).order_by(EvidenceLink.id)).all()
    assert [link.kind for link in links] == [EvidenceKind.THEME, EvidenceKind.DOCUMENT]
    text = client.get("/staff/plans/kent-app/actions/1E1").get_data(as_text=True)
    assert f"“{theme.name}”" in text and "theme: 0 then 0 comments, too few to judge" in text
    download = client.get(f"/staff/plans/kent-app/actions/1E1/evidence/{links[1].id}/file")
    assert download.data == b"%PDF-1.4 report"


def test_a_theme_is_linked_to_an_action_once(client, session, demo, plan):
    sign_in(client, OFFICER)
    codebook = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    page = "/staff/plans/kent-app/actions/1E1/evidence/theme"
    data = {"theme": str(theme.id), "direction": "less-negative"}
    first = client.post(page, data={"csrf_token": csrf_token(client, page), **data})
    again = client.post(page, data={"csrf_token": csrf_token(client, page), **data})
    assert first.status_code == 302 and again.status_code == 200
    assert "Theme is already linked to this action" in again.get_data(as_text=True)
    links = session.exec(select(EvidenceLink).where(EvidenceLink.theme_id == theme.id)).all()
    assert len(links) == 1


def test_a_quote_needs_its_writers_consent(client, session, demo, plan):
    action = get_action(session=session, plan=plan, code="1E1")
    refused = save_comment(
        session=session,
        organisation_id=demo.organisation.id,
        response_id=None,
        question_id="q",
        text_redacted="No consent here",
        sentiment="",
        flagged=False,
    )
    agreed = save_comment(
        session=session,
        organisation_id=demo.organisation.id,
        response_id=None,
        question_id="q",
        text_redacted="Please share this",
        sentiment="",
        flagged=False,
        quote_consent=True,
    )
    session.commit()
    with pytest.raises(QuoteConsentError):
        add_evidence(
            session=session,
            action=action,
            kind=EvidenceKind.QUOTE,
            user_id=None,
            comment_id=refused.id,
        )
    session.rollback()
    sign_in(client, OFFICER)
    page = "/staff/plans/kent-app/actions/1E1/evidence/quote"
    form = client.get(page).get_data(as_text=True)
    assert "Please share this" in form and "No consent here" not in form
    posted = client.post(
        page, data={"csrf_token": csrf_token(client, page), "comment": str(refused.id)}
    )
    assert posted.status_code == 200 and "Not a valid choice" in posted.get_data(as_text=True)
    client.post(page, data={"csrf_token": csrf_token(client, page), "comment": str(agreed.id)})
    link = session.exec(select(EvidenceLink)).one()
    assert link.quote == "Please share this"


@sqlite_only
def test_another_organisations_plan_is_not_found(client, session, demo, plan):
    from models import OrganisationCreate, create_organisation

    other = create_organisation(session=session, data=OrganisationCreate(name="Hull", slug="hull"))
    session.commit()
    small_plan(session, other.id, name="hull-only")
    sign_in(client, OFFICER)
    assert client.get("/staff/plans/hull-only").status_code == 404
    assert client.get("/staff/plans/kent-app/actions/NOPE").status_code == 404


def test_an_xlsx_plan_reads_like_the_csv_with_spreadsheet_dates_kept(tmp_path):
    import pandas as pd

    from webapp.plan_imports import check

    frame = pd.read_csv(FIXTURES / "plan-messy.csv", dtype=object, keep_default_na=False)
    frame["APP End Date"] = frame["APP End Date"].astype(object)
    frame.loc[0, "APP End Date"] = pd.Timestamp(2023, 1, 31)  # a real date cell
    path = tmp_path / "plan.xlsx"
    frame.to_excel(path, index=False)
    keys = ["kent-progress", "kent-impact", "kent-status"]
    from_xlsx = check(path.read_bytes(), "plan.xlsx", scheme_keys=keys)
    from_csv = check((FIXTURES / "plan-messy.csv").read_bytes(), "plan.csv", scheme_keys=keys)
    assert [a.code for a in from_xlsx.actions] == [a.code for a in from_csv.actions]
    first = from_xlsx.actions[0]
    assert (first.due.value, first.due.raw) == (date(2023, 1, 31), "2023-01-31")
    assert [w.message for w in from_xlsx.warnings] == [w.message for w in from_csv.warnings]


@sqlite_only
def test_the_report_asks_about_confidence_only_when_the_owner_reported(client, session, plan):
    sign_in(client, OFFICER)
    page = "/staff/plans/kent-app/actions/1E1?period=2023-10"
    url = "/staff/plans/kent-app/actions/1E1/report?period=2023-10"
    token = csrf_token(client, page)
    missing = client.post(url, data={"report-csrf_token": token, "report-reported": "yes"})
    assert "Select whether the owner is confident" in missing.get_data(as_text=True)
    silent = client.post(url, data={"report-csrf_token": token, "report-reported": "no"})
    assert silent.status_code == 302
    from models.plan_reports import ActionReport

    report = session.exec(select(ActionReport)).one()
    assert report.did_not_report and not report.confident_better


@sqlite_only
@pytest.mark.parametrize("period", ["2023-10%0A", "0000-01", "9999-12", "2023-13"])
def test_a_made_up_period_is_never_stored(client, session, plan, period):
    from models.plan_reports import ActionReport

    sign_in(client, OFFICER)
    page = "/staff/plans/kent-app/actions/1E1"
    token = csrf_token(client, page)
    posted = client.post(
        f"/staff/plans/kent-app/actions/1E1/report?period={period}",
        data={"report-csrf_token": token, "report-reported": "no"},
    )
    assert posted.status_code == 404
    assert session.exec(select(ActionReport)).all() == []
    assert client.get("/staff/plans/kent-app").status_code == 200
    assert client.get(f"/staff/plans/kent-app/actions/1E1?period={period}").status_code == 200


@sqlite_only
@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "1e999"])
def test_numbers_that_are_not_numbers_are_refused(client, session, plan, value):
    sign_in(client, OFFICER)
    response = add_kpi(client, value, label="Parents satisfied (%)", higher_is_better="yes")
    assert response.status_code == 200
    assert "Value must be a number, like 61 or 61.5" in response.get_data(as_text=True)
    assert session.exec(select(EvidenceLink)).all() == []


def test_a_number_written_with_thousands_commas_is_read(client, session, plan):
    sign_in(client, OFFICER)
    response = add_kpi(client, "1,234")
    assert response.status_code == 302
    [link] = session.exec(select(EvidenceLink)).all()
    assert link.value == 1234


def test_a_kpi_measured_in_the_future_or_without_a_day_is_refused(client, session, plan):
    sign_in(client, OFFICER)
    next_year = str(date.today().year + 1)
    for when, message in [
        (["1", "1", next_year], "Date measured must be today or in the past"),
        (["", "10", "2023"], "Date measured must include a day"),
        (["", "", ""], "Enter the date measured"),
    ]:
        response = add_kpi(client, measured_on=when)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert session.exec(select(EvidenceLink)).all() == []


@sqlite_only
def test_a_plan_cannot_be_called_import(client, session, demo):
    sign_in(client, OFFICER)
    response = upload(client, FIXTURES / "plan-messy.csv", name="import")
    assert "not “import” or “downloads”" in response.get_data(as_text=True)


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused_unopened():
    import zipfile

    from analysis.plan_rows import PlanFileError
    from webapp.plan_imports import read_table
    from webapp.spreadsheets import MAX_UNPACKED

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (MAX_UNPACKED + 1))
    assert len(packed.getvalue()) < 1024 * 1024
    with pytest.raises(PlanFileError, match="The workbook holds too much data"):
        read_table(packed.getvalue(), "plan.xlsx")
