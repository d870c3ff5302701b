"""Helpers for the fuzz tests: hostile input, the forms a page offers, and what a request left.

The property every form and import endpoint must keep, whatever arrives:
- nothing answers 500;
- a refusal (a 4xx, or the page again with its error summary) is a page in Heard's own
  design and writes no row;
- an accepted request stores the words as they were sent. The only changes allowed are
  the ones documented in `normalised`: control characters dropped, runs of spaces and line
  breaks made one space, spaces trimmed. Nothing is silently cut short.
"""

import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from hypothesis import strategies as st
from sqlalchemy import JSON, Enum, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from werkzeug.datastructures import MultiDict

import models  # noqa: F401  (every table is registered, so every length is known)

#: Tables a refusal may still write to: the audit log records refused sign-ins on purpose.
UNCOUNTED = {"audit_event", "alembic_version"}

# ---------------------------------------------------------------------------
# Hostile text

#: What Heard may drop from text it stores: the C0 controls but tab and line breaks, DEL,
#: the C1 controls and Unicode's noncharacters. They carry no words, PostgreSQL cannot
#: store NUL, and a page that shows them again is not valid HTML.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | end) for plane in range(17) for end in (0xFFFE, 0xFFFF))
    + "]"
)

SNIPPETS = [
    "\x00",
    "a\x00b",
    "\x07\x08\x1b[31m",
    "\x7f",
    "\x85\x9f",  # C1 controls
    "\r\n",
    "\t",
    "\u202e",  # right-to-left override
    "\u200b\u200c\u200d",  # zero-width space, non-joiner, joiner
    "\ufeff",  # byte order mark
    "\u00a0",
    "e\u0301\u0302\u0303",  # combining marks
    "\U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: emoji joined by ZWJs
    "\U00010348",  # Gothic letter hwair, outside the basic plane
    "\U0002a6d6",
    "\ufffd",
    "\uffff",
    "مرحبا",
    "Привет",
    "\uff21\uff22\uff23",  # fullwidth letters
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "'; DROP TABLE response; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(5)",
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "{{ 7*7 }}",
    "{% raw %}",
    "%(name)s %s {0}",
    "../../../etc/passwd",
    "\\\\server\\share",
    "null",
    "None",
    "[]",
    "{}",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    " ",
    "",
]

PRINTABLE = st.characters(blacklist_categories=("Cs",))


def oversized_lengths() -> list[int]:
    """One past every length limit the tables declare, and some far beyond."""
    limits = {
        getattr(_text_type(column.type), "length", None)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
    }
    return sorted({limit + 1 for limit in limits if limit} | {3001, 5001, 20_001})


