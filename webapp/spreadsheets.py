"""Writing CSV and XLSX files that are safe to open in a spreadsheet, and sizing uploads."""

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: An XLSX file is a ZIP. One that unpacks to more than this is refused before it is opened.
MAX_UNPACKED = 50 * 1024 * 1024


def unpacked_size(data: bytes) -> int | None:
    """How large an uploaded workbook is once unpacked, or None if it is not a ZIP at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def neutralise(value: Any) -> Any:
    """Make a text cell that looks like a formula plain text, with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with every text cell, and every column name, made safe."""
    safe = frame.map(neutralise)
    safe.columns = [neutralise(str(c)) for c in frame.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A UTF-8 CSV with a byte-order mark, so Excel reads accents and scripts correctly."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def rows_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV from plain rows, made safe in the same way."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per table, every text cell made safe."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralise_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return out.getvalue()
