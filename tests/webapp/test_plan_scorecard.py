"""The demo plans, the scorecard page and its exports, and `heard plans`."""

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from models.jobs import Job
from models.plans import get_plan, list_actions, list_areas
from tests.conftest import csrf_token, sign_in
from tests.webapp.plans import sqlite_only
from webapp.cli import cli
from webapp.demo_plans import load_plans

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OFFICER = "officer@demo.heard"
# Kent's 6 Month Review (November 2023), area by area, for October 2023: Blue, Green, Amber, Red.
OCTOBER_PROGRESS = {
    "1 Parental Confidence": (1, 3, 13, 2),
    "2 Inclusion": (2, 0, 10, 2),
    "3 Parent and Carer Involvement": (3, 2, 6, 0),
    "6 EHCPs": (6, 5, 11, 0),
    "7 Governance": (3, 7, 4, 0),
}


@pytest.fixture
def plans(session, demo):
    loaded = load_plans(session=session, organisation=demo.organisation)
    session.commit()
    return loaded


def test_the_demo_loads_both_plans_with_their_areas_and_actions(session, demo, plans):
    assert [(name, actions) for name, actions, _ in plans] == [
        ("kent-app", 116),
        ("hull-send-plan", 63),
    ]
    kent = get_plan(session=session, organisation_id=demo.organisation.id, name="kent-app")
    codes = {a.code for a in list_actions(session=session, plan=kent)}
    assert {"1E1", "1E3", "1C2", "6J2", "8A2", "8E1", "9B1", "7A1"} <= codes
    top = [a.title for a in list_areas(session=session, plan=kent) if a.parent_id is None]
    assert top[0] == "1 Parental Confidence" and top[8] == "9 Systems and Outcomes"
    hull = get_plan(session=session, organisation_id=demo.organisation.id, name="hull-send-plan")
    tags = {a.key for a in list_areas(session=session, plan=hull) if a.is_tag}
    assert {"AFI1", "AFI2", "AFI3", "AFI4", "AFI5"} <= tags and "AF15" not in tags
    assert load_plans(session=session, organisation=demo.organisation) == []  # safe to repeat


