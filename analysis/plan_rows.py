"""An improvement plan's table, read into areas and actions, with a list of what to check.

Plans arrive as spreadsheets that people have edited for years. The reader copes with what
the seed plans hold: codes typed with spaces ("7 A 1"), Cyrillic look-alike letters, merged
cells left blank, an action listed twice with two dates, and tags mistyped as "AF15".
Everything it changed or guessed is a `Warning`, so that an officer can confirm it.

This module is the one to import from. Reading single cells is in analysis/plan_cells.py,
and reading one row into an action in analysis/plan_actions.py.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd

from analysis.plan_actions import ActionRow, AreaRow, RowReader, Warning
from analysis.plan_cells import REQUIRED, cell_text, columns, normalise_code, tag_parts
from analysis.plan_dates import fold_lookalikes

__all__ = [
    "ActionRow",
    "AreaRow",
    "PlanFileError",
    "PlanRows",
    "Warning",
    "columns",
    "normalise_code",
    "read_plan",
]


class PlanFileError(ValueError):
    """The file cannot be read as a plan at all; the message says what to fix."""


@dataclass
class PlanRows:
    """What a plan file holds: its areas and actions, and the warnings about reading them."""

    areas: list[AreaRow]
    actions: list[ActionRow]
    warnings: list[Warning]


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
    _check_columns(heading)
    reader = RowReader(heading, statuses or {}, _known_tags(frame, heading, known_tags))
    actions = _read_actions(frame, reader)
    if not actions:
        raise PlanFileError("The file has no actions in it")
    _sum_up(reader)
    return PlanRows(list(reader.areas.values()), actions, reader.warnings)


def _check_columns(heading: dict[str, str]) -> None:
    """A PlanFileError naming the columns Heard needs that the file lacks, if any."""
    missing = [
        key for key in REQUIRED if key not in heading and not (key == "area" and "code" in heading)
    ]
    if missing:
        names = " and ".join(f"“{m.replace('_', ' ')}”" for m in missing)
        raise PlanFileError(f"The file must have a column headed {names}")


def _known_tags(frame: pd.DataFrame, heading: dict[str, str], given: Iterable[str]) -> set[str]:
    """The tags the plan defines, in capitals, and those the file's tag column holds.

    A tag written right elsewhere in the file tells a typo from a new tag.
    """
    known = {fold_lookalikes(t).upper() for t in given}
    if "tags" in heading:
        known |= {t for cell in frame[heading["tags"]] for t in tag_parts(cell_text(cell))}
    return known


def _read_actions(frame: pd.DataFrame, reader: RowReader) -> list[ActionRow]:
    """Every row's action, in file order, with an action listed twice made one."""
    actions: dict[str, ActionRow] = {}
    for index, record in enumerate(frame.to_dict("records")):
        found = reader.action({str(k): v for k, v in record.items()}, index + 2)
        if found is None:
            continue
        if found.code in actions:
            actions[found.code] = _merge(actions[found.code], found, reader.warn)
        else:
            actions[found.code] = found
    return list(actions.values())


def _merge(
    first: ActionRow, second: ActionRow, warn: Callable[[int | None, str], None]
) -> ActionRow:
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


def _sum_up(reader: RowReader) -> None:
    """Warnings about the whole file: objectives carried down, and codes Heard made up."""
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
