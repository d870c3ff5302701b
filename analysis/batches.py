"""Reading a long stream of comments a batch at a time, so memory stays bounded.

The coder and theme discovery can each take any iterable (a generator reading a CSV file
line by line, say) and handle it in batches of a fixed size: only one batch of texts and
its results are held at once, however many comments there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

#: A batch big enough for the vectorisers to work efficiently, small enough to stay light.
BATCH_SIZE = 10_000


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    """Yield lists of up to ``size`` items, in order, reading ``items`` lazily.

    Args:
        items: Any iterable; it is read only as far as each batch needs.
        size: Items per batch (the last batch may be shorter).

    Returns:
        An iterator of non-empty lists.

    Raises:
        ValueError: If ``size`` is below 1.

    Examples:
        >>> list(batched(range(5), 2))
        [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError("A batch must hold at least one comment.")
    return _batches(iter(items), size)


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch
