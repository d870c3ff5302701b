"""Reading REFI-QDA codebook XML safely, and checking it against the parts of the published
schema that a codebook needs, each problem naming its line.
"""

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from analysis.codebook_themes import MAX_BYTES, TOO_BIG, CodebookFileError

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: A broken XML file can have thousands of problems; only this many are listed.
MAX_PROBLEMS = 100
NO_DECLARATIONS = (
    "The file must not contain a DOCTYPE or ENTITY declaration. Export the codebook again "
    "from your analysis program"
)

_GUID = re.compile(
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$"
)
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def qdc_tag(local: str) -> str:
    """The ElementTree tag of a codebook element: `local` in the codebook's namespace."""
    return f"{{{QDC_NAMESPACE}}}{local}"


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def guid_key(guid: str) -> str:
    """A GUID as it is compared: without spaces or braces, in lower case."""
    return guid.strip().strip("{}").lower()


def member_guid(member: ET.Element) -> str:
    """The GUID of the code a MemberCode points at, or "".

    Codebook.xsd names this attribute "guid"; project files use "targetGUID".
    """
    return member.get("guid") or member.get("targetGUID") or ""


def check_qdc(data: bytes) -> list[str]:
    """What stops `data` being a REFI-QDA codebook, by the published schema; [] if nothing.

    It checks the parts the schema requires: the CodeBook root in its namespace, a Codes
    element with at least one Code, and for every Code a name, a GUID (unique in the file)
    and isCodable; Sets and their MemberCodes, which must point at a Code. It does not
    check everything the schema does, such as the order of elements.
    """
    try:
        root, lines = parse_qdc(data)
    except CodebookFileError as error:
        return error.problems
    return check_tree(root, lines)


class _Refused(Exception):
    """A DOCTYPE or ENTITY declaration met while parsing."""


