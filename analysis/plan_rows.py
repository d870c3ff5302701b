"""An improvement plan's table, read into areas and actions, with a list of what to check.

Plans arrive as spreadsheets that people have edited for years. The reader copes with what
the seed plans hold: codes typed with spaces ("7 A 1"), Cyrillic look-alike letters, merged
cells left blank, an action listed twice with two dates, and tags mistyped as "AF15".
Everything it changed or guessed is a `Warning`, so that an officer can confirm it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from analysis.plan_dates import PlanDate, fold_lookalikes, read_date

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


class PlanFileError(ValueError):
    """The file cannot be read as a plan at all; the message says what to fix."""


@dataclass(frozen=True)
class Warning:
    """Something the reader changed or guessed, for the officer to confirm."""

    row: int | None  # the spreadsheet row (the heading is row 1), or None for the whole file
    message: str


@dataclass(frozen=True)
class AreaRow:
    key: str  # "1", or "1.E" for a sub-theme
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class ActionRow:
    code: str
    area: str
    sub_theme: str | None
    description: str
    intended_outcomes: str = ""
    impact_measures: str = ""
    lead: str = ""
    start: PlanDate = field(default_factory=lambda: PlanDate(""))
    due: PlanDate = field(default_factory=lambda: PlanDate(""))
    revised: PlanDate = field(default_factory=lambda: PlanDate(""))
    tags: tuple[str, ...] = ()
    status: str | None = None
    rows: tuple[int, ...] = ()


@dataclass
class PlanRows:
    areas: list[AreaRow]
    actions: list[ActionRow]
    warnings: list[Warning]


def _heading_key(heading: str) -> str | None:
    words = " ".join(re.findall(r"[a-z0-9]+", str(heading).lower()))
    for key, starts in HEADINGS.items():
        if any(words == s or words.startswith(s + " ") for s in starts):
            return key
    return None


def columns(frame: pd.DataFrame) -> dict[str, str]:
    """Map each meaning to the file's own heading, first heading wins.

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


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def normalise_code(raw: str) -> str:
    """A code as Heard stores it: no spaces, Latin capitals.

    Examples:
        >>> normalise_code("7 a 1")
        '7A1'
        >>> normalise_code("1\u04122")  # a Cyrillic capital VE
        '1B2'
    """
    return re.sub(r"\s+", "", fold_lookalikes(raw)).upper()


def _area_key(raw: str) -> str:
    """An area's key: its number ("Area 1", "Priority 1" are both 1), else its words."""
    number = re.search(r"\d+", raw)
    if number:
        return number.group(0).lstrip("0") or "0"
    return re.sub(r"[^A-Za-z0-9-]+", "-", fold_lookalikes(raw)).strip("-")[:MAX_AREA] or "area"


def _tag_parts(raw: str) -> list[str]:
    """Tags split on / , ; and, where every word looks like a code (AFI4 AF15), on spaces."""
    parts = []
    for part in _TAG_SPLIT.split(fold_lookalikes(raw).strip()):
        words = part.split()
        if words and all(_CODE_LIKE.match(w) for w in words):
            parts += [w.upper() for w in words]
        elif part:
            parts.append(" ".join(words)[:MAX_TAG])
    return parts


def _tags(raw: str, known: set[str]) -> tuple[tuple[str, ...], list[str]]:
    tags, notes = [], []
    for part in _tag_parts(raw):
        # "AF15" is AFI5 with the I typed as a one: fix it when AFI5 is a tag this plan has.
        guess = re.sub(r"(?<=[A-Z])1", "I", part, count=1)
        if guess != part and guess in known:
            notes.append(f"tag “{part}” read as {guess}")
            part = guess
        if part not in tags:
            tags.append(part)
    return tuple(tags), notes


def _status(raw: str, statuses: dict[str, str]) -> tuple[str | None, str | None]:
    """The status value whose label `raw` is, or starts, and a note if it was only a start."""
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


