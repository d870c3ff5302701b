"""Answers exported from another tool (Microsoft Forms, SmartSurvey, a spreadsheet).

A file is read into text cells (webapp.survey_import_files), its columns are matched to the
survey's questions, and every row is checked with the very validators the online form uses.
Only when every row passes is anything saved, and then all of it is saved in one transaction.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from forms.builder import page_form_class, read_answers
from forms.kinds import GRID_CHOICES, NO_DISTRICT, OTHER_SETTING, BuildContext
from forms.schema import FormDefinition, Page, Question
from webapp.survey_import_files import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    SpreadsheetError,
    Table,
    read_table,
)

__all__ = [
    "DATE_FORMATS",
    "FORMULA",
    "MAX_BYTES",
    "MAX_CELL",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "SKIPPED_KINDS",
    "RowError",
    "SpreadsheetError",
    "Table",
    "Target",
    "convert",
    "missing_required",
    "read_table",
    "simplify",
    "suggest_mapping",
    "targets",
]

MAX_CELL = 20_000
SKIPPED_KINDS = frozenset({"picture"})
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d %B %Y")
FORMULA = "holds a formula. Replace it with its value and upload the file again"


@dataclass(frozen=True)
class Target:
    """Something a column can be matched to: a question, or one row of a grid."""

    key: str
    label: str
    question: Question
    row_id: str | None = None


def targets(definition: FormDefinition) -> list[Target]:
    """Every question (and grid row) a column can fill, in form order."""
    found = []
    for question in definition.questions():
        if question.kind in SKIPPED_KINDS or question.personal:
            continue
        if question.kind == "yes_no_unsure_grid":
            found += [
                Target(f"{question.id}--{r.id}", f"{question.label} {r.label}", question, r.id)
                for r in question.rows
            ]
        else:
            found.append(Target(question.id, question.label, question))
    return found


def simplify(text: str) -> str:
    """Text for matching: no accents, curly quotes, case, punctuation or extra spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def suggest_mapping(found: list[Target], columns: list[str]) -> dict[str, str]:
    """The column whose heading matches each target's id or wording, where one does."""
    by_name = {simplify(c): c for c in columns}
    mapping = {}
    for target in found:
        for candidate in (target.key, target.label, target.question.label):
            column = by_name.get(simplify(candidate))
            if column is not None:
                mapping[target.key] = column
                break
    return mapping


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the heading is row 1
    column: str
    message: str


def _choices(target: Target, context: BuildContext) -> dict[str, str]:
    question = target.question
    if target.row_id is not None:
        pairs = list(GRID_CHOICES)
    elif question.kind == "district":
        pairs = [*context.districts, (NO_DISTRICT, "I would rather not say")]
    elif question.kind == "setting":
        pairs = list(context.settings)
    else:
        pairs = [(o.id, o.label) for o in question.options]
    found = {simplify(value): value for value, _ in pairs}
    found.update({simplify(label): value for value, label in pairs})
    return found


def _date_parts(value: str) -> list[str] | None:
    for shape in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value[:10] if shape == "%Y-%m-%d" else value, shape)
        except ValueError:
            continue
        day: date = parsed.date()
        return [str(day.day), str(day.month), str(day.year)]
    return None


def _form_values(target: Target, value: str, choices: dict[str, str]) -> list[tuple[str, str]]:
    """The form fields a cell fills; raises ValueError with the reason it cannot."""
    question, name = target.question, target.key
    if question.kind in {"short_text", "long_text"}:
        return [(name, value)]
    if question.kind == "date":
        parts = _date_parts(value)
        if parts is None:
            raise ValueError(f"‘{value[:40]}’ is not a date. Write it like 27/03/2026")
        return [(name, part) for part in parts]
    if question.kind == "setting":
        chosen = choices.get(simplify(value))
        if chosen is None:
            return [(name, OTHER_SETTING), (f"{name}--other", value)]
        return [(name, chosen)]
    pieces = [value]
    if question.kind == "symbol_tiles":
        pieces = [p for p in re.split(r";" if ";" in value else r",", value) if p.strip()]
    matched = [choices.get(simplify(piece)) for piece in pieces]
    unknown = [piece.strip() for piece, found in zip(pieces, matched, strict=True) if not found]
    if unknown:
        raise ValueError(f"‘{unknown[0][:40]}’ is not one of the answers to this question")
    return [(name, found) for found in matched if found]


def convert(
    definition: FormDefinition,
    table: Table,
    mapping: dict[str, str],
    context: BuildContext,
) -> tuple[list[dict[str, Any]], list[RowError], int]:
    """Every row's answers, checked; with the problems and how many blank rows were skipped."""
    found = {t.key: t for t in targets(definition)}
    used = {key: column for key, column in mapping.items() if key in found and column}
    # Built once: making the WTForms classes costs more than checking a row with them.
    classes = [(page, page_form_class(page, context)) for page in definition.pages]
    choices = {key: _choices(found[key], context) for key in used}
    rows, problems, blank = [], [], 0
    for index, record in enumerate(table.frame.to_dict("records")):
        number = index + 2
        cells = {key: str(record.get(column, "")) for key, column in used.items()}
        if not any(cells.values()):
            blank += 1
            continue
        errors: list[RowError] = []
        data: list[tuple[str, str]] = []
        for key, value in cells.items():
            column = used[key]
            if (index, column) in table.formulas:
                errors.append(RowError(number, column, f"This cell {FORMULA}"))
            elif len(value) > MAX_CELL:
                errors.append(RowError(number, column, "This cell is too long"))
            elif value:
                try:
                    data += _form_values(found[key], value, choices[key])
                except ValueError as error:
                    errors.append(RowError(number, column, str(error)))
        answers = _check_pages(classes, MultiDict(data), used, number, errors)
        problems += errors
        if not errors:
            rows.append(answers)
    return rows, problems, blank


def _check_pages(
    classes: list[tuple[Page, Any]],
    data: MultiDict,
    used: dict[str, str],
    number: int,
    errors: list[RowError],
) -> dict[str, Any]:
    """Validate one row page by page with the online form's own rules."""
    answers: dict[str, Any] = {}
    for page, form_class in classes:
        form = form_class(formdata=data, meta={"csrf": False})
        if form.validate():
            answers.update({k: v for k, v in read_answers(page, form).items() if v})
            continue
        for field_name, messages in form.errors.items():
            key = field_name.removesuffix("--other")
            column = used.get(key, f"(no column for ‘{key}’)")
            if not any(e.row == number and e.column == column for e in errors):
                errors.append(RowError(number, column, str(messages[0])))
    return answers


def missing_required(definition: FormDefinition, mapping: dict[str, str]) -> list[Target]:
    """Required questions that no column has been matched to."""
    return [t for t in targets(definition) if t.question.required and not mapping.get(t.key)]
