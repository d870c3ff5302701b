"""Common given names written with no cue: "no help for Ethan", "Jack has ADHD".

Part of redaction (analysis/redaction.py), which runs this last, after everything with a
cue or a pattern. A name from :data:`~analysis.first_names.FIRST_NAMES` counts in any case;
one that is also a word counts only when capitalised, and the ones that often start a
sentence as the word need a surname or a reporting verb there. A capitalised surname after
a name goes with it.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.first_names import FIRST_NAMES, SENTENCE_START_WORDS, WORD_NAMES
from analysis.name_patterns import (
    AFTER_NAME,
    LETTER,
    NAME_WORD,
    PLACE_AFTER_NAME,
    UPPER,
    starts_sentence,
)

# A word standing alone: not part of a placeholder, an email or a longer word.
# Hyphenated names ("Lily-Mae") are one word.
_WORD = re.compile(r"(?<![\w\[@.'\u2019-])[" + LETTER + r"]+(?:-[" + LETTER + r"]+)*(?![\w\]@-])")
# A surname after a given name, with a particle if it has one ("De Souza", "van Dijk").
_SURNAME = re.compile(
    r"\s+(?:(?i:de|da|di|du|del|van|von|van der|le|la|al|el|bin|ibn)\s+)?" + NAME_WORD
)
_SHOUTED_SURNAME = re.compile(r"\s+([" + UPPER + r"]{2,}(?:['\u2019-][" + UPPER + r"]+)*)\b")
# Verbs that make a word at the start of a sentence a name: "Will said he would ring".
_SAINT = re.compile(r"\bSt\.?\s+$")  # "St Thomas' Hospital"
_REPORTING = re.compile(r"\s+(?:said|says|told|asked|helped|explained|rang|phoned|emailed)\b")


def redact_given_names(text: str, placeholder: str) -> str:
    """Redact common given names that no cue introduced, and the surname after one.

    A given name counts in any case, so "ethan" typed on a phone is redacted too. A name
    that is also a word ("Lily", "Grace", "Will") counts only when capitalised, and the
    ones that often start a sentence as the word ("Will they...") count there only with a
    surname or a reporting verb after them.
    """
    pieces: list[str] = []
    position = 0
    letters = [character for character in text if character.isalpha()]
    shouting = sum(character.isupper() for character in letters) > 0.6 * len(letters)
    surname_pattern = _SHOUTED_SURNAME if shouting else _SURNAME
    headings: dict[int, bool] = {}
    for match in _WORD.finditer(text):
        if match.start() < position:
            continue
        end = match.end()
        # "the Victoria Centre", "St Thomas' Hospital", "Amber class": a place's name.
        if PLACE_AFTER_NAME.match(text, end) or _SAINT.search(
            text, max(0, match.start() - 5), match.start()
        ):
            continue
        surname = surname_pattern.match(text, end)
        if surname and _surname_word(surname.group(0)) in AFTER_NAME:
            surname = None
        if not _is_given_name(
            text, match, headings=headings, shouting=shouting, surname=surname is not None
        ):
            continue
        if surname:
            end = surname.end()
            if PLACE_AFTER_NAME.match(text, end):  # "James Cook University Hospital"
                continue
        pieces.append(text[position : match.start()])
        pieces.append(placeholder)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _surname_word(found: str) -> str:
    return found.split()[-1].lower()


def _plain(word: str) -> str:
    """The word in lower case without accents, as the name lists hold it ("Zoë" -> "zoe")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _is_given_name(
    text: str,
    match: re.Match[str],
    *,
    headings: dict[int, bool],
    shouting: bool = False,
    surname: bool = False,
) -> bool:
    word = match.group(0)
    if word.isupper() and len(word) > 1 and not shouting:
        # An acronym ("TIA", "AMY" in a list of services), unless the whole text shouts.
        return False
    parts = word.split("-")
    if len(parts) > 1:
        # "Lily-Mae", "Jayden-Lee": capitalised parts, one of them a given name.
        capitalised = all(part[:1].isupper() for part in parts)
        return any(
            _plain(part) in FIRST_NAMES or (capitalised and _plain(part) in WORD_NAMES)
            for part in parts
        )
    plain = _plain(word)
    if plain in FIRST_NAMES:
        return True
    if plain not in WORD_NAMES:
        return False
    capitalised = word[0].isupper() and (word[1:].islower() or shouting)
    if not capitalised:
        return False
    if _REPORTING.match(text, match.end()):
        return True
    if shouting:
        # Capitals say nothing here, so a word that often starts a sentence is the word.
        return plain not in SENTENCE_START_WORDS
    if starts_sentence(text, match.start()):
        return surname or plain not in SENTENCE_START_WORDS
    # In a heading every word is capitalised, a surname too ("Staff Will Listen To...").
    return not _title_case_line(text, match.start(), headings)


def _title_case_line(text: str, position: int, seen: dict[int, bool]) -> bool:
    """Whether the line holding this position is in title case, as a heading is: at least
    four words, nearly all of them capitalised. ``seen`` keeps each line's answer, so a
    long line is read once."""
    start = text.rfind("\n", 0, position) + 1
    if start not in seen:
        end = text.find("\n", position)
        words = _LINE_WORD.findall(text, start, end if end >= 0 else len(text))
        capitalised = sum(word[0].isupper() for word in words)
        seen[start] = len(words) >= 4 and capitalised >= 0.75 * len(words)
    return seen[start]


_LINE_WORD = re.compile(r"[" + LETTER + r"]+")
