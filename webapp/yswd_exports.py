"""“You said, we did” as files: a newsletter section, DOCX and PDF reports, easy read, CSV.

Only published entries are exported. The staff page (as a background job) and
`heard yswd export` both make files here, so they always agree. Every file is built from
`yswd_view.prepare`, so suppression and quote checks are the same as on the public page.
"""

import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, gettext
from sqlmodel import Session

from analysis.yswd import parse_term
from models import Organisation
from models.jobs import Job, save_job_file
from models.yswd import Audience, list_entries
from webapp.analysis_jobs import JobProblem, Report
from webapp.printing import PRINT_CSS, render_pdf
from webapp.spreadsheets import csv_bytes
from webapp.symbols import EASY_READ, symbol_file
from webapp.yswd_view import (
    AUDIENCE_NAMES,
    ShownEntry,
    count_text,
    prepare,
    term_label,
)

KIND = "yswd-export"
FORMATS = {
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "easy-read": "application/pdf",
    "csv": "text/csv",
}
SUFFIXES = {"html": "html", "docx": "docx", "pdf": "pdf", "easy-read": "pdf", "csv": "csv"}


@dataclass
class Selection:
    """Which published entries a file holds, and in which language."""

    organisation: Organisation
    term: str = ""  # "2026/27 Autumn", or every term
    audience: str = ""  # an Audience value, or everyone
    language: str = "en"

    def problem(self) -> str | None:
        if self.term and parse_term(self.term) is None:
            return "The term must look like 2026/27 Autumn"
        if self.audience and self.audience not in {a.value for a in Audience}:
            return "The audience must be cyp, parents or schools"
        return None

    @property
    def heading(self) -> str:
        return gettext("You said, we did")

    @property
    def subtitle(self) -> str:
        """Who and when, for example "Parents and carers, 2026/27 Autumn"."""
        parts = [self.organisation.name]
        if self.audience:
            parts.append(str(AUDIENCE_NAMES[Audience(self.audience)]))
        found = parse_term(self.term) if self.term else None
        if found:
            parts.append(term_label(*found))
        return ", ".join(parts)


def load(session: Session, selection: Selection) -> list[ShownEntry]:
    year, term = parse_term(selection.term) or (None, None)
    entries = list_entries(
        session=session,
        organisation_id=selection.organisation.id,  # type: ignore[arg-type]
        published_only=True,
        audience=Audience(selection.audience) if selection.audience else None,
        academic_year=year,
        term=term,
    )
    return prepare(session, entries, selection.language)


def file_name(selection: Selection, kind: str) -> str:
    parts = ["you-said-we-did", selection.organisation.slug]
    if selection.term:
        parts.append(selection.term.replace("/", "-").replace(" ", "-").lower())
    if selection.audience:
        parts.append(selection.audience)
    if selection.language != "en":
        parts.append(selection.language)
    if kind == "easy-read":
        parts.append("easy-read")
    return "-".join(parts) + "." + SUFFIXES[kind]


def _docx(selection: Selection, shown: list[ShownEntry]) -> bytes:
    from docx import Document  # imported here: only DOCX exports need it

    document = Document()
    document.core_properties.title = selection.heading
    document.core_properties.language = selection.language
    document.add_heading(selection.heading, level=0)
    document.add_paragraph(selection.subtitle)
    if not shown:
        document.add_paragraph(gettext("Nothing has been published for this selection yet."))
    for item in shown:
        document.add_heading(item.title.value, level=1)
        document.add_paragraph(f"{item.audience}, {item.term}")
        document.add_heading(gettext("You said"), level=2)
        for line in item.you_said.value.splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
        for figure in item.figures:
            document.add_paragraph(f"{figure.name}: {count_text(figure)}", style="List Bullet")
        for quote in item.quotes:
            document.add_paragraph(f"“{quote.value}”", style="Quote")
        document.add_heading(gettext("We did"), level=2)
        for line in item.we_did.value.splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
        status = f"{gettext('Status')}: {item.delivery}"
        if item.entry.delivery_on:
            status += f" ({item.entry.delivery_on.strftime('%d/%m/%Y')})"
        document.add_paragraph(status)
        if item.action:
            document.add_paragraph(f"{gettext('Plan action')}: {item.action}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _csv(shown: list[ShownEntry]) -> bytes:
    rows = [
        {
            "Term": item.term,
            "Audience": item.audience,
            "Title": item.title.value,
            "Themes": "; ".join(f"{f.name}: {count_text(f)}" for f in item.figures),
            "You said": item.you_said.value,
            "Quotes": " | ".join(quote.value for quote in item.quotes),
            "We did": item.we_did.value,
            "Status": item.delivery,
            "Date": item.entry.delivery_on.isoformat() if item.entry.delivery_on else "",
            "Plan action": item.action,
            "Published": item.entry.published_at.date().isoformat()
            if item.entry.published_at
            else "",
        }
        for item in shown
    ]
    columns = ["Term", "Audience", "Title", "Themes", "You said", "Quotes", "We did"]
    columns += ["Status", "Date", "Plan action", "Published"]
    return csv_bytes(pd.DataFrame(rows, columns=columns))


def build_file(session: Session, selection: Selection, kind: str) -> tuple[bytes, str]:
    """The published entries chosen as `kind`, and its MIME type."""
    if kind not in FORMATS:
        raise ValueError(f"no such format: {kind}")
    if not has_request_context():  # a job or the CLI: templates need a request
        with current_app.test_request_context("/"):
            return build_file(session, selection, kind)
    with force_locale(selection.language):
        shown = load(session, selection)
        if kind == "docx":
            return _docx(selection, shown), FORMATS[kind]
        if kind == "csv":
            return _csv(shown), FORMATS[kind]
        context: dict[str, Any] = {
            "selection": selection,
            "entries": shown,
            "count_text": count_text,
            "language": selection.language,
            "public_url": current_app.config.get("HEARD_PUBLIC_URL", ""),
        }
        if kind == "html":
            html = render_template("yswd/newsletter.html", **context)
            return html.encode("utf-8"), FORMATS[kind]
        return print_pdf(selection, shown, easy_read=kind == "easy-read"), FORMATS[kind]


def print_pdf(selection: Selection, shown: list[ShownEntry], *, easy_read: bool) -> bytes:
    """The summary report, or the easy read with a symbol file beside each sentence."""
    symbols = {
        key: symbol_file(EASY_READ, key).resolve().as_uri()
        for item in shown
        for key, _line in [*item.easy_said, *item.easy_did]
    }
    html = render_template(
        "print/yswd_easy_read.html" if easy_read else "print/yswd.html",
        selection=selection,
        entries=shown,
        count_text=count_text,
        language=selection.language,
        symbols=symbols,
        css=PRINT_CSS.read_text(),
    )
    return render_pdf(html)


def run_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Make the file on the worker and keep it with the job for a day."""
    organisation = session.get(Organisation, job.organisation_id)
    kind = job.params.get("format", "")
    if organisation is None:
        raise JobProblem("The organisation no longer exists.")
    selection = Selection(
        organisation=organisation,
        term=job.params.get("term", ""),
        audience=job.params.get("audience", ""),
        language=job.params.get("language", "en"),
    )
    problem = selection.problem()
    if kind not in FORMATS or problem:
        raise JobProblem(problem or "Choose a format.")
    report(30, "Gathering the published entries")
    content, mimetype = build_file(session, selection, kind)
    name = file_name(selection, kind)
    save_job_file(session=session, job=job, filename=name, mimetype=mimetype, data=content)
    return {"filename": name, "format": kind}
