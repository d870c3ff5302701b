"""The safeguarding screen's phrase rules, written the way children and young people write.

Each rule is a category (abuse, neglect, …), a severity and a pattern over normalised text
(see `analysis.text`: lower case, contractions and text speak made plain, so "mum's" reads
"mum" and "shouldnt" reads "should not"). `analysis.safeguarding` runs them and explains
how negation and reported speech change a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HIGH, MEDIUM, LOW = "high", "medium", "low"

_PERSON = (
    r"(?:dad|daddy|father|mum|mummy|mom|mother|step ?dad|step ?mum|step ?father|step ?mother|"
    r"uncle|aunt|auntie|brother|sister|cousin|nan|nana|grandad|grandpa|grandma|granny|"
    r"carer|foster (?:carer|mum|dad)|teacher|ta|staff|boyfriend|girlfriend|partner|man|men|"
    r"woman|lady|boys?|girls?|kids|someone|somebody|sumone|sumbody|he|she|they|people|adults?|parents?|"
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
# Touching, as children spell it ("touchs", "tuches"), and the parts of the body it names.
_TOUCH = r"(?:touch(?:es|ed|ing|s|d)?|tuch(?:es|ed|ing|s)?|tutch(?:es|ed|ing)?|toches)"
_PRIVATE = (
    r"(?:private parts|private bits|private area|privates?|privets?|privits?|privat|down there|"
    r"down below|bottom|bum|willy|chest|boobs|body|fanny|front bottom)"
)
# A person touching the child: "mum's boyfriend touches me". Not "it really touched me"
# (it moved me), and not "people touching me", which is how many children describe a
# sensory dislike rather than a person doing something to them.
_TOUCHES_ME = (
    r"(?!people\b)" + _PERSON + r"(?: \w+){0,3}(?<! really)(?<! deeply)(?<! truly)(?<! so)"
    r"(?<! very) " + _TOUCH + r" me(?! (?:deeply|so much|a lot|emotionally))"
)
_NOBODY = r"(?:nobody|no one|noone|no body)"
_FOOD = (
    r"(?:food|dinner|tea|breakfast|lunch|meals?|supper|anything to eat|something to eat|"
    r"enough to eat)"
)
_AT_HOME = r"(?:at|in) (?:home|the house|our house|my house|the flat|our flat|my flat)"
#: "does not", "never" and the like, before what a carer does not do.
_NOT_GIVEN = r"(?:(?:does|do|did|will|would) not|never|hardly ever|barely)"
_HUNGRY = r"(?:hungry|hungrey|hungery|hungy|hungrie|hugry|starving|starvin)"
_ALONE = (
    r"(?:alone|alon|on my own|on me own|on our own|by myself|by my self|by ourselves|"
    r"home alone|at home alone|in the house alone)"
)
_ALL_NIGHT = (
    r"(?:all (?:night|day|weekend|evening|the time)|overnight|at night|at weekends?|"
    r"every (?:night|day|weekend|evening)|for (?:hours|days|nights|the night|the weekend|ages|"
    r"a long time|\w+ (?:hours|days|nights))|(?:till|until) late|when (?:mum|dad|she|he|they|"
    r"my (?:mum|dad|parents)) (?:go|goes|went) out)"
)


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
        r"(?:"
        + _TOUCHES_ME
        + "|"
        + _TOUCH
        + r" (?:me|my) "
        + _PRIVATE
        + "|"
        + _TOUCH
        + r" me (?:down there|in my private)|private parts|makes? me touch|made me touch|"
        r"(?:feels|felt) me up|(?:put|puts|putting) (?:his|her|their) hands? (?:down|in|up|"
        r"inside) my (?:pants|knickers|trousers|top|skirt|shorts)|rape|raped|"
        r"sexually|sex with me|(?:sends?|sent|asks? (?:me )?for|asked (?:me )?for|show(?:s|ed)? "
        r"me) (?:nudes|naked|rude) ?(?:pictures|photos|pics|videos)?)",
    ),
    # Words that carry their own "not": a negation here must not clear the flag.
    _rule(
        "sexual abuse",
        HIGH,
        _TOUCH + r" me (?:where|when|in ways?|in a way) (?:i|they|he|she|it|you) (?:do|did|does|"
        r"should|would) not",
        negation_clears=False,
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
    _rule(
        "sexual abuse (reported)",
        MEDIUM,
        r"(?:friend|mate|classmate|cousin|brother|sister)(?: \w+){0,6} (?:said|says|told me)"
        r"(?: \w+){0,4} " + _TOUCH + r" (?:her|him|them)(?: (?:private|" + _PRIVATE + r"))?",
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
    # Going without food, or being left alone, as children put it.
    _rule(
        "neglect",
        MEDIUM,
        r"(?:" + _NOBODY + r" (?:gives|give|gave|makes|make|made|cooks|cook|gets|get|buys|buy) "
        r"(?:me|us|my) (?:any |enough |some )?" + _FOOD + r"|(?:never|not|no|hardly ever|hardly "
        r"any) (?:any |enough |much |proper )?"
        + _FOOD
        + " "
        + _AT_HOME
        + "|nothing to eat "
        + _AT_HOME
        + r"|(?:nothing|no food|never any food) in the (?:fridge|cupboards?)|"
        r"(?:always|allways|alwys|so|really|constantly) "
        + _HUNGRY
        + "|"
        + _HUNGRY
        + " "
        + _AT_HOME
        + "|"
        + _HUNGRY
        + r" (?:all the time|every (?:day|night|evening|weekend)|"
        r"when i (?:get|go|am) home)|(?:go|goes|went|going) to (?:bed|sleep|school) "
        + _HUNGRY
        + r"|(?:leaves|leave|leaving|leavs|left) (?:me|us) "
        + _ALONE
        + " "
        + _ALL_NIGHT
        + "|"
        r"(?:left|leave|leaves) "
        + _ALONE
        + " "
        + _ALL_NIGHT
        + "|"
        + _NOBODY
        + r"(?: (?:at|in) (?:home|my house|the house))? (?:to )?(?:looks?|looked|lookes|luks) "
        r"after (?:me|us)|" + _NOBODY + r" (?:to )?(?:cares? for|takes? care of|feeds) (?:me|us))",
        negation_clears=False,
    ),
    # Someone at home who does not feed them: "mum does not give me food", "my parents do
    # not feed me", "dad never gives me dinner", "we never have food at home". The "not" is
    # the disclosure, so it never clears the flag.
    _rule(
        "neglect",
        MEDIUM,
        r"(?:"
        + _NOT_GIVEN
        + r" (?:gives?|makes?|cooks?|buys?|gets?) (?:me|us)(?: (?:any|enough|some|proper))? "
        + _FOOD
        + "|"
        + _NOT_GIVEN
        + r" feeds? (?:me|us)|(?:do|does|did) not get fed|never get fed|"
        r"(?:never|do not|hardly ever) (?:have|get) (?:any |enough )?"
        + _FOOD
        + " "
        + _AT_HOME
        + ")",
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