@dataclass
class _Reader:
    heading: dict[str, str]
    statuses: dict[str, str]
    known_tags: set[str]
    warnings: list[Warning] = field(default_factory=list)
    areas: dict[str, AreaRow] = field(default_factory=dict)
    last_objective: dict[str, str] = field(default_factory=dict)
    numbered: dict[str, int] = field(default_factory=dict)
    carried: list[int] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    unmeasured: set[str] = field(default_factory=set)

    def warn(self, row: int | None, message: str) -> None:
        self.warnings.append(Warning(row, message[0].upper() + message[1:]))

    def cell(self, record: dict[str, Any], key: str) -> Any:
        heading = self.heading.get(key)
        return record.get(heading) if heading is not None else None

    def area(self, record: dict[str, Any], code: str, row: int) -> str | None:
        raw = _text(self.cell(record, "area"))
        kent = KENT_CODE.match(code)
        if not raw and kent:
            raw = kent.group(1)
        if not raw:
            self.warn(row, "this row has no area, so it was left out")
            return None
        key = _area_key(raw)
        name = _text(self.cell(record, "area_name")) or (raw if raw != key else "")
        known = self.areas.get(key)
        if known is None or (name and not known.name):
            self.areas[key] = AreaRow(key, name)
        elif name and name != known.name:
            self.warn(row, f"area {key} is also called “{name}”; kept “{known.name}”")
        return key

    def sub_theme(self, record: dict[str, Any], area: str, code: str, row: int) -> str | None:
        raw = _text(self.cell(record, "sub_theme"))
        kent = KENT_CODE.match(code)
        if len(raw) == 1 and raw.isalpha():
            key, name = f"{area}.{raw.upper()}", ""
        elif raw:
            self.last_objective[area] = raw
            key, name = self._objective_key(area, raw), raw
        elif kent:
            key, name = f"{area}.{kent.group(2)}", ""
        elif area in self.last_objective and "sub_theme" in self.heading:
            self.carried.append(row)
            name = self.last_objective[area]
            key = self._objective_key(area, name)
        else:
            return None
        if key not in self.areas:
            self.areas[key] = AreaRow(key, name, parent=area)
        return key

    def _objective_key(self, area: str, name: str) -> str:
        for key, found in self.areas.items():
            if found.parent == area and found.name == name:
                return key
        count = sum(1 for a in self.areas.values() if a.parent == area)
        return f"{area}.{count + 1}"

    def code(self, record: dict[str, Any], row: int) -> str:
        raw = _text(self.cell(record, "code"))
        code = normalise_code(raw)
        safe = re.sub(r"[^A-Z0-9.-]", "-", code)  # a code is part of the action's address
        if safe != code:
            self.warn(row, f"code “{raw}” read as {safe}")
            code = safe
        if len(code) > MAX_CODE:
            code = code[:MAX_CODE]
            self.warn(row, f"code “{raw}” is too long; it was cut to {code}")
        elif raw and code != raw:
            self.warn(row, f"code “{raw}” read as {code}")
        return code

    def numbered_code(self, area: str) -> str:
        self.numbered[area] = self.numbered.get(area, 0) + 1
        code = f"{area}.{self.numbered[area]}"
        self.generated.append(code)
        return code

    def date(self, record: dict[str, Any], key: str, row: int) -> tuple[PlanDate, PlanDate | None]:
        found = read_date(self.cell(record, key))
        for note in found.notes:
            self.warn(row, f"{key} date: {note}")
        if len(found.date.raw) > MAX_DATE_TEXT:
            self.warn(row, f"{key} date: only its first {MAX_DATE_TEXT} characters are kept")
            return replace(found.date, raw=found.date.raw[:MAX_DATE_TEXT]), found.further
        return found.date, found.further

    def action(self, record: dict[str, Any], row: int) -> ActionRow | None:
        description = _text(self.cell(record, "action"))
        code = self.code(record, row)
        if not description and not code:
            return None  # a blank line
        area = self.area(record, code, row)
        if area is None:
            return None
        sub_theme = self.sub_theme(record, area, code, row)
        if not code:
            code = self.numbered_code(area)
        due, further = self.date(record, "due", row)
        revised, later = self.date(record, "revised", row)
        if later is not None:
            self.warn(row, f"revised date: kept the later one, {later.shown}")
            revised = later
        if further is not None:
            if revised.value is None:
                self.warn(row, f"due date: the second date, {further.shown}, is the revised date")
                revised = further
            else:
                self.warn(row, f"due date: the second date, {further.shown}, was left out")
        tags, notes = _tags(_text(self.cell(record, "tags")), self.known_tags)
        for note in notes:
            self.warn(row, note)
        status, problem = _status(_text(self.cell(record, "status")), self.statuses)
        if problem:
            self.warn(row, problem)
        lead = _text(self.cell(record, "lead"))
        if len(lead) > MAX_LEAD:
            self.warn(row, f"the lead is longer than {MAX_LEAD} characters; the rest was cut")
        if not _text(self.cell(record, "impact_measures")) and code not in self.unmeasured:
            self.unmeasured.add(code)
            self.warn(row, f"{code} has no impact measure, so its impact cannot be evidenced")
        return ActionRow(
            code=code,
            area=area,
            sub_theme=sub_theme,
            description=description,
            intended_outcomes=_text(self.cell(record, "intended_outcomes")),
            impact_measures=_text(self.cell(record, "impact_measures")),
            lead=lead[:MAX_LEAD],
            start=self.date(record, "start", row)[0],
            due=due,
            revised=revised,
            tags=tags,
            status=status,
            rows=(row,),
        )


