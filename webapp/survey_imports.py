"""Answers exported from another tool (Microsoft Forms, SmartSurvey, a spreadsheet).

A file is read into text cells, its columns are matched to the survey's questions, and
every row is checked with the very validators the online form uses. Only when every row
passes is anything saved, and then all of it is saved in one transaction.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from forms.base import plain_text
from forms.builder import page_form_class, read_answers
from forms.kinds import GRID_CHOICES, NO_DISTRICT, OTHER_SETTING, BuildContext
from forms.schema import FormDefinition, Page, Question
from webapp.spreadsheets import MAX_UNPACKED, unpacked_size

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 300
MAX_CELL = 20_000
SKIPPED_KINDS = frozenset({"picture"})
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d %B %Y")
FORMULA = "holds a formula. Replace it with its value and upload the file again"


class SpreadsheetError(ValueError):
    """A file that cannot be read as a table of answers; the message says what to do."""


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    formulas: frozenset[tuple[int, str]]  # (row index, column) cells holding a formula


def _check_zip(data: bytes) -> None:
    """Refuse a workbook that would unpack to far more than its size (a "zip bomb")."""
    unpacked = unpacked_size(data)
    if unpacked is None:
        raise SpreadsheetError("The file is not a readable XLSX workbook")
    if unpacked > MAX_UNPACKED:
        raise SpreadsheetError("The workbook holds too much data. Save it as a CSV file instead")


def _xlsx(data: bytes) -> Table:
    _check_zip(data)
    try:
        return _read_xlsx(data)
    except SpreadsheetError:
        raise
    except Exception as error:  # a damaged workbook fails in many ways, deep in openpyxl
        raise SpreadsheetError("The file is not a readable XLSX workbook") from error


def _read_xlsx(data: bytes) -> Table:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = workbook.worksheets[0]
    first = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ())
    header = [plain_text(str(v)).strip() if v is not None else "" for v in first]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise SpreadsheetError(f"The file has more than {MAX_COLUMNS} columns")
    records, formulas = [], set()
    rows = sheet.iter_rows(min_row=2, max_col=max(len(header), 1))
    for index, cells in enumerate(rows):
        if index >= MAX_ROWS:
            raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows. Split it up")
        record = []
        for column, cell in zip(header, cells, strict=False):
            if cell.data_type == "f":
                formulas.add((index, column))
            record.append(_text(cell.value))
        records.append(record + [""] * (len(header) - len(record)))
    workbook.close()
    _check_headings(header)
    return Table(pd.DataFrame(records, columns=header), frozenset(formulas))


def _check_headings(header: list[str]) -> None:
    """Every column needs its own heading, or its answers could not be matched."""
    if len(header) > MAX_COLUMNS:
        raise SpreadsheetError(f"The file has more than {MAX_COLUMNS} columns")
    for number, heading in enumerate(header, start=1):
        if not heading.strip():
            raise SpreadsheetError(f"Column {number} has no heading. Give every column a heading")
    seen: set[str] = set()
    for heading in header:
        if heading.strip() in seen:
            raise SpreadsheetError(
                f"The heading ‘{heading.strip()[:60]}’ is used twice. Give each column its "
                "own heading"
            )
        seen.add(heading.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return plain_text(str(value)).strip()  # as typed online: no control characters


def _csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            "The file is not saved as UTF-8. In Excel, choose Save as, then "
            "‘CSV UTF-8 (Comma delimited)’, and upload that file"
        ) from error
    if "\x00" in text:
        raise SpreadsheetError("The file is not a text CSV file")
    # Answers typed online lose their control characters; so do answers imported.
    text = plain_text(text)
    first_line = text.split("\n", 1)[0]
    _check_headings([h for h in next(csv.reader([first_line]), [])])
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SpreadsheetError("The file is not a readable CSV file") from error
    if len(frame) > MAX_ROWS:
        raise SpreadsheetError(f"The file has more than {MAX_ROWS:,} rows. Split it up")
    frame = frame.map(str.strip)
    # Only "=" starts a formula that a person would not mean as text; "-", "+" and "@"
    # often start a comment, and exports make every such cell plain text anyway.
    formulas = {
        (index, str(column))
        for column in frame.columns
        for index, value in enumerate(frame[column])
        if value.startswith("=")
    }
    return Table(frame, frozenset(formulas))


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded CSV or XLSX file into text cells, or raise SpreadsheetError."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError("The file must be smaller than 5 MB")
    name = filename.lower()
    if name.endswith(".xlsx") and data[:2] == b"PK":
        table = _xlsx(data)
    elif name.endswith(".csv"):
        table = _csv(data)
    else:
        raise SpreadsheetError("The selected file must be a CSV or an XLSX file")
    table.frame.columns = [str(c) for c in table.frame.columns]
    if table.frame.empty:
        raise SpreadsheetError("The file has no rows of answers")
    return table


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
