"""Codebooks and their themes: what comments are coded against.

A codebook is one organisation's list of themes, in order, with parents and children.
Only one codebook is active at a time. A theme that is merged or retired is kept, so that
older codings still name it; merges are followed to the theme in use now.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum


class CodebookStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class ThemeStatus(StrEnum):
    ACTIVE = "active"
    # Folded into another theme: its comments moved there, and it is kept for the history.
    MERGED = "merged"
    RETIRED = "retired"


OUTCOME_AREA_LENGTH = 60


class Codebook(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    version: int = Field(default=1)
    status: CodebookStatus = Field(default=CodebookStatus.DRAFT, sa_type=value_enum(CodebookStatus))
    source: str = Field(default="", max_length=300)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("codebook_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    key: str = Field(max_length=80)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    position: int = Field(default=0)
    parent_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    # "Use when ..." and "Do not use when ...": how coders tell this theme from its neighbours.
    inclusion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    exclusion: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    examples: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    outcome_area: str = Field(default="", max_length=OUTCOME_AREA_LENGTH)
    status: ThemeStatus = Field(default=ThemeStatus.ACTIVE, sa_type=value_enum(ThemeStatus))
    merged_into_id: int | None = Field(default=None, foreign_key="theme.id")

    @property
    def active(self) -> bool:
        return self.status == ThemeStatus.ACTIVE


def create_codebook(
    *,
    session: Session,
    organisation_id: int,
    name: str,
    themes: list[dict[str, Any]],
    status: CodebookStatus = CodebookStatus.DRAFT,
    source: str = "",
) -> Codebook:
    """Create a codebook from themes given as dicts.

    Each dict has a key and a name, and may have a description, inclusion and exclusion
    notes, examples, an outcome area and a ``parent`` (the key of an earlier theme).
    """
    keys = [theme["key"] for theme in themes]
    if len(set(keys)) != len(keys):
        raise ValueError("Each theme in a codebook needs its own key.")
    codebook = Codebook(organisation_id=organisation_id, name=name, status=status, source=source)
    session.add(codebook)
    session.flush()
    add_themes(session=session, codebook=codebook, themes=themes)
    return codebook


def add_themes(
    *, session: Session, codebook: Codebook, themes: list[dict[str, Any]]
) -> list[Theme]:
    """Add themes to a codebook after its existing ones; parents must come first."""
    existing = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    by_key = {theme.key: theme for theme in existing}
    position = max((theme.position for theme in existing), default=-1) + 1
    added = []
    for values in themes:
        if values["key"] in by_key:
            raise ValueError(f"The codebook already has a theme with the key {values['key']!r}.")
        parent_key = values.get("parent") or ""
        if parent_key and parent_key not in by_key:
            raise ValueError(f"Theme {values['key']!r} names a parent that comes after it.")
        theme = Theme(
            codebook_id=codebook.id,  # type: ignore[arg-type]
            key=values["key"],
            name=values["name"],
            description=values.get("description", ""),
            inclusion=values.get("inclusion", ""),
            exclusion=values.get("exclusion", ""),
            examples=list(values.get("examples", [])),
            outcome_area=values.get("outcome_area", ""),
            parent_id=by_key[parent_key].id if parent_key else None,
            position=position,
        )
        session.add(theme)
        session.flush()
        by_key[theme.key] = theme
        added.append(theme)
        position += 1
    return added


def get_active_codebook(*, session: Session, organisation_id: int) -> Codebook | None:
    """The codebook new comments are coded against."""
    query = (
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .where(Codebook.status == CodebookStatus.ACTIVE)
        .order_by(col(Codebook.id).desc())
    )
    return session.exec(query).first()


def activate_codebook(*, session: Session, codebook: Codebook) -> list[Codebook]:
    """Make this the codebook new comments are coded against; return the ones it replaced."""
    replaced = [
        other
        for other in list_codebooks(session=session, organisation_id=codebook.organisation_id)
        if other.status == CodebookStatus.ACTIVE and other.id != codebook.id
    ]
    for other in replaced:
        other.status = CodebookStatus.RETIRED
        session.add(other)
    codebook.status = CodebookStatus.ACTIVE
    session.add(codebook)
    session.flush()
    return replaced


def get_codebook(*, session: Session, organisation_id: int, codebook_id: int) -> Codebook | None:
    """One codebook, only within the given organisation."""
    codebook = session.get(Codebook, codebook_id)
    if codebook is None or codebook.organisation_id != organisation_id:
        return None
    return codebook


def list_codebooks(*, session: Session, organisation_id: int) -> list[Codebook]:
    """An organisation's codebooks, newest first."""
    query = (
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .order_by(col(Codebook.id).desc())
    )
    return list(session.exec(query))


def list_themes(
    *, session: Session, codebook_id: int, include_inactive: bool = False
) -> list[Theme]:
    """A codebook's themes in order: those in use, or with merged and retired ones too."""
    query = select(Theme).where(Theme.codebook_id == codebook_id)
    if not include_inactive:
        query = query.where(Theme.status == ThemeStatus.ACTIVE)
    return list(session.exec(query.order_by(col(Theme.position), col(Theme.id))))


def theme_ids_by_key(*, session: Session, codebook_id: int) -> dict[str, int]:
    """The id of each of a codebook's themes in use, by its key."""
    query = select(Theme.key, Theme.id).where(
        Theme.codebook_id == codebook_id, Theme.status == ThemeStatus.ACTIVE
    )
    return {key: theme_id for key, theme_id in session.exec(query) if theme_id is not None}


def get_theme(*, session: Session, codebook: Codebook, theme_id: int) -> Theme | None:
    """One theme, only within the given codebook."""
    theme = session.get(Theme, theme_id)
    if theme is None or theme.codebook_id != codebook.id:
        return None
    return theme


def in_tree_order(themes: list[Theme]) -> list[tuple[Theme, int]]:
    """Themes with their depth, each parent followed by its children."""
    ids = {theme.id for theme in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    ordered: list[tuple[Theme, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for theme in children.get(parent, []):
            ordered.append((theme, depth))
            if depth < 20:  # a parent cycle can never make this loop for ever
                walk(theme.id, depth + 1)

    walk(None, 0)
    return ordered


def current_theme_ids(themes: list[Theme]) -> dict[int, int]:
    """Each theme's id mapped to the theme in use now, following merges (itself if active)."""
    by_id = {theme.id: theme for theme in themes if theme.id is not None}
    found: dict[int, int] = {}
    for theme_id, theme in by_id.items():
        current, hops = theme, 0
        while current.merged_into_id in by_id and hops < 20:
            current, hops = by_id[current.merged_into_id], hops + 1
        if current.active:
            found[theme_id] = current.id  # type: ignore[assignment]
    return found
