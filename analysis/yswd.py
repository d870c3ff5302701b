"""Drafting “You said, we did” from coded themes, in plain English and in easy read.

Everything here works on plain figures: how many people answered, and how many raised
each theme. Every count goes through small-number suppression first, so a draft can never
print a figure that a published page would have to hide.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from analysis.suppression import group_shown, is_small, suppress_counts

# The editor's checks on counts written into the words live beside the drafting.
from analysis.yswd_counts import new_small_numbers as new_small_numbers
from analysis.yswd_counts import small_counts as small_counts

#: How each audience is named in a sentence: (plural, "of you" form for easy read).
AUDIENCE_WORDS = {
    "parents": "parents and carers",
    "cyp": "children and young people",
    "schools": "schools",
}
#: Easy read keeps sentences short; longer lines are refused in the editor.
EASY_READ_MAX_WORDS = 15
#: Symbol keys for easy read, each with words that call for it. The first match wins, so
#: what a sentence is about (waiting, school, letters) comes before how it is said (told).
SYMBOL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting", ("wait", "waiting", "waited", "slow", "late", "delay", "delays")),
    ("school", ("school", "schools", "college", "class", "teacher", "teachers")),
    ("health", ("health", "doctor", "nurse", "therapy", "therapist", "nhs", "medical")),
    ("letter", ("email", "emails", "letter", "letters", "information", "leaflet", "website")),
    ("plan", ("plan", "plans", "ehcp", "ehcps", "review", "reviews")),
    ("money", ("money", "funding", "pay", "paid", "cost")),
    ("travel", ("bus", "taxi", "transport", "travel")),
    ("feelings", ("feel", "feelings", "happy", "sad", "worried", "safe", "anxious")),
    ("help", ("help", "helped", "support", "supported", "worker", "workers")),
    ("talk", ("talk", "talked", "listen", "listened", "told", "tell", "ask", "asked", "said")),
    ("change", ("change", "changed", "better", "new", "improve", "improved")),
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class ThemeFigure:
    """One theme in one term: how many people raised it, out of everyone who answered."""

    theme_id: int
    name: str
    raised: int
    respondents: int

    @property
    def shown(self) -> tuple[int | None, int | None]:
        """(raised, did not raise) after suppression; None where a figure is hidden."""
        counts = suppress_counts(
            {"raised": self.raised, "not": max(self.respondents - self.raised, 0)}
        )
        return counts["raised"], counts["not"]

    @property
    def percent(self) -> int | None:
        """The share who raised it, rounded, or None where it would point to a few people."""
        raised, _rest = self.shown
        if raised is None or not group_shown(self.respondents):
            return None
        return round(100 * raised / self.respondents)

    @property
    def quotable(self) -> bool:
        """Quotes are shown only where both the theme's group and the term's are big enough."""
        return group_shown(self.raised) and group_shown(self.respondents)


def _in_sentence(name: str) -> str:
    """A theme name as it reads mid-sentence: "Waiting times" → "waiting times", "EHCPs" kept."""
    name = name.strip().rstrip(".")
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


class Shown(StrEnum):
    """How a theme's count may appear once small numbers are suppressed."""

    NOBODY_SHOWN = "group-too-small"  # fewer than 5 answered at all: no figures
    FEWER_THAN_5 = "fewer-than-5"
    ALMOST_ALL = "almost-all"  # all but 1 to 4 raised it
    COUNT = "count"


def shown_as(figure: ThemeFigure) -> Shown:
    """Which form a theme's count takes on every page and document.

    Examples:
        >>> [shown_as(ThemeFigure(1, "t", n, 40)).value for n in (3, 20, 38)]
        ['fewer-than-5', 'count', 'almost-all']
    """
    raised, _rest = figure.shown
    if not group_shown(figure.respondents):
        return Shown.NOBODY_SHOWN
    if is_small(figure.raised):
        return Shown.FEWER_THAN_5
    if raised is None:  # hidden because the few who did not raise it could be worked out
        return Shown.ALMOST_ALL
    return Shown.COUNT


