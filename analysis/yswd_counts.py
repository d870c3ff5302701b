"""Counts of people written into “You said, we did” words, which suppression must also cover.

Figures that Heard drafts are suppressed (`analysis.suppression`), but an officer can still
type “3 parents told us”. Counts of 1 to 4 people can point to the families concerned, so the
editor refuses them, naming the phrase it found. What counts as a count of people:

- a small number before a word for people: “3 parents”, “two dads”, “(3) people”, “1 child”,
  “a couple of families”, “only one parent said”;
- a small number as a share of a group: “3 of them”, “3 of the 170 parents”, “3 out of 170”;
- a small number that says or does something: “just 2 said so”, “Parents (3) said so”,
  “n=3”, and a theme count in brackets at the end of a phrase: “Transport (3).”

What does not: labels (“Year 3”, “Key Stage 2”, “page 2”), times, dates and other numbers
(“3 weeks”, “at 4pm”, “2026/27”), ratios (“1 in 5 parents” says how common something is,
not who said it), and “one” as an ordinary word (“one of the main themes”, “no one”).
Schools and staff are counted only when the number says something (“2 schools told us”),
because “we visited 2 schools” counts no respondents. Percentages that stand for a small
count (“3% of 100 parents”) are out of scope: they need the group's size to judge.
"""

import re
import unicodedata

#: Words for people, plural (after 2 to 4) and singular (after 1 or one).
_PEOPLE = (
    r"people|persons|children|kids|pupils|students|learners|parents|parent[- ]carers|carers|"
    r"guardians|mums|mothers|moms|mams|dads|fathers|grandparents|families|siblings|"
    r"brothers|sisters|sons|daughters|boys|girls|men|women|adults|teenagers|teens|toddlers|"
    r"babies|respondents|responses|participants|individuals|residents|members|attendees|"
    r"cyp|yps|yp"  # children and young people, as councils write it
)
_PERSON = (
    r"person|child|kid|pupil|student|learner|parent|parent[- ]carer|carer|guardian|mum|"
    r"mother|mom|mam|dad|father|grandparent|family|sibling|brother|sister|son|daughter|boy|"
    r"girl|man|woman|adult|teenager|teen|toddler|baby|respondent|response|participant|"
    r"individual|resident|member|attendee|cyp|yp"
)
#: Words for schools and staff: a count of respondents only when the number says something.
_ORGS = (
    r"schools|settings|colleges|nurseries|teachers|sencos|staff|professionals|practitioners|"
    r"headteachers|workers|services|comments|replies|answers"
)
_ORG = r"school|setting|college|nursery|teacher|senco|professional|practitioner|headteacher"
#: Words that may come between the number and the people: “3 other parents”.
_ADJ = (
    r"(?:(?:other|more|different|separate|new|young|older|younger|foster|lone|single|"
    r"working|local|autistic|disabled|deaf|blind|send|individual)\s+){0,2}"
)
_ADV = r"(?:(?:also|all|both|each|then|still|really|even|only|just|clearly|strongly)\s+)?"
_SAID = (
    r"said|say|says|told|tell|tells|wrote|write|writes|asked|ask|asks|mentioned|mention|"
    r"mentions|raised|raise|raises|felt|feel|feels|thought|think|thinks|agreed|agree|agrees|"
    r"disagreed|disagree|commented|reported|reports|responded|respond|replied|reply|answered|"
    r"complained|shared|described|suggested|highlighted|noted|explained|stated|rated|chose|"
    r"picked|ticked|selected|wanted|want|wants|wished|praised|criticised|named|identified|"
    r"spoke|talked|would|did|didn't"
)
#: After “one parent”, being or having something counts them too: “one child was”.
_DID = _SAID + r"|was|were|is|are|has|had|have|does|could|can|got|needed|needs|found|waited"

# A digit 1 to 4 on its own: not part of a longer number, a date, a time, money or a share.
_DIGIT = r"(?<![\w.,/:£$€#]){d}(?![\d%]|[.,:/]\d|\s+%)"
_SMALL = r"(?:\(\s*{d}\s*\)|{d})".format(d=_DIGIT.format(d="[2-4]"))
_ONE_DIGIT = r"(?:\(\s*{d}\s*\)|{d})".format(d=_DIGIT.format(d="1"))
_MANY = rf"(?:{_SMALL}|\b(?:two|three|four|a\s+couple\s+of)\b)"
_ONE = r"(?:\b(?:(?:only|just)\s+one|one|a\s+single)\b)"
_ANY = rf"(?:{_MANY}|{_ONE_DIGIT}|{_ONE})"
# “parents' evenings” and “a family hub” are events and places, not people.
_NOT_EVENT = (
    r"(?![-\u2010]|(?:['’]s?)?\s+(?:evening|meeting|forum|event|session|workshop|group|hub|"
    r"centre|day|panel|network|liaison)s?\b)"
)

