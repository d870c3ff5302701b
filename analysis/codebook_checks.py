"""Checking the themes read from a codebook file, CSV or REFI-QDA alike, and building the
codebook from them.

Every theme is checked, then the keys, parents and names between them, and every problem is
listed at once, each naming its row (CSV) or line (XML), so that a person can fix the file in
one go. The codebook built is in tree order: each top-level theme is followed by its
children, and theirs; themes at the same level keep the order the file gave them.
"""

import re
from dataclasses import dataclass

from analysis.codebook_themes import (
    MAX_DEPTH,
    MAX_DESCRIPTION,
    MAX_EXAMPLE,
    MAX_EXAMPLES,
    MAX_KEY,
    MAX_NAME,
    MAX_NOTE,
    MAX_THEMES,
    OUTCOME_AREAS,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    key_from_name,
    known_outcome_area,
    same_name,
    unique_key,
)

NO_THEMES = "The file has no themes in it"
TOO_MANY = f"The file must have {MAX_THEMES} themes or fewer"

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class UncheckedTheme:
    """A theme as read, before it is checked."""

    kind: str  # "Row" or "Line"
    number: int
    name: str
    key: str = ""  # "" to make one from the name
    parent: str = ""  # a key or a name, as written
    parent_index: int | None = None  # the parent's place, where the file nests themes
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    outcome_area: str = ""

    @property
    def where(self) -> str:
        return f"{self.kind} {self.number}"


def build_codebook(entries: list[UncheckedTheme], *, name: str, version: int) -> CodebookFile:
    """Check every entry, then the keys, parents and names between them; raise or build.

    Args:
        entries: the themes in the order the file gave them.
        name: the codebook's name.
        version: the codebook's version.

    Returns:
        The codebook, its themes in tree order.

    Raises:
        CodebookFileError: with every problem, sorted by row or line.
    """
    if not entries:
        raise CodebookFileError([NO_THEMES])
    if len(entries) > MAX_THEMES:
        raise CodebookFileError([f"{TOO_MANY}; it has {len(entries)}"])
    problems = [problem for entry in entries for problem in _check_fields(entry)]
    keys, key_problems = _keys(entries)
    parents, parent_problems = _parents(entries, keys)
    problems += key_problems + parent_problems
    circles = _circles(entries, parents)
    problems += circles or _too_deep(entries, parents)
    problems += _same_names(entries, parents)
    if problems:
        raise CodebookFileError(sorted(problems, key=_place))
    themes = tuple(_theme_row(entries, keys, parents, index) for index in _tree_order(parents))
    return CodebookFile(name=name, version=version, themes=themes)


def _place(problem: str) -> int:
    """The row or line a problem names, 0 for the whole file.

    Sorted by this, the list reads down the file, with whole-file problems first.
    """
    found = re.match(r"(?:Rows?|Lines?) (\d+)", problem)
    return int(found.group(1)) if found else 0


def _theme_row(
    entries: list[UncheckedTheme], keys: list[str], parents: list[int | None], index: int
) -> ThemeRow:
    entry, parent = entries[index], parents[index]
    return ThemeRow(
        key=keys[index],
        name=entry.name,
        parent_key=keys[parent] if parent is not None else "",
        description=entry.description,
        inclusion=entry.inclusion,
        exclusion=entry.exclusion,
        examples=entry.examples,
        outcome_area=entry.outcome_area,
    )


def _places(entries: list[UncheckedTheme]) -> str:
    """ "Rows 3 and 5", "Rows 3, 5 and 8"."""
    numbers = [str(e.number) for e in entries]
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"{entries[0].kind}s {listed}"


def _check_fields(entry: UncheckedTheme) -> list[str]:
    """The problems with the entry's own fields; a known outcome area is given its spelling."""
    problems = _name_and_key_problems(entry) + _length_problems(entry)
    if entry.outcome_area:
        area = known_outcome_area(entry.outcome_area)
        if area is None:
            allowed = ", ".join(f"“{a}”" for a in OUTCOME_AREAS[:-1])
            problems.append(
                f"outcome area must be {allowed} or “{OUTCOME_AREAS[-1]}”, or left blank"
            )
        else:
            entry.outcome_area = area
    return [f"{entry.where}: {problem}" for problem in problems]


def _name_and_key_problems(entry: UncheckedTheme) -> list[str]:
    problems = []
    if not entry.name:
        problems.append("enter a theme name")
    elif len(entry.name) > MAX_NAME:
        problems.append(f"theme name must be {MAX_NAME} characters or fewer")
    if len(entry.key) > MAX_KEY:
        problems.append(f"key must be {MAX_KEY} characters or fewer")
    elif entry.key and not _KEY.match(entry.key):
        problems.append(
            "key must start with a letter or number and only include lower-case letters, "
            "numbers and hyphens"
        )
    return problems


