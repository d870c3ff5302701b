"""Codebooks as files: CSV for spreadsheets, and REFI-QDA codebooks (.qdc) for NVivo,
ATLAS.ti, MAXQDA and QualCoder.

Both readers check everything before they give anything back, and list every problem at
once, each naming its row (CSV) or line (XML), so that a person can fix the file in one go.
A codebook read from either kind of file is in tree order: each top-level theme is followed
by its children, and theirs; themes at the same level keep the order the file gave them.

The CSV columns are `CSV_COLUMNS`. Examples share one cell, separated by " | "; a "|" inside
an example is written "\\|", and a backslash just before a "|" or another backslash is
written "\\\\". Any other backslash is kept as it is, so "C:\\Users" needs no escaping.

A REFI-QDA codebook can hold only a code's name and a description, so the description
carries the rest as labelled paragraphs that read well in another program::

    Children waiting for an assessment or a plan.

    Use when: the comment is about how long something took.

    Do not use when: the wait was for a health appointment.

    Outcome area: My Voice

    Key: waiting

    Examples:
    - We waited 40 weeks.
    - Nobody told us
      why it took so long.

"Key:" is written only where the key is not the one made from the name. In the free text,
a line that starts with one of the labels, or with a backslash, gets a backslash in front,
so that a description can say "Use when:" without being misread.
"""

import io
import re
import unicodedata
import uuid
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

import pandas as pd

#: The areas of the Children and Young People's Outcomes Framework named in the council's
#: documents, in the order they appear there.
OUTCOME_AREAS = ("My Voice", "My Health", "My Independence")

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
MAX_THEMES = 500
MAX_KEY = 80
MAX_NAME = 200
MAX_DESCRIPTION = 4000
MAX_NOTE = 1000  # "use when" and "do not use when"
MAX_EXAMPLE = 1000
MAX_EXAMPLES = 20
MAX_BYTES = 5 * 1024 * 1024
#: How many levels a tree may have. Deeper trees help nobody, and programs that read XML
#: with libxml2 (QualCoder, for one) refuse files nested more than 256 elements deep.
MAX_DEPTH = 10
#: A broken XML file can have thousands of problems; only this many are listed.
MAX_PROBLEMS = 100
#: A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Heard"
#: Each theme's GUID is made from this and its key, so it is the same in every export.
GUID_NAMESPACE = uuid.UUID("9dc441f8-8afc-4d68-a092-a545efd250c8")
IMPORTED_NAME = "Imported codebook"

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_GUID = re.compile(
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$"
)
# Characters XML 1.0 cannot hold, and other controls no one means to type: the C0 controls
# but tab and line breaks, DEL, the C1 controls and Unicode's noncharacters. (forms/base.py
# drops the same from what people type; a page cannot show them.)
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | end) for plane in range(17) for end in (0xFFFE, 0xFFFF))
    + "]"
)
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Letters that Unicode does not split into a plain letter and an accent.
_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
    | {"Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "\u0131": "i"}
)

NOT_TEXT = (
    "The selected file must be a CSV file saved as UTF-8. In Excel, choose Save as, then "
    "‘CSV UTF-8 (Comma delimited)’"
)
TOO_BIG = "The file must be smaller than 5MB"
NO_THEMES = "The file has no themes in it"
TOO_MANY = f"The file must have {MAX_THEMES} themes or fewer"
NO_DECLARATIONS = (
    "The file must not contain a DOCTYPE or ENTITY declaration. Export the codebook again "
    "from your analysis program"
)


class CodebookFileError(ValueError):
    """The file cannot be read as a codebook; `problems` says everything there is to fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ThemeRow:
    """One theme, as a file holds it."""

    key: str  # lower-case letters, digits and hyphens, at most MAX_KEY characters
    name: str
    parent_key: str = ""
    description: str = ""
    inclusion: str = ""  # "Use when ..."
    exclusion: str = ""  # "Do not use when ..."
    examples: tuple[str, ...] = ()
    outcome_area: str = ""  # "" or one of OUTCOME_AREAS


@dataclass(frozen=True)
class CodebookFile:
    """A codebook's name, version and themes, parents before their children."""

    name: str
    version: int
    themes: tuple[ThemeRow, ...]