@st.composite
def oversized(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from(oversized_lengths()))
    unit = draw(st.sampled_from(["x", "é", "\U0001f600", "<b>", "a\x00", "word "]))
    return (unit * (length // len(unit) + 1))[:length]


def hostile_text() -> st.SearchStrategy[str]:
    """Text nobody should have to handle, and everyone does."""
    snippet = st.sampled_from(SNIPPETS)
    mixed = st.lists(st.one_of(snippet, st.text(PRINTABLE, max_size=12)), min_size=1, max_size=6)
    words = mixed.map(lambda parts: "Sensible words " + "".join(parts))
    # Words with something hostile in them most often: they pass "enter a value", so they
    # are the ones that reach the database.
    return st.one_of(
        snippet,
        st.text(PRINTABLE, min_size=1, max_size=40),
        mixed.map("".join),
        words,
        words,
        words,
        oversized(),
    )


def normalised(text: str) -> str:
    """The forms Heard may store a value in: control characters dropped, spaces tidied."""
    text = CONTROL.sub("", text.replace("\r\n", "\n"))
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---------------------------------------------------------------------------
# Hostile files

CSV_HEADING = "name,comment\n"


@functools.cache
def zip_bomb_xlsx() -> bytes:
    """A small file named .xlsx whose one sheet unpacks to about 60 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 60_000_000 + b">")
    return out.getvalue()


def hostile_files(*limits: int) -> st.SearchStrategy[tuple[bytes, str, str]]:
    """(content, filename, content type) for an upload refused by name, size or content.

    `limits` are the sizes that matter (the endpoint's own, the whole request's): some files
    are one byte over each.
    """
    limit = min(limits)
    names = st.sampled_from(
        ["data.csv", "data.xlsx", "codebook.qdc", "form.yaml", "plan.csv", "x", "../../x.csv"]
    )
    types = st.sampled_from(
        ["text/csv", "application/octet-stream", "text/html", "image/png", "application/zip", ""]
    )
    contents = st.one_of(
        st.just(b""),
        st.binary(min_size=1, max_size=300),
        st.just(b"\x00" * 50),
        st.just(CSV_HEADING.encode() + b"\x00\x00,\x00\n"),
        st.just(CSV_HEADING.encode() + b"\xff\xfe\xc3\x28,bad\n"),
        st.just(b"name,comment\n=cmd|' /C calc'!A0,+1\n@SUM(1),-2\n"),
        st.just("\ufeffname,comment\n\u202eevil,<script>alert(1)</script>\n".encode()),
        st.just(b"PK\x03\x04 not really a zip"),
        st.sampled_from(limits).map(lambda most: b"x" * (most + 1)),
        st.just(b"a,b\n" * (limit // 4 + 1)),
        st.builds(zip_bomb_xlsx),
        hostile_text().map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
    return st.tuples(contents, names, types)


# ---------------------------------------------------------------------------
# The forms a page offers


@dataclass
class Field:
    """One named control in an HTML form."""

    name: str
    kind: str  # text, textarea, choice, multi, file, hidden, submit
    values: list[str] = field(default_factory=list)  # what it would send untouched
    options: list[str] = field(default_factory=list)  # for choices


@dataclass
class HtmlForm:
    """A POST form found on a page: where it goes and what it holds."""

    action: str
    fields: list[Field]


def _control(tag: Any) -> tuple[str, str, str | None]:
    name = tag.get("name")
    if tag.name == "textarea":
        return name, "textarea", tag.get_text()
    if tag.name == "select":
        return name, "multi" if tag.has_attr("multiple") else "choice", None
    kind = (tag.get("type") or "text").lower()
    return name, kind, tag.get("value")


def forms_on(html: str, page_url: str) -> list[HtmlForm]:
    """Every POST form on a page, with the fields it would send."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = urljoin(page_url, form.get("action") or page_url)
        parts = urlsplit(action)
        fields: dict[str, Field] = {}
        for tag in form.find_all(["input", "textarea", "select", "button"]):
            if not tag.get("name"):
                continue
            name, kind, value = _control(tag)
            if tag.name == "button":
                kind = "submit"
            known = fields.get(name)
            if kind in {"radio", "checkbox"}:
                known = known or fields.setdefault(
                    name, Field(name, "choice" if kind == "radio" else "multi")
                )
                known.options.append(value or "on")
                if tag.has_attr("checked"):
                    known.values.append(value or "on")
            elif kind in {"choice", "multi"}:
                options = [o.get("value", o.get_text()) for o in tag.find_all("option")]
                chosen = [
                    o.get("value", o.get_text()) for o in tag.find_all("option", selected=True)
                ]
                fields[name] = Field(name, kind, chosen or options[:1], options)
            elif kind == "submit":
                fields.setdefault(name, Field(name, "submit", [value or ""]))
            elif kind == "file":
                fields[name] = Field(name, "file")
            else:
                plain = (
                    "hidden" if kind == "hidden" else "textarea" if kind == "textarea" else "text"
                )
                if known is not None:
                    known.values.append(value or "")
                else:
                    fields[name] = Field(name, plain, [value or ""])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        found.append(HtmlForm(path, list(fields.values())))
        # A button with its own formaction sends the same fields somewhere else.
        for button in form.find_all("button", formaction=True):
            other = urlsplit(urljoin(page_url, button["formaction"]))
            target = other.path + (f"?{other.query}" if other.query else "")
            found.append(HtmlForm(target, list(fields.values())))
    return found


def form_posting_to(html: str, page_url: str, action: str) -> HtmlForm:
    """The form on a page that posts to `action` (a path, query ignored)."""
    for form in forms_on(html, page_url):
        if urlsplit(form.action).path == urlsplit(action).path:
            return form
    raise AssertionError(f"no form on {page_url} posts to {action}")


# ---------------------------------------------------------------------------
# Submissions built from a form


@dataclass
class Submission:
    """What one fuzzed request sends, and which text went into which field."""

    data: MultiDict
    texts: dict[str, str]  # field name -> the hostile text it carried


@st.composite
def submissions(draw: st.DrawFn, form: HtmlForm) -> Submission:
    """A form's fields, most of them hostile; choices usually valid, so the data is stored.

    Files are left to the caller (see `hostile_files`), and the CSRF token is sent as it is.
    """
    # Hypothesis starts from the smallest choices, so 0 is the usual case: a chaotic
    # request (fields missing, doubled or out of place) is one in four.
    chaos = draw(st.integers(0, 3)) == 3
    data: MultiDict = MultiDict()
    sent: dict[str, str] = {}
    for control in form.fields:
        if control.kind == "file":
            continue
        if control.name == "csrf_token":
            for value in control.values:
                data.add(control.name, value)
            continue
        if control.kind == "submit":
            if control.values:
                data.add(control.name, control.values[0])
            continue
        if control.kind in {"text", "textarea"}:
            choice = draw(st.integers(0, 9))
            if choice == 9 and chaos:
                continue  # missing
            if choice == 8 and chaos:
                data.setlist(control.name, draw(st.lists(hostile_text(), min_size=2, max_size=3)))
                continue  # duplicated
            baseline = (control.values or [""])[0]
            text = draw(hostile_text()) if choice < 7 or not baseline else baseline
            data.add(control.name, text)
            sent[control.name] = text
            continue
        if control.kind == "hidden":
            if chaos and draw(st.booleans()):
                data.add(control.name, draw(hostile_text()))
            else:
                for value in control.values:
                    data.add(control.name, value)
            continue
        # Choices: a valid option most of the time, so the hostile text reaches the database.
        if chaos and draw(st.booleans()):
            how = draw(st.sampled_from(["missing", "hostile", "many"]))
            if how == "hostile":
                data.add(control.name, draw(hostile_text()))
            elif how == "many":
                data.setlist(control.name, draw(st.lists(hostile_text(), min_size=2, max_size=3)))
            continue
        options = [o for o in control.options if o != ""] or control.options
        if not options:
            continue
        if control.kind == "multi":
            least = 0 if draw(st.integers(0, 4)) == 4 else 1
            picked = draw(
                st.lists(st.sampled_from(options), min_size=least, max_size=3, unique=True)
            )
            data.setlist(control.name, picked)
        else:
            data.add(control.name, draw(st.sampled_from(options)))
    if chaos and draw(st.booleans()):
        data.add(draw(hostile_text().filter(bool)), draw(hostile_text()))
    return Submission(data, sent)


# ---------------------------------------------------------------------------
# What a request left behind


def multipart(data: Any, files: dict[str, tuple[bytes, str, str]]) -> dict[str, Any]:
    """A multipart body built in memory, as a browser sends a form with files.

    The test client would spool a large file to a temporary file it never closes, which
    the test run reports as a leak; building the body here avoids that.
    """
    boundary = "heard-fuzz-boundary-7d1f"
    items = data.items(multi=True) if isinstance(data, MultiDict) else data.items()
    body = io.BytesIO()
    for name, value in items:
        body.write(f"--{boundary}\r\n".encode())
        body.write(f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode())
        body.write(str(value).encode("utf-8", "surrogatepass") + b"\r\n")
    for name, (content, filename, mimetype) in files.items():
        body.write(f"--{boundary}\r\n".encode())
        body.write(
            f'Content-Disposition: form-data; name="{_quoted(name)}"; '
            f'filename="{_quoted(filename)}"\r\n'.encode("utf-8", "surrogatepass")
        )
        if mimetype:
            body.write(f"Content-Type: {_quoted(mimetype)}\r\n".encode())
        body.write(b"\r\n" + content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return {"data": body.getvalue(), "content_type": f"multipart/form-data; boundary={boundary}"}


def _quoted(text: str) -> str:
    """A name as a browser puts it in a part's header: quotes and line breaks escaped."""
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _text_type(column_type: Any) -> Any:
    """The column's string type, looking through SQLModel's TypeDecorator; else None."""
    found = getattr(column_type, "impl", column_type)
    return (
        found if isinstance(found, String | Text | JSON) and not isinstance(found, Enum) else None
    )


def _holds_text(column_type: Any) -> bool:
    return _text_type(column_type) is not None


@dataclass(frozen=True)
class State:
    """What the database holds: rows in each counted table, and all their text."""

    counts: dict[str, int]
    text: list[str]  # sorted: PostgreSQL returns rows in no fixed order


def state(engine: Engine) -> State:
    """Read every counted table once: how many rows, and every text and JSON value."""
    counts: dict[str, int] = {}
    text: list[str] = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in UNCOUNTED:
                continue
            columns = [c for c in table.columns if _holds_text(c.type)]
            if not columns:
                counts[table.name] = connection.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
                continue
            rows = connection.execute(select(*columns)).all()
            counts[table.name] = len(rows)
            text.extend(found for row in rows for value in row for found in _strings(value))
    return State(counts, sorted(text))


def is_heard_page(html: str) -> bool:
    """The page is built from Heard's own templates, not a bare framework page."""
    return "govuk-template" in html and "heard-header" in html


def has_error_summary(html: str) -> bool:
    return "govuk-error-summary" in html


@dataclass
class Outcome:
    """How one fuzzed request was answered."""

    status: int
    refused: bool
    stored: bool  # it changed what the database holds


def check(
    response: Any,
    engine: Engine,
    before: State,
    *,
    stored: dict[str, str] | None = None,
    may_change: bool = False,
    context: Any = None,
) -> Outcome:
    """Assert the fuzzing property for one response.

    `stored` is text that must be in the database, as sent, if the request changed it.
    `may_change` lets a refusal update a row it already had (never add one).
    """
    status = response.status_code
    body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    assert status < 500, (status, context)
    refused = 400 <= status < 500 or (status == 200 and has_error_summary(body))
    if 400 <= status < 500:
        assert response.mimetype == "text/html", (status, response.mimetype, context)
        assert is_heard_page(body), (status, body[:300], context)
    after = state(engine)
    added = {t: (before.counts[t], n) for t, n in after.counts.items() if before.counts[t] != n}
    changed = bool(added) or after.text != before.text
    if refused:
        assert not added, ("a refused request wrote rows", status, added, context)
        assert may_change or not changed, ("a refused request changed stored text", context)
    elif changed and stored:
        new = [normalised(t) for t in (Counter(after.text) - Counter(before.text)).elements()]
        everything: list[str] | None = None
        for name, sent in stored.items():
            wanted = normalised(sent)
            if not wanted or any(wanted in value for value in new):
                continue
            everything = everything or [normalised(t) for t in after.text]
            assert any(wanted in value for value in everything), (
                "an accepted value was not stored as sent",
                name,
                sent[:200],
                context,
                ("newly stored", [value[:200] for value in new[:10]]),
            )
    return Outcome(status, refused, changed)


# ---------------------------------------------------------------------------
# What a download holds

#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?%?$")


def cells(data: bytes, filename: str) -> Iterable[str]:
    """Every text cell of a CSV or XLSX file, or of each CSV in a ZIP."""
    name = filename.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for inner in archive.namelist():
                if inner.lower().endswith((".csv", ".xlsx")):
                    yield from cells(archive.read(inner), inner)
    elif name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield from (value for value in row if isinstance(value, str))
        book.close()
    elif name.endswith(".csv"):
        text = data.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            yield from row


def formulas(data: bytes, filename: str) -> list[str]:
    """The cells a spreadsheet program would run as formulas (numbers are not formulas)."""
    return [
        cell
        for cell in cells(data, filename)
        if cell.startswith(FORMULA_STARTS) and not NUMBER.match(cell)
    ]
