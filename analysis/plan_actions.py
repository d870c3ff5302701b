"""One row of a plan read into an action, and the areas and sub-themes it names.

`RowReader` reads a sheet row by row. It remembers the areas, the objective above (which
merged cells leave blank below) and the codes it made up, and warns about everything it
changed or guessed.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any

from analysis.plan_cells import (
    KENT_CODE,
    MAX_CODE,
    MAX_DATE_TEXT,
    MAX_LEAD,
    area_key,
    cell_text,
    normalise_code,
    read_status,
    read_tags,
)
from analysis.plan_dates import PlanDate, read_date


@dataclass(frozen=True)
class Warning:
    """Something the reader changed or guessed, for the officer to confirm."""

    row: int | None  # the spreadsheet row (the heading is row 1), or None for the whole file
    message: str


@dataclass(frozen=True)
class AreaRow:
    """An area of work, or a sub-theme under one (its `parent`)."""

    key: str  # "1", or "1.E" for a sub-theme
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class ActionRow:
    """One action, with the spreadsheet rows it was read from."""

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
class RowReader:
    """Reads a plan's rows in order, keeping what later rows depend on, and the warnings."""

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
        """Add a warning about a row (None for the whole file), starting with a capital."""
        self.warnings.append(Warning(row, message[0].upper() + message[1:]))

    def cell(self, record: dict[str, Any], key: str) -> Any:
        """The row's cell in the column that means `key`, or None if there is none."""
        heading = self.heading.get(key)
        return record.get(heading) if heading is not None else None

    def action(self, record: dict[str, Any], row: int) -> ActionRow | None:
        """The action on one row, or None for a blank row or one with no area."""
        description = cell_text(self.cell(record, "action"))
        code = self.code(record, row)
        if not description and not code:
            return None  # a blank line
        area = self.area(record, code, row)
        if area is None:
            return None
        sub_theme = self.sub_theme(record, area, code, row)
        if not code:
            code = self.numbered_code(area)
        due, revised = self.due_and_revised(record, row)
        tags, status = self.tags_and_status(record, row)
        lead = self.lead(record, row)
        self.check_measured(record, code, row)
        return ActionRow(
            code=code,
            area=area,
            sub_theme=sub_theme,
            description=description,
            intended_outcomes=cell_text(self.cell(record, "intended_outcomes")),
            impact_measures=cell_text(self.cell(record, "impact_measures")),
            lead=lead,
            start=self.date(record, "start", row)[0],
            due=due,
            revised=revised,
            tags=tags,
            status=status,
            rows=(row,),
        )

    def area(self, record: dict[str, Any], code: str, row: int) -> str | None:
        """The row's area key, from its area cell or a Kent-style code; None if neither."""
        raw = cell_text(self.cell(record, "area"))
        kent = KENT_CODE.match(code)
        if not raw and kent:
            raw = kent.group(1)
        if not raw:
            self.warn(row, "this row has no area, so it was left out")
            return None
        key = area_key(raw)
        name = cell_text(self.cell(record, "area_name")) or (raw if raw != key else "")
        known = self.areas.get(key)
        if known is None or (name and not known.name):
            self.areas[key] = AreaRow(key, name)
        elif name and name != known.name:
            self.warn(row, f"area {key} is also called “{name}”; kept “{known.name}”")
        return key

    def sub_theme(self, record: dict[str, Any], area: str, code: str, row: int) -> str | None:
        """The row's sub-theme key under `area`, carrying the objective above into blanks."""
        raw = cell_text(self.cell(record, "sub_theme"))
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
        """The row's code, made safe for an address and cut to `MAX_CODE`; "" if none."""
        raw = cell_text(self.cell(record, "code"))
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
        """The next code for an action with none: "{area}.{n}"."""
        self.numbered[area] = self.numbered.get(area, 0) + 1
        code = f"{area}.{self.numbered[area]}"
        self.generated.append(code)
        return code

    def date(self, record: dict[str, Any], key: str, row: int) -> tuple[PlanDate, PlanDate | None]:
        """The date in the `key` column, and a second date if the cell held two."""
        found = read_date(self.cell(record, key))
        for note in found.notes:
            self.warn(row, f"{key} date: {note}")
        if len(found.date.raw) > MAX_DATE_TEXT:
            self.warn(row, f"{key} date: only its first {MAX_DATE_TEXT} characters are kept")
            return replace(found.date, raw=found.date.raw[:MAX_DATE_TEXT]), found.further
        return found.date, found.further

    def due_and_revised(self, record: dict[str, Any], row: int) -> tuple[PlanDate, PlanDate]:
        """The due and revised dates; a second due date is the revised one, if there is none."""
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
        return due, revised

    def tags_and_status(
        self, record: dict[str, Any], row: int
    ) -> tuple[tuple[str, ...], str | None]:
        """The row's tags and status key, warning about each guess."""
        tags, notes = read_tags(cell_text(self.cell(record, "tags")), self.known_tags)
        for note in notes:
            self.warn(row, note)
        status, problem = read_status(cell_text(self.cell(record, "status")), self.statuses)
        if problem:
            self.warn(row, problem)
        return tags, status

    def lead(self, record: dict[str, Any], row: int) -> str:
        """The row's lead, cut to `MAX_LEAD` characters."""
        lead = cell_text(self.cell(record, "lead"))
        if len(lead) > MAX_LEAD:
            self.warn(row, f"the lead is longer than {MAX_LEAD} characters; the rest was cut")
        return lead[:MAX_LEAD]

    def check_measured(self, record: dict[str, Any], code: str, row: int) -> None:
        """Warn, once per action, when it has no impact measure."""
        if not cell_text(self.cell(record, "impact_measures")) and code not in self.unmeasured:
            self.unmeasured.add(code)
            self.warn(row, f"{code} has no impact measure, so its impact cannot be evidenced")
