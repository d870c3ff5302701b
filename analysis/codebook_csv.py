"""Codebooks as CSV files, for spreadsheets: writing them, and reading them back or as a
person types one.

The CSV columns are `CSV_COLUMNS`. Examples share one cell, separated by " | "; a "|" inside
an example is written "\\|", and a backslash just before a "|" or another backslash is
written "\\\\". Any other backslash is kept as it is, so "C:\\Users" needs no escaping.
"""

import io
import re
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.codebook_checks import UncheckedTheme, build_codebook
from analysis.codebook_themes import (
    MAX_BYTES,
    TOO_BIG,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    clean,
    one_line,
)

CSV_COLUMNS = (
    "key",
    "name",
    "parent",
    "description",
    "include",
    "exclude",
    "examples",
    "outcome_area",
)
#: What each column means, found by its heading (lower case, words only).
HEADINGS: dict[str, tuple[str, ...]] = {
    "key": ("key", "theme key"),
    "name": ("name", "theme", "theme name"),
    "parent": ("parent", "parent key", "parent theme"),
    "description": ("description", "definition"),
    "include": ("include", "inclusion", "use when"),
    "exclude": ("exclude", "exclusion", "do not use when"),
    "examples": ("examples", "example"),
    "outcome_area": ("outcome area",),
}
EXAMPLE_SEPARATOR = " | "
#: A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

NOT_TEXT = (
    "The selected file must be a CSV file saved as UTF-8. In Excel, choose Save as, then "
    "‘CSV UTF-8 (Comma delimited)’"
)


def _neutralise(cell: str) -> str:
    """A leading apostrophe for a cell a spreadsheet would run as a formula.

    A cell that already starts with apostrophes and then a formula character gets one more,
    so that reading takes off exactly the one added here.
    """
    return "'" + cell if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def _restore(cell: str) -> str:
    """The cell as it was before `_neutralise`."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def join_examples(examples: Sequence[str]) -> str:
    r"""The examples in one cell, separated by " | ", with "|" inside an example escaped.

    Examples:
        >>> print(join_examples(["Too slow", "A | B", "C:\\Users"]))
        Too slow | A \| B | C:\Users
    """
    escaped = []
    for example in examples:
        out = []
        for position, char in enumerate(example):
            following = example[position + 1 : position + 2]
            if char == "|" or (char == "\\" and following in ("\\", "|")):
                out.append("\\")
            out.append(char)
        escaped.append("".join(out))
    return EXAMPLE_SEPARATOR.join(escaped)


def split_examples(cell: str) -> tuple[str, ...]:
    r"""The examples in a cell: split on "|" (not "\|"), trimmed, blanks left out.

    Examples:
        >>> split_examples(r"Too slow | A \| B|  | C:\Users")
        ('Too slow', 'A | B', 'C:\\Users')
    """
    parts, current = [], []
    position = 0
    while position < len(cell):
        char = cell[position]
        following = cell[position + 1 : position + 2]
        if char == "\\" and following in ("\\", "|"):
            current.append(following)
            position += 2
            continue
        if char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        position += 1
    parts.append("".join(current))
    return tuple(part.strip() for part in parts if part.strip())


def to_csv(codebook: CodebookFile) -> str:
    """The codebook as CSV text with a heading row, one theme a row, in the given order.

    `parent` holds the parent's key. Cells that a spreadsheet would run as a formula start
    with an apostrophe, which `from_csv` takes off again. Lines end in CRLF, as RFC 4180
    says. Encode the text as "utf-8-sig" for a download: the byte-order mark is what tells
    Excel that the file is UTF-8.

    Examples:
        >>> book = CodebookFile("Parents", 1, (ThemeRow("waits", "Waits", examples=("=1+1",)),))
        >>> to_csv(book).split("\\r\\n")
        ['key,name,parent,description,include,exclude,examples,outcome_area', \
"waits,Waits,,,,,'=1+1,", '']
    """
    rows = [_csv_row(theme) for theme in codebook.themes]
    frame = pd.DataFrame(rows, columns=list(CSV_COLUMNS), dtype=object).map(_neutralise)
    return str(frame.to_csv(index=False, lineterminator="\r\n"))


def _csv_row(theme: ThemeRow) -> list[str]:
    """The theme's cells, in the order of `CSV_COLUMNS`."""
    return [
        theme.key,
        theme.name,
        theme.parent_key,
        theme.description,
        theme.inclusion,
        theme.exclusion,
        join_examples(theme.examples),
        theme.outcome_area,
    ]