def key_from_name(name: str) -> str:
    """A theme key made from its name: plain lower-case letters and digits, with hyphens.

    Examples:
        >>> key_from_name("Children’s voice: EHCPs")
        'childrens-voice-ehcps'
        >>> key_from_name("Łódź parents")
        'lodz-parents'
        >>> key_from_name("صوت الطفل")  # a name with no Latin letters
        'theme'
    """
    folded = unicodedata.normalize("NFKD", re.sub(r"['’]", "", name).translate(_FOLD))
    words = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode().lower())
    return "-".join(words)[:MAX_KEY].strip("-") or "theme"


def theme_guid(key: str) -> str:
    """The GUID a theme has in every REFI-QDA export: the same key gives the same GUID.

    Examples:
        >>> theme_guid("waiting") == theme_guid("waiting") != theme_guid("waiting-2")
        True
    """
    return str(uuid.uuid5(GUID_NAMESPACE, key)).upper()


# Reading and checking, shared by both formats


@dataclass
class _Entry:
    """A theme as read, before it is checked."""

    kind: str  # "Row" or "Line"
    number: int
    name: str
    key: str = ""  # "" to make one from the name
    parent: str = ""  # a key or a name, as written
    parent_index: int | None = None  # the parent's place, where the file nests themes
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    outcome_area: str = ""

    @property
    def where(self) -> str:
        return f"{self.kind} {self.number}"


def clean(value: Any) -> str:
    """Text with one kind of line ending, no stray control characters and no outer spaces.

    Anything that is not a string is "". Both readers clean every cell this way.
    """
    if not isinstance(value, str):
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else ""


def one_line(value: Any) -> str:
    """Text cleaned as `clean` does, on one line: each run of spaces and line breaks is one space.

    Examples:
        >>> one_line("  Waiting\\n for   a plan ")
        'Waiting for a plan'
    """
    return " ".join(clean(value).split())


def same_name(name: str) -> str:
    """What two names are compared by: spaces tidied and case ignored, so "Waiting  times"
    and "waiting times" are the same name.

    Examples:
        >>> same_name("  Waiting  TIMES ") == same_name("waiting times")
        True
    """
    return " ".join(name.split()).casefold()


def new_examples(examples: Sequence[str], texts: Iterable[str]) -> list[str]:
    """The texts, each on one line, that are neither blank nor already among the examples.

    Two texts are the same example when they are the same but for spaces and case, as two
    theme names are.

    Examples:
        >>> new_examples(["We waited"], ["we  WAITED", "", " The bus was late ", "the bus"])
        ['The bus was late', 'the bus']
    """
    seen = {same_name(example) for example in examples}
    kept = []
    for text in texts:
        tidy = one_line(text)
        if tidy and same_name(tidy) not in seen:
            seen.add(same_name(tidy))
            kept.append(tidy)
    return kept


def example_lines(text: str) -> list[str]:
    """Example comments typed one a line: blank lines and repeats left out."""
    return new_examples([], (text or "").splitlines())


def example_problem(examples: Sequence[str]) -> str | None:
    """Why these examples cannot go in a codebook (too many, or one too long), or None."""
    if len(examples) > MAX_EXAMPLES:
        return f"Enter {MAX_EXAMPLES} example comments or fewer"
    for number, example in enumerate(examples, start=1):
        if len(example) > MAX_EXAMPLE:
            return f"Example comment {number} must be {MAX_EXAMPLE:,} characters or fewer"
    return None


def _places(entries: list[_Entry]) -> str:
    """ "Rows 3 and 5", "Rows 3, 5 and 8"."""
    numbers = [str(e.number) for e in entries]
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"{entries[0].kind}s {listed}"


