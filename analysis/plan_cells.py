"""Reading one cell of a plan: what its heading means, and its text, code, area, tags or status.

Each reader copes with how people type into spreadsheets: codes with spaces and Cyrillic
look-alike letters, areas named "Area 1" or "Priority 1", tags run together or mistyped,
and statuses cut short.
"""

import re
from typing import Any

import pandas as pd

from analysis.plan_dates import fold_lookalikes

#: What each column means, found by how its heading starts (lower case, words only).
HEADINGS: dict[str, tuple[str, ...]] = {
    "area_name": ("area name", "priority name"),
    "area": ("area", "aow", "priority", "strategic priority"),
    "sub_theme": ("sub theme", "subtheme", "objective", "what do we want to achieve"),
    "code": ("code", "action code", "ref", "reference"),
    "lead": ("lead", "owner", "strategic lead", "action owner", "responsible"),
    "impact_measures": ("impact measure", "impact measures", "measures of impact", "measures"),
    "intended_outcomes": ("intended outcome", "intended outcomes", "outcomes"),
    "action": ("action", "description", "what is needed"),
    "start": ("start", "start date"),
    "due": ("due", "due date", "end date", "app end date", "deadline"),
    "revised": ("revised", "revised date"),
    "tags": ("tags", "sef", "source"),
    "status": ("status",),
}
REQUIRED = ("area", "action")
#: The longest code, tag and area key Heard keeps; longer ones are cut, with a warning.
MAX_CODE = 40
MAX_TAG = 200
MAX_AREA = 30  # so that a numbered code, "{area}.{n}", still fits MAX_CODE
MAX_LEAD = 300
MAX_DATE_TEXT = 100
KENT_CODE = re.compile(r"^(\d+)([A-Z])(\d+)$")
_TAG_SPLIT = re.compile(r"\s*[/,;&+]\s*")
_CODE_LIKE = re.compile(r"^[A-Za-z]{2,4}\d{0,2}$")


def _heading_key(heading: str) -> str | None:
    words = " ".join(re.findall(r"[a-z0-9]+", str(heading).lower()))
    for key, starts in HEADINGS.items():
        if any(words == s or words.startswith(s + " ") for s in starts):
            return key
    return None


def columns(frame: pd.DataFrame) -> dict[str, str]:
    """Map each meaning to the file's own heading, first heading wins.

    Args:
        frame: the sheet, with its headings as column names.

    Returns:
        The file's heading for each meaning in `HEADINGS` that one of them has.

    Examples:
        >>> columns(pd.DataFrame(columns=["AoW", "Action", "APP End Date"]))
        {'area': 'AoW', 'action': 'Action', 'due': 'APP End Date'}
    """
    found: dict[str, str] = {}
    for heading in frame.columns:
        key = _heading_key(heading)
        if key and key not in found:
            found[key] = heading
    return found


def cell_text(value: Any) -> str:
    """A cell's text on one line, with an empty cell as "".

    Args:
        value: the cell as pandas read it, which may be NaN or None.

    Returns:
        The text, with runs of spaces and line breaks made one space.

    Examples:
        >>> cell_text("  Survey\\n parents "), cell_text(float("nan"))
        ('Survey parents', '')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def normalise_code(raw: str) -> str:
    """A code as Heard stores it: no spaces, Latin capitals.

    Args:
        raw: the code as written in the file.

    Returns:
        The code with its spaces taken out and its letters Latin capitals.

    Examples:
        >>> normalise_code("7 a 1")
        '7A1'
        >>> normalise_code("1\u04122")  # a Cyrillic capital VE
        '1B2'
    """
    return re.sub(r"\s+", "", fold_lookalikes(raw)).upper()


def area_key(raw: str) -> str:
    """An area's key: its number ("Area 1", "Priority 1" are both 1), else its words.

    Args:
        raw: the area cell's text.

    Returns:
        The number without leading zeros, or the words joined by hyphens, at most
        `MAX_AREA` characters.

    Examples:
        >>> area_key("Priority 01"), area_key("Early help")
        ('1', 'Early-help')
    """
    number = re.search(r"\d+", raw)
    if number:
        return number.group(0).lstrip("0") or "0"
    return re.sub(r"[^A-Za-z0-9-]+", "-", fold_lookalikes(raw)).strip("-")[:MAX_AREA] or "area"


def tag_parts(raw: str) -> list[str]:
    """Tags split on / , ; and, where every word looks like a code (AFI4 AF15), on spaces.

    Args:
        raw: the tags cell's text.

    Returns:
        Each tag, codes in capitals, in the order written.

    Examples:
        >>> tag_parts("afi4 AF15 / Ofsted report")
        ['AFI4', 'AF15', 'Ofsted report']
    """
    parts = []
    for part in _TAG_SPLIT.split(fold_lookalikes(raw).strip()):
        words = part.split()
        if words and all(_CODE_LIKE.match(w) for w in words):
            parts += [w.upper() for w in words]
        elif part:
            parts.append(" ".join(words)[:MAX_TAG])
    return parts


def read_tags(raw: str, known: set[str]) -> tuple[tuple[str, ...], list[str]]:
    """A cell's tags, each once, with a one typed for an I fixed where that makes a known tag.

    Args:
        raw: the tags cell's text.
        known: the tags the plan has, in capitals.

    Returns:
        The tags, and a note for each one that was changed.

    Examples:
        >>> read_tags("AF15, AFI5", {"AFI5"})
        (('AFI5',), ['tag “AF15” read as AFI5'])
    """
    tags, notes = [], []
    for part in tag_parts(raw):
        # "AF15" is AFI5 with the I typed as a one: fix it when AFI5 is a tag this plan has.
        guess = re.sub(r"(?<=[A-Z])1", "I", part, count=1)
        if guess != part and guess in known:
            notes.append(f"tag “{part}” read as {guess}")
            part = guess
        if part not in tags:
            tags.append(part)
    return tuple(tags), notes


def read_status(raw: str, statuses: dict[str, str]) -> tuple[str | None, str | None]:
    """The status value whose label `raw` is, or starts, and a note if it was only a start.

    Args:
        raw: the status cell's text.
        statuses: the status scheme's values as {key: label}.

    Returns:
        The key matched (None if none was), and a note when it was a guess or no match.

    Examples:
        >>> read_status("in prog", {"in-progress": "In progress", "behind": "Behind"})
        ('in-progress', 'status “in prog” read as “In progress”')
    """
    if not raw:
        return None, None
    words = " ".join(raw.lower().split())
    for key, label in statuses.items():
        if words in (label.lower(), key.lower()):
            return key, None
    starts = [k for k, label in statuses.items() if label.lower().startswith(words)]
    if len(starts) == 1 and len(words) >= 4:
        return starts[0], f"status “{raw}” read as “{statuses[starts[0]]}”"
    return None, f"status “{raw}” is not one of {', '.join(statuses.values())}; left blank"
