"""Redaction: replace personal details in free text with typed placeholders.

Applied before any comment is shown to reviewers, exported or published. It finds contact
details and identifiers by pattern, names the system already knows (the respondent, staff),
the organisation's setting names, and capitalised person names in context ("my son Jack",
"Mrs Patel said"). Recall matters more than precision here: an over-redacted comment still
reads; a leaked name cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# UK postcodes, with or without the space ("ME14 1XQ", "me141xq").
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
# NHS numbers are ten digits, usually written 3-3-4.
NHS_NUMBER = re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")
# Unique pupil numbers: a letter then twelve digits.
UPN = re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b", re.IGNORECASE)
# UK phone numbers: 01/02/03/07/08 numbers and +44, with spaces, dashes or brackets.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\w)"
)
DATE_OF_BIRTH = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date of birth|born on)\s*:?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.IGNORECASE,
)

#: Words that introduce a person's name ("my son Jack", "Dr Shah", "called Amy").
TITLES = r"(?:mr|mrs|ms|miss|mx|dr|doctor|nurse|sir|prof|professor)\.?"
NAME_CUES = (
    r"(?:my|our|his|her|their)\s+(?:son|daughter|child|boy|girl|brother|sister|mum|dad|"
    r"mother|father|friend|teacher|carer|worker|nan|grandma|grandad|uncle|auntie|aunt|"
    r"cousin|husband|wife|partner|sw|social worker|key worker|senco)",
    r"(?:called|named|name is|name's|i am|i'm|im|this is|from|with|by|thanks to|thank you)",
)
_CAPITALISED = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?"
TITLED_NAME = re.compile(
    r"\b(?P<cue>" + TITLES + r")\s+(?P<name>" + _CAPITALISED + r")", re.IGNORECASE
)
NAME_IN_CONTEXT = re.compile(
    r"\b(?P<cue>" + "|".join(NAME_CUES) + r")\s+(?P<name>" + _CAPITALISED + r")",
    re.IGNORECASE,
)
# Capitalised words after a cue that are ordinary words, not names.
_ORDINARY_WORDS = """
    a an the i it is am are was be school college nursery setting class team service
    services staff nhs send ehcp camhs gp sen senco council kent hospital clinic
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december christmas easter
    mr mrs ms miss mx dr doctor nurse sir prof professor
    autism adhd asd year reception home mum dad mummy daddy everyone everybody nobody
    all some no not very really so too just also always never only still then there here
"""
_NOT_NAMES = frozenset(_ORDINARY_WORDS.split())


@dataclass(frozen=True)
class Placeholder:
    """The typed placeholders redaction writes in place of what it removed."""

    EMAIL = "[email]"
    PHONE = "[phone]"
    POSTCODE = "[postcode]"
    NHS_NUMBER = "[NHS number]"
    UPN = "[pupil number]"
    NAME = "[name]"
    SETTING = "[setting]"
    URL = "[link]"
    DATE_OF_BIRTH = "[date of birth]"


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (EMAIL, Placeholder.EMAIL),
    (URL, Placeholder.URL),
    (DATE_OF_BIRTH, Placeholder.DATE_OF_BIRTH),
    (UPN, Placeholder.UPN),
    (NHS_NUMBER, Placeholder.NHS_NUMBER),
    (PHONE, Placeholder.PHONE),
    (POSTCODE, Placeholder.POSTCODE),
)


def redact(text: object, *, names: Iterable[str] = (), places: Iterable[str] = ()) -> str:
    """Return the text with personal details replaced by typed placeholders.

    Args:
        text: The comment. Non-strings become an empty string.
        names: Names the system knows (the respondent's own name, staff names). Each full
            name and each of its parts of three or more letters is redacted wherever it
            appears, in any case.
        places: Setting names from the organisation's list (schools, nurseries, colleges).

    Returns:
        The redacted text.

    Examples:
        >>> redact("Email jo@example.org or ring 07700 900123")
        'Email [email] or ring [phone]'
        >>> redact("My son Jack loves Oak Tree School", names=[], places=["Oak Tree School"])
        'My son [name] loves [setting]'
    """
    if not isinstance(text, str) or not text.strip():
        return "" if not isinstance(text, str) else text
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    text = _redact_known(text, places, Placeholder.SETTING, parts=False)
    text = _redact_known(text, names, Placeholder.NAME, parts=True)
    # Titles first, so that "thanks to Dr Shah" loses the name, not the title.
    text = TITLED_NAME.sub(_name_in_context, text)
    return NAME_IN_CONTEXT.sub(_name_in_context, text)


def _redact_known(text: str, known: Iterable[str], placeholder: str, *, parts: bool) -> str:
    terms: set[str] = set()
    for value in known:
        value = " ".join(str(value).split())
        if len(value) < 2:
            continue
        terms.add(value)
        if parts:
            terms.update(part for part in re.split(r"[\s-]+", value) if len(part) >= 3)
    # Longest first, so "Oak Tree School" wins over "Oak Tree".
    for term in sorted(terms, key=len, reverse=True):
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, term.split())) + r"(?!\w)")
        text = re.compile(pattern.pattern, re.IGNORECASE).sub(placeholder, text)
    return text


def _name_in_context(match: re.Match[str]) -> str:
    name = match.group("name")
    words = name.split()
    # Only the capitalised words that are not ordinary words are a name.
    if not words[0][0].isupper() or words[0].lower() in _NOT_NAMES:
        return match.group(0)
    keep = 1
    if len(words) > 1 and words[1][0].isupper() and words[1].lower() not in _NOT_NAMES:
        keep = 2
    rest = " ".join(words[keep:])
    replaced = f"{match.group('cue')} {Placeholder.NAME}"
    return f"{replaced} {rest}" if rest else replaced


def find_personal_details(text: object) -> list[str]:
    """Return the kinds of personal detail found in a text, e.g. ``["email", "phone"]``.

    Examples:
        >>> find_personal_details("ring 07700 900123")
        ['phone']
    """
    redacted = redact(text)
    kinds = re.findall(
        r"\[(email|phone|postcode|NHS number|pupil number|name|link|date of birth)\]", redacted
    )
    return sorted(set(kinds), key=kinds.index)
