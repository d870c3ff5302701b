"""A codebook as plain data: its themes, the limits on them, and the rules for tidying and
comparing theme names, keys and examples that the file formats and the staff pages share.
"""

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: The areas of the Children and Young People's Outcomes Framework named in the council's
#: documents, in the order they appear there.
OUTCOME_AREAS = ("My Voice", "My Health", "My Independence")

MAX_THEMES = 500
MAX_KEY = 80
MAX_NAME = 200
MAX_DESCRIPTION = 4000
MAX_NOTE = 1000  # "use when" and "do not use when"
MAX_EXAMPLE = 1000
MAX_EXAMPLES = 20
MAX_BYTES = 5 * 1024 * 1024
#: How many levels a tree may have. Deeper trees help nobody, and programs that read XML
#: with libxml2 (QualCoder, for one) refuse files nested more than 256 elements deep.
MAX_DEPTH = 10

TOO_BIG = "The file must be smaller than 5MB"

#: Each theme's GUID is made from this and its key, so it is the same in every export.
GUID_NAMESPACE = uuid.UUID("9dc441f8-8afc-4d68-a092-a545efd250c8")

# Characters XML 1.0 cannot hold, and other controls no one means to type: the C0 controls
# but tab and line breaks, DEL, the C1 controls and Unicode's noncharacters. (forms/base.py
# drops the same from what people type; a page cannot show them.)
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | end) for plane in range(17) for end in (0xFFFE, 0xFFFF))
    + "]"
)
# Letters that Unicode does not split into a plain letter and an accent.
_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae"}
    | {"Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "\u0131": "i"}
)


class CodebookFileError(ValueError):
    """The file cannot be read as a codebook; `problems` says everything there is to fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ThemeRow:
    """One theme, as a file holds it."""

    key: str  # lower-case letters, digits and hyphens, at most MAX_KEY characters
    name: str
    parent_key: str = ""
    description: str = ""
    inclusion: str = ""  # "Use when ..."
    exclusion: str = ""  # "Do not use when ..."
    examples: tuple[str, ...] = ()
    outcome_area: str = ""  # "" or one of OUTCOME_AREAS


@dataclass(frozen=True)
class CodebookFile:
    """A codebook's name, version and themes, parents before their children."""

    name: str
    version: int
    themes: tuple[ThemeRow, ...]


def key_from_name(name: str) -> str:
    """A theme key made from its name: plain lower-case letters and digits, with hyphens.

    Examples:
        >>> key_from_name("Children’s voice: EHCPs")
        'childrens-voice-ehcps'
        >>> key_from_name("Łódź parents")
        'lodz-parents'
        >>> key_from_name("صوت الطفل")  # a name with no Latin letters
        'theme'
    """
    folded = unicodedata.normalize("NFKD", re.sub(r"['’]", "", name).translate(_FOLD))
    words = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode().lower())
    return "-".join(words)[:MAX_KEY].strip("-") or "theme"


def theme_guid(key: str) -> str:
    """The GUID a theme has in every REFI-QDA export: the same key gives the same GUID.

    Examples:
        >>> theme_guid("waiting") == theme_guid("waiting") != theme_guid("waiting-2")
        True
    """
    return str(uuid.uuid5(GUID_NAMESPACE, key)).upper()


def unique_key(base: str, used: set[str]) -> str:
    """`base`, or where it is used already, `base` with the first free "-2", "-3" and so on,
    still at most `MAX_KEY` characters.

    Examples:
        >>> unique_key("waiting", {"waiting", "waiting-2"})
        'waiting-3'
    """
    if base not in used:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: MAX_KEY - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def clean(value: Any) -> str:
    """Text with one kind of line ending, no stray control characters and no outer spaces.

    Anything that is not a string is "". Both readers clean every cell this way.
    """
    if not isinstance(value, str):
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", value).strip()


def one_line(value: Any) -> str:
    """Text cleaned as `clean` does, on one line: each run of spaces and line breaks is one space.

    Examples:
        >>> one_line("  Waiting\\n for   a plan ")
        'Waiting for a plan'
    """
    return " ".join(clean(value).split())


def same_name(name: str) -> str:
    """What two names are compared by: spaces tidied and case ignored, so "Waiting  times"
    and "waiting times" are the same name.

    Examples:
        >>> same_name("  Waiting  TIMES ") == same_name("waiting times")
        True
    """
    return " ".join(name.split()).casefold()


def new_examples(examples: Sequence[str], texts: Iterable[str]) -> list[str]:
    """The texts, each on one line, that are neither blank nor already among the examples.

    Two texts are the same example when they are the same but for spaces and case, as two
    theme names are.

    Examples:
        >>> new_examples(["We waited"], ["we  WAITED", "", " The bus was late ", "the bus"])
        ['The bus was late', 'the bus']
    """
    seen = {same_name(example) for example in examples}
    kept = []
    for text in texts:
        tidy = one_line(text)
        if tidy and same_name(tidy) not in seen:
            seen.add(same_name(tidy))
            kept.append(tidy)
    return kept


def known_outcome_area(name: str) -> str | None:
    """The outcome area `name` is, whatever its spaces and case, spelt as in `OUTCOME_AREAS`.

    Args:
        name: an outcome area as a file or a person wrote it.

    Returns:
        The area from `OUTCOME_AREAS`, or None if `name` is none of them.

    Examples:
        >>> known_outcome_area(" my  VOICE"), known_outcome_area("My Education")
        ('My Voice', None)
    """
    known = {area.casefold(): area for area in OUTCOME_AREAS}
    return known.get(same_name(name))


def example_lines(text: str) -> list[str]:
    """Example comments typed one a line: blank lines and repeats left out."""
    return new_examples([], (text or "").splitlines())


def example_problem(examples: Sequence[str]) -> str | None:
    """Why these examples cannot go in a codebook (too many, or one too long), or None."""
    if len(examples) > MAX_EXAMPLES:
        return f"Enter {MAX_EXAMPLES} example comments or fewer"
    for number, example in enumerate(examples, start=1):
        if len(example) > MAX_EXAMPLE:
            return f"Example comment {number} must be {MAX_EXAMPLE:,} characters or fewer"
    return None
