"""Importing answers from another tool: all rows or none, with problems by row and column."""

import csv
import html
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

from models import Response, ResponseStatus
from models.audit import AuditEvent
from models.coding import Comment
from tests.conftest import csrf_token, sign_in
from tests.surveys import STATEMENTS, definition, make_round


@pytest.fixture
def survey_round(session, demo, published):
    return make_round(session, demo.organisation.id)


@pytest.fixture
def officer(client, demo):
    sign_in(client, "officer@demo.heard")
    return client


def headings(session, survey_round):
    form = definition(session, survey_round)
    return {q.id: q.label for q in form.questions()}


def rows_for(labels, count, answer="Agree", district="Dover"):
    header = [labels[s] for s in STATEMENTS] + [labels["working-well"], labels["district"]]
    rows = [
        [answer] * len(STATEMENTS) + [f"Comment {n}: the team rang me back", district]
        for n in range(count)
    ]
    return header, rows


def as_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(header, rows, formula_at=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet.cell(*formula_at).value = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A tiny XLSX whose shared strings unpack to 60 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "a" * (60 * 1024 * 1024))
    return out.getvalue()


def broken_workbook() -> bytes:
    """A real workbook whose sheet has been cut short."""
    good = zipfile.ZipFile(io.BytesIO(as_xlsx(["a"], [["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    return out.getvalue()


def upload(client, survey_round, data, filename):
    """Post the file as a browser would. The body is built here, in memory, because the test
    client would spool a large one to a temporary file that it never closes."""
    url = f"/staff/surveys/{survey_round.id}/import"
    boundary = "heard-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{csrf_token(client, url)}\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="spreadsheet"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def check(client, location):
    """Accept the suggested column matches and check every row."""
    page = client.get(location).get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, location)}
    for found in re.finditer(r'<select[^>]*name="([^"]+)"(.*?)</select>', page, re.S):
        chosen = re.search(
            r'<option([^>]*)value="([^"]*)"([^>]*)>', found.group(2).replace("\n", " ")
        )
        picked = [
            m.group(2)
            for m in re.finditer(r'<option([^>]*)value="([^"]*)"([^>]*)>', found.group(2))
            if "selected" in m.group(1) + m.group(3)
        ]
        value = picked[0] if picked else (chosen.group(2) if chosen else "")
        data[found.group(1)] = html.unescape(value)
    return client.post(location, data=data)


def confirm(client, location):
    return client.post(f"{location}/confirm", data={"csrf_token": csrf_token(client, location)})


def stored(session):
    session.expire_all()
    return session.exec(select(Response)).all()


def test_a_valid_csv_is_matched_checked_and_imported_in_one_go(officer, session, survey_round):
    header, rows = rows_for(headings(session, survey_round), 7)
    uploaded = upload(officer, survey_round, as_csv(header, rows), "ms-forms.csv")
    assert uploaded.status_code == 302
    checked = check(officer, uploaded.location)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page[page.find("govuk-error") :][:1500]
    assert "Every row is ready to import" in page and "Import 7 responses" in page
    assert stored(session) == []  # checking saves nothing
    done = confirm(officer, uploaded.location)
    assert done.status_code == 302
    responses = stored(session)
    assert len(responses) == 7
    assert {r.channel for r in responses} == {"import"}
    assert {r.status for r in responses} == {ResponseStatus.SUBMITTED}
    assert responses[0].answers["listened-to"] == "agree"
    assert responses[0].answers["district"].isdigit()
    comments = session.exec(select(Comment)).all()
    assert len(comments) == 7  # free text is screened, redacted and coded like any other
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "survey_round.imported"))
    assert event.one().details["rows"] == 7
    assert confirm(officer, uploaded.location).status_code == 404  # it cannot be imported twice


def test_three_bad_rows_import_nothing_and_are_reported_by_row_and_column(
    officer, session, survey_round
):
    labels = headings(session, survey_round)
    header, rows = rows_for(labels, 6)
    rows[1][0] = "Agre"  # a typing error in an answer
    rows[3][1] = ""  # a required statement left empty
    rows[4][-1] = "Narnia"  # a district that is not in the area
    uploaded = upload(officer, survey_round, as_csv(header, rows), "survey.csv")
    checked = check(officer, uploaded.location)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 400
    assert "Nothing was imported: 3 problems in the file" in page
    assert "<title>Error: Match columns to questions" in page
    table = html.unescape(page[page.index('id="import-problems"') :])
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in table
    assert "‘Agre’ is not one of the answers to this question" in table
    assert labels[STATEMENTS[1]] in table and "Select how much you agree" in table
    assert "‘Narnia’ is not one of the answers" in table
    assert confirm(officer, uploaded.location).status_code == 302
    assert stored(session) == []


def test_an_xlsx_file_imports_too(officer, session, survey_round):
    header, rows = rows_for(headings(session, survey_round), 5, answer="Strongly agree")
    uploaded = upload(officer, survey_round, as_xlsx(header, rows), "smartsurvey.xlsx")
    assert uploaded.status_code == 302
    assert check(officer, uploaded.location).status_code == 200
    confirm(officer, uploaded.location)
    responses = stored(session)
    assert len(responses) == 5
    assert {r.answers["confident-future"] for r in responses} == {"strongly-agree"}


def test_a_formula_in_an_xlsx_cell_is_reported_not_run(officer, session, survey_round):
    header, rows = rows_for(headings(session, survey_round), 5)
    data = as_xlsx(header, rows, formula_at=(3, len(STATEMENTS) + 1))
    uploaded = upload(officer, survey_round, data, "answers.xlsx")
    page = check(officer, uploaded.location).get_data(as_text=True)
    assert "This cell holds a formula. Replace it with its value" in page
    assert stored(session) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("Question,Other\nCafé,x\n".encode("latin-1"), "old.csv", "The file is not saved as UTF-8"),
        (b"\x89PNG\r\n\x1a\n", "picture.png", "The selected file must be a CSV or an XLSX file"),
        (b"not a zip", "broken.xlsx", "The selected file must be a CSV or an XLSX file"),
        (b"PK\x03\x04rubbish", "broken.xlsx", "The file is not a readable XLSX workbook"),
        (b"a,b\n", "empty.csv", "The file has no rows of answers"),
        (b"a\n" + b"x\n" * 10_001, "long.csv", "The file has more than 10,000 rows"),
        (b"a," * 5 + b"\n" + b"x" * (5 * 1024 * 1024), "huge.csv", "smaller than 5 MB"),
        (b"," * 1_500_000 + b"\nx\n", "wide.csv", "The file has more than 300 columns"),
        (b"Q,Q\nx,y\n", "twice.csv", "is used twice. Give each column its own heading"),
        (b"Q,,R\nx,y,z\n", "blank.csv", "Column 2 has no heading"),
        (zip_bomb(), "bomb.xlsx", "The workbook holds too much data"),
        (broken_workbook(), "broken-sheet.xlsx", "The file is not a readable XLSX workbook"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message(
    officer, session, survey_round, data, name, message
):
    response = upload(officer, survey_round, data, name)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert stored(session) == []


def test_a_required_question_must_be_matched_to_a_column(officer, session, survey_round):
    labels = headings(session, survey_round)
    header, rows = rows_for(labels, 5)
    header[0] = "Something else"
    uploaded = upload(officer, survey_round, as_csv(header, rows), "partial.csv")
    page = check(officer, uploaded.location).get_data(as_text=True)
    assert "Select the column that answers" in page and labels["listened-to"] in page


def test_a_file_bigger_than_the_server_takes_gets_a_clear_page(officer, survey_round):
    response = upload(officer, survey_round, b"x" * (11 * 1024 * 1024), "enormous.csv")
    assert response.status_code == 413


def test_a_formula_in_a_csv_cell_is_reported_even_after_spaces(officer, session, survey_round):
    header, rows = rows_for(headings(session, survey_round), 5)
    rows[2][len(STATEMENTS)] = '  =HYPERLINK("http://x")'
    rows[3][len(STATEMENTS)] = "- it could be better"  # a dash starting a comment is text
    uploaded = upload(officer, survey_round, as_csv(header, rows), "answers.csv")
    page = check(officer, uploaded.location).get_data(as_text=True)
    assert page.count("This cell holds a formula") == 1
    assert "Nothing was imported: 1 problem in the file" in page


def test_a_file_is_only_ever_imported_once(officer, session, survey_round):
    from models.surveys import SurveyImport, finish_import

    header, rows = rows_for(headings(session, survey_round), 5)
    uploaded = upload(officer, survey_round, as_csv(header, rows), "answers.csv")
    check(officer, uploaded.location)
    upload_row = session.exec(select(SurveyImport)).one()
    assert finish_import(session=session, upload=upload_row, count=5)
    assert not finish_import(session=session, upload=upload_row, count=5)  # a second job
    session.rollback()
    assert confirm(officer, uploaded.location).status_code == 302
    assert len(stored(session)) == 5