_RULES = (
    # “3 parents”, “two dads”, “(3) people”, “a couple of families”.
    rf"(?:(?:only|just)\s+)?{_MANY}\s*{_ADJ}(?:{_PEOPLE})\b{_NOT_EVENT}",
    # “1 child”; “one parent said”, “only one child had” (but not “one person to talk to”).
    rf"{_ONE_DIGIT}\s*{_ADJ}(?:{_PERSON})\b{_NOT_EVENT}",
    rf"{_ONE}\s+{_ADJ}(?:{_PERSON}|{_ORG})(?=\s+{_ADV}(?:{_DID})\b)",
    # “2 schools told us”.
    rf"{_MANY}\s+{_ADJ}(?:{_ORGS})(?=\s+{_ADV}(?:{_SAID})\b)",
    rf"{_ONE_DIGIT}\s+{_ADJ}(?:{_ORG})(?=\s+{_ADV}(?:{_DID})\b)",
    # “3 of them”, “3 of the 170 parents”, “one of our families”, “3 out of 170 said so”.
    rf"{_ANY}\s+of\s+(?:you|them|us)\b",
    rf"{_ANY}\s+(?:out\s+)?of\s+(?:the\s+|our\s+|these\s+|those\s+|all\s+)?(?:[\d,]+\s+)?"
    rf"{_ADJ}(?:{_PEOPLE}|{_ORGS})\b",
    rf"{_ANY}\s+(?:out\s+)?of\s+(?:the\s+|our\s+|all\s+)?\d[\d,]*"
    rf"(?=\s*(?:[.,;:!?]|$)|\s+(?:who|{_SAID})\b)",
    # “just 2 said so”, “three told us”, and “One said…” at the start of a sentence.
    rf"(?:(?:only|just)\s+{_ANY}|{_MANY}|{_ONE_DIGIT})\s+{_ADV}(?:{_SAID})\b",
    rf"(?:^|(?<=[.!?;:]))\s*one\s+{_ADV}(?:{_SAID})\b",
    # “Parents (n=3)”; “Transport (3).” and “Parents (3) said so”, but not a list's “(1) …”.
    r"\bn\s*=\s*[1-4](?![\d.,])",
    rf"(?<=\w)\s*\(\s*[1-4]\s*\)(?=\s*(?:[.,;:!?]|$)|\s+(?:{_SAID})\b)",
)
_SMALL_COUNT = re.compile("|".join(f"(?:{rule})" for rule in _RULES), re.IGNORECASE | re.M)

#: Words that make the number after them a label, not a count: “Year 3 pupils”.
_LABEL = re.compile(
    r"\b(?:years?|yr|key stage|stage|ks|pages?|step|part|section|level|phase|tier|room|"
    r"grade|appendix|annex|table|figure|chapter|action|priority|area|class|group|option|"
    r"point|version|pathway|question|item|no|number|term|week|day|unit|paragraph|route|bus|"
    r"band|cohort|wave|round|box|line|objective|outcome|aim|principle|recommendation|ward|"
    r"zone|ages?|aged|(?:rated|scored)(?:\s+(?:it|us|them|this|that|the\s+\w+))?|"
    r"scores?|ratings?|marks?|stars?|"
    r"(?:score|rating|mark)s?\s+of)\W*$",  # “rated 3 out of 5” is a score, not people
    re.IGNORECASE,
)
#: Words that make “one” not a count: “no one said”, “every one of you”.
_NOT_ONE = re.compile(r"\b(?:no|every|any|each|which|this|that|the)\W*$", re.IGNORECASE)
_RATIO = re.compile(r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+in\s+$", re.I)
_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff")))


def small_counts(text: str) -> list[str]:
    """Counts of 1 to 4 people written into free text, which suppression must also cover.

    Args:
        text: Words an officer wrote for a “You said, we did” entry.

    Returns:
        Each count found, as written (with its spaces made plain), in the order they appear.

    Examples:
        >>> small_counts("3 parents said so, and 40 of them agreed; one of you wrote twice.")
        ['3 parents', 'one of you']
        >>> small_counts("In Year 3, 1 in 4 parents waited 2 weeks; 3 out of 170 said so.")
        ['3 out of 170']
    """
    # NFKC turns no-break and thin spaces into spaces, and full-width digits into digits.
    plain = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    found = []
    for match in _SMALL_COUNT.finditer(plain):
        phrase = match.group(0).strip()
        if not _not_a_count(plain[: match.end() - len(phrase)], phrase):
            found.append(" ".join(phrase.split()))
    return found


def _not_a_count(before: str, phrase: str) -> bool:
    before = before[-40:]
    if _LABEL.search(before) or _RATIO.search(before):
        return True
    return phrase.lower().startswith("one") and bool(_NOT_ONE.search(before))


_STANDALONE_SMALL = re.compile(r"(?<![\d.,/])\b[1-4]\b(?![\d.,/%])")


def new_small_numbers(translated: str, english: str) -> list[str]:
    """Numbers 1 to 4 in a translation that the English does not have.

    A translation cannot be checked for counts in every language, but it should carry the
    English's numbers and no others; a small number that appears only in the translation is
    refused, as a count might be.

    Examples:
        >>> new_small_numbers("Zatrudniliśmy 3 osoby w 5 dni", "We hired staff within 5 days")
        ['3']
    """
    allowed = set(_STANDALONE_SMALL.findall(english))
    return [n for n in _STANDALONE_SMALL.findall(translated) if n not in allowed]