def _check_fields(entry: _Entry) -> list[str]:
    where = entry.where
    problems = []
    if not entry.name:
        problems.append(f"{where}: enter a theme name")
    elif len(entry.name) > MAX_NAME:
        problems.append(f"{where}: theme name must be {MAX_NAME} characters or fewer")
    if len(entry.key) > MAX_KEY:
        problems.append(f"{where}: key must be {MAX_KEY} characters or fewer")
    elif entry.key and not _KEY.match(entry.key):
        problems.append(
            f"{where}: key must start with a letter or number and only include lower-case "
            "letters, numbers and hyphens"
        )
    for label, value, limit in (
        ("description", entry.description, MAX_DESCRIPTION),
        ("“use when” note", entry.inclusion, MAX_NOTE),
        ("“do not use when” note", entry.exclusion, MAX_NOTE),
    ):
        if len(value) > limit:
            problems.append(f"{where}: {label} must be {limit} characters or fewer")
    if len(entry.examples) > MAX_EXAMPLES:
        problems.append(f"{where}: enter {MAX_EXAMPLES} examples or fewer")
    for number, example in enumerate(entry.examples, start=1):
        if len(example) > MAX_EXAMPLE:
            problems.append(f"{where}: example {number} must be {MAX_EXAMPLE} characters or fewer")
    if entry.outcome_area:
        known = {area.casefold(): area for area in OUTCOME_AREAS}
        area = known.get(same_name(entry.outcome_area))
        if area is None:
            allowed = ", ".join(f"“{a}”" for a in OUTCOME_AREAS[:-1])
            problems.append(
                f"{where}: outcome area must be {allowed} or “{OUTCOME_AREAS[-1]}”, or left blank"
            )
        else:
            entry.outcome_area = area
    return problems


def unique_key(base: str, used: set[str]) -> str:
    """`base`, or where it is used already, `base` with the first free "-2", "-3" and so on,
    still at most `MAX_KEY` characters.

    Examples:
        >>> unique_key("waiting", {"waiting", "waiting-2"})
        'waiting-3'
    """
    if base not in used:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: MAX_KEY - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def _keys(entries: list[_Entry]) -> tuple[list[str], list[str]]:
    """Each entry's key, made from its name where the file gave none, and the problems."""
    problems = []
    first: dict[str, _Entry] = {}
    for entry in entries:
        if not entry.key:
            continue
        if entry.key in first:
            problems.append(
                f"{entry.where}: the key “{entry.key}” is already used on "
                f"{first[entry.key].where.lower()}"
            )
        else:
            first[entry.key] = entry
    used = set(first)
    keys = []
    for entry in entries:
        key = entry.key
        if not key:
            key = unique_key(key_from_name(entry.name), used)
            used.add(key)
        keys.append(key)
    return keys, problems


def _parents(entries: list[_Entry], keys: list[str]) -> tuple[list[int | None], list[str]]:
    """Each entry's parent, as its place in `entries`, found by key and then by name."""
    by_key: dict[str, int] = {}
    for index, key in enumerate(keys):
        by_key.setdefault(key, index)
    by_name: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry.name:
            by_name.setdefault(same_name(entry.name), []).append(index)
    parents: list[int | None] = []
    problems = []
    for index, entry in enumerate(entries):
        if entry.parent_index is not None or not entry.parent:
            parents.append(entry.parent_index)
            continue
        found = by_key.get(entry.parent, by_key.get(entry.parent.lower()))
        if found is None:
            named = by_name.get(same_name(entry.parent), [])
            if len(named) > 1:
                problems.append(
                    f"{entry.where}: more than one theme is called “{entry.parent}”; "
                    "enter the parent’s key instead"
                )
            elif named:
                found = named[0]
            else:
                problems.append(
                    f"{entry.where}: parent “{entry.parent}” is not a theme in this file"
                )
        if found == index:
            problems.append(f"{entry.where}: a theme cannot be its own parent")
            found = None
        parents.append(found)
    return parents, problems


def _circles(entries: list[_Entry], parents: list[int | None]) -> list[str]:
    """A problem for each set of themes whose parents go round in a circle."""
    problems = []
    done: set[int] = set()
    for start in range(len(entries)):
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node]
        if node is not None and node in on_path:
            circle = path[path.index(node) :]
            chain = " → ".join(f"“{entries[i].name}”" for i in [*circle, circle[0]])
            problems.append(
                f"{_places([entries[i] for i in sorted(circle)])}: the parents go round in a "
                f"circle ({chain}); give one of these themes no parent"
            )
        done.update(path)
    return problems


