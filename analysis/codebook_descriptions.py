"""A theme's notes, key and examples written into the one Description a REFI-QDA code has,
and read back out of it.

A REFI-QDA codebook can hold only a code's name and a description, so the description
carries the rest as labelled paragraphs that read well in another program::

    Children waiting for an assessment or a plan.

    Use when: the comment is about how long something took.

    Do not use when: the wait was for a health appointment.

    Outcome area: My Voice

    Key: waiting

    Examples:
    - We waited 40 weeks.
    - Nobody told us
      why it took so long.

"Key:" is written only where the key is not the one made from the name. In the free text,
a line that starts with one of the labels, or with a backslash, gets a backslash in front,
so that a description can say "Use when:" without being misread.
"""

from typing import Any

from analysis.codebook_themes import ThemeRow, key_from_name

_LABELS = {
    "Use when:": "inclusion",
    "Do not use when:": "exclusion",
    "Outcome area:": "outcome_area",
    "Key:": "key",
    "Examples:": "examples",
}


def _escape_lines(text: str) -> str:
    return "\n".join(
        "\\" + line if line.startswith(("\\", *_LABELS)) else line for line in text.split("\n")
    )


def _unescape_lines(lines: list[str]) -> str:
    return "\n".join(line[1:] if line.startswith("\\") else line for line in lines).strip()


def describe(theme: ThemeRow) -> str:
    """The text of a theme's REFI-QDA Description: its description and notes, labelled.

    Examples:
        >>> theme = ThemeRow("waits", "Waiting", description="Long waits.",
        ...                  inclusion="it took too long", examples=("We waited\\n40 weeks.",))
        >>> print(describe(theme))
        Long waits.
        <BLANKLINE>
        Use when: it took too long
        <BLANKLINE>
        Key: waits
        <BLANKLINE>
        Examples:
        - We waited
          40 weeks.
    """
    parts = []
    if theme.description:
        parts.append(_escape_lines(theme.description))
    if theme.inclusion:
        parts.append("Use when: " + _escape_lines(theme.inclusion))
    if theme.exclusion:
        parts.append("Do not use when: " + _escape_lines(theme.exclusion))
    if theme.outcome_area:
        parts.append("Outcome area: " + theme.outcome_area)
    if theme.key != key_from_name(theme.name):
        parts.append("Key: " + theme.key)
    if theme.examples:
        items = ["- " + example.replace("\n", "\n  ") for example in theme.examples]
        parts.append("Examples:\n" + "\n".join(items))
    return "\n\n".join(parts)


def read_description(text: str) -> dict[str, Any]:
    """The fields that `describe` put into a Description.

    Args:
        text: a Description's text, as `describe` wrote it.

    Returns:
        The ThemeRow fields found in it, by name: "description", "inclusion", "exclusion",
        "outcome_area" and "key" as strings, "examples" as a tuple of strings.

    Examples:
        >>> read_description("Long waits.\\n\\nKey: waits")
        {'description': 'Long waits.', 'key': 'waits'}
    """
    sections: list[tuple[str, list[str]]] = [("description", [])]
    for line in text.split("\n"):
        label = next((label for label in _LABELS if line.startswith(label)), None)
        if label is None:
            sections[-1][1].append(line)
        else:
            sections.append((_LABELS[label], [line[len(label) :].removeprefix(" ")]))
    for _field, lines in sections[:-1]:
        if lines and lines[-1] == "":  # the blank line between paragraphs
            lines.pop()
    fields: dict[str, Any] = {}
    for field, lines in sections:
        if field == "examples":
            fields["examples"] = _read_examples(lines)
        elif field in ("key", "outcome_area"):
            fields[field] = " ".join(" ".join(lines).split())
        else:
            fields[field] = _unescape_lines(lines)
    return fields


def _read_examples(lines: list[str]) -> tuple[str, ...]:
    """The examples listed under "Examples:", each "- " item with its indented lines."""
    examples: list[list[str]] = []
    for line in lines[1:] if lines and not lines[0].strip() else lines:
        if line.startswith("  ") and examples:
            examples[-1].append(line[2:])
        elif line.strip():
            examples.append([line.removeprefix("- ")])
    return tuple("\n".join(example).strip() for example in examples if "".join(example).strip())
