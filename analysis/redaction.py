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
from functools import lru_cache

from analysis.first_names import SENTENCE_START_WORDS, WORD_NAMES
from analysis.given_names import redact_given_names
from analysis.name_patterns import (
    AFTER_NAME,
    LETTER,
    LOWER,
    NAME_WORD,
    NOT_NAMES,
    PLACE_AFTER_NAME,
    STREETS_ANY_CASE,
    STREETS_CAPITALISED,
)
from analysis.setting_names import PLACEHOLDER as SETTING_PLACEHOLDER
from analysis.setting_names import redact_setting_names
from analysis.surnames import PLACEHOLDER as NAME_PLACEHOLDER
from analysis.surnames import absorb_surnames

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
_FLAT = r"(?:(?i:flat|apartment|apt\.?|unit)\s*\d+[A-Za-z]?,?\s+)?"
# A number or a range of numbers ("14-16"), starting where the run of digits starts.
_HOUSE = r"(?<![\w-])" + _FLAT + r"\d{1,4}[A-Za-z]?(?:\s?[-\u2013]\s?\d{1,4}[A-Za-z]?)?,?\s+"
# Words that mean the number was a count, not a house ("3 times down the road").
_NOT_STREET_WORDS = (
    r"(?:the|a|an|of|on|in|to|and|or|for|at|by|from|with|my|our|your|their|his|her|is|are|"
    r"was|were|this|that|every|each|no|not|more|less|other|miles?|years?|months?|weeks?|"
    r"days?|hours?|minutes?|times?|doors?|houses?|buses?|stops?)\b"
)
_STREET_NAME_WORD = r"(?!" + _NOT_STREET_WORDS + r")(?:st\.|[A-Za-z'\u2019]+)\s+"
ADDRESS = re.compile(
    _HOUSE
    + r"(?:"
    # "14 Mill Close", "9 St. John's Way": capitalised words, a capitalised street word
    + r"(?:(?:St\.|[A-Z][a-z'\u2019]+)\s+){1,3}(?:"
    + STREETS_CAPITALISED
    + r")\b"
    # "14 mill lane", "14 St. John's Road": any words, a street word that is only that
    + r"|(?i:(?:"
    + _STREET_NAME_WORD
    + r"){1,3}(?:"
    + STREETS_ANY_CASE
    + r"))\b"
    # "14 The Crescent", "2 The Avenue"
    + r"|The\s+(?:"
    + STREETS_ANY_CASE.title()
    + r"|"
    + STREETS_CAPITALISED
    + r")\b"
    + r")"
)
# A street named as where someone lives, with no house number ("we live on Acacia Avenue",
# "she moved to Mill Close"): only the street goes, so the sentence still reads. Street
# words that also end the names of towns and areas ("Kings Hill", "Borough Green", "West
# End") do not count here, and people "stay" in hospitals and respite, so only living and
# moving are cues.
_HOME_STREETS = STREETS_ANY_CASE.title() + "|Close|Drive|Court|Place|Square|Walk|Row|Rise|Parade"
HOME_STREET = re.compile(
    r"\b((?i:(?:live[sd]?|living|move[sd]?|moving)\s+(?:on|in|at|to|off|near|down)\s+"
    r"(?:the\s+)?))(?:(?:St\.|[A-Z][a-z'\u2019]+)\s+){1,3}(?:" + _HOME_STREETS + r")\b"
)
#: Words that introduce a person's name ("my son Jack", "Dr Shah", "called Amy").
TITLES = r"(?:mr|mrs|ms|miss|mx|dr|doctor|nurse|sir|prof|professor)\.?"
NAME_CUES = (
    r"(?:my|our|his|her|their)\s+(?:son|daughter|child|boy|girl|brother|sister|mum|dad|"
    r"mother|father|friend|teacher|carer|worker|nan|grandma|grandad|uncle|auntie|aunt|"
    r"cousin|husband|wife|partner|sw|social worker|key worker|senco)",
    r"(?:called|named|name is|name's|i am|i'm|im|this is|from|with|by|thanks to|thank you)",
)
_CAPITALISED = NAME_WORD + r"(?:\s+" + NAME_WORD + r")?"
# The cues match in any case; the name must be capitalised, or a word that is only ever a
# title's surname ("mrs patel") or a known given name ("my son jack").
_LOWER_NAME = r"[" + LOWER + r"]+(?:-[" + LOWER + r"]+)*(?![" + LETTER + r"\d-])"
_NAME_AFTER_CUE = r"(?P<name>" + _CAPITALISED + r"|" + _LOWER_NAME + r")"
# "Mr and Mrs Smith", "Mr & Mrs Patel": the name after both titles.
TITLED_NAME = re.compile(
    r"\b(?P<cue>(?i:" + TITLES + r"(?:\s+(?:and|&)\s+" + TITLES + r")?))\s+" + _NAME_AFTER_CUE
)
NAME_IN_CONTEXT = re.compile(r"\b(?P<cue>(?i:" + "|".join(NAME_CUES) + r"))\s+" + _NAME_AFTER_CUE)
# Titles that are only ever titles, so any word after them is a surname ("mrs patel");
# "dr", "nurse" and "miss" are also words ("dr appointment", "miss school"), and "MS" and
# "ms" are often multiple sclerosis or Microsoft ("MS teams").
_SURNAME_TITLES = frozenset({"mr", "mrs", "mr.", "mrs."})
_FAMILY_CUE_STARTS = frozenset({"my", "our", "his", "her", "their"})


