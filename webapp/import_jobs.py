"""Importing a checked spreadsheet of answers as a background job.

Every row is checked again, then screened, redacted and given a sentiment, with progress
shown as it goes, and nothing written. Only then is everything written, in one short
transaction that the job commits as it finishes: all of the rows or none of them. The
write lock is held for that last step alone, so people answering online are not kept
waiting behind a long import.
"""

from typing import Any

from sqlmodel import Session

from forms.schema import FormDefinition
from models import (
    FormVersion,
    Organisation,
    record_event,
    save_answers,
    start_response,
    submit_response,
)
from models.jobs import Job
from models.surveys import SurveyImport, SurveyRound, finish_import
from webapp import safeguarding_mail
from webapp.analysis_jobs import FOLLOW_ON, JobProblem, Report
from webapp.journey import context_for, definition_by_id
from webapp.screening import Analysed, analyse, district_of, organisation_words, record
from webapp.survey_imports import SpreadsheetError, convert, read_table

KIND = "survey-import"  # the job kind, as webapp/analysis_jobs.py knows it


def _inputs(session: Session, job: Job) -> tuple[SurveyRound, SurveyImport, Organisation]:
    survey_round = session.get(SurveyRound, job.params["round_id"])
    upload = session.get(SurveyImport, job.params["import_id"])
    organisation = session.get(Organisation, job.organisation_id)
    if (
        survey_round is None
        or upload is None
        or organisation is None
        or survey_round.organisation_id != organisation.id
        or upload.round_id != survey_round.id
    ):
        raise JobProblem("The file or its round no longer exists.")
    if upload.imported_at is not None:
        raise JobProblem("This file has already been imported.")
    if not survey_round.is_open():
        raise JobProblem("The round has closed, so it cannot take these answers.")
    return survey_round, upload, organisation


def run_import(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Import every row of a checked spreadsheet into its round, or none of them."""
    survey_round, upload, organisation = _inputs(session, job)
    definition = definition_by_id(session, survey_round.form_version_id)
    report(2, "Checking every row again")
    try:
        table = read_table(upload.data, upload.filename)
    except SpreadsheetError as error:
        raise JobProblem(str(error)) from None
    rows, problems, _blank = convert(
        definition, table, upload.mapping, context_for(session, organisation)
    )
    if problems or not rows:
        raise JobProblem(
            f"{len(problems)} problems were found in the file, so nothing was imported. "
            "Check the columns again to see them."
        )
    names, places = organisation_words(session, organisation)
    analysed = []
    for number, answers in enumerate(rows, start=1):
        analysed.append(analyse(definition, answers, names=names, places=places))
        if number % 100 == 0:
            report(5 + 85 * number // len(rows), f"Reading comments: {number} of {len(rows)} rows")
    report(90, f"Saving {len(rows)} responses")
    response_ids = _write(session, job, survey_round, organisation, definition, rows, analysed)
    notice = safeguarding_mail.notice_job(session, organisation.id, response_ids)  # type: ignore[arg-type]
    if not finish_import(session=session, upload=upload, count=len(rows)):
        raise JobProblem("This file has already been imported.")  # rolls back every row
    record_event(
        session=session,
        action="survey_round.imported",
        actor_user_id=job.created_by_id,
        organisation_id=organisation.id,
        object_type="survey_round",
        object_id=survey_round.id,
        details={"round": survey_round.name, "rows": len(rows), "file": upload.filename},
    )
    # No report() from here on: it would commit half an import.
    return {
        "imported": len(rows),
        "round_id": survey_round.id,
        "file": upload.filename,
        # Queued once the import is committed: the email to the safeguarding leads.
        FOLLOW_ON: [notice.id] if notice else [],
    }


def _write(
    session: Session,
    job: Job,
    survey_round: SurveyRound,
    organisation: Organisation,
    definition: FormDefinition,
    rows: list[dict[str, Any]],
    analysed: list[list[Analysed]],
) -> list[int]:
    """Save every row as a sent response; return the new responses' ids."""
    form_version = session.get(FormVersion, survey_round.form_version_id)
    ids: list[int] = []
    for answers, found in zip(rows, analysed, strict=True):
        response, _token = start_response(
            session=session,
            organisation_id=organisation.id,  # type: ignore[arg-type]
            form_version=form_version,  # type: ignore[arg-type]
            round_id=survey_round.id,
            channel="import",
            entered_by_user_id=job.created_by_id,
        )
        save_answers(session=session, response=response, page_id="import", answers=answers)
        response.pages_done = [page.id for page in definition.pages]
        submit_response(session=session, response=response)
        record(
            session=session,
            organisation=organisation,
            response=response,
            analysed=found,
            district_id=district_of(session, organisation, definition, response),
        )
        ids.append(response.id)  # type: ignore[arg-type]
    return ids
