"""A codebook's history: its themes change by named steps, each one a new version.

Every step (created, renamed, merged, split, imported...) is kept as a `ThemeChange`, and
each version keeps a `CodebookSnapshot` of its themes as they were. Renaming and merging a
theme are here; the other steps call `new_version` themselves.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import Codebook, CommentTheme, Theme, ThemeStatus, list_themes
from models.types import UTCDateTime, utcnow, value_enum


class ChangeKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    RENAMED = "renamed"
    MERGED = "merged"
    SPLIT = "split"
    RETIRED = "retired"
    IMPORTED = "imported"


class ThemeChange(SQLModel, table=True):
    __tablename__ = "theme_change"

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    version: int
    kind: ChangeKind = Field(sa_type=value_enum(ChangeKind))
    summary: str = Field(max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class CodebookSnapshot(SQLModel, table=True):
    """The themes of one version of a codebook, as they were."""

    __tablename__ = "codebook_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    version: int
    themes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def theme_snapshot(theme: Theme) -> dict[str, Any]:
    """The theme's fields as a version's snapshot keeps them."""
    return {
        "id": theme.id,
        "key": theme.key,
        "name": theme.name,
        "parent_id": theme.parent_id,
        "description": theme.description,
        "inclusion": theme.inclusion,
        "exclusion": theme.exclusion,
        "examples": list(theme.examples),
        "outcome_area": theme.outcome_area,
        "status": theme.status.value,
        "merged_into_id": theme.merged_into_id,
    }


def new_version(
    *,
    session: Session,
    codebook: Codebook,
    kind: ChangeKind,
    summary: str,
    user_id: int | None,
    theme: Theme | None = None,
    details: dict[str, Any] | None = None,
) -> ThemeChange:
    """Record a change to a codebook's themes as its next version, with a snapshot."""
    codebook.version += 1
    session.add(codebook)
    change = ThemeChange(
        codebook_id=codebook.id,  # type: ignore[arg-type]
        theme_id=theme.id if theme else None,
        version=codebook.version,
        kind=kind,
        summary=summary[:500],
        details=details or {},
        user_id=user_id,
    )
    session.add(change)
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    session.add(
        CodebookSnapshot(
            codebook_id=codebook.id,  # type: ignore[arg-type]
            version=codebook.version,
            themes=[theme_snapshot(t) for t in themes],
        )
    )
    session.flush()
    return change


def history(
    *, session: Session, codebook_id: int, theme_id: int | None = None
) -> list[ThemeChange]:
    """A codebook's (or one theme's) changes, newest first."""
    query = select(ThemeChange).where(ThemeChange.codebook_id == codebook_id)
    if theme_id is not None:
        query = query.where(ThemeChange.theme_id == theme_id)
    return list(session.exec(query.order_by(col(ThemeChange.id).desc())))


def merge_theme(
    *, session: Session, codebook: Codebook, source: Theme, target: Theme, user_id: int | None
) -> ThemeChange:
    """Fold one theme into another: its comments follow, and it is kept, marked merged.

    Themes under the source move under the target. When the target was itself under the
    source, it takes the source's place in the tree.
    """
    if source.id == target.id:
        raise ValueError("A theme cannot be merged into itself.")
    if not (source.codebook_id == target.codebook_id == codebook.id):
        raise ValueError("Both themes must be in this codebook.")
    if not (source.active and target.active):
        raise ValueError("Only themes in use can be merged.")
    moved = _move_codings(session, source, target)
    _move_in_tree(session, codebook.id, source, target)
    target.examples = list(dict.fromkeys([*target.examples, *source.examples]))
    source.status = ThemeStatus.MERGED
    source.merged_into_id = target.id
    session.add_all([source, target])
    session.flush()
    return new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.MERGED,
        summary=f"Merged “{source.name}” into “{target.name}”",
        user_id=user_id,
        theme=source,
        details={"into": target.id, "codings_moved": moved},
    )


def _move_codings(session: Session, source: Theme, target: Theme) -> int:
    """Give the source's codings to the target; returns how many moved.

    A comment coded with both (from the same source) keeps one coding, the target's, with
    the higher of the two confidences.
    """
    taken = {
        (coding.comment_id, coding.source): coding
        for coding in session.exec(select(CommentTheme).where(CommentTheme.theme_id == target.id))
    }
    moved = 0
    for coding in list(
        session.exec(select(CommentTheme).where(CommentTheme.theme_id == source.id))
    ):
        duplicate = taken.get((coding.comment_id, coding.source))
        if duplicate is None:
            coding.theme_id = target.id  # type: ignore[assignment]
            session.add(coding)
            taken[(coding.comment_id, coding.source)] = coding
            moved += 1
        else:
            if (coding.confidence or 0) > (duplicate.confidence or 0):
                duplicate.confidence = coding.confidence
                session.add(duplicate)
            session.delete(coding)
    return moved


def _move_in_tree(session: Session, codebook_id: int, source: Theme, target: Theme) -> None:
    """Put the themes under the source under the target, and the target where it fits."""
    themes = {t.id: t for t in list_themes(session=session, codebook_id=codebook_id)}
    ancestor, hops = themes.get(target.parent_id), 0
    while ancestor is not None and ancestor.id != source.id and hops < 50:
        ancestor, hops = themes.get(ancestor.parent_id), hops + 1
    if ancestor is not None:  # the target sits somewhere under the source
        target.parent_id = source.parent_id
    for child in themes.values():
        if child.parent_id == source.id and child.id != target.id:
            child.parent_id = target.id
            session.add(child)


def rename_theme(
    *, session: Session, codebook: Codebook, theme: Theme, name: str, user_id: int | None
) -> ThemeChange | None:
    """Give a theme a new name; its key, and so the coder's knowledge of it, stays."""
    old = theme.name
    if name == old:
        return None
    theme.name = name
    session.add(theme)
    session.flush()
    return new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.RENAMED,
        summary=f"Renamed “{old}” to “{name}”",
        user_id=user_id,
        theme=theme,
        details={"from": old, "to": name},
    )
