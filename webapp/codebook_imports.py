"""Codebook files for the codebook pages and `heard codebook`: written, read, compared, saved.

The pages and the command share every step, so a file imported either way is checked by
the same rules, changes a codebook in the same way and leaves the same history:

1. `read_file` reads a CSV or REFI-QDA (.qdc) file into plain data, or lists its problems;
2. `plan_import` compares it with a codebook (or with nothing, for a new one) by theme key:
   new keys are added, changed fields edited, and themes whose key is missing retired;
3. `save_import` makes those changes as the codebook's next version, in one step.
"""

import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from analysis.codebook_files import (
    IMPORTED_NAME,
    MAX_NAME,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    from_csv,
    from_qdc,
    key_from_name,
    to_csv,
    to_qdc,
    words_to_avoid,
)
from models import record_event
from models.coding import (
    Codebook,
    CodebookStatus,
    Theme,
    ThemeStatus,
    add_themes,
    create_codebook,
    in_tree_order,
    list_codebooks,
    list_themes,
)
from models.review import ChangeKind, CodebookSnapshot, ThemeChange, new_version

#: Codebooks are a few hundred themes at most; anything near this size is not a codebook.
MAX_UPLOAD = 1024 * 1024
TOO_BIG = "The selected file must be smaller than 1MB"
WRONG_TYPE = "The selected file must be a CSV file or a REFI-QDA codebook (.qdc)"
EMPTY = "The selected file is empty"
#: How much of a file's name the history and the audit log keep.
MAX_FILENAME = 200
#: How each kind of file is downloaded: its media type and file name ending.
FORMATS = {"csv": ("text/csv", "csv"), "qdc": ("application/xml", "qdc")}
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


def uses_words_to_avoid(subject: str, text: str) -> list[str]:
    """A message for each phrase the words-and-tone rules ask us not to use, with what to say.

    `subject` starts the message: "Theme name" gives "Theme name uses “service users”. ..."
    """
    return [f"{subject} uses “{phrase}”. {better}" for phrase, better in words_to_avoid(text)]


# Writing