def _too_deep(entries: list[_Entry], parents: list[int | None]) -> list[str]:
    """A problem for the first theme below MAX_DEPTH on each branch (parents have no circles)."""
    depths: dict[int, int] = {}
    problems = []
    for start in range(len(entries)):
        path = []
        node: int | None = start
        while node is not None and node not in depths:
            path.append(node)
            node = parents[node]
        depth = depths[node] if node is not None else 0
        for index in reversed(path):
            depth += 1
            depths[index] = depth
    for index, entry in enumerate(entries):
        if depths[index] == MAX_DEPTH + 1:
            problems.append(
                f"{entry.where}: themes can only be nested {MAX_DEPTH} levels deep; move "
                f"“{entry.name}” higher up"
            )
    return problems


def _same_names(entries: list[_Entry], parents: list[int | None]) -> list[str]:
    problems = []
    first: dict[tuple[int | None, str], _Entry] = {}
    for index, entry in enumerate(entries):
        if not entry.name:
            continue
        seen = first.setdefault((parents[index], same_name(entry.name)), entry)
        if seen is entry:
            continue
        parent = parents[index]
        if parent is None:
            problems.append(
                f"{entry.where}: there is already a theme called “{entry.name}”, on "
                f"{seen.where.lower()}"
            )
        else:
            problems.append(
                f"{entry.where}: “{entries[parent].name}” already has a theme called "
                f"“{entry.name}”, on {seen.where.lower()}"
            )
    return problems


def _tree_order(parents: list[int | None]) -> list[int]:
    """Depth first: each theme, then its children's trees, in file order."""
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(parents):
        children.setdefault(parent, []).append(index)
    order = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children.get(index, [])))
    return order


def _codebook(entries: list[_Entry], *, name: str, version: int) -> CodebookFile:
    """Check every entry, then the keys, parents and names between them; raise or build."""
    if not entries:
        raise CodebookFileError([NO_THEMES])
    if len(entries) > MAX_THEMES:
        raise CodebookFileError([f"{TOO_MANY}; it has {len(entries)}"])
    problems = [problem for entry in entries for problem in _check_fields(entry)]
    keys, key_problems = _keys(entries)
    parents, parent_problems = _parents(entries, keys)
    problems += key_problems + parent_problems
    circles = _circles(entries, parents)
    problems += circles or _too_deep(entries, parents)
    problems += _same_names(entries, parents)
    if problems:
        # Sorted by row, so that the list reads down the file; whole-file problems first.
        def place(problem: str) -> int:
            found = re.match(r"(?:Rows?|Lines?) (\d+)", problem)
            return int(found.group(1)) if found else 0

        raise CodebookFileError(sorted(problems, key=place))
    themes = []
    for index in _tree_order(parents):
        entry, parent = entries[index], parents[index]
        themes.append(
            ThemeRow(
                key=keys[index],
                name=entry.name,
                parent_key=keys[parent] if parent is not None else "",
                description=entry.description,
                inclusion=entry.inclusion,
                exclusion=entry.exclusion,
                examples=entry.examples,
                outcome_area=entry.outcome_area,
            )
        )
    return CodebookFile(name=name, version=version, themes=tuple(themes))


# CSV


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
    rows = [
        [
            theme.key,
            theme.name,
            theme.parent_key,
            theme.description,
            theme.inclusion,
            theme.exclusion,
            join_examples(theme.examples),
            theme.outcome_area,
        ]
        for theme in codebook.themes
    ]
    frame = pd.DataFrame(rows, columns=list(CSV_COLUMNS), dtype=object).map(_neutralise)
    return str(frame.to_csv(index=False, lineterminator="\r\n"))


def _heading_key(heading: str) -> str | None:
    words = " ".join(re.findall(r"[a-z0-9]+", str(heading).lower()))
    for key, names in HEADINGS.items():
        if words in names:
            return key
    return None


def _csv_text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise CodebookFileError([TOO_BIG])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CodebookFileError([NOT_TEXT]) from None
    else:
        if len(data) > MAX_BYTES:
            raise CodebookFileError([TOO_BIG])
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
    columns: dict[str, str] = {}
    for heading in frame.columns:
        key = _heading_key(heading)
        if key and key not in columns:
            columns[key] = heading
    if "name" not in columns:
        raise CodebookFileError(["The file must have a column headed “name”"])
    entries = []
    for index, record in enumerate(frame.to_dict("records")):
        cells = {key: _restore(_cell(record.get(heading))) for key, heading in columns.items()}
        if not any(clean(cell) for cell in cells.values()):
            continue
        entries.append(
            _Entry(
                kind="Row",
                number=index + 2,
                name=one_line(cells.get("name")),
                key=clean(cells.get("key")).lower(),
                parent=one_line(cells.get("parent")),
                description=clean(cells.get("description")),
                inclusion=clean(cells.get("include")),
                exclusion=clean(cells.get("exclude")),
                examples=tuple(
                    text
                    for text in (clean(e) for e in split_examples(cells.get("examples", "")))
                    if text
                ),
                outcome_area=one_line(cells.get("outcome_area")),
            )
        )
    return _codebook(entries, name=name, version=version)


