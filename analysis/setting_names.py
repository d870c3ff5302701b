"""Schools, nurseries and colleges found by their name, with no list of them.

Part of redaction (analysis/redaction.py). A setting's name is capitalised words before the
kind of setting ("Riverside Primary School"); a saint's name is a setting's name in any case
("st marys school", "ST JOHN'S PRIMARY"), as children and phones write it. Words that only
describe a setting ("a Special School", "Out Of School") are left, so the comment still reads.
"""

from __future__ import annotations

import re

from analysis.name_patterns import LETTER, UPPER, starts_sentence

#: What a setting becomes (redaction's ``Placeholder.SETTING``).
PLACEHOLDER = "[setting]"

# A school, nursery or college by its name: capitalised words on one line, with "of", "and"
# or "the" between them ("St Mary's C of E Primary School"), before the kind of setting. A
# full stop only follows "St", so the words never run across a sentence ("...EHCP. College
# said no"). After a name in the middle of a sentence the kind may be in lower case ("he
# goes to Oakfield school"); a capitalised word at the start of a sentence before a lower
# case kind is usually not a name ("Brilliant school").
_SETTING_WORD = r"(?:St\.|[" + UPPER + r"][" + LETTER + r"'\u2019&-]{0,40})"
_SETTING_KINDS = "School|Academy|College|Nursery|Pre-?[Ss]chool|Infants|Juniors|Primary|High"
SETTING_BY_NAME = re.compile(
    r"(?<![\w'\u2019.&-])(?P<words>"
    + _SETTING_WORD
    + r"[ \t]+(?:(?:(?:of|and|the|&)[ \t]+)?"
    + _SETTING_WORD
    + r"[ \t]+){0,5})"
    r"(?P<kind>" + _SETTING_KINDS + r"|school|academy|college|nursery|pre-?school)\b"
)
# Words that go before a setting's name and stay: "at The Oaks School" -> "at The [setting]".
_LEADING_SETTING_TEXT = "the a an at in to into from of for and my our his her their this that"
_LEADING_SETTING_WORDS = frozenset(_LEADING_SETTING_TEXT.split())
# Capitalised words that describe a setting without naming one ("a Special School", "Out Of
# School", "Virtual School"): a run of only these is left, so the theme still reads.
_GENERIC_SETTING_TEXT = """
    special specialist primary secondary high grammar infant infants junior juniors
    independent local mainstream free sixth form day nursery forest sunday boarding
    residential community new old village church catholic rc ce cofe c e england not out
    back home virtual semh asd sen send autism autistic alternative provision pupil referral
    every each any all another other same different whole big summer holiday hospital state
    private faith current previous next last first which what your its both no on with
    further education fe ap pru before after transition reception moving starting going
    getting leaving changing joining choosing finding applying monday tuesday wednesday
    thursday friday saturday good great school schools college nursery academy
"""
_GENERIC_SETTING_WORDS = frozenset(_GENERIC_SETTING_TEXT.split()) | _LEADING_SETTING_WORDS

# A saint's name before the kind, in any case: "st marys school", "St. John's C of E
# Primary", "ST MARY'S PRIMARY". Up to four words between, the fewest that reach a kind, and
# none of them a word a sentence goes on with, so "high st near the school" (a street) and
# "st thomas to the school" stay.
_NOT_IN_SAINT_NAME = (
    r"(?!(?i:the|a|an|near|by|to|at|on|in|into|from|for|with|is|was|are|were|my|our|his|her|"
    r"their|this|that|next|opposite|behind|past|outside|round|up|down)\b)"
)
_SAINT_KIND = r"(?:school|academy|college|nursery|primary|infants?|juniors?|high)"
_SAINT_WORD = _NOT_IN_SAINT_NAME + r"[" + LETTER + r"'\u2019&-]+"
SAINT_SETTING = re.compile(
    r"(?<![\w'\u2019.&-])(?i:(?:st\.?|saint)\s+"
    + _SAINT_WORD
    + r"(?:\s+"
    + _SAINT_WORD
    + r"){0,4}?\s+"
    + _SAINT_KIND
    + r"(?:\s+"
    + _SAINT_KIND
    + r")?)\b"
)


def redact_setting_names(text: str) -> str:
    """Replace settings named in the text (see the module's notes) with the placeholder.

    Examples:
        >>> redact_setting_names("He moved from Riverside Primary School to st marys school")
        'He moved from [setting] to [setting]'
    """
    text = SETTING_BY_NAME.sub(_setting_by_name, text)
    return SAINT_SETTING.sub(_saint_setting, text)


def _saint_setting(match: re.Match[str]) -> str:
    """A saint's school, unless "St" is capitalised and the word after it is not: that "St"
    ends a street's name ("down Main St every day before school")."""
    words = match.group(0).split()
    if words[0][0].isupper() and not words[0].isupper() and words[1][0].islower():
        return match.group(0)
    return PLACEHOLDER


def _setting_by_name(match: re.Match[str]) -> str:
    words = match.group("words").split()
    if all(word.lower().rstrip(".") in _GENERIC_SETTING_WORDS for word in words):
        return match.group(0)
    kept = 0
    while kept < len(words) and words[kept].lower() in _LEADING_SETTING_WORDS:
        kept += 1
    lower_kind = match.group("kind")[0].islower()
    if lower_kind and kept == len(words) - 1 and starts_sentence(match.string, match.start()):
        return match.group(0)  # "Brilliant school": capitalised as the first word
    return " ".join([*words[:kept], PLACEHOLDER])
