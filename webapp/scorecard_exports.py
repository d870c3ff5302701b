"""The scorecard as a file for the improvement board: CSV, XLSX or PDF.

The page, the background job and `heard plans scorecard` all make files here, so the
three always agree. The CSV has one row per area and a column for each value of each
scheme; the XLSX and PDF add the movement since last period and the exceptions.
"""

from typing import Any

import pandas as pd
from flask import current_app, has_request_context, render_template
from sqlmodel import Session

from models.jobs import Job, save_job_file
from models.plan_reports import is_period
from models.plans import get_plan_by_id
from webapp.analysis_jobs import JobProblem, Report
from webapp.plan_ratings import Scorecard, build_scorecard, period_label
from webapp.printing import PRINT_CSS, render_pdf
from webapp.spreadsheets import csv_bytes, xlsx_bytes

KIND = "scorecard-export"
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def file_name(card: Scorecard, kind: str) -> str:
    return f"{card.plan.name}-scorecard-{card.period}.{kind}"


def movement_frame(card: Scorecard) -> pd.DataFrame:
    rows = [
        {"Scheme": values.name, **{k.capitalize(): n for k, n in card.movement(values).items()}}
        for values in card.values
    ]
    return pd.DataFrame(rows, columns=["Scheme", "Better", "Worse", "Same", "New"])


def exceptions_frame(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"Action": e.action, "Area": e.area, "Scheme": e.scheme, "Why": e.reason}
            for e in card.exceptions()
        ],
        columns=["Action", "Area", "Scheme", "Why"],
    )


def build_file(card: Scorecard, kind: str) -> tuple[bytes, str]:
    """The scorecard as `kind` (csv, xlsx or pdf), and its MIME type."""
    if kind == "csv":
        return csv_bytes(card.wide()), FORMATS[kind]
    if kind == "xlsx":
        sheets = {
            values.name: card.counts(values).rename_axis("Area").reset_index()
            for values in card.values
        }
        sheets["Movement"] = movement_frame(card)
        sheets["Exceptions"] = exceptions_frame(card)
        return xlsx_bytes(sheets), FORMATS[kind]
    if kind == "pdf":
        if not has_request_context():  # a job or the CLI: templates need a request's locale
            with current_app.test_request_context("/"):
                return build_file(card, kind)
        html = render_template(
            "print/scorecard.html",
            card=card,
            period_label=period_label(card.period),
            previous_label=period_label(card.before),
            movement=movement_frame(card),
            exceptions=card.exceptions(),
            css=PRINT_CSS.read_text(),
        )
        return render_pdf(html), FORMATS[kind]
    raise ValueError(f"no such format: {kind}")


def run_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Make the file on the worker and keep it with the job for a day."""
    plan = get_plan_by_id(
        session=session, organisation_id=job.organisation_id, plan_id=job.params.get("plan_id", 0)
    )
    kind, period = job.params.get("format", ""), job.params.get("period", "")
    if plan is None:
        raise JobProblem("The plan no longer exists.")
    if kind not in FORMATS or not is_period(period):
        raise JobProblem("Choose CSV, XLSX or PDF, and a reporting period.")
    report(20, "Counting the ratings")
    card = build_scorecard(session, plan, period)
    report(60, f"Writing the {kind.upper()} file")
    content, mimetype = build_file(card, kind)
    name = file_name(card, kind)
    save_job_file(session=session, job=job, filename=name, mimetype=mimetype, data=content)
    return {"filename": name, "format": kind, "plan": plan.name, "period": period}