def draft_you_said(figures: Sequence[ThemeFigure], audience: str, term_name: str) -> str:
    """The “You said” text, one sentence per theme, for an officer to edit.

    Examples:
        >>> waits = ThemeFigure(1, "Waiting times", 23, 120)
        >>> print(draft_you_said([waits], "parents", "2026/27 Autumn"))
        120 parents and carers answered our 2026/27 Autumn survey.
        23 of them (19%) told us about waiting times.
    """
    who = AUDIENCE_WORDS.get(audience, "people")
    respondents = figures[0].respondents if figures else 0
    if not group_shown(respondents):
        opening = f"Fewer than 5 {who} answered our {term_name} survey, so we do not give numbers."
    else:
        opening = f"{respondents} {who} answered our {term_name} survey."
    lines = [opening]
    for figure in figures:
        topic = _in_sentence(figure.name)
        shown = shown_as(figure)
        if shown is Shown.NOBODY_SHOWN:
            lines.append(f"Some told us about {topic}.")
        elif shown is Shown.FEWER_THAN_5:
            lines.append(f"Fewer than 5 of them told us about {topic}.")
        elif shown is Shown.ALMOST_ALL:
            lines.append(f"Almost all of them told us about {topic}.")
        else:
            lines.append(f"{figure.raised} of them ({figure.percent}%) told us about {topic}.")
    return "\n".join(lines)


def draft_easy_said(figures: Sequence[ThemeFigure], audience: str) -> str:
    """Easy read “You said”: short sentences, no percentages, one per line."""
    lines = ["We asked you what you think." if audience != "schools" else "We asked schools."]
    for figure in figures:
        topic = _in_sentence(figure.name)
        raised, _rest = figure.shown
        many = raised is not None and figure.percent is not None and figure.percent >= 25
        lines.append(f"{'Lots of' if many else 'Some of'} you told us about {topic}.")
    return "\n".join(lines)


def draft_easy_did(delivery: str) -> str:
    """A first easy read “We did” line for the delivery status, for a person to finish."""
    return {
        "planned": "We are going to make a change.",
        "in-progress": "We have started to make a change.",
        "done": "We made a change.",
    }.get(delivery, "We are going to make a change.")


def long_lines(text: str, limit: int = EASY_READ_MAX_WORDS) -> list[tuple[int, int]]:
    """(line number, word count) for each easy read line longer than `limit` words.

    Examples:
        >>> long_lines("Short line.\\n" + "word " * 16)
        [(2, 16)]
    """
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = len(line.split())
        if words > limit:
            found.append((number, words))
    return found


def easy_read_lines(text: str, fallback: str) -> list[tuple[str, str]]:
    """Each non-empty line with the key of the symbol shown beside it.

    Examples:
        >>> easy_read_lines("You waited too long.\\nThank you.", "talk")
        [('waiting', 'You waited too long.'), ('talk', 'Thank you.')]
    """
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            found.append((symbol_for(line, fallback), line))
    return found


def symbol_for(sentence: str, fallback: str) -> str:
    words = set(_WORD.findall(sentence.lower()))
    for key, triggers in SYMBOL_WORDS:
        if words.intersection(triggers):
            return key
    return fallback


#: Every symbol key easy read may use, including the fallbacks for each part.
SYMBOL_KEYS = ("you-said", "we-did", *(key for key, _words in SYMBOL_WORDS))


_TERM = re.compile(r"^\s*(20\d\d/\d\d)\s+(autumn|spring|summer)\s*$", re.IGNORECASE)


def parse_term(text: str) -> tuple[str, str] | None:
    """ "2026/27 Autumn" → ("2026/27", "autumn"); None for anything else.

    Examples:
        >>> parse_term("2026/27 autumn"), parse_term("Autumn 2026")
        (('2026/27', 'autumn'), None)
    """
    match = _TERM.match(text)
    if not match:
        return None
    year = match[1]
    if int(year[5:]) != (int(year[2:4]) + 1) % 100:
        return None
    return year, match[2].lower()