def _length_problems(entry: UncheckedTheme) -> list[str]:
    problems = []
    for label, value, limit in (
        ("description", entry.description, MAX_DESCRIPTION),
        ("“use when” note", entry.inclusion, MAX_NOTE),
        ("“do not use when” note", entry.exclusion, MAX_NOTE),
    ):
        if len(value) > limit:
            problems.append(f"{label} must be {limit} characters or fewer")
    if len(entry.examples) > MAX_EXAMPLES:
        problems.append(f"enter {MAX_EXAMPLES} examples or fewer")
    for number, example in enumerate(entry.examples, start=1):
        if len(example) > MAX_EXAMPLE:
            problems.append(f"example {number} must be {MAX_EXAMPLE} characters or fewer")
    return problems


def _keys(entries: list[UncheckedTheme]) -> tuple[list[str], list[str]]:
    """Each entry's key, made from its name where the file gave none, and the problems."""
    problems = []
    first: dict[str, UncheckedTheme] = {}
    for entry in entries:
        if not entry.key:
            continue
        if entry.key in first:
            problems.append(
                f"{entry.where}: the key “{entry.key}” is already used on "
                f"{first[entry.key].where.lower()}"
            )
        else:
            first[entry.key] = entry
    used = set(first)
    keys = []
    for entry in entries:
        key = entry.key
        if not key:
            key = unique_key(key_from_name(entry.name), used)
            used.add(key)
        keys.append(key)
    return keys, problems


def _parents(entries: list[UncheckedTheme], keys: list[str]) -> tuple[list[int | None], list[str]]:
    """Each entry's parent, as its place in `entries`, found by key and then by name."""
    by_key: dict[str, int] = {}
    for index, key in enumerate(keys):
        by_key.setdefault(key, index)
    by_name: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry.name:
            by_name.setdefault(same_name(entry.name), []).append(index)
    parents: list[int | None] = []
    problems = []
    for index, entry in enumerate(entries):
        if entry.parent_index is not None or not entry.parent:
            parents.append(entry.parent_index)
            continue
        found, problem = _find_parent(entry.parent, by_key, by_name)
        if problem:
            problems.append(f"{entry.where}: {problem}")
        if found == index:
            problems.append(f"{entry.where}: a theme cannot be its own parent")
            found = None
        parents.append(found)
    return parents, problems


def _find_parent(
    parent: str, by_key: dict[str, int], by_name: dict[str, list[int]]
) -> tuple[int | None, str | None]:
    """The place of the theme that `parent` names, by key and then by name, or a problem."""
    found = by_key.get(parent, by_key.get(parent.lower()))
    if found is not None:
        return found, None
    named = by_name.get(same_name(parent), [])
    if len(named) > 1:
        return None, (f"more than one theme is called “{parent}”; enter the parent’s key instead")
    if named:
        return named[0], None
    return None, f"parent “{parent}” is not a theme in this file"


def _circles(entries: list[UncheckedTheme], parents: list[int | None]) -> list[str]:
    """A problem for each set of themes whose parents go round in a circle."""
    problems = []
    done: set[int] = set()
    for start in range(len(entries)):
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node]
        if node is not None and node in on_path:
            circle = path[path.index(node) :]
            chain = " → ".join(f"“{entries[i].name}”" for i in [*circle, circle[0]])
            problems.append(
                f"{_places([entries[i] for i in sorted(circle)])}: the parents go round in a "
                f"circle ({chain}); give one of these themes no parent"
            )
        done.update(path)
    return problems


def _too_deep(entries: list[UncheckedTheme], parents: list[int | None]) -> list[str]:
    """A problem for the first theme below MAX_DEPTH on each branch (parents have no circles)."""
    depths: dict[int, int] = {}
    problems = []
    for start in range(len(entries)):
        path = []
        node: int | None = start
        while node is not None and node not in depths:
            path.append(node)
            node = parents[node]
        depth = depths[node] if node is not None else 0
        for index in reversed(path):
            depth += 1
            depths[index] = depth
    for index, entry in enumerate(entries):
        if depths[index] == MAX_DEPTH + 1:
            problems.append(
                f"{entry.where}: themes can only be nested {MAX_DEPTH} levels deep; move "
                f"“{entry.name}” higher up"
            )
    return problems


def _same_names(entries: list[UncheckedTheme], parents: list[int | None]) -> list[str]:
    """A problem for each theme named as an earlier one with the same parent is."""
    problems = []
    first: dict[tuple[int | None, str], UncheckedTheme] = {}
    for index, entry in enumerate(entries):
        if not entry.name:
            continue
        seen = first.setdefault((parents[index], same_name(entry.name)), entry)
        if seen is entry:
            continue
        parent = parents[index]
        if parent is None:
            problems.append(
                f"{entry.where}: there is already a theme called “{entry.name}”, on "
                f"{seen.where.lower()}"
            )
        else:
            problems.append(
                f"{entry.where}: “{entries[parent].name}” already has a theme called "
                f"“{entry.name}”, on {seen.where.lower()}"
            )
    return problems


def _tree_order(parents: list[int | None]) -> list[int]:
    """Depth first: each theme, then its children's trees, in file order."""
    children: dict[int | None, list[int]] = {}
    for index, parent in enumerate(parents):
        children.setdefault(parent, []).append(index)
    order = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children.get(index, [])))
    return order
