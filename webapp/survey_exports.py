"""A round's responses as tables: one row per response, a data dictionary and a summary.

Free text comes out redacted. Who answered is only included when the caller says the
reader may see it. Otherwise equality monitoring answers are left out of the rows (the
summary counts them), the name of a setting typed in as "other" is left out, and any
answer about the respondent (district, setting, setting type, need) that fewer than 5
people gave is hidden. Combinations of answers are not checked: a row-level file is for
staff analysis, never for publication; the summary sheet is the one to publish.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from analysis.suppression import SUPPRESSED, is_small
from forms.schema import FormDefinition, Question
from models import Organisation, Response
from models.coding import Comment
from models.surveys import Invitation, SurveyRound, submitted_responses
from webapp.journey import context_for
from webapp.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from webapp.survey_results import answer_key, options_of, question_tables, result_names

FREE_TEXT = frozenset({"short_text", "long_text"})


@dataclass(frozen=True)
class ExportInput:
    """Everything an export needs, loaded by the caller."""

    definition: FormDefinition
    responses: Sequence[Response]
    comments: dict[tuple[int, str], str]  # (response id, question id) → redacted text
    names: dict[str, dict[str, str]]  # districts and settings by id
    invitations: dict[int, Invitation]
    with_identity: bool


def _columns(question: Question) -> list[tuple[str, str, str]]:
    """(column, description, allowed values) for each column a question makes."""
    if question.kind == "symbol_tiles":
        return [
            (f"{question.id}--{o.id}", f"{question.label} {o.label}", "1 = ticked, 0 = not ticked")
            for o in question.options
        ]
    if question.kind == "yes_no_unsure_grid":
        return [(f"{question.id}--{r.id}", r.label, "Yes; No; Unsure") for r in question.rows]
    allowed = "; ".join(o.label for o in question.options) if question.options else ""
    if question.kind in FREE_TEXT:
        allowed = "Free text, with names and contact details removed"
    return [(question.id, question.label, allowed)]


def _exported(definition: FormDefinition, with_identity: bool) -> list[Question]:
    return [
        q
        for q in definition.questions()
        if q.kind != "picture" and (with_identity or (not q.personal and q.context != "equality"))
    ]


def _about_respondent(question: Question) -> bool:
    return bool(question.context) or question.kind in {"setting", "district"}


def dictionary(data: ExportInput) -> pd.DataFrame:
    """What each column of the responses table means."""
    rows = [
        ("response", "A reference for the response, unique in Heard", ""),
        ("submitted", "The date the response was sent", "YYYY-MM-DD"),
        ("channel", "How it reached Heard", "online; paper; import"),
        ("language", "The language it was answered in", "A language code, such as en or pl"),
    ]
    if data.with_identity:
        rows += [
            ("invited_name", "The name on the invitation", ""),
            ("invited_email", "The email address on the invitation", ""),
            ("invited_reference", "The reference on the invitation", ""),
        ]
    for question in _exported(data.definition, data.with_identity):
        rows += _columns(question)
    if not data.with_identity:
        rows.append(
            ("", f"{SUPPRESSED} marks an answer about the respondent given by 1 to 4 people", "")
        )
    return pd.DataFrame(rows, columns=["column", "meaning", "values"])


def _label(
    question: Question, answer: Any, names: dict[str, dict[str, str]], with_identity: bool
) -> Any:
    if question.kind == "setting" and isinstance(answer, dict) and "other" in answer:
        return answer["other"] if with_identity else "Another setting"
    key = answer_key(question, answer)
    if key is None:
        return ""
    return dict(options_of(question, names)).get(key, key)


def _cells(question: Question, response: Response, data: ExportInput) -> dict[str, Any]:
    answer = response.answers.get(question.id)
    if question.kind == "symbol_tiles":
        ticked = set(answer or [])
        return {f"{question.id}--{o.id}": int(o.id in ticked) for o in question.options}
    if question.kind == "yes_no_unsure_grid":
        words = {"yes": "Yes", "no": "No", "unsure": "Unsure"}
        given: dict[str, str] = answer or {}
        return {
            f"{question.id}--{r.id}": words.get(given.get(r.id or "", ""), "")
            for r in question.rows
        }
    if question.kind in FREE_TEXT and not question.personal:
        return {question.id: data.comments.get((response.id or 0, question.id), "")}
    if question.kind == "date":
        return {question.id: answer or ""}
    label = _label(question, answer, data.names, data.with_identity) if answer else ""
    return {question.id: label}


def responses_table(data: ExportInput) -> pd.DataFrame:
    """One row per response, one column per answer."""
    questions = _exported(data.definition, data.with_identity)
    records = []
    for response in data.responses:
        record: dict[str, Any] = {
            "response": f"R{response.id:06d}",
            "submitted": response.submitted_at.date().isoformat() if response.submitted_at else "",
            "channel": response.channel,
            "language": response.language,
        }
        if data.with_identity:
            invitation = data.invitations.get(response.invitation_id or 0)
            record["invited_name"] = invitation.name if invitation else ""
            record["invited_email"] = invitation.email if invitation else ""
            record["invited_reference"] = invitation.reference if invitation else ""
        for question in questions:
            record.update(_cells(question, response, data))
        records.append(record)
    columns = [c for c in dictionary(data)["column"] if c]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if not data.with_identity:
        frame = _hide_rare_context(frame, data.definition)
    return frame


def _hide_rare_context(frame: pd.DataFrame, definition: FormDefinition) -> pd.DataFrame:
    for question in definition.questions():
        if _about_respondent(question) and question.id in frame:
            counts = Counter(frame[question.id])
            rare = {value for value, n in counts.items() if value != "" and is_small(n)}
            frame[question.id] = [SUPPRESSED if v in rare else v for v in frame[question.id]]
    return frame


def summary_table(data: ExportInput) -> pd.DataFrame:
    """Counts and shares for every question with fixed answers, with small numbers hidden."""
    answers = [r.answers for r in data.responses]
    rows: list[tuple[str, str, str, str | int, str | float]] = []
    for table in question_tables(data.definition, answers, data.names):
        if not table.shown:
            rows.append((table.key, table.title, "", SUPPRESSED, ""))
            continue
        for row in table.rows:
            count = SUPPRESSED if row.count is None else row.count
            percent = "" if row.percent is None else round(row.percent, 1)
            rows.append((table.key, table.title, row.label, count, percent))
    return pd.DataFrame(rows, columns=["question", "wording", "answer", "count", "percent"])


def load_input(
    *,
    session: Session,
    survey_round: SurveyRound,
    definition: FormDefinition,
    organisation: Organisation,
    with_identity: bool,
) -> ExportInput:
    """Everything one round's export needs, read in a few queries."""
    responses = submitted_responses(session=session, survey_round=survey_round)
    ids = [r.id for r in responses]
    query = select(Comment).where(col(Comment.response_id).in_(ids))
    comments = {(c.response_id or 0, c.question_id): c.text_redacted for c in session.exec(query)}
    invitations: dict[int, Invitation] = {}
    if with_identity:
        found = session.exec(select(Invitation).where(Invitation.round_id == survey_round.id))
        invitations = {i.id: i for i in found if i.id is not None}
    names = result_names(context_for(session, organisation))
    return ExportInput(definition, responses, comments, names, invitations, with_identity)


def file_name(survey_round: SurveyRound, what: str, kind: str) -> str:
    """For example parent-termly-2026-27-autumn-responses.xlsx."""
    term = survey_round.name.replace("/", "-").replace(" ", "-").lower()
    return f"{survey_round.form_slug}-{term}-{what}.{kind}"


def build_file(data: ExportInput, kind: str) -> tuple[bytes, str, int]:
    """The export as CSV, or XLSX with its dictionary and summary: (bytes, type, rows)."""
    table = responses_table(data)
    if kind == "csv":
        return csv_bytes(table), CSV_TYPE, len(table)
    sheets = {
        "Responses": table,
        "Data dictionary": dictionary(data),
        "Summary": summary_table(data),
    }
    return xlsx_bytes(sheets), XLSX_TYPE, len(table)