# REFI-QDA codebooks

_LABELS = {
    "Use when:": "inclusion",
    "Do not use when:": "exclusion",
    "Outcome area:": "outcome_area",
    "Key:": "key",
    "Examples:": "examples",
}


def _q(local: str) -> str:
    return f"{{{QDC_NAMESPACE}}}{local}"


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _escape_lines(text: str) -> str:
    return "\n".join(
        "\\" + line if line.startswith(("\\", *_LABELS)) else line for line in text.split("\n")
    )


def _unescape_lines(lines: list[str]) -> str:
    return "\n".join(line[1:] if line.startswith("\\") else line for line in lines).strip()


def describe(theme: ThemeRow) -> str:
    """The text of a theme's REFI-QDA Description: its description and notes, labelled.

    Examples:
        >>> theme = ThemeRow("waits", "Waiting", description="Long waits.",
        ...                  inclusion="it took too long", examples=("We waited\\n40 weeks.",))
        >>> print(describe(theme))
        Long waits.
        <BLANKLINE>
        Use when: it took too long
        <BLANKLINE>
        Key: waits
        <BLANKLINE>
        Examples:
        - We waited
          40 weeks.
    """
    parts = []
    if theme.description:
        parts.append(_escape_lines(theme.description))
    if theme.inclusion:
        parts.append("Use when: " + _escape_lines(theme.inclusion))
    if theme.exclusion:
        parts.append("Do not use when: " + _escape_lines(theme.exclusion))
    if theme.outcome_area:
        parts.append("Outcome area: " + theme.outcome_area)
    if theme.key != key_from_name(theme.name):
        parts.append("Key: " + theme.key)
    if theme.examples:
        items = ["- " + example.replace("\n", "\n  ") for example in theme.examples]
        parts.append("Examples:\n" + "\n".join(items))
    return "\n\n".join(parts)


def _read_description(text: str) -> dict[str, Any]:
    """The fields that `describe` put into a Description."""
    sections: list[tuple[str, list[str]]] = [("description", [])]
    for line in text.split("\n"):
        label = next((label for label in _LABELS if line.startswith(label)), None)
        if label is None:
            sections[-1][1].append(line)
        else:
            sections.append((_LABELS[label], [line[len(label) :].removeprefix(" ")]))
    for _field, lines in sections[:-1]:
        if lines and lines[-1] == "":  # the blank line between paragraphs
            lines.pop()
    fields: dict[str, Any] = {}
    for field, lines in sections:
        if field == "examples":
            examples: list[list[str]] = []
            for line in lines[1:] if lines and not lines[0].strip() else lines:
                if line.startswith("  ") and examples:
                    examples[-1].append(line[2:])
                elif line.strip():
                    examples.append([line.removeprefix("- ")])
            fields["examples"] = tuple(
                "\n".join(example).strip() for example in examples if "".join(example).strip()
            )
        elif field in ("key", "outcome_area"):
            fields[field] = " ".join(" ".join(lines).split())
        else:
            fields[field] = _unescape_lines(lines)
    return fields


