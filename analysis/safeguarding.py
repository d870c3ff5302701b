"""Safeguarding screen: flag free text that may be a child disclosing harm.

Runs synchronously on every free-text answer at submission, so it must be fast, offline and
explainable. It is a set of phrase rules (`analysis.safeguarding_rules`) over normalised text
(see `analysis.text`), written the way children and young people write ("my dad hurts me",
"i dont want to be alive", "mums boyfriend touchs me", "nobody gives me food").

It prefers recall: a false alarm costs a safeguarding lead a minute, a miss can cost a child
far more. So negation only clears a flag where the words plainly say the harm does not
happen ("my dad never hits me"); a negated mention of suicide or self-harm still flags, at
low severity. Reported speech ("my friend said her dad hits her") flags too, because it is
still a disclosure about a child. Figures of speech that only look like harm ("I'm dying to
go swimming", "the waiting list is killing us", "the teacher touched on my EHCP") do not
match, because the rules need a person doing the harm, or the child as its object. Rules
whose words carry their own "not" ("nobody gives me food", "touched me where they should
not") are never cleared by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.safeguarding_rules import HIGH, LOW, MEDIUM, RULES, Rule
from analysis.text import NEGATIONS, normalise

_RANK = {HIGH: 3, MEDIUM: 2, LOW: 1, "": 0}


@dataclass(frozen=True)
class Screening:
    """What the screen found in one text. ``flag`` is False for ordinary text."""

    flag: bool
    severity: str = ""
    reason: str = ""
    categories: tuple[str, ...] = ()
    phrases: tuple[str, ...] = field(default=())


CLEAR = Screening(flag=False)


def screen(text: object) -> Screening:
    """Screen one free-text answer for a possible safeguarding concern.

    Args:
        text: The answer as typed. Non-strings and empty text are clear.

    Returns:
        A `Screening`. When flagged, ``severity`` is "high", "medium" or "low" and
        ``reason`` says, in words a safeguarding lead can act on, what was found.

    Examples:
        >>> screen("my dad hurts me").severity
        'high'
        >>> screen("I'm dying to go swimming").flag
        False
    """
    if not isinstance(text, str) or not text.strip():
        return CLEAR
    found: list[tuple[Rule, str]] = []
    for chunk in _chunks(text):
        plain = _TEXT_SPEAK_TO.sub(r"\1 to", normalise(chunk))
        for rule in RULES:
            for match in rule.pattern.finditer(plain):
                negated = _negated(plain, match, rule)
                if negated and rule.negation_clears:
                    continue
                severity = LOW if negated else rule.severity
                found.append((Rule(rule.category, severity, rule.pattern), match.group(0)))
    if not found:
        return CLEAR
    return _summarise(found, reported=_reported(normalise(text[:2000])))


# "want 2 live": in screening, a lone 2 after a verb is read as "to" (recall first).
_TEXT_SPEAK_TO = re.compile(r"\b(want|going|have|got|need|like|try|trying) 2\b")


def _chunks(text: str, size: int = 10_000) -> Iterable[str]:
    # Normalisation caps its input, so a very long answer is screened a piece at a time,
    # overlapping so that a phrase split across two pieces is still seen.
    for start in range(0, len(text), size):
        yield text[max(0, start - 200) : start + size]


def _negated(plain: str, match: re.Match[str], rule: Rule) -> bool:
    words = plain[: match.start()].split()[-3:]
    if rule.negation_clears:
        # Rules with a gap between the person and the harm ("my dad never hits me").
        words += match.group(0).split()
    return any(word in NEGATIONS for word in words)


_REPORTED = re.compile(r"\b(?:my|a) (?:friend|mate|classmate|cousin)\b.*\b(?:said|says|told)\b")


def _reported(plain: str) -> bool:
    return bool(_REPORTED.search(plain))


def _summarise(found: list[tuple[Rule, str]], *, reported: bool) -> Screening:
    severity = max((rule.severity for rule, _ in found), key=_RANK.__getitem__)
    categories = tuple(dict.fromkeys(rule.category for rule, _ in found))
    # One phrase per category, the longest: it shows the most context.
    longest: dict[str, str] = {}
    for rule, phrase in found:
        if len(phrase) > len(longest.get(rule.category, "")):
            longest[rule.category] = phrase
    phrases = tuple(dict.fromkeys(longest.values()))
    reason = "Possible " + ", ".join(categories) + ": " + "; ".join(f'"{p}"' for p in phrases)
    if reported:
        reason += " (may be about another child: reported speech)"
    return Screening(True, severity, reason, categories, phrases)


def screen_all(texts: Iterable[object]) -> list[Screening]:
    """Screen many texts, in order.

    Examples:
        >>> [s.flag for s in screen_all(["i dont want to be alive", "great school"])]
        [True, False]
    """
    return [screen(text) for text in texts]


def most_severe(screenings: Iterable[Screening]) -> Screening:
    """Return the most severe of several screenings (CLEAR if none flagged)."""
    return max(screenings, key=lambda s: _RANK[s.severity], default=CLEAR)
