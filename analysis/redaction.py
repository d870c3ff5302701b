"""Redaction: replace personal details in free text with typed placeholders.

Applied before any comment is shown to reviewers, exported or published. It finds contact
details and identifiers by pattern, names the system already knows (the respondent, staff),
the organisation's setting names, and capitalised person names in context ("my son Jack",
"Mrs Patel said"). It also finds what no list holds: street addresses ("14 Mill Lane"),
schools and nurseries by their name ("Riverside Primary School"), and common given names
written with no cue at all ("no help at all for Ethan"). Recall matters more than precision
here: an over-redacted comment still reads; a leaked name cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.first_names import FIRST_NAMES, WORD_NAMES

# Each pattern starts only where a run of its characters starts, so a long run that is not
# a match ("a-a-a-...") is read once, not once from every position in it.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
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

# Street addresses: a house number, up to three words, and a street word ("14 Mill Lane",
# "Flat 2, 31a Station Road"). Street words that are also everyday words ("Way", "Park",
# "Close") count only when capitalised; the rest count in any case ("14 mill lane").
_FLAT = r"(?:(?i:flat|apartment|apt|unit)\s*\d+[A-Za-z]?,?\s+)?"
_HOUSE = r"\b" + _FLAT + r"\d{1,4}[A-Za-z]?,?\s+"
_STREETS_ANY_CASE = "road|rd|street|lane|avenue|ave|crescent|gardens|gdns|grove|terrace|mews"
_STREETS_CAPITALISED = (
    "St|Close|Cl|Drive|Dr|Way|Place|Pl|Court|Ct|Hill|Park|Square|Sq|Walk|Row|Rise|View|"
    "Green|Parade|Vale|Mead|Meadows|Wharf|Yard|Boulevard|Gate|Dene|End|Fields|Heights|"
    "Mount|Path|Croft|Approach|Chase|Circus"
)
# Words that mean the number was a count, not a house ("3 times down the road").
_NOT_STREET_WORDS = (
    r"(?:the|a|an|of|on|in|to|and|or|for|at|by|from|with|my|our|your|their|his|her|is|are|"
    r"was|were|this|that|every|each|no|not|more|less|other|miles?|years?|months?|weeks?|"
    r"days?|hours?|minutes?|times?|doors?|houses?|buses?|stops?)\b"
)
_STREET_NAME_WORD = r"(?!" + _NOT_STREET_WORDS + r")[A-Za-z'\u2019]+\s+"
ADDRESS = re.compile(
    _HOUSE
    + r"(?:"
    + r"(?:[A-Z][a-z'\u2019]+\s+){1,3}(?:"
    + _STREETS_CAPITALISED
    + r")\b"
    + r"|(?i:(?:"
    + _STREET_NAME_WORD
    + r"){1,3}(?:"
    + _STREETS_ANY_CASE
    + r"))\b"
    + r")"
)
# A school, nursery or college by its name: capitalised words before the kind of setting.
SETTING_BY_NAME = re.compile(
    r"(?<![\w'\u2019.&-])(?P<words>(?:[A-Z][A-Za-z'\u2019.&-]{0,40}\s+){1,5})"
    r"(?P<kind>School|Academy|College|Nursery|Pre-?[Ss]chool|Infants|Juniors|Primary)\b"
)
# Capitalised words that describe a setting without naming one ("a Special School").
_GENERIC_SETTING_TEXT = """
    the a an my our his her their this that at in to from and of for special primary
    secondary high grammar infant infants junior juniors independent local mainstream free
    sixth form day nursery forest sunday boarding residential community new old village
    church catholic rc ce cofe c e england
