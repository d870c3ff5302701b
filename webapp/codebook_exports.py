"""A codebook as a file: as it is now or as a past version was, written as CSV or .qdc.

The export pages and `heard codebook export` write files with these; importing compares a
file with the codebook's themes in the same rows (webapp/codebook_import_plans.py).
"""

from sqlmodel import Session, col, select

from analysis.codebook_files import CodebookFile, ThemeRow, key_from_name, to_csv, to_qdc
from models.coding import Codebook, Theme, ThemeStatus, in_tree_order, list_themes
from models.review import CodebookSnapshot

#: How each kind of file is downloaded: its media type and file name ending.
FORMATS = {"csv": ("text/csv", "csv"), "qdc": ("application/xml", "qdc")}


def theme_row(theme: Theme, parent_key: str) -> ThemeRow:
    """One theme as a file holds it, part of the theme with `parent_key` ("" for none)."""
    return ThemeRow(
        key=theme.key,
        name=theme.name,
        parent_key=parent_key,
        description=theme.description,
        inclusion=theme.inclusion,
        exclusion=theme.exclusion,
        examples=tuple(theme.examples),
        outcome_area=theme.outcome_area,
    )


def theme_rows(themes: list[Theme]) -> tuple[ThemeRow, ...]:
    """The themes in use, parents first, as a file holds them.

    A theme under one that is no longer in use is written at the top level, as the pages
    show it, so that every parent a file names is in the file.
    """
    active = [theme for theme in themes if theme.active]
    key_of = {theme.id: theme.key for theme in active}
    return tuple(
        theme_row(theme, key_of.get(theme.parent_id, "")) for theme, _depth in in_tree_order(active)
    )


def current_file(session: Session, codebook: Codebook) -> CodebookFile:
    """The codebook as it is now."""
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    return CodebookFile(name=codebook.name, version=codebook.version, themes=theme_rows(themes))


def list_snapshots(session: Session, codebook: Codebook) -> list[CodebookSnapshot]:
    """The codebook's past versions, newest first."""
    query = (
        select(CodebookSnapshot)
        .where(CodebookSnapshot.codebook_id == codebook.id)
        .order_by(col(CodebookSnapshot.version).desc(), col(CodebookSnapshot.id).desc())
    )
    return list(session.exec(query))


def snapshot_themes(snapshot: CodebookSnapshot) -> list[Theme]:
    """A version's themes as they were (not stored: for reading only)."""
    return [
        Theme(
            id=values.get("id"),
            codebook_id=snapshot.codebook_id,
            key=values.get("key", ""),
            name=values.get("name", ""),
            parent_id=values.get("parent_id"),
            description=values.get("description", ""),
            inclusion=values.get("inclusion", ""),
            exclusion=values.get("exclusion", ""),
            examples=list(values.get("examples", [])),
            outcome_area=values.get("outcome_area", ""),
            status=ThemeStatus(values.get("status", ThemeStatus.ACTIVE.value)),
            merged_into_id=values.get("merged_into_id"),
            position=number,
        )
        for number, values in enumerate(snapshot.themes)
    ]


def snapshot_file(codebook: Codebook, snapshot: CodebookSnapshot) -> CodebookFile:
    """A past version of the codebook, as it was then."""
    return CodebookFile(
        name=codebook.name, version=snapshot.version, themes=theme_rows(snapshot_themes(snapshot))
    )


def file_bytes(book: CodebookFile, kind: str) -> bytes:
    """The file's contents: CSV with a byte-order mark (so Excel reads it as UTF-8), or .qdc.

    Raises:
        CodebookFileError: for a .qdc of a codebook with no themes, which the format cannot
            hold.
    """
    if kind == "csv":
        return to_csv(book).encode("utf-8-sig")
    return to_qdc(book)


def file_name(book: CodebookFile, kind: str) -> str:
    """A download's name, from the codebook's name and version: parent-themes-v3.csv."""
    stem = key_from_name(book.name)
    return f"{'codebook' if stem == 'theme' else stem}-v{book.version}.{FORMATS[kind][1]}"
