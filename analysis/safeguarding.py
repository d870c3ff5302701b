"""Safeguarding screen: flag free text that may be a child disclosing harm.

Runs synchronously on every free-text answer at submission, so it must be fast, offline and
explainable. It is a set of phrase rules over normalised text (see `analysis.text`), written
the way children and young people write ("my dad hurts me", "i dont want to be alive").

It prefers recall: a false alarm costs a safeguarding lead a minute, a miss can cost a child
far more. So negation only clears a flag where the words plainly say the harm does not
happen ("my dad never hits me"); a negated mention of suicide or self-harm still flags, at
low severity. Reported speech ("my friend said her dad hits her") flags too, because it is
still a disclosure about a child. Figures of speech that only look like harm ("I'm dying to
go swimming", "the waiting list is killing us") do not match, because the rules need a
person doing the harm, or the child as its object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.text import NEGATIONS, normalise

HIGH, MEDIUM, LOW = "high", "medium", "low"
_RANK = {HIGH: 3, MEDIUM: 2, LOW: 1, "": 0}

_PERSON = (
    r"(?:dad|daddy|father|mum|mummy|mom|mother|step ?dad|step ?mum|step ?father|step ?mother|"
    r"uncle|aunt|auntie|brother|sister|cousin|nan|nana|grandad|grandpa|grandma|granny|"
    r"carer|foster (?:carer|mum|dad)|teacher|ta|staff|boyfriend|girlfriend|partner|man|men|"
    r"woman|lady|boys?|girls?|kids|someone|somebody|he|she|they|people|adults?|parents?|"
    r"family)"
)
_HARM = (
    r"(?:hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|beaten|kick|kicks|kicked|"
    r"kicking|punch|punches|punched|slap|slaps|slapped|smack|smacks|smacked|burn|burns|"
    r"burned|burnt|choke|chokes|choked|strangle|strangles|strangled|bite|bites|bit|"
    r"shove|shoves|shoved|throw things at|throws things at|threw things at|lock|locks|"
    r"locked|tie|ties|tied|whip|whips|whipped|starve|starves|starved|kill|kills|stab|stabs|"
    r"attack|attacks|attacked|abuse|abuses|abused|batter|batters|battered)"
)
_ME = r"(?:me|us|my (?:brother|sister|mum|mom|mother|dad|baby|body|face|head|arm|arms|legs?))"


@dataclass(frozen=True)
class Rule:
    """One phrase rule: what it catches, how serious a match is, and whether a negation
    in or just before the phrase clears it."""

    category: str
    severity: str
    pattern: re.Pattern[str]
    negation_clears: bool = True


def _rule(category: str, severity: str, pattern: str, *, negation_clears: bool = True) -> Rule:
    return Rule(category, severity, re.compile(r"\b" + pattern + r"\b"), negation_clears)


RULES: tuple[Rule, ...] = (
    # Suicidal thoughts. A negated mention still flags (see the module docstring).
    _rule(
        "suicidal thoughts",
        HIGH,
        r"(?:kill(?:ing)? my ?self|end(?:ing)? my (?:own )?life|take my (?:own )?life|"
        r"want(?:ed)? to die(?! (?:my|your|her|his) hair)|want to be dead|wish i (?:was|were) "
        r"dead|better off dead|suicid(?:e|al)|end it all|no (?:point|reason) (?:in )?living|"
        r"not want to (?:be alive|live|be here anymore|wake up)|"
        r"wish i (?:was|had) never (?:been )?born|want to disappear for ever|hang my ?self|"
        r"jump off (?:a|the) (?:bridge|building|roof))",
        negation_clears=False,
    ),
    _rule(
        "self-harm",
        HIGH,
        r"(?:(?:cut|cuts|cutting|hurt|hurts|hurting|harm|harming|burn|burning|scratch|"
        r"scratching|hit|hitting|starve|starving) my ?self|self ?harm(?:ing|ed)?|"
        r"overdos(?:e|ed|ing)|take (?:all )?(?:the|my) (?:pills|tablets) at once)",
        negation_clears=False,
    ),
    # Abuse by a person, to the child or someone at home.
    _rule(
        "physical abuse",
        HIGH,
        _PERSON + r"(?: \w+){0,3} " + _HARM + r" " + _ME,
    ),
    _rule(
        "physical abuse",
        MEDIUM,
        r"(?:bruises?|marks?|burns?) (?:from|because of|after) (?:my )?" + _PERSON,
    ),
    _rule(
        "sexual abuse",
        HIGH,
        r"(?:touch(?:es|ed|ing)? (?:me|my) (?:private|privates|down there|bottom|bum|"
        r"willy|chest|boobs|body)|touch(?:es|ed|ing)? me (?:down there|where i do not like|"
        r"in my private)|private parts|makes? me touch|made me touch|rape|raped|"
        r"sexually|sex with me|(?:sends?|sent|asks? (?:me )?for|asked (?:me )?for|show(?:s|ed)? "
        r"me) (?:nudes|naked|rude) ?(?:pictures|photos|pics|videos)?)",
    ),
    _rule(
        "emotional abuse",
        MEDIUM,
        _PERSON + r"(?: \w+){0,3} (?:says|said|tells|told|calls|called) (?:me |us )?(?:that )?"
        r"(?:i am |we are |you are |i was |i am a |you are a )?(?:worthless|useless|stupid|"
        r"a mistake|nothing|should die|should not have been born|wish i was not born)",
    ),
    _rule(
        "domestic abuse",
        HIGH,
        r"(?:" + _PERSON + r"(?: \w+){0,2} " + _HARM + r" (?:my )?(?:mum|mom|mother|dad|"
        r"father|nan|brother|sister)|police (?:came|come|were called) (?:to|round to)? ?(?:our|"
        r"my) (?:house|home|flat))",
    ),
    _rule(
        "feeling unsafe",
        HIGH,
        r"(?:(?:scared|afraid|frightened|terrified) (?:to go|of going) home|(?:scared|afraid|"
        r"frightened|terrified) of (?:my )?" + _PERSON + r"|not (?:feel )?safe (?:at|to go) "
        r"home|do not feel safe|unsafe at home)",
        negation_clears=False,
    ),
    _rule(
        "physical abuse (reported)",
        MEDIUM,
        r"(?:friend|mate|classmate|cousin|brother|sister)(?: \w+){0,6} (?:said|says|told me)"
        r"(?: \w+){0,4} " + _HARM + r" (?:her|him|them)",
    ),
    # Neglect.
    _rule(
        "neglect",
        MEDIUM,
        r"(?:no food (?:at|in the) (?:home|house)|(?:always|so|really) hungry|hungry all the "
        r"time|(?:nobody|no one|noone) (?:feeds|looks after|cares for|takes care of) (?:me|us)|"
        r"do not get (?:any |enough )?(?:food|dinner|tea|breakfast)|not (?:been )?fed|"
        r"left (?:me |us )?(?:alone|on my own|on our own|home alone) (?:all|for|at)|"
        r"no (?:bed|heating|clean clothes) (?:at home)?|sleep on the floor|home alone)",
        negation_clears=False,
    ),
    # Bullying with a threat of violence, and threats generally.
    _rule(
        "bullying with threat",
        HIGH,
        r"(?:threaten(?:s|ed|ing)? to (?:kill|stab|hurt|beat|batter|hit|jump|shoot|get) (?:me|us)|"
        r"(?:said|says|say) (?:they|he|she|people) (?:will|would|are going to|is going to|"
        r"were going to|was going to) (?:kill|stab|hurt|beat|batter|jump|shoot|get) (?:me|us)|"
        r"(?:knife|gun|weapon) (?:at|on|to) (?:me|school)|beat me up|jumped me|"
        r"follow(?:s|ed)? me home)",
    ),
    _rule("bullying", LOW, r"(?:bully|bullies|bullied|bullying|pick on me|picks on me)"),
    # Exploitation and grooming.
    _rule(
        "exploitation",
        HIGH,
        r"(?:(?:older|grown up) (?:boys?|girls?|men|man|people|friends?) (?:give|gives|gave|buy|"
        r"buys|bought) me|(?:give|gives|gave) me (?:money|drugs|weed|presents|gifts|a phone) "
        r"(?:to|for|if)|(?:carry|deliver|sell|hold|move) (?:drugs|weed|packages?|parcels?) for|"
        r"county lines|made me (?:sell|deliver|carry)|owe (?:them|him|her) money|"
        r"meet (?:someone|a man|a boy|him|her) (?:i met |from )?online|groom(?:ed|ing))",
    ),
)


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