def to_qdc(codebook: CodebookFile) -> bytes:
    """The codebook as a REFI-QDA codebook exchange file (.qdc), UTF-8 XML.

    Children are nested inside their parent's Code. Each Code's GUID comes from its key,
    so a theme keeps its GUID from one export to the next. Themes with an outcome area are
    also grouped in a Set for each area.

    Raises:
        CodebookFileError: if the codebook has no themes, repeats a key, or names a parent
            it does not have (the format cannot hold any of these).
    """
    if not codebook.themes:
        raise CodebookFileError(["The codebook has no themes in it"])
    keys = [theme.key for theme in codebook.themes]
    if len(set(keys)) != len(keys):
        raise CodebookFileError(["Each theme in the codebook must have a different key"])
    children: dict[str, list[ThemeRow]] = {}
    for theme in codebook.themes:
        if theme.parent_key and theme.parent_key not in keys:
            raise CodebookFileError(
                [f"Theme “{theme.name}” has a parent, “{theme.parent_key}”, not in the codebook"]
            )
        children.setdefault(theme.parent_key, []).append(theme)
    # Plain tags with an xmlns attribute: ElementTree cannot write a default namespace
    # together with attributes that have none.
    root = ET.Element("CodeBook", {"xmlns": QDC_NAMESPACE, "origin": ORIGIN})
    codes = ET.SubElement(root, "Codes")
    written = 0
    stack = [(codes, theme) for theme in reversed(children.get("", []))]
    while stack:
        parent, theme = stack.pop()
        code = ET.SubElement(
            parent,
            "Code",
            guid=theme_guid(theme.key),
            name=_CONTROL.sub("", theme.name),
            isCodable="true",
        )
        text = _CONTROL.sub("", describe(theme))
        if text:
            ET.SubElement(code, "Description").text = text
        written += 1
        stack.extend((code, child) for child in reversed(children.get(theme.key, [])))
    if written != len(codebook.themes):
        raise CodebookFileError(["The themes’ parents go round in a circle"])
    areas = sorted(
        {theme.outcome_area for theme in codebook.themes if theme.outcome_area},
        key=lambda area: (OUTCOME_AREAS.index(area) if area in OUTCOME_AREAS else 99, area),
    )
    if areas:
        sets = ET.SubElement(root, "Sets")
        for area in areas:
            group = ET.SubElement(
                sets,
                "Set",
                guid=str(uuid.uuid5(GUID_NAMESPACE, "outcome-area:" + area)).upper(),
                name=area,
            )
            for theme in codebook.themes:
                if theme.outcome_area == area:
                    # Codebook.xsd names this attribute "guid"; project files use "targetGUID".
                    ET.SubElement(group, "MemberCode", guid=theme_guid(theme.key))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


class _Refused(Exception):
    """A DOCTYPE or ENTITY declaration met while parsing."""