def scorecard_rows(text):
    return {row["Area"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


@sqlite_only
def test_the_scorecard_page_matches_the_october_2023_review(client, plans):
    sign_in(client, OFFICER)
    page = client.get("/staff/plans/kent-app/scorecard?period=2023-10").get_data(as_text=True)
    assert "113 of 116 actions reported for October 2023" in page
    assert "<svg" in page and "Progress ratings by area, October 2023" in page
    assert "Did not report" in page and "Worse:" in page


def run_cli(database_url, *args):
    return CliRunner().invoke(
        cli, list(args), env={"DATABASE_URL": database_url}, catch_exceptions=False
    )


def test_the_scorecard_command_writes_one_row_per_area_with_every_value(
    database_url, plans, tmp_path
):
    out = tmp_path / "scorecard.csv"
    result = run_cli(
        database_url,
        "plans",
        "scorecard",
        "--plan",
        "kent-app",
        "--period",
        "2023-10",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = scorecard_rows(out.read_text(encoding="utf-8"))
    assert list(rows)[-1] == "Total" and len(rows) == 10
    for area, expected in OCTOBER_PROGRESS.items():
        got = tuple(int(rows[area][f"Progress: {v}"]) for v in ("Blue", "Green", "Amber", "Red"))
        assert got == expected, area
    total = rows["Total"]
    assert [int(total[f"Impact: {v}"]) for v in ("Blue", "Green", "Amber", "Red")] == [
        8,
        26,
        56,
        23,
    ]
    assert int(total["Status: Behind"]) == 11 and int(total["Impact: Not reported"]) == 3


@sqlite_only
def test_the_scorecard_command_writes_xlsx_and_pdf(database_url, plans, tmp_path):
    for kind in ("xlsx", "pdf"):
        out = tmp_path / f"scorecard.{kind}"
        result = run_cli(
            database_url,
            "plans",
            "scorecard",
            "--plan",
            "kent-app",
            "--period",
            "2023-10",
            "--format",
            kind,
            "--out",
            str(out),
        )
        assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "scorecard.xlsx")
    assert book.sheetnames == ["Progress", "Impact", "Status", "Movement", "Exceptions"]
    impact = list(book["Impact"].iter_rows(values_only=True))
    assert impact[0] == (
        "Area",
        "Blue",
        "Green",
        "Amber",
        "Red",
        "Not agreed yet",
        "Not rated",
        "Not reported",
        "Actions",
    )
    assert impact[-1] == ("Total", 8, 26, 56, 23, 0, 0, 3, 116)
    pages = PdfReader(tmp_path / "scorecard.pdf").pages
    text = "".join(p.extract_text() for p in pages)
    assert "Scorecard: Kent Accelerated Progress Plan" in text
    # Board papers are numbered: the print styles reach the PDF unescaped.
    assert f"1 / {len(pages)}" in pages[0].extract_text()
    assert "1 Parental Confidence 1 3 13 2 0 0 0 19" in text
    assert "Movement since September 2023" in text


@sqlite_only
def test_the_scorecard_command_explains_bad_input(database_url, plans, tmp_path):
    out = str(tmp_path / "x.csv")
    bad = run_cli(
        database_url,
        "plans",
        "scorecard",
        "--plan",
        "kent-app",
        "--period",
        "Oct",
        "--format",
        "csv",
        "--out",
        out,
    )
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    missing = run_cli(
        database_url,
        "plans",
        "scorecard",
        "--plan",
        "nope",
        "--period",
        "2023-10",
        "--format",
        "csv",
        "--out",
        out,
    )
    assert missing.exit_code == 2 and "there is no plan called 'nope'" in missing.output


@sqlite_only
def test_plans_import_prints_the_warnings_and_saves(database_url, session, demo):
    path = str(FIXTURES / "plan-messy.csv")
    dry = run_cli(
        database_url, "plans", "import", path, "--plan", "test-plan", "--title", "Test", "--dry-run"
    )
    assert "Warning (row 3): Code “1 e 3” read as 1E3" in dry.output
    assert "nothing saved" in dry.output
    assert get_plan(session=session, organisation_id=demo.organisation.id, name="test-plan") is None
    saved = run_cli(database_url, "plans", "import", path, "--plan", "test-plan", "--title", "Test")
    assert saved.exit_code == 0
    assert "test-plan: 7 actions added, 0 updated" in saved.output
    assert "Warning (row 9): 8A2 is on rows 7 and 9" in saved.output
    again = run_cli(database_url, "plans", "import", path, "--plan", "test-plan")
    assert "0 actions added, 7 updated" in again.output
    no_title = run_cli(database_url, "plans", "import", path, "--plan", "new-plan")
    assert no_title.exit_code == 2 and "a new plan needs a title" in no_title.output


@sqlite_only
def test_exporting_from_the_page_runs_a_job_and_only_its_owner_downloads(client, session, plans):
    sign_in(client, OFFICER)
    page = "/staff/plans/kent-app/scorecard?period=2023-10"
    started = client.post(
        "/staff/plans/kent-app/scorecard/export/csv?period=2023-10",
        data={"csrf_token": csrf_token(client, page)},
    )
    assert started.status_code == 302
    job = session.exec(select(Job).where(Job.kind == "scorecard-export")).one()
    assert job.status == "done"
    status = client.get(started.location).get_data(as_text=True)
    assert "Your file is ready" in status
    download = client.get(f"/staff/plans/downloads/{job.id}")
    assert download.headers["Content-Disposition"].endswith('kent-app-scorecard-2023-10.csv"')
    assert scorecard_rows(download.get_data(as_text=True))["Total"]["Progress: Red"] == "9"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/staff/")})
    sign_in(client, "admin@demo.heard")
    assert client.get(f"/staff/plans/downloads/{job.id}").status_code == 404