"""
_GENERIC_SETTING_WORDS = frozenset(_GENERIC_SETTING_TEXT.split())

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
# Capitalised words after a name that are not a surname ("Ethan Said", in title case).
_VERBS_AFTER_NAME = "and or but is was has had said says loves likes needs wants can could would"
_AFTER_NAME = _NOT_NAMES | frozenset(_VERBS_AFTER_NAME.split())


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
    ADDRESS = "[address]"


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
    text = ADDRESS.sub(Placeholder.ADDRESS, text)
    text = SETTING_BY_NAME.sub(_setting_by_name, text)
    # Titles first, so that "thanks to Dr Shah" loses the name, not the title.
    text = TITLED_NAME.sub(_name_in_context, text)
    text = NAME_IN_CONTEXT.sub(_name_in_context, text)
    return _redact_first_names(text)


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
    if len(words) > 1 and words[1][0].isupper() and words[1].lower() not in _AFTER_NAME:
        keep = 2
    rest = " ".join(words[keep:])
    replaced = f"{match.group('cue')} {Placeholder.NAME}"
    return f"{replaced} {rest}" if rest else replaced


def _setting_by_name(match: re.Match[str]) -> str:
    words = match.group("words").split()
    if all(word.lower().rstrip(".") in _GENERIC_SETTING_WORDS for word in words):
        return match.group(0)
    # Leading articles and prepositions stay: "at The Oaks School" -> "at The [setting]".
    kept = 0
    while kept < len(words) and words[kept].lower() in {"the", "a", "an", "at", "in", "to"}:
        kept += 1
    return " ".join([*words[:kept], Placeholder.SETTING])


# A word standing alone: not part of a placeholder, an email or a longer word.
# Hyphenated names ("Lily-Mae") are one word.
_WORD = re.compile(r"(?<![\w\[@.'\u2019-])[A-Za-z]+(?:-[A-Za-z]+)*(?![\w\]@-])")


def _redact_first_names(text: str) -> str:
    """Redact common given names that no cue introduced, with a capitalised surname after.

    A name that is also a word ("Grace", "Will") counts only when capitalised in the middle
    of a sentence; any other given name counts in any case, so "ethan" typed on a phone is
    redacted too.
    """
    pieces: list[str] = []
    position = 0
    skip_until = -1
    letters = [character for character in text if character.isalpha()]
    shouting = sum(character.isupper() for character in letters) > 0.6 * len(letters)
    for match in _WORD.finditer(text):
        if match.start() < skip_until:
            continue
        if not _is_given_name(text, match, shouting=shouting):
            continue
        end = match.end()
        # "the Victoria Centre", "James Cook University Hospital", "Rowan 1" (a ward).
        if _PLACE_AFTER_NAME.match(text, end):
            continue
        surname = re.match(r"\s+([A-Z][a-z'\u2019-]+)(?![\w\]])", text[end:])
        if surname and surname.group(1).lower() not in _AFTER_NAME:
            end += surname.end()
            if _PLACE_AFTER_NAME.match(text, end):
                continue
        pieces.append(text[position : match.start()])
        pieces.append(Placeholder.NAME)
        position = skip_until = end
    pieces.append(text[position:])
    return "".join(pieces)


_PLACE_KINDS = (
    "centre|center|hospital|infirmary|university|ward|unit|house|clinic|surgery|practice|"
    "hall|library|building|wing|suite|health|medical|children's|"
    + _STREETS_ANY_CASE
    + "|"
    + _STREETS_CAPITALISED.lower()
)
_PLACE_AFTER_NAME = re.compile(r"\s+(?:(?i:" + _PLACE_KINDS + r")\b|\d)")


# Verbs that make a word at the start of a sentence a name: "Will said he would ring".
_REPORTING = re.compile(r"\s+(?:said|says|told|asked|helped|explained|rang|phoned|emailed)\b")


def _is_given_name(text: str, match: re.Match[str], *, shouting: bool = False) -> bool:
    word = match.group(0)
    if word.isupper() and len(word) > 1 and not shouting:
        # An acronym ("TIA", "AMY" in a list of services), unless the whole text shouts.
        return False
    parts = word.split("-")
    if len(parts) > 1:
        # "Lily-Mae", "Jayden-Lee": capitalised parts, one of them a given name.
        capitalised = all(part[:1].isupper() for part in parts)
        return any(
            part.lower() in FIRST_NAMES or (capitalised and part.lower() in WORD_NAMES)
            for part in parts
        )
    lowered = word.lower()
    if lowered in FIRST_NAMES:
        return True
    if lowered not in WORD_NAMES or not (word[0].isupper() and word[1:].islower()):
        return False
    if _REPORTING.match(text, match.end()):
        return True
    # Mid-sentence: something other than sentence punctuation comes before it.
    start = match.start()
    while start > 0 and text[start - 1] in " \t\"'\u2018\u201c(":
        start -= 1
    return start > 0 and text[start - 1] not in ".!?:;\n"


def find_personal_details(text: object) -> list[str]:
    """Return the kinds of personal detail found in a text, e.g. ``["email", "phone"]``.

    Examples:
        >>> find_personal_details("ring 07700 900123")
        ['phone']
    """
    redacted = redact(text)
    kinds = re.findall(
        r"\[(email|phone|postcode|NHS number|pupil number|name|link|date of birth|address|"
        r"setting)\]",
        redacted,
    )
    return sorted(set(kinds), key=kinds.index)
