"""Phrases the Lived Experience Framework asks us not to use in a codebook, each with what to
say instead.
"""

import re

_IDENTITY_FIRST = "Use identity-first language, for example “autistic {noun}”."
_AVOID: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\bservice[\s-]+users?\b", re.IGNORECASE),
        "Use people’s own terms, for example “children and young people” or “parents and carers”.",
    ),
    (
        re.compile(r"\bhard[\s-]+to[\s-]+reach\b", re.IGNORECASE),
        "Say “under-represented”, or name the group you mean.",
    ),
    (
        re.compile(
            r"\b(young\s+people|young\s+persons?|children|child|people|persons?|adults?|"
            r"pupils?|students?|learners?|boys?|girls?)\s+with\s+(?:autism|asd)\b",
            re.IGNORECASE,
        ),
        _IDENTITY_FIRST,
    ),
    (
        re.compile(r"\b(?:suffers|suffering|suffered|suffer)\s+from\b", re.IGNORECASE),
        "Say what the person has or is, for example “has epilepsy” or “is autistic”, not "
        "what they suffer from.",
    ),
    (
        re.compile(r"\bwheelchair[\s-]+bound\b|\bconfined\s+to\s+a\s+wheelchair\b", re.IGNORECASE),
        "Say “wheelchair user” or “uses a wheelchair”.",
    ),
)


def words_to_avoid(text: str) -> list[tuple[str, str]]:
    """Phrases the Lived Experience Framework asks us not to use, each with what to say.

    Returns (phrase as written, suggestion) pairs in the order they appear. Matching ignores
    case and takes whole words only ("reachable" is not "reach"). The suggestion is a whole
    sentence, so that a message reads: f"Theme name uses “{phrase}”. {suggestion}"

    Examples:
        >>> words_to_avoid("Hard-to-reach families and a child with autism")
        [('Hard-to-reach', 'Say “under-represented”, or name the group you mean.'), \
('child with autism', 'Use identity-first language, for example “autistic child”.')]
        >>> words_to_avoid("Services that are reachable by bus")
        []
    """
    found = []
    for pattern, suggestion in _AVOID:
        for match in pattern.finditer(text):
            said = suggestion
            if suggestion is _IDENTITY_FIRST:
                said = suggestion.format(noun=" ".join(match.group(1).lower().split()))
            found.append((match.start(), " ".join(match.group(0).split()), said))
    return [(phrase, said) for _start, phrase, said in sorted(found)]
