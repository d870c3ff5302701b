"""Codebooks as REFI-QDA codebook exchange files (.qdc), for NVivo, ATLAS.ti, MAXQDA and
QualCoder: writing them, and reading them from Heard or from another program.

Children are nested inside their parent's Code; each theme's notes, key and examples travel
in its Description (see `analysis.codebook_descriptions`).
"""

import uuid
from xml.etree import ElementTree as ET

from analysis.codebook_checks import TOO_MANY, UncheckedTheme, build_codebook
from analysis.codebook_descriptions import describe, read_description
from analysis.codebook_qdc_schema import (
    QDC_NAMESPACE,
    check_tree,
    guid_key,
    member_guid,
    parse_qdc,
    qdc_tag,
)
from analysis.codebook_themes import (
    CONTROL,
    GUID_NAMESPACE,
    MAX_NAME,
    MAX_THEMES,
    OUTCOME_AREAS,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    clean,
    known_outcome_area,
    one_line,
    theme_guid,
)

ORIGIN = "Heard"
IMPORTED_NAME = "Imported codebook"


def to_qdc(codebook: CodebookFile) -> bytes:
    """The codebook as a REFI-QDA codebook exchange file (.qdc), UTF-8 XML.

    Children are nested inside their parent's Code. Each Code's GUID comes from its key,
    so a theme keeps its GUID from one export to the next. Themes with an outcome area are
    also grouped in a Set for each area.

    Raises:
        CodebookFileError: if the codebook has no themes, repeats a key, or names a parent
            it does not have (the format cannot hold any of these).
    """
    children = _children(codebook)
    # Plain tags with an xmlns attribute: ElementTree cannot write a default namespace
    # together with attributes that have none.
    root = ET.Element("CodeBook", {"xmlns": QDC_NAMESPACE, "origin": ORIGIN})
    written = _write_codes(ET.SubElement(root, "Codes"), children)
    if written != len(codebook.themes):
        raise CodebookFileError(["The themes’ parents go round in a circle"])
    _write_sets(root, codebook.themes)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _children(codebook: CodebookFile) -> dict[str, list[ThemeRow]]:
    """Each theme's children, by its key; the top-level themes are under ""."""
    if not codebook.themes:
        raise CodebookFileError(["The codebook has no themes in it"])
    keys = [theme.key for theme in codebook.themes]
    if len(set(keys)) != len(keys):
        raise CodebookFileError(["Each theme in the codebook must have a different key"])
    children: dict[str, list[ThemeRow]] = {}
    for theme in codebook.themes:
        if theme.parent_key and theme.parent_key not in keys:
            raise CodebookFileError(
                [f"Theme “{theme.name}” has a parent, “{theme.parent_key}”, not in the codebook"]
            )
        children.setdefault(theme.parent_key, []).append(theme)
    return children


def _write_codes(codes: ET.Element, children: dict[str, list[ThemeRow]]) -> int:
    """Write a Code for each theme reached from the top, in its parent's; how many there were."""
    written = 0
    stack = [(codes, theme) for theme in reversed(children.get("", []))]
    while stack:
        parent, theme = stack.pop()
        code = ET.SubElement(
            parent,
            "Code",
            guid=theme_guid(theme.key),
            name=CONTROL.sub("", theme.name),
            isCodable="true",
        )
        text = CONTROL.sub("", describe(theme))
        if text:
            ET.SubElement(code, "Description").text = text
        written += 1
        stack.extend((code, child) for child in reversed(children.get(theme.key, [])))
    return written


def _write_sets(root: ET.Element, themes: tuple[ThemeRow, ...]) -> None:
    """Write a Set for each outcome area the themes have, in the framework's order."""
    areas = sorted(
        {theme.outcome_area for theme in themes if theme.outcome_area},
        key=lambda area: (OUTCOME_AREAS.index(area) if area in OUTCOME_AREAS else 99, area),
    )
    if not areas:
        return
    sets = ET.SubElement(root, "Sets")
    for area in areas:
        group = ET.SubElement(
            sets,
            "Set",
            guid=str(uuid.uuid5(GUID_NAMESPACE, "outcome-area:" + area)).upper(),
            name=area,
        )
        for theme in themes:
            if theme.outcome_area == area:
                # Codebook.xsd names this attribute "guid"; project files use "targetGUID".
                ET.SubElement(group, "MemberCode", guid=theme_guid(theme.key))


def from_qdc(data: bytes, *, name: str | None = None, version: int = 1) -> CodebookFile:
    """Read a REFI-QDA codebook (.qdc), from Heard or from another program.

    The codebook's name is `name` if given, else the CodeBook's `name` attribute where a
    program writes one, else "Imported codebook": the schema has no place for a name, so
    Heard's own files do not carry one. For a file that Heard wrote, the description's
    labelled paragraphs are read back into notes, examples, outcome area and key, so that
    `from_qdc(to_qdc(book), name=book.name, version=book.version) == book`. From any other
    program, the description is kept as it is, keys are made from names, and a Set named
    after an outcome area gives its codes that area.

    Raises:
        CodebookFileError: if the file is not a codebook, or its themes break Heard's rules
            (each problem names its line).
    """
    root, lines = parse_qdc(data)
    count = sum(1 for _code in root.iter(qdc_tag("Code")))
    if count > MAX_THEMES:
        raise CodebookFileError([f"{TOO_MANY}; it has {count}"])
    problems = check_tree(root, lines)
    if problems:
        raise CodebookFileError(problems)
    ours = root.get("origin") == ORIGIN
    areas = {} if ours else _set_areas(root)
    codes = root.find(qdc_tag("Codes"))
    assert codes is not None  # check_tree made sure
    entries: list[UncheckedTheme] = []
    stack: list[tuple[ET.Element, int | None]] = [(c, None) for c in reversed(codes)]
    while stack:
        code, parent = stack.pop()
        entries.append(_code_theme(code, lines[code], parent, ours=ours, areas=areas))
        index = len(entries) - 1
        stack.extend((child, index) for child in reversed(code.findall(qdc_tag("Code"))))
    book_name = name or one_line(root.get("name"))[:MAX_NAME] or IMPORTED_NAME
    return build_codebook(entries, name=book_name, version=version)


def _set_areas(root: ET.Element) -> dict[str, str]:
    """The outcome area of each code, by GUID, from the Sets named after an area."""
    areas: dict[str, str] = {}
    for group in root.iter(qdc_tag("Set")):
        area = known_outcome_area(group.get("name") or "")
        if area is None:
            continue
        for member in group.findall(qdc_tag("MemberCode")):
            areas.setdefault(guid_key(member_guid(member)), area)  # the first area wins
    return areas


def _code_theme(
    code: ET.Element, number: int, parent: int | None, *, ours: bool, areas: dict[str, str]
) -> UncheckedTheme:
    """The theme a Code holds, on line `number`, under the theme at place `parent`."""
    description = code.find(qdc_tag("Description"))
    text = clean(description.text if description is not None else "")
    entry = UncheckedTheme(
        kind="Line", number=number, name=one_line(code.get("name")), parent_index=parent
    )
    if ours:
        fields = read_description(text)
        entry.description = fields.get("description", "")
        entry.inclusion = fields.get("inclusion", "")
        entry.exclusion = fields.get("exclusion", "")
        entry.examples = fields.get("examples", ())
        entry.outcome_area = fields.get("outcome_area", "")
        entry.key = fields.get("key", "").lower()
    else:
        entry.description = text
        entry.outcome_area = areas.get(guid_key(code.get("guid") or ""), "")
    return entry
