"""Reading an uploaded CSV or XLSX file of survey answers into a table of text cells.

Cells are read as the online form would receive them: as plain text with no control
characters, dates as ISO dates. A cell holding a formula is noted, so its row can be refused.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from forms.base import plain_text
from webapp.spreadsheets import MAX_UNPACKED, unpacked_size

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 300


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
