"""What importing a codebook file would change, worked out before anything is saved.

`plan_import` compares a file with a codebook (or with nothing, for a new one) by theme
key: new keys are added, changed fields edited, and themes whose key is missing retired.
The check page and `heard codebook import` describe the plan; webapp/codebook_import_saves.py
carries it out.
"""

from dataclasses import dataclass, field

from sqlmodel import Session

from analysis.codebook_files import CodebookFile, CodebookFileError, ThemeRow
from models.coding import Codebook, Theme, ThemeStatus, list_themes
from webapp.codebook_exports import theme_row

#: A theme's fields as files hold them, with the words the history and check pages use.
FIELDS = {
    "name": "name",
    "parent_key": "part of",
    "description": "description",
    "inclusion": "use when",
    "exclusion": "do not use when",
    "examples": "example comments",
    "outcome_area": "outcome area",
}


@dataclass(frozen=True)
class ThemeUpdate:
    """A theme the file changes: which of its fields, and whether it comes back into use."""

    theme: Theme
    row: ThemeRow
    fields: tuple[str, ...]
    restored: bool = False
    parent_name: str = ""  # the theme it is part of now, if any

    @property
    def renamed(self) -> bool:
        return "name" in self.fields

    @property
    def edited(self) -> tuple[str, ...]:
        """The fields other than the name."""
        return tuple(name for name in self.fields if name != "name")


@dataclass
class ImportPlan:
    """What importing a file would do to a codebook (or None, for a new one)."""

    book: CodebookFile
    codebook: Codebook | None
    added: list[ThemeRow] = field(default_factory=list)
    changed: list[ThemeUpdate] = field(default_factory=list)
    retired: list[Theme] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.retired)

    def parent_name(self, row: ThemeRow) -> str:
        """The name of the theme a row is part of, or ""."""
        names = {theme.key: theme.name for theme in self.book.themes}
        return names.get(row.parent_key, "")


def plan_import(*, session: Session, book: CodebookFile, codebook: Codebook | None) -> ImportPlan:
    """Compare the file with the codebook, by theme key, without changing anything.

    A theme that was retired comes back into use if the file has its key. A key that
    belonged to a theme since merged into another cannot come back: the merged theme's
    comments now belong to the other one.

    Raises:
        CodebookFileError: if the file reuses a merged theme's key.
    """
    plan = ImportPlan(book=book, codebook=codebook)
    if codebook is None:
        plan.added = list(book.themes)
        return plan
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    by_key = {theme.key: theme for theme in themes}
    by_id = {theme.id: theme for theme in themes}
    problems = []
    for row in book.themes:
        theme = by_key.get(row.key)
        if theme is None:
            plan.added.append(row)
        elif theme.status == ThemeStatus.MERGED:
            problems.append(_merged_key(row, theme, by_id.get(theme.merged_into_id)))
        else:
            update = _compare(row, theme, by_id.get(theme.parent_id))
            if update is None:
                plan.unchanged += 1
            else:
                plan.changed.append(update)
    if problems:
        raise CodebookFileError(problems)
    keys = {row.key for row in book.themes}
    plan.retired = [theme for theme in themes if theme.active and theme.key not in keys]
    return plan


def _merged_key(row: ThemeRow, theme: Theme, into: Theme | None) -> str:
    """The problem with a row that has the key of a theme since merged `into` another."""
    return (
        f"Theme “{row.name}”: the key “{row.key}” belonged to “{theme.name}”, which was "
        f"merged into “{into.name if into else 'another theme'}”. Give the theme a new "
        "key, or take it out of the file"
    )


def _compare(row: ThemeRow, theme: Theme, parent: Theme | None) -> ThemeUpdate | None:
    """What the row changes in the theme with its key, now under `parent`; None if nothing."""
    parent_key = parent.key if parent is not None and parent.active else ""
    now = theme_row(theme, parent_key)
    changed = tuple(name for name in FIELDS if getattr(now, name) != getattr(row, name))
    restored = theme.status == ThemeStatus.RETIRED
    if not (changed or restored):
        return None
    return ThemeUpdate(
        theme=theme,
        row=row,
        fields=changed,
        restored=restored,
        parent_name=parent.name if parent_key and parent else "",
    )


def what_changes(plan: ImportPlan, update: ThemeUpdate) -> list[str]:
    """What the import does to one theme, a phrase for each change."""
    theme, row = update.theme, update.row
    said = ["Brought back into use"] if update.restored else []
    for name in update.fields:
        if name == "name":
            said.append(f"Name: “{theme.name}” to “{row.name}”")
        elif name == "parent_key":
            before = f"part of “{update.parent_name}”" if update.parent_name else "top level"
            under = plan.parent_name(row)
            said.append(f"Moves from {before} to {f'part of “{under}”' if under else 'top level'}")
        elif name == "outcome_area":
            said.append(
                f"Outcome area: {theme.outcome_area or 'none'} to {row.outcome_area or 'none'}"
            )
        else:
            said.append(f"New {FIELDS[name]}")
    return said


def describe_plan(plan: ImportPlan) -> list[str]:
    """One line for each theme the import changes, for the command line."""
    lines = []
    for row in plan.added:
        under = plan.parent_name(row)
        lines.append(f"Add “{row.name}”" + (f", part of “{under}”" if under else ""))
    for update in plan.changed:
        lines.append(f"Change “{update.theme.name}”: " + "; ".join(what_changes(plan, update)))
    for theme in plan.retired:
        lines.append(f"Retire “{theme.name}”")
    return lines
