"""Plans from CSV or XLSX files: read, checked, then saved once an officer has confirmed.

The same steps serve the import page, `heard plans import` and the demo data, so all
three normalise a file the same way and report the same warnings.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session

from analysis.plan_rows import ActionRow, PlanFileError, PlanRows, read_plan
from forms.base import plain_text
from models.plans import (
    Plan,
    PlanArea,
    SchemeKind,
    create_plan,
    get_plan,
    list_actions,
    list_schemes,
    save_action,
    save_area,
    shipped_schemes,
)
from webapp.spreadsheets import MAX_UNPACKED, unpacked_size

MAX_BYTES = 5 * 1024 * 1024
#: The scheme sets a new plan can start with, by the name the import form shows.
SCHEME_SETS = {
    "kent": (
        "Kent: Progress and Impact BRAG, and status",
        ["kent-progress", "kent-impact", "kent-status"],
    ),
    "hull": ("Hull: the four statuses", ["hull-status"]),
}


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The file's first sheet as a frame of cells; raises PlanFileError if it will not open."""
    if len(data) > MAX_BYTES:
        raise PlanFileError("The file must be smaller than 5MB")
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            unpacked = unpacked_size(data)
            if unpacked is not None and unpacked > MAX_UNPACKED:
                raise PlanFileError(
                    "The workbook holds too much data. Save it as a CSV file instead"
                )
            frame = pd.read_excel(io.BytesIO(data), dtype=object)
        elif name.endswith(".csv"):
            frame = _read_csv(data)
        else:
            raise PlanFileError("The selected file must be a CSV or XLSX file")
    except PlanFileError:
        raise
    except Exception:  # pandas raises many kinds of error for a damaged file
        raise PlanFileError(
            "The selected file could not be read; save it again as CSV or XLSX"
        ) from None
    # Cells lose the control characters no one types, as text typed into Heard does: they
    # cannot be shown on the page that checks the file, or stored in PostgreSQL (NUL).
    frame = frame.map(plain_text)
    frame.columns = [" ".join(plain_text(str(c)).split()) for c in frame.columns]
    return frame


def _read_csv(data: bytes) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    raise PlanFileError("The selected file must be saved as UTF-8 text")


def statuses(scheme_keys: list[str]) -> dict[str, str]:
    """The status values of the first status scheme among `scheme_keys`, as {key: label}."""
    for key in scheme_keys:
        scheme = shipped_schemes()[key]
        if scheme["kind"] == SchemeKind.STATUS:
            return {v["key"]: v["label"] for v in scheme["values"]}
    return {}


def check(
    data: bytes, filename: str, *, scheme_keys: list[str], known_tags: Sequence[str] = ()
) -> PlanRows:
    """Read a plan file without saving it: its areas, actions and warnings."""
    return read_plan(
        read_table(data, filename), statuses=statuses(scheme_keys), known_tags=known_tags
    )


@dataclass(frozen=True)
class Saved:
    plan: Plan
    created: int
    updated: int


def _fields(
    row: ActionRow, area: PlanArea, sub_theme: PlanArea | None, position: int
) -> dict[str, Any]:
    notes = {
        name: found.note
        for name, found in (("start", row.start), ("due", row.due), ("revised", row.revised))
        if found.note
    }
    return {
        "area_id": area.id,
        "sub_theme_id": sub_theme.id if sub_theme else None,
        "description": row.description,
        "intended_outcomes": row.intended_outcomes,
        "impact_measures": row.impact_measures,
        "lead": row.lead[:300],
        "start_raw": row.start.raw[:100],
        "start_on": row.start.value,
        "due_raw": row.due.raw[:100],
        "due_on": row.due.ends_on,  # "March 2023" is due by the end of March
        "revised_raw": row.revised.raw[:100],
        "revised_on": row.revised.ends_on,
        "date_notes": notes,
        "tags": list(row.tags),
        "status": row.status or "",
        "position": position,
    }


def save_rows(
    *,
    session: Session,
    organisation_id: int,
    name: str,
    title: str,
    scheme_keys: list[str],
    rows: PlanRows,
    tag_names: dict[str, str] | None = None,
) -> Saved:
    """Create the plan (or update the one with this name) from rows read by `check`."""
    plan = get_plan(session=session, organisation_id=organisation_id, name=name)
    if plan is None:
        plan = create_plan(
            session=session,
            organisation_id=organisation_id,
            name=name,
            title=title,
            schemes=scheme_keys,
        )
    elif title:
        plan.title = title
    areas: dict[str, PlanArea] = {}
    for position, found in enumerate(rows.areas):
        parent = areas.get(found.parent) if found.parent else None
        areas[found.key] = save_area(
            session=session,
            plan=plan,
            key=found.key,
            name=found.name,
            parent=parent,
            position=position,
        )
    tags = sorted({t for row in rows.actions for t in row.tags} | set(tag_names or {}))
    for position, tag in enumerate(tags, start=len(areas)):
        save_area(
            session=session,
            plan=plan,
            key=tag,
            name=(tag_names or {}).get(tag, ""),
            is_tag=True,
            position=position,
        )
    known = {a.code for a in list_actions(session=session, plan=plan)}
    for position, row in enumerate(rows.actions):
        fields = _fields(row, areas[row.area], areas.get(row.sub_theme or ""), position)
        save_action(session=session, plan=plan, code=row.code, fields=fields)
    created = sum(1 for row in rows.actions if row.code not in known)
    return Saved(plan, created, len(rows.actions) - created)


def scheme_keys_of(session: Session, plan: Plan) -> list[str]:
    return [s.key for s in list_schemes(session=session, plan=plan)]
