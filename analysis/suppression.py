"""Small-number suppression, so that no published figure can point to a few people.

A count of 1 to 4 is never shown. When only one count in a set is hidden and the total
is shown, the hidden one could be worked out by subtraction, so the next smallest count
is hidden too. A group of fewer than 5 people shows nothing at all.
"""

from collections.abc import Mapping

MIN_COUNT = 5
SUPPRESSED = "[fewer than 5]"


def is_small(count: int) -> bool:
    """True for a count that must not be shown (1 to 4; 0 reveals no one).

    Examples:
        >>> is_small(3), is_small(0), is_small(5)
        (True, False, False)
    """
    return 0 < count < MIN_COUNT


def suppress_counts(counts: Mapping[str, int]) -> dict[str, int | None]:
    """Hide small counts, and one more where the hidden one could be worked out.

    Args:
        counts: each category's count, from one set whose total is also shown.

    Returns:
        The same keys, with None for every hidden count.

    Examples:
        >>> suppress_counts({"yes": 20, "no": 3, "unsure": 8})
        {'yes': 20, 'no': None, 'unsure': None}
    """
    shown: dict[str, int | None] = {
        key: (None if is_small(value) else value) for key, value in counts.items()
    }
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        others = [(value, key) for key, value in shown.items() if value]
        if others:
            shown[min(others)[1]] = None
    return shown


def share(part: int | None, whole: int) -> float | None:
    """A percentage, or None when it is hidden or has nothing to divide by.

    Examples:
        >>> share(1, 4), share(None, 10), share(0, 0)
        (25.0, None, None)
    """
    if part is None or whole <= 0:
        return None
    return 100.0 * part / whole


def group_shown(size: int) -> bool:
    """True when a group is big enough for any of its figures to be shown."""
    return size >= MIN_COUNT