def theme_rows(themes: list[Theme]) -> tuple[ThemeRow, ...]:
    """The themes in use, parents first, as a file holds them.

    A theme under one that is no longer in use is written at the top level, as the pages
    show it, so that every parent a file names is in the file.
    """
    active = [theme for theme in themes if theme.active]
    key_of = {theme.id: theme.key for theme in active}
    return tuple(
        ThemeRow(
            key=theme.key,
            name=theme.name,
            parent_key=key_of.get(theme.parent_id, ""),
            description=theme.description,
            inclusion=theme.inclusion,
            exclusion=theme.exclusion,
            examples=tuple(theme.examples),
            outcome_area=theme.outcome_area,
        )
        for theme, _depth in in_tree_order(active)
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


# Reading and checking


def file_kind(filename: str) -> str | None:
    """ "csv" or "qdc", by the file name's ending; None for any other kind of file."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def short_filename(filename: str) -> str:
    """The file's own name, without any folders, at most `MAX_FILENAME` characters. A long
    name is shortened before its ending, which tells the kind of file."""
    name = re.split(r"[\\/]", filename)[-1] or "codebook"
    if len(name) <= MAX_FILENAME:
        return name
    suffix = Path(name).suffix
    if len(suffix) > MAX_FILENAME // 2:
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    return stem[: MAX_FILENAME - len(suffix)] + suffix


def name_from_file(filename: str) -> str:
    """A codebook name from a file's name: "parent-themes-v3.csv" gives "Parent themes"."""
    stem = re.sub(r"[-_ ]v\d+$", "", Path(filename).stem.lstrip("."))
    words = " ".join(re.sub(r"[-_]+", " ", stem).split())[:MAX_NAME]
    return words[:1].upper() + words[1:] if words else IMPORTED_NAME


def read_file(
    data: bytes, filename: str, *, name: str = "", check_name: bool = True
) -> CodebookFile:
    """Read a codebook file, checking it all; the kind of file is told by its name.

    A CSV file holds no codebook name, so it is `name`, else made from the file's name. A
    .qdc file's is `name`, else the one in the file if the program that wrote it gave one
    (Heard does not), else made from the file's name. Names and
    notes are checked against the words to avoid; the codebook's name too, unless
    `check_name` is false (an existing codebook keeps the name it has).

    Raises:
        CodebookFileError: with every problem, each naming its row or line.
    """
    kind = file_kind(filename)
    if kind is None:
        raise CodebookFileError([WRONG_TYPE])
    if len(data) > MAX_UPLOAD:
        raise CodebookFileError([TOO_BIG])
    if not data.strip():
        raise CodebookFileError([EMPTY])
    if kind == "csv":
        book = from_csv(data, name=name or name_from_file(filename))
    else:
        book = from_qdc(data, name=name or None)
        if not name and book.name == IMPORTED_NAME:  # the file has no name of its own
            book = replace(book, name=name_from_file(filename))
    problems = uses_words_to_avoid("The codebook name", book.name) if check_name else []
    for row in book.themes:
        for subject, text in (
            ("the name", row.name),
            ("the description", row.description),
            ("the “use when” note", row.inclusion),
            ("the “do not use when” note", row.exclusion),
        ):
            problems += uses_words_to_avoid(f"Theme “{row.name}”: {subject}", text)
    if problems:
        raise CodebookFileError(problems)
    return book


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


def _as_row(theme: Theme, parent_key: str) -> ThemeRow:
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
            continue
        if theme.status == ThemeStatus.MERGED:
            into = by_id.get(theme.merged_into_id)
            problems.append(
                f"Theme “{row.name}”: the key “{row.key}” belonged to “{theme.name}”, which was "
                f"merged into “{into.name if into else 'another theme'}”. Give the theme a new "
                "key, or take it out of the file"
            )
            continue
        parent = by_id.get(theme.parent_id)
        parent_key = parent.key if parent is not None and parent.active else ""
        now = _as_row(theme, parent_key)
        changed = tuple(name for name in FIELDS if getattr(now, name) != getattr(row, name))
        restored = theme.status == ThemeStatus.RETIRED
        if changed or restored:
            plan.changed.append(
                ThemeUpdate(
                    theme=theme,
                    row=row,
                    fields=changed,
                    restored=restored,
                    parent_name=parent.name if parent_key and parent else "",
                )
            )
        else:
            plan.unchanged += 1
    if problems:
        raise CodebookFileError(problems)
    keys = {row.key for row in book.themes}
    plan.retired = [theme for theme in themes if theme.active and theme.key not in keys]
    return plan


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


def find_codebook(session: Session, organisation_id: int, name: str) -> Codebook | None:
    """The organisation's newest codebook with this name (ignoring case and spacing)."""
    wanted = " ".join(name.split()).casefold()
    for codebook in list_codebooks(session=session, organisation_id=organisation_id):
        if " ".join(codebook.name.split()).casefold() == wanted:
            return codebook
    return None


# Saving


@dataclass(frozen=True)
class Saved:
    codebook: Codebook
    created: bool
    summary: str


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


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


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
    version = codebook.version + 1
    changes: list[ThemeChange] = []

    def note(theme: Theme, kind: ChangeKind, summary: str, **details: Any) -> None:
        changes.append(
            ThemeChange(
                codebook_id=codebook.id,  # type: ignore[arg-type]
                theme_id=theme.id,
                version=version,
                kind=kind,
                summary=summary[:500],
                details={"file": filename, "via": via, **details},
                user_id=user_id,
            )
        )

    for update in plan.changed:
        theme, row = update.theme, update.row
        if update.restored:
            theme.status = ThemeStatus.ACTIVE
            note(theme, ChangeKind.EDITED, f"Brought back “{row.name}”", restored=True)
        if update.renamed:
            note(
                theme,
                ChangeKind.RENAMED,
                f"Renamed “{theme.name}” to “{row.name}”",
                **{"from": theme.name, "to": row.name},
            )
        if update.edited:
            listed = ", ".join(FIELDS[name] for name in update.edited)
            note(theme, ChangeKind.EDITED, f"Changed “{row.name}”: {listed}", fields=update.edited)
        theme.name = row.name
        theme.description = row.description
        theme.inclusion = row.inclusion
        theme.exclusion = row.exclusion
        theme.examples = list(row.examples)
        theme.outcome_area = row.outcome_area
        session.add(theme)
    session.flush()
    for theme in add_themes(
        session=session, codebook=codebook, themes=[_values(row) for row in plan.added]
    ):
        note(theme, ChangeKind.CREATED, f"Added “{theme.name}”")
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    by_key = {theme.key: theme for theme in themes}
    for update in plan.changed:
        parent = by_key.get(update.row.parent_key) if update.row.parent_key else None
        update.theme.parent_id = parent.id if parent is not None else None
        session.add(update.theme)
    for theme in plan.retired:
        theme.status = ThemeStatus.RETIRED
        session.add(theme)
        note(theme, ChangeKind.RETIRED, f"Retired “{theme.name}”")
    session.add_all(changes)
    session.flush()
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
        details={
            "file": filename,
            "via": via,
            "added": [row.key for row in plan.added],
            "changed": {u.row.key: list(u.fields) for u in plan.changed},
            "restored": [u.row.key for u in plan.changed if u.restored],
            "retired": [theme.key for theme in plan.retired],
        },
    )
    _audit(session, codebook, organisation_id, user_id, filename, via, plan, created=False)
    return Saved(codebook=codebook, created=False, summary=summary)


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
    summary = f"Imported {filename}: {_count(len(plan.book.themes), 'theme')}"
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


# Carrying a checked file from the check page to the confirmation


def pack(data: bytes) -> bytes:
    """The file, smaller, to carry in the check page's form."""
    return zlib.compress(data, 9)


def unpack(packed: bytes) -> bytes:
    """The file `pack` was given, refusing anything that would unpack bigger than a file may be."""
    unpacker = zlib.decompressobj()
    try:
        data = unpacker.decompress(packed, MAX_UPLOAD + 1)
    except zlib.error:
        raise CodebookFileError(["The file could not be read. Upload it again"]) from None
    if len(data) > MAX_UPLOAD or unpacker.unconsumed_tail:
        raise CodebookFileError([TOO_BIG])
    return data
