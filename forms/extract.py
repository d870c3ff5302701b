"""A Babel extractor for form definitions: labels, hints, options, titles and intros.

Registered in pyproject.toml as `heard_forms`, and used by babel.cfg.
"""

from collections.abc import Iterator
from typing import IO, Any

import yaml

TRANSLATABLE = ("title", "subtitle", "caption", "label", "hint", "error")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TRANSLATABLE and isinstance(value, str):
                yield value
            elif key == "intro" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def extract_definition(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line, function, message, comments) for every translatable string."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    if not isinstance(data, dict) or "pages" not in data:
        return
    seen: set[str] = set()
    for text in _strings(data):
        if text not in seen:
            seen.add(text)
            yield 0, "gettext", text, [f"Form: {data.get('slug', '')}"]