@dataclass(frozen=True)
class Placeholder:
    """The typed placeholders redaction writes in place of what it removed."""

    EMAIL = "[email]"
    PHONE = "[phone]"
    POSTCODE = "[postcode]"
    NHS_NUMBER = "[NHS number]"
    UPN = "[pupil number]"
    NAME = NAME_PLACEHOLDER
    SETTING = SETTING_PLACEHOLDER
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
    text = redact_setting_names(text)
    # After settings, so that "moved to Hill View Primary School" is a [setting].
    text = HOME_STREET.sub(r"\1" + Placeholder.ADDRESS, text)
    # Titles first, so that "thanks to Dr Shah" loses the name, not the title.
    text = TITLED_NAME.sub(_name_in_context, text)
    text = NAME_IN_CONTEXT.sub(_name_in_context, text)
    return absorb_surnames(redact_given_names(text, Placeholder.NAME))


def _redact_known(text: str, known: Iterable[str], placeholder: str, *, parts: bool) -> str:
    terms: set[str] = set()
    for value in known:
        value = " ".join(str(value).split())
        if len(value) < 2:
            continue
        terms.add(value)
        if parts:
            terms.update(part for part in re.split(r"[\s-]+", value) if len(part) >= 3)
    if not terms:
        return text
    # Longest first, so "Oak Tree School" wins over "Oak Tree".
    pattern = _known_pattern(tuple(sorted(terms, key=lambda term: (-len(term), term))))
    return pattern.sub(placeholder, text)


@lru_cache(maxsize=32)
def _known_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a list of names, read in one pass and kept for the next comment: an
    organisation's hundreds of staff and settings would otherwise be compiled per comment."""
    words = (r"\s+".join(map(re.escape, term.split())) for term in terms)
    # Never inside a placeholder: staff called "Name" or "Setting" leave "[name]" alone.
    return re.compile(r"(?<![\w\[])(?:" + "|".join(words) + r")(?![\w\]])", re.IGNORECASE)


def _name_in_context(match: re.Match[str]) -> str:
    name = match.group("name")
    words = name.split()
    first = words[0].lower()
    if first in NOT_NAMES:
        return match.group(0)
    if not words[0][0].isupper():
        # In lower case, only a title's surname or a name that is also a word is a name;
        # other given names are found anyway, and anything else is the next word.
        cue = match.group("cue").split()
        titled = (
            cue[-1].lower() in _SURNAME_TITLES and not cue[-1].isupper() and first not in AFTER_NAME
        )
        cue = [word.lower() for word in cue]
        # "my son jack", but not "my son will", "we live with hope".
        family = cue[0] in _FAMILY_CUE_STARTS and first in WORD_NAMES - SENTENCE_START_WORDS
        if not (titled or family):
            return match.group(0)
    if PLACE_AFTER_NAME.match(match.string, match.end("name")) or (
        len(words) > 1 and PLACE_AFTER_NAME.match(" " + words[1])
    ):
        return match.group(0)  # "from Victoria Station", "with Rowan Ward"
    keep = 1
    if len(words) > 1 and words[1][0].isupper() and words[1].lower() not in AFTER_NAME:
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
        r"\[(email|phone|postcode|NHS number|pupil number|name|link|date of birth|address|"
        r"setting)\]",
        redacted,
    )
    return sorted(set(kinds), key=kinds.index)
