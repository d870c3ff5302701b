"""Dates as improvement plans write them: "31/01/2023", "Feb-24", "TBC", "March 2023 Pilot".

A plan cell is kept as written and read as well as it can be. What could not be read, or
was read with a guess, comes back as a note for the officer to check.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from unicodedata import lookup

# Cyrillic letters that look like Latin ones, by their Unicode names. Plans pasted from
# other documents carry them: "\u0442\u0432\u0441" is TBC typed on a Cyrillic keyboard.
_CAPITALS = {
    "A": "A", "VE": "B", "ES": "C", "IE": "E", "EN": "H", "BYELORUSSIAN-UKRAINIAN I": "I",
    "KA": "K", "EM": "M", "O": "O", "ER": "P", "TE": "T", "HA": "X",
}  # fmt: skip
_SMALL = {
    "A": "a", "VE": "b", "ES": "c", "IE": "e", "EN": "h", "BYELORUSSIAN-UKRAINIAN I": "i",
    "KA": "k", "EM": "m", "O": "o", "ER": "p", "TE": "t", "U": "y", "HA": "x",
}  # fmt: skip
LOOKALIKES = str.maketrans(
    {lookup(f"CYRILLIC CAPITAL LETTER {name}"): latin for name, latin in _CAPITALS.items()}
    | {lookup(f"CYRILLIC SMALL LETTER {name}"): latin for name, latin in _SMALL.items()}
)
#: Words that mean "no date yet", as plans write them, keyed by how Heard shows them.
NO_DATE = {
    "tbc": "TBC",
    "tba": "TBC",
    "to be confirmed": "TBC",
    "ongoing": "Ongoing",
    "on going": "Ongoing",
    "on-going": "Ongoing",
    "n/a": "Not applicable",
    "na": "Not applicable",
    "not applicable": "Not applicable",
}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PATTERNS = [
    ("day", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    ("day", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"), "dmy"),
    (
        "day",
        re.compile(rf"\b(\d{{1,2}})\s?(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I),
        "d-month-y",
    ),
    ("month", re.compile(rf"\b({_MONTH})\.?[\s-]+(\d{{4}}|\d{{2}})\b", re.I), "month-y"),
]


def fold_lookalikes(text: str) -> str:
    """`text` with Cyrillic look-alike letters replaced by the Latin letters they look like.

    Examples:
        >>> fold_lookalikes("\u0442\u0432\u0441")
        'tbc'
    """
    return text.translate(LOOKALIKES)


@dataclass(frozen=True)
class PlanDate:
    """A date as written in the plan, and what Heard read it as."""

    raw: str
    value: date | None = None
    precision: str = ""  # "day", "month", or "" when there is no date
    note: str = ""  # "TBC", "Ongoing", or words written after the date ("Pilot")

    @property
    def ends_on(self) -> date | None:
        """The last day the written date covers: the month's end for "March 2023"."""
        if self.value is None or self.precision != "month":
            return self.value
        last = calendar.monthrange(self.value.year, self.value.month)[1]
        return self.value.replace(day=last)

    @property
    def shown(self) -> str:
        """How Heard shows it: the date read, or the words, or the text as written."""
        if self.value is None:
            return self.note or self.raw
        text = (
            self.value.strftime("%B %Y")
            if self.precision == "month"
            else f"{self.value.day} {self.value:%B %Y}"
        )
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class ReadDate:
    """The first date in a cell, any further date found there, and notes on how it was read."""

    date: PlanDate
    further: PlanDate | None
    notes: tuple[str, ...]


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _build(kind: str, groups: tuple[str, ...]) -> date:
    if kind == "ymd":
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "dmy":
        return date(_year(groups[2]), int(groups[1]), int(groups[0]))
    if kind == "d-month-y":
        return date(_year(groups[2]), _MONTHS[groups[1].lower()], int(groups[0]))
    return date(_year(groups[1]), _MONTHS[groups[0].lower()], 1)


def _matches(text: str) -> list[tuple[int, int, str, date]]:
    """Every date in `text` as (start, end, precision, value), leftmost first, no overlaps."""
    found: list[tuple[int, int, str, date]] = []
    for precision, pattern, kind in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _, _ in found):
                continue
            try:
                found.append((match.start(), match.end(), precision, _build(kind, match.groups())))
            except ValueError:
                continue  # 31/02/2023 is not a date; it is reported as unread below
    return sorted(found)


def read_date(cell: Any) -> ReadDate:
    """Read a plan's date cell, which may be text, a spreadsheet date, or empty.

    Args:
        cell: the cell's value as pandas gives it.

    Returns:
        The date (value None when the cell says TBC, is empty or cannot be read), a second
        date when the cell holds two, and plain-English notes on anything guessed.

    Examples:
        >>> read_date("March 2023 Pilot").date.note
        'Pilot'
        >>> read_date("\u0442\u0432\u0441").date.note
        'TBC'
    """
    if isinstance(cell, datetime):
        return ReadDate(PlanDate(cell.date().isoformat(), cell.date(), "day"), None, ())
    if isinstance(cell, date):
        return ReadDate(PlanDate(cell.isoformat(), cell, "day"), None, ())
    raw = "" if cell is None or cell != cell else str(cell).strip()  # NaN is not equal to itself
    notes: list[str] = []
    text = fold_lookalikes(raw)
    if text != raw:
        notes.append(f"“{raw}” has Cyrillic letters that look like Latin ones; read as “{text}”")
    if not text:
        return ReadDate(PlanDate(raw), None, tuple(notes))
    word = NO_DATE.get(text.lower().strip(" ."))
    if word is not None:
        return ReadDate(PlanDate(raw, note=word), None, tuple(notes))
    found = _matches(text)
    if not found:
        notes.append(f"could not read “{raw}” as a date; it is kept as written")
        return ReadDate(PlanDate(raw), None, tuple(notes))
    start, end, precision, value = found[0]
    rest = (text[:start] + " " + text[end:]) if len(found) == 1 else ""
    note = " ".join(rest.split()).strip(" -\u2013,;()")
    if note:
        notes.append(f"read “{raw}” as {value:%B %Y}, with the note “{note}”")
    further = None
    if len(found) > 1:
        _, _, second_precision, second = found[1]
        further = PlanDate(raw, second, second_precision)
        notes.append(f"“{raw}” holds two dates")
    return ReadDate(PlanDate(raw, value, precision, note), further, tuple(notes))
