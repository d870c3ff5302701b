"""Patterns that redaction's parts share: letters, street words, name words, and where
a sentence starts. No redaction happens here."""

from __future__ import annotations

import re

# Latin letters with accents as well as without, for names such as Zoë, Chloé and Łukasz.
UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f"
LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
LETTER = UPPER + LOWER

# Street words, for addresses and for places named after people. The capitalised ones are
# also everyday words ("Way", "Park", "Close"), so they count only when capitalised.
STREETS_ANY_CASE = "road|rd|street|lane|avenue|ave|crescent|gardens|gdns|grove|terrace|mews"
STREETS_CAPITALISED = (
    "St|Close|Cl|Drive|Dr|Way|Place|Pl|Court|Ct|Hill|Park|Square|Sq|Walk|Row|Rise|View|"
    "Green|Parade|Vale|Mead|Meadows|Wharf|Yard|Boulevard|Gate|Dene|End|Fields|Heights|"
    "Mount|Path|Croft|Approach|Chase|Circus"
)

# A name word: "Patel", "O'Brien", "McDonald", "Smith-Jones", "Zoë"; a possessive "'s"
# stays outside it, so "Mrs Patel's class" keeps its "'s".
NAME_WORD = (
    r"[" + UPPER + r"][" + LOWER + r"]*(?:['\u2019]?[" + UPPER + r"][" + LOWER + r"]+)*"
    r"(?:['\u2019](?![sS]\b)[" + LOWER + r"]+)?(?:-[" + UPPER + r"][" + LETTER + r"]+)*"
    r"(?![" + LETTER + r"\d-]|\.[" + LETTER + r"])"  # not the "E" of "E.C.U"
)

# Capitalised words after a cue that are ordinary words, not names.
_ORDINARY_WORDS = """
    a an the i it is am are was be school college nursery setting class team service
    primary secondary special academy infant infants junior juniors high sixth form
    services staff nhs send ehcp camhs gp sen senco council kent hospital clinic
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december christmas easter
    mr mrs ms miss mx dr doctor nurse sir prof professor
    autism adhd asd year reception home mum dad mummy daddy everyone everybody nobody
    all some no not very really so too just also always never only still then there here
"""
NOT_NAMES = frozenset(_ORDINARY_WORDS.split())
# Capitalised words after a name that are not a surname ("Ethan Said", in title case).
_VERBS_AFTER_NAME = """
    and or but is was has had said says loves likes needs wants can could would will should
    must did does for of to in on at with from by they we you he she this that these those
    who which what when where why how if as than anyone someone anybody somebody
"""
AFTER_NAME = NOT_NAMES | frozenset(_VERBS_AFTER_NAME.split())


# Capitalised kinds of place: a name before one is the place's ("the Victoria Centre",
# "James Cook University Hospital"), not a person's.
_PLACE_KINDS = (
    "Centre|Center|Hospital|Infirmary|University|Ward|Unit|House|Clinic|Surgery|Practice|"
    "Hall|Library|Building|Wing|Suite|Station|Children's|Children\u2019s|"
    + STREETS_ANY_CASE.title()
    + "|"
    + STREETS_CAPITALISED
)
PLACE_AFTER_NAME = re.compile(r"\s+(?:" + _PLACE_KINDS + r"|[Cc]lass|Group|Room)\b")

# What can come before the first word of a sentence or a list item ("- Will they help?").
SENTENCE_BREAK = ".!?:;\n-\u2013\u2014\u2022*\u00b7)"
OPENING = " \t\"'\u2018\u201c("


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` is the first of a sentence, a line or a list item."""
    while start > 0 and text[start - 1] in OPENING:
        start -= 1
    return start == 0 or text[start - 1] in SENTENCE_BREAK