def _parse(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The XML as an ElementTree, with each element's line, refusing any declarations.

    Entities are what "billion laughs" and external-entity attacks are made of, and a
    codebook has no use for them, so a DOCTYPE is refused before parsing, and again by the
    parser if it is spelt in a way the first check does not see (UTF-16, say).
    """
    if len(data) > MAX_BYTES:
        raise CodebookFileError([TOO_BIG])
    if _DECLARATION.search(data):
        raise CodebookFileError([NO_DECLARATIONS])
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(name(tag), {name(k): v for k, v in attributes.items()})
        lines[element] = parser.CurrentLineNumber

    def refuse(*_args: Any) -> None:
        raise _Refused

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _Refused:
        raise CodebookFileError([NO_DECLARATIONS]) from None
    except expat.ExpatError as error:
        raise CodebookFileError(
            [f"Line {error.lineno}: the file is not valid XML ({expat.ErrorString(error.code)})"]
        ) from None
    return builder.close(), lines


def _guid_key(guid: str) -> str:
    return guid.strip().strip("{}").lower()


def _check_tree(root: ET.Element, lines: dict[ET.Element, int]) -> list[str]:
    """The schema's problems with the tree, the first MAX_PROBLEMS of them."""
    problems = _tree_problems(root, lines)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        return [*problems[:MAX_PROBLEMS], f"There are {more} more problems in the file"]
    return problems


def _tree_problems(root: ET.Element, lines: dict[ET.Element, int]) -> list[str]:
    namespace, local = _local(root.tag)
    if local != "CodeBook":
        return [
            f"The file must be a REFI-QDA codebook, which starts with “CodeBook”, not “{local}”"
        ]
    if namespace != QDC_NAMESPACE:
        return [f"The CodeBook element must be in the namespace “{QDC_NAMESPACE}”"]
    found = root.findall(_q("Codes"))
    if not found:
        return ["The codebook must have a “Codes” element"]
    problems = []
    if len(found) > 1:
        problems.append(f"Line {lines[found[1]]}: the codebook must have only one “Codes” element")
    guids: dict[str, int] = {}

    def check_guid(where: str, label: str, element: ET.Element) -> None:
        guid = element.get("guid")
        if guid is None or not guid.strip():
            problems.append(f"{where}: {label} must have a guid")
        elif not _GUID.match(guid.strip()):
            problems.append(
                f"{where}: {label} has a guid, “{guid}”, that is not in the form "
                "8-4-4-4-12, such as “9DC441F8-8AFC-4D68-A092-A545EFD250C8”"
            )
        elif _guid_key(guid) in guids:
            problems.append(
                f"{where}: {label} has the same guid as the one on line {guids[_guid_key(guid)]}"
            )
        else:
            guids[_guid_key(guid)] = lines[element]

    codes = found[0]
    if not list(codes.iter(_q("Code"))):
        problems.append(f"Line {lines[codes]}: “Codes” must have at least one “Code”")
    for child in codes:
        if child.tag != _q("Code"):
            problems.append(f"Line {lines[child]}: “Codes” can only contain “Code” elements")
    code_guids = set()
    for code in codes.iter(_q("Code")):
        where = f"Line {lines[code]}"
        name = (code.get("name") or "").strip()
        label = f"code “{name}”" if name else "the code"
        if not name:
            problems.append(f"{where}: a code must have a name")
        check_guid(where, label, code)
        code_guids.add(_guid_key(code.get("guid") or ""))
        if (code.get("isCodable") or "").strip() not in ("true", "false", "1", "0"):
            problems.append(f"{where}: {label} must have isCodable set to “true” or “false”")
        if len(code.findall(_q("Description"))) > 1:
            problems.append(f"{where}: {label} must have only one “Description”")
        for child in code:
            if child.tag not in (_q("Code"), _q("Description"), _q("NoteRef")):
                problems.append(
                    f"Line {lines[child]}: {label} contains “{_local(child.tag)[1]}”, which a "
                    "code cannot contain"
                )
    for sets in root.findall(_q("Sets")):
        if not list(sets):
            problems.append(f"Line {lines[sets]}: “Sets” must have at least one “Set”")
        for group in sets:
            where = f"Line {lines[group]}"
            if group.tag != _q("Set"):
                problems.append(f"{where}: “Sets” can only contain “Set” elements")
                continue
            name = (group.get("name") or "").strip()
            label = f"set “{name}”" if name else "the set"
            if not name:
                problems.append(f"{where}: a set must have a name")
            check_guid(where, label, group)
            for member in group.findall(_q("MemberCode")):
                target = member.get("guid") or member.get("targetGUID")
                if not target:
                    problems.append(f"Line {lines[member]}: a member of {label} must have a guid")
                elif _guid_key(target) not in code_guids:
                    problems.append(
                        f"Line {lines[member]}: {label} refers to a code that is not in the "
                        f"file ({target})"
                    )
    return problems


def check_qdc(data: bytes) -> list[str]:
    """What stops `data` being a REFI-QDA codebook, by the published schema; [] if nothing.

    It checks the parts the schema requires: the CodeBook root in its namespace, a Codes
    element with at least one Code, and for every Code a name, a GUID (unique in the file)
    and isCodable; Sets and their MemberCodes, which must point at a Code. It does not
    check everything the schema does, such as the order of elements.
    """
    try:
        root, lines = _parse(data)
    except CodebookFileError as error:
        return error.problems
    return _check_tree(root, lines)


def from_qdc(data: bytes, *, name: str | None = None, version: int = 1) -> CodebookFile:
    """Read a REFI-QDA codebook (.qdc), from Heard or from another program.

    The codebook's name is `name` if given, else the CodeBook's `name` attribute where a
    program writes one, else "Imported codebook": the schema has no place for a name, so
    Heard's own files do not carry one. For a file that Heard wrote, the description's
    labelled paragraphs are read back into notes, examples, outcome area and key, so that
    `from_qdc(to_qdc(book), name=book.name, version=book.version) == book`. From any other
    program, the description is kept as it is, keys are made from names, and a Set named
    after an outcome area gives its codes that area.

    Raises:
        CodebookFileError: if the file is not a codebook, or its themes break Heard's rules
            (each problem names its line).
    """
    root, lines = _parse(data)
    count = sum(1 for _code in root.iter(_q("Code")))
    if count > MAX_THEMES:
        raise CodebookFileError([f"{TOO_MANY}; it has {count}"])
    problems = _check_tree(root, lines)
    if problems:
        raise CodebookFileError(problems)
    ours = root.get("origin") == ORIGIN
    areas: dict[str, str] = {}
    if not ours:
        known = {area.casefold(): area for area in OUTCOME_AREAS}
        for group in root.iter(_q("Set")):
            area = known.get(same_name(group.get("name") or ""))
            if area is None:
                continue
            for member in group.findall(_q("MemberCode")):
                target = member.get("guid") or member.get("targetGUID") or ""
                areas.setdefault(_guid_key(target), area)  # the first area wins
    codes = root.find(_q("Codes"))
    assert codes is not None  # _check_tree made sure
    entries: list[_Entry] = []
    stack: list[tuple[ET.Element, int | None]] = [(c, None) for c in reversed(codes)]
    while stack:
        code, parent = stack.pop()
        description = code.find(_q("Description"))
        text = clean(description.text if description is not None else "")
        entry = _Entry(kind="Line", number=lines[code], name=one_line(code.get("name")))
        entry.parent_index = parent
        if ours:
            fields = _read_description(text)
            entry.description = fields.get("description", "")
            entry.inclusion = fields.get("inclusion", "")
            entry.exclusion = fields.get("exclusion", "")
            entry.examples = fields.get("examples", ())
            entry.outcome_area = fields.get("outcome_area", "")
            entry.key = fields.get("key", "").lower()
        else:
            entry.description = text
            entry.outcome_area = areas.get(_guid_key(code.get("guid") or ""), "")
        index = len(entries)
        entries.append(entry)
        stack.extend((child, index) for child in reversed(code.findall(_q("Code"))))
    book_name = name or one_line(root.get("name"))[:MAX_NAME] or IMPORTED_NAME
    return _codebook(entries, name=book_name, version=version)


# Words to avoid

_IDENTITY_FIRST = "Use identity-first language, for example “autistic {noun}”."
_AVOID: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\bservice[\s-]+users?\b", re.IGNORECASE),
        "Use people’s own terms, for example “children and young people” or “parents and carers”.",
    ),
    (
        re.compile(r"\bhard[\s-]+to[\s-]+reach\b", re.IGNORECASE),
        "Say “under-represented”, or name the group you mean.",
    ),
    (
        re.compile(
            r"\b(young\s+people|young\s+persons?|children|child|people|persons?|adults?|"
            r"pupils?|students?|learners?|boys?|girls?)\s+with\s+(?:autism|asd)\b",
            re.IGNORECASE,
        ),
        _IDENTITY_FIRST,
    ),
    (
        re.compile(r"\b(?:suffers|suffering|suffered|suffer)\s+from\b", re.IGNORECASE),
        "Say what the person has or is, for example “has epilepsy” or “is autistic”, not "
        "what they suffer from.",
    ),
    (
        re.compile(r"\bwheelchair[\s-]+bound\b|\bconfined\s+to\s+a\s+wheelchair\b", re.IGNORECASE),
        "Say “wheelchair user” or “uses a wheelchair”.",
    ),
)


def words_to_avoid(text: str) -> list[tuple[str, str]]:
    """Phrases the Lived Experience Framework asks us not to use, each with what to say.

    Returns (phrase as written, suggestion) pairs in the order they appear. Matching ignores
    case and takes whole words only ("reachable" is not "reach"). The suggestion is a whole
    sentence, so that a message reads: f"Theme name uses “{phrase}”. {suggestion}"

    Examples:
        >>> words_to_avoid("Hard-to-reach families and a child with autism")
        [('Hard-to-reach', 'Say “under-represented”, or name the group you mean.'), \
('child with autism', 'Use identity-first language, for example “autistic child”.')]
        >>> words_to_avoid("Services that are reachable by bus")
        []
    """
    found = []
    for pattern, suggestion in _AVOID:
        for match in pattern.finditer(text):
            said = suggestion
            if suggestion is _IDENTITY_FIRST:
                said = suggestion.format(noun=" ".join(match.group(1).lower().split()))
            found.append((match.start(), " ".join(match.group(0).split()), said))
    return [(phrase, said) for _start, phrase, said in sorted(found)]
