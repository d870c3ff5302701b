"""A round's responses exported as a background job, kept for a day for the person who asked.

The file is made on the worker, with progress on the job page, so a big round never
holds up a web request. Whether it shows who answered was decided, by role and round,
when it was asked for.
"""

from typing import Any

from sqlmodel import Session

from models import Organisation
from models.jobs import Job, save_job_file
from models.surveys import SurveyRound
from webapp.analysis_jobs import JobProblem, Report
from webapp.journey import definition_by_id
from webapp.survey_exports import build_file, file_name, load_input

KIND = "survey-export"  # the job kind, as webapp/analysis_jobs.py knows it
FORMATS = frozenset({"csv", "xlsx"})


def run_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Make the file and keep it with the job."""
    survey_round = session.get(SurveyRound, job.params["round_id"])
    organisation = session.get(Organisation, job.organisation_id)
    kind = job.params.get("format")
    if (
        survey_round is None
        or organisation is None
        or survey_round.organisation_id != job.organisation_id
    ):
        raise JobProblem("The round no longer exists.")
    if kind not in FORMATS:
        raise JobProblem("Choose CSV or XLSX.")
    report(10, "Reading the responses")
    data = load_input(
        session=session,
        survey_round=survey_round,
        definition=definition_by_id(session, survey_round.form_version_id),
        organisation=organisation,
        with_identity=bool(job.params.get("identity")),
    )
    report(50, f"Writing {len(data.responses)} responses")
    content, mimetype, rows = build_file(data, kind)
    name = file_name(survey_round, "responses", kind)
    save_job_file(session=session, job=job, filename=name, mimetype=mimetype, data=content)
    return {
        "filename": name,
        "rows": rows,
        "round_id": survey_round.id,
        "format": kind,
        "identity": data.with_identity,
    }