def _merge(first: ActionRow, second: ActionRow, warn: Any) -> ActionRow:
    """One action listed twice: the first row, its blanks and a later date from the second."""
    rows = first.rows + second.rows
    merged = replace(
        first,
        **{
            name: getattr(second, name)
            for name in ("description", "intended_outcomes", "impact_measures", "lead", "status")
            if not getattr(first, name) and getattr(second, name)
        },
        tags=first.tags + tuple(t for t in second.tags if t not in first.tags),
        rows=rows,
    )
    place = f"rows {rows[0]} and {rows[-1]}"
    if second.description and first.description and second.description != first.description:
        warn(second.rows[0], f"{first.code} is described differently on {place}; kept the first")
    if second.due.value and first.due.value and second.due.value != first.due.value:
        if not merged.revised.value:
            merged = replace(merged, revised=second.due)
        warn(
            second.rows[0],
            f"{first.code} is on {place} with different due dates ({first.due.shown} and "
            f"{second.due.shown}); kept {first.due.shown} as due and {merged.revised.shown} "
            "as revised",
        )
    else:
        warn(second.rows[0], f"{first.code} is on {place}; they were combined into one action")
    return merged


def read_plan(
    frame: pd.DataFrame,
    *,
    statuses: dict[str, str] | None = None,
    known_tags: Iterable[str] = (),
) -> PlanRows:
    """Read a plan table into areas and actions, with warnings for everything changed.

    Args:
        frame: the sheet, one row per action, headings in the first row.
        statuses: the status scheme's values as {key: label}; a status is matched to one.
        known_tags: tags the plan already defines, such as AFI1 to AFI5.

    Returns:
        The areas (with sub-themes under them), the actions in file order, and warnings.

    Raises:
        PlanFileError: if the columns Heard needs are not there, or there are no actions.

    Examples:
        >>> rows = read_plan(pd.DataFrame({"Area": ["1"], "Code": ["1 e 1"], "Action": ["Survey"]}))
        >>> rows.actions[0].code, rows.warnings[0].message
        ('1E1', 'Code “1 e 1” read as 1E1')
    """
    heading = columns(frame)
    missing = [
        key for key in REQUIRED if key not in heading and not (key == "area" and "code" in heading)
    ]
    if missing:
        names = " and ".join(f"“{m.replace('_', ' ')}”" for m in missing)
        raise PlanFileError(f"The file must have a column headed {names}")
    known = {fold_lookalikes(t).upper() for t in known_tags}
    if "tags" in heading:  # a tag written right elsewhere in the file tells a typo from a new tag
        known |= {t for cell in frame[heading["tags"]] for t in _tag_parts(_text(cell))}
    reader = _Reader(heading, statuses or {}, known)
    actions: dict[str, ActionRow] = {}
    for index, record in enumerate(frame.to_dict("records")):
        found = reader.action({str(k): v for k, v in record.items()}, index + 2)
        if found is None:
            continue
        if found.code in actions:
            actions[found.code] = _merge(actions[found.code], found, reader.warn)
        else:
            actions[found.code] = found
    if not actions:
        raise PlanFileError("The file has no actions in it")
    if reader.carried:
        reader.warn(
            None,
            f"{len(reader.carried)} rows had no objective, as merged cells do; each took the "
            "objective above it",
        )
    if reader.generated:
        reader.warn(
            None,
            f"{len(reader.generated)} actions had no code; Heard numbered them by area "
            f"({', '.join(reader.generated[:3])}…)",
        )
    return PlanRows(list(reader.areas.values()), list(actions.values()), reader.warnings)
