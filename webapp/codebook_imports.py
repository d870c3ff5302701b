"""Codebook files for the codebook pages and `heard codebook`: written, read, compared, saved.

The pages and the command share every step, so a file imported either way is checked by
the same rules, changes a codebook in the same way and leaves the same history:

1. `read_file` reads a CSV or REFI-QDA (.qdc) file into plain data, or lists its problems;
2. `plan_import` compares it with a codebook (or with nothing, for a new one) by theme key:
   new keys are added, changed fields edited, and themes whose key is missing retired
   (webapp/codebook_import_plans.py);
3. `save_import` makes those changes as the codebook's next version, in one step
   (webapp/codebook_import_saves.py).

Reading and checking a file is here; writing one is in webapp/codebook_exports.py. Both
callers use this module for every step.
"""

import re
import zlib
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session

from analysis.codebook_files import (
    IMPORTED_NAME,
    MAX_NAME,
    CodebookFile,
    CodebookFileError,
    from_csv,
    from_qdc,
    words_to_avoid,
)
from models.coding import Codebook, list_codebooks
from webapp.codebook_exports import (
    FORMATS,
    current_file,
    file_bytes,
    file_name,
    list_snapshots,
    snapshot_file,
    snapshot_themes,
)
from webapp.codebook_import_plans import (
    FIELDS,
    ImportPlan,
    describe_plan,
    plan_import,
    what_changes,
)
from webapp.codebook_import_saves import save_import

__all__ = [
    "EMPTY",
    "FIELDS",
    "FORMATS",
    "MAX_FILENAME",
    "MAX_UPLOAD",
    "TOO_BIG",
    "WRONG_TYPE",
    "ImportPlan",
    "current_file",
    "describe_plan",
    "file_bytes",
    "file_kind",
    "file_name",
    "find_codebook",
    "list_snapshots",
    "name_from_file",
    "pack",
    "plan_import",
    "read_file",
    "save_import",
    "short_filename",
    "snapshot_file",
    "snapshot_themes",
    "unpack",
    "uses_words_to_avoid",
    "what_changes",
]

#: Codebooks are a few hundred themes at most; anything near this size is not a codebook.
MAX_UPLOAD = 1024 * 1024
TOO_BIG = "The selected file must be smaller than 1MB"
WRONG_TYPE = "The selected file must be a CSV file or a REFI-QDA codebook (.qdc)"
EMPTY = "The selected file is empty"
#: How much of a file's name the history and the audit log keep.
MAX_FILENAME = 200


def uses_words_to_avoid(subject: str, text: str) -> list[str]:
    """A message for each phrase the words-and-tone rules ask us not to use, with what to say.

    `subject` starts the message: "Theme name" gives "Theme name uses “service users”. ..."
    """
    return [f"{subject} uses “{phrase}”. {better}" for phrase, better in words_to_avoid(text)]


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


def find_codebook(session: Session, organisation_id: int, name: str) -> Codebook | None:
    """The organisation's newest codebook with this name (ignoring case and spacing)."""
    wanted = " ".join(name.split()).casefold()
    for codebook in list_codebooks(session=session, organisation_id=organisation_id):
        if " ".join(codebook.name.split()).casefold() == wanted:
            return codebook
    return None


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
