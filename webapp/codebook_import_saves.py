"""Saving an import: the plan's changes as the codebook's next version, or a new draft.

Each theme's change is kept in its history under the version the import makes, and the
import itself is the version's last entry, with an audit event for the whole file.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from analysis.codebook_files import ThemeRow
from models import record_event
from models.coding import (
    Codebook,
    CodebookStatus,
    Theme,
    ThemeStatus,
    add_themes,
    create_codebook,
    list_themes,
)
from models.review import ChangeKind, ThemeChange, new_version
from webapp.codebook_import_plans import FIELDS, ImportPlan
from webapp.wording import counted


@dataclass(frozen=True)
class Saved:
    codebook: Codebook
    created: bool
    summary: str


@dataclass
class _History:
    """The history entries an import writes for its themes, all under the version it makes."""

    codebook_id: int
    version: int
    user_id: int | None
    filename: str
    via: str
    changes: list[ThemeChange] = field(default_factory=list)

    def note(self, theme: Theme, kind: ChangeKind, summary: str, **details: Any) -> None:
        self.changes.append(
            ThemeChange(
                codebook_id=self.codebook_id,
                theme_id=theme.id,
                version=self.version,
                kind=kind,
                summary=summary[:500],
                details={"file": self.filename, "via": self.via, **details},
                user_id=self.user_id,
            )
        )


def _values(row: ThemeRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "parent": row.parent_key,
        "description": row.description,
        "inclusion": row.inclusion,
        "exclusion": row.exclusion,
        "examples": list(row.examples),
        "outcome_area": row.outcome_area,
    }


def save_import(
    *,
    session: Session,
    plan: ImportPlan,
    organisation_id: int,
    user_id: int | None,
    filename: str,
    via: str,
) -> Saved:
    """Make the plan's changes as one new version (or a new draft codebook), with history.

    Each theme's change is kept in its history under the version the import made; the
    import itself is the version's last entry. The caller commits.
    """
    if plan.codebook is None:
        return _create(session, plan, organisation_id, user_id, filename, via)
    codebook = plan.codebook
    history = _History(codebook.id, codebook.version + 1, user_id, filename, via)  # type: ignore[arg-type]
    _change_themes(session, codebook, plan, history)
    summary = (
        f"Imported {filename}: {len(plan.added)} added, {len(plan.changed)} changed, "
        f"{len(plan.retired)} retired"
    )
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.IMPORTED,
        summary=summary,
        user_id=user_id,
        details={"file": filename, "via": via, **_keys(plan)},
    )
    _audit(session, codebook, organisation_id, user_id, filename, via, plan, created=False)
    return Saved(codebook=codebook, created=False, summary=summary)


def _keys(plan: ImportPlan) -> dict[str, Any]:
    """The keys of the themes the import adds, changes (with which fields), restores, retires."""
    return {
        "added": [row.key for row in plan.added],
        "changed": {u.row.key: list(u.fields) for u in plan.changed},
        "restored": [u.row.key for u in plan.changed if u.restored],
        "retired": [theme.key for theme in plan.retired],
    }


def _change_themes(
    session: Session, codebook: Codebook, plan: ImportPlan, history: _History
) -> None:
    """Update, add and retire the plan's themes, each change noted in the history."""
    _update(session, plan, history)
    for theme in add_themes(
        session=session, codebook=codebook, themes=[_values(row) for row in plan.added]
    ):
        history.note(theme, ChangeKind.CREATED, f"Added “{theme.name}”")
    _place(session, codebook, plan)
    for theme in plan.retired:
        theme.status = ThemeStatus.RETIRED
        session.add(theme)
        history.note(theme, ChangeKind.RETIRED, f"Retired “{theme.name}”")
    session.add_all(history.changes)
    session.flush()


def _update(session: Session, plan: ImportPlan, history: _History) -> None:
    """Give each changed theme the file's name and notes (not yet its place), noting why."""
    for update in plan.changed:
        theme, row = update.theme, update.row
        if update.restored:
            theme.status = ThemeStatus.ACTIVE
            history.note(theme, ChangeKind.EDITED, f"Brought back “{row.name}”", restored=True)
        if update.renamed:
            history.note(
                theme,
                ChangeKind.RENAMED,
                f"Renamed “{theme.name}” to “{row.name}”",
                **{"from": theme.name, "to": row.name},
            )
        if update.edited:
            listed = ", ".join(FIELDS[name] for name in update.edited)
            summary = f"Changed “{row.name}”: {listed}"
            history.note(theme, ChangeKind.EDITED, summary, fields=update.edited)
        theme.name = row.name
        theme.description = row.description
        theme.inclusion = row.inclusion
        theme.exclusion = row.exclusion
        theme.examples = list(row.examples)
        theme.outcome_area = row.outcome_area
        session.add(theme)
    session.flush()


def _place(session: Session, codebook: Codebook, plan: ImportPlan) -> None:
    """Put each changed theme under the parent the file names, which may have just been added."""
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    by_key = {theme.key: theme for theme in themes}
    for update in plan.changed:
        parent = by_key.get(update.row.parent_key) if update.row.parent_key else None
        update.theme.parent_id = parent.id if parent is not None else None
        session.add(update.theme)


def _create(
    session: Session,
    plan: ImportPlan,
    organisation_id: int,
    user_id: int | None,
    filename: str,
    via: str,
) -> Saved:
    codebook = create_codebook(
        session=session,
        organisation_id=organisation_id,
        name=plan.book.name,
        themes=[_values(row) for row in plan.book.themes],
        status=CodebookStatus.DRAFT,
        source=f"Imported from {filename}"[:300],
    )
    # The import is the codebook's first version, kept with its snapshot like every other.
    codebook.version = 0
    summary = f"Imported {filename}: {counted(len(plan.book.themes), 'theme')}"
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.IMPORTED,
        summary=summary,
        user_id=user_id,
        details={"file": filename, "via": via, "added": [row.key for row in plan.book.themes]},
    )
    _audit(session, codebook, organisation_id, user_id, filename, via, plan, created=True)
    return Saved(codebook=codebook, created=True, summary=summary)


def _audit(
    session: Session,
    codebook: Codebook,
    organisation_id: int,
    user_id: int | None,
    filename: str,
    via: str,
    plan: ImportPlan,
    *,
    created: bool,
) -> None:
    record_event(
        session=session,
        action="codebook.imported" if created else "codebook.updated_from_file",
        actor_user_id=user_id,
        organisation_id=organisation_id,
        object_type="codebook",
        object_id=codebook.id,
        details={
            "file": filename,
            "via": via,
            "version": codebook.version,
            "added": len(plan.added),
            "changed": len(plan.changed),
            "retired": len(plan.retired),
        },
    )