def from_csv(data: bytes | str, *, name: str, version: int = 1) -> CodebookFile:
    """Read a codebook from CSV, as `to_csv` writes it or as a person types one.

    Headings are matched whatever their case, and a few other names are understood (see
    `HEADINGS`); only a name column is needed. A blank key is made from the theme's name;
    a parent may be given by key or by name. Blank rows are left out.

    Raises:
        CodebookFileError: with every problem in the file, each naming its row (the
            heading is row 1).

    Examples:
        >>> book = from_csv("Theme,Parent\\nWaiting for a plan,Waiting\\nWaiting,\\n", name="P")
        >>> [(t.key, t.parent_key) for t in book.themes]
        [('waiting', ''), ('waiting-for-a-plan', 'waiting')]
    """
    frame = _read_frame(_csv_text(data))
    columns = _columns(frame)
    entries = []
    for index, record in enumerate(frame.to_dict("records")):
        cells = {key: _restore(_cell(record.get(heading))) for key, heading in columns.items()}
        if any(clean(cell) for cell in cells.values()):
            entries.append(_row_theme(index + 2, cells))
    return build_codebook(entries, name=name, version=version)


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    """The heading of each column the file has, by what it means; the first of each wins."""
    columns: dict[str, str] = {}
    for heading in frame.columns:
        key = _heading_key(heading)
        if key and key not in columns:
            columns[key] = heading
    if "name" not in columns:
        raise CodebookFileError(["The file must have a column headed “name”"])
    return columns


def _row_theme(number: int, cells: dict[str, str]) -> UncheckedTheme:
    """The theme in row `number`, from its cells by what they mean."""
    examples = (clean(e) for e in split_examples(cells.get("examples", "")))
    return UncheckedTheme(
        kind="Row",
        number=number,
        name=one_line(cells.get("name")),
        key=clean(cells.get("key")).lower(),
        parent=one_line(cells.get("parent")),
        description=clean(cells.get("description")),
        inclusion=clean(cells.get("include")),
        exclusion=clean(cells.get("exclude")),
        examples=tuple(text for text in examples if text),
        outcome_area=one_line(cells.get("outcome_area")),
    )


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _heading_key(heading: str) -> str | None:
    words = " ".join(re.findall(r"[a-z0-9]+", str(heading).lower()))
    for key, names in HEADINGS.items():
        if words in names:
            return key
    return None


def _csv_text(data: bytes | str) -> str:
    """The file's text, without a byte-order mark, or the problem with it."""
    if len(data) > MAX_BYTES:
        raise CodebookFileError([TOO_BIG])
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CodebookFileError([NOT_TEXT]) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise CodebookFileError([NOT_TEXT])
    if not text.strip():
        raise CodebookFileError(["The selected file is empty"])
    return text


def _separator(text: str) -> str:
    """Comma, unless the heading row has none and uses semicolons or tabs, as some Excels do."""
    heading = text.split("\n", 1)[0]
    if "," not in heading:
        for separator in (";", "\t"):
            if separator in heading:
                return separator
    return ","


def _read_frame(text: str) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # More cells in a row than headings is a warning in pandas, and data would be lost.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                io.StringIO(text),
                sep=_separator(text),
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,  # so that row numbers match the spreadsheet's
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError):
        raise CodebookFileError(
            [
                "The selected file could not be read as a CSV file. Check that no row has "
                "more cells than the heading row, and that every quotation mark is closed"
            ]
        ) from None