def parse_qdc(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The XML as an ElementTree, with each element's line, refusing any declarations.

    Entities are what "billion laughs" and external-entity attacks are made of, and a
    codebook has no use for them, so a DOCTYPE is refused before parsing, and again by the
    parser if it is spelt in a way the first check does not see (UTF-16, say).

    Raises:
        CodebookFileError: if the file is too big, has a declaration or is not valid XML.
    """
    if len(data) > MAX_BYTES:
        raise CodebookFileError([TOO_BIG])
    if _DECLARATION.search(data):
        raise CodebookFileError([NO_DECLARATIONS])
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}
    parser = _parser(builder, lines)
    try:
        parser.Parse(data, True)
    except _Refused:
        raise CodebookFileError([NO_DECLARATIONS]) from None
    except expat.ExpatError as error:
        raise CodebookFileError(
            [f"Line {error.lineno}: the file is not valid XML ({expat.ErrorString(error.code)})"]
        ) from None
    return builder.close(), lines


def _parser(builder: ET.TreeBuilder, lines: dict[ET.Element, int]) -> expat.XMLParserType:
    """An expat parser that builds into `builder`, noting each element's line in `lines`."""
    parser = expat.ParserCreate(namespace_separator="}")

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(name(tag), {name(k): v for k, v in attributes.items()})
        lines[element] = parser.CurrentLineNumber

    def refuse(*_args: Any) -> None:
        raise _Refused

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def check_tree(root: ET.Element, lines: dict[ET.Element, int]) -> list[str]:
    """The schema's problems with the tree, the first MAX_PROBLEMS of them.

    Args:
        root: the parsed file's root element.
        lines: each element's line in the file, as `parse_qdc` gives them.

    Returns:
        The problems, each naming its line, in the order they are found; [] if none.
    """
    problems = _tree_problems(root, lines)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        return [*problems[:MAX_PROBLEMS], f"There are {more} more problems in the file"]
    return problems


@dataclass
class _TreeCheck:
    """The problems found so far, and the line that first used each GUID."""

    lines: dict[ET.Element, int]
    problems: list[str] = field(default_factory=list)
    guids: dict[str, int] = field(default_factory=dict)

    def add(self, element: ET.Element, problem: str) -> None:
        self.problems.append(f"Line {self.lines[element]}: {problem}")

    def guid(self, element: ET.Element, label: str) -> None:
        """Check that the element has a GUID, in the right form, not used before."""
        guid = element.get("guid")
        if guid is None or not guid.strip():
            self.add(element, f"{label} must have a guid")
        elif not _GUID.match(guid.strip()):
            self.add(
                element,
                f"{label} has a guid, “{guid}”, that is not in the form "
                "8-4-4-4-12, such as “9DC441F8-8AFC-4D68-A092-A545EFD250C8”",
            )
        elif guid_key(guid) in self.guids:
            self.add(
                element,
                f"{label} has the same guid as the one on line {self.guids[guid_key(guid)]}",
            )
        else:
            self.guids[guid_key(guid)] = self.lines[element]


def _tree_problems(root: ET.Element, lines: dict[ET.Element, int]) -> list[str]:
    problem = _root_problem(root)
    if problem is not None:
        return [problem]
    check = _TreeCheck(lines)
    codes, *more = root.findall(qdc_tag("Codes"))
    if more:
        check.add(more[0], "the codebook must have only one “Codes” element")
    code_guids = _check_codes(check, codes)
    for sets in root.findall(qdc_tag("Sets")):
        _check_sets(check, sets, code_guids)
    return check.problems


def _root_problem(root: ET.Element) -> str | None:
    """Why the file is not a codebook at all, or None."""
    namespace, local = _local(root.tag)
    if local != "CodeBook":
        return f"The file must be a REFI-QDA codebook, which starts with “CodeBook”, not “{local}”"
    if namespace != QDC_NAMESPACE:
        return f"The CodeBook element must be in the namespace “{QDC_NAMESPACE}”"
    if root.find(qdc_tag("Codes")) is None:
        return "The codebook must have a “Codes” element"
    return None


def _check_codes(check: _TreeCheck, codes: ET.Element) -> set[str]:
    """Check the Codes element and every Code in it; the Codes' GUIDs, as compared."""
    if not list(codes.iter(qdc_tag("Code"))):
        check.add(codes, "“Codes” must have at least one “Code”")
    for child in codes:
        if child.tag != qdc_tag("Code"):
            check.add(child, "“Codes” can only contain “Code” elements")
    code_guids = set()
    for code in codes.iter(qdc_tag("Code")):
        _check_code(check, code)
        code_guids.add(guid_key(code.get("guid") or ""))
    return code_guids


def _check_code(check: _TreeCheck, code: ET.Element) -> None:
    name = (code.get("name") or "").strip()
    label = f"code “{name}”" if name else "the code"
    if not name:
        check.add(code, "a code must have a name")
    check.guid(code, label)
    if (code.get("isCodable") or "").strip() not in ("true", "false", "1", "0"):
        check.add(code, f"{label} must have isCodable set to “true” or “false”")
    if len(code.findall(qdc_tag("Description"))) > 1:
        check.add(code, f"{label} must have only one “Description”")
    for child in code:
        if child.tag not in (qdc_tag("Code"), qdc_tag("Description"), qdc_tag("NoteRef")):
            check.add(
                child, f"{label} contains “{_local(child.tag)[1]}”, which a code cannot contain"
            )


def _check_sets(check: _TreeCheck, sets: ET.Element, code_guids: set[str]) -> None:
    """Check a Sets element, each Set in it, and that each member is one of the codes."""
    if not list(sets):
        check.add(sets, "“Sets” must have at least one “Set”")
    for group in sets:
        if group.tag != qdc_tag("Set"):
            check.add(group, "“Sets” can only contain “Set” elements")
            continue
        name = (group.get("name") or "").strip()
        label = f"set “{name}”" if name else "the set"
        if not name:
            check.add(group, "a set must have a name")
        check.guid(group, label)
        for member in group.findall(qdc_tag("MemberCode")):
            target = member_guid(member)
            if not target:
                check.add(member, f"a member of {label} must have a guid")
            elif guid_key(target) not in code_guids:
                check.add(member, f"{label} refers to a code that is not in the file ({target})")
