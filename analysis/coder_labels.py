"""The coded themes a theme coder learns from: a 0/1 matrix, and whether it can be learned.

:class:`analysis.coder.ThemeCoder` takes its labels as a DataFrame or an array; this
module turns either into one 0/1 column per theme and refuses, with a message that names
the theme, anything the coder could not learn from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: The fewest coded comments a theme needs before the coder can learn it.
MIN_POSITIVES = 3


def label_matrix(y: Any, themes: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Read coded themes as a 0/1 matrix (a row per comment) and the themes' names.

    Args:
        y: A DataFrame with one column per theme, or a 1-D or 2-D array; any value above
            zero means "coded", and blanks in a DataFrame mean "not coded".
        themes: Names for the columns of an array ``y`` (``theme_0``, ``theme_1``... if
            ``None``); ignored for a DataFrame.

    Returns:
        The matrix, and the theme names in the order of its columns.

    Raises:
        ValueError: If there are no themes, the names do not match the columns, or a
            column holds something other than numbers.

    Examples:
        >>> matrix, names = label_matrix(pd.DataFrame({"wait": [1, None], "kind": [0, 2]}), None)
        >>> matrix.tolist(), names
        ([[1, 0], [0, 1]], ['wait', 'kind'])
    """
    if isinstance(y, pd.DataFrame):
        names = [str(c) for c in y.columns]
        values = y.fillna(0).to_numpy()
    else:
        values = np.asarray(y)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        names = (
            list(themes) if themes is not None else [f"theme_{i}" for i in range(values.shape[1])]
        )
    if not names:
        raise ValueError("There are no themes to learn.")
    if len(names) != values.shape[1]:
        raise ValueError(f"There are {values.shape[1]} theme columns but {len(names)} names.")
    try:
        matrix = (values.astype(float) > 0).astype(int)
    except (TypeError, ValueError) as error:
        raise ValueError("Theme columns must hold 1 (coded) or 0/blank (not coded).") from error
    return matrix, names


def check_learnable(n_texts: int, matrix: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Check that every theme can be learned from these comments; return each one's count.

    Args:
        n_texts: How many comments there are.
        matrix: Their 0/1 themes, from :func:`label_matrix`.
        names: The theme names, in the order of the columns.

    Returns:
        The number of comments coded with each theme.

    Raises:
        ValueError: If there are no comments, the matrix has a different number of rows,
            or a theme has fewer than :data:`MIN_POSITIVES` comments or is on all of them.

    Examples:
        >>> check_learnable(4, np.array([[1], [1], [1], [0]]), ["wait"]).tolist()
        [3]
    """
    if not n_texts:
        raise ValueError("There are no comments to learn from.")
    if matrix.shape[0] != n_texts:
        raise ValueError(f"There are {n_texts} comments but {matrix.shape[0]} rows of themes.")
    counts = matrix.sum(axis=0)
    for name, count in zip(names, counts, strict=True):
        if count < MIN_POSITIVES:
            raise ValueError(
                f"Theme {name!r} has {int(count)} coded comments; "
                f"it needs at least {MIN_POSITIVES} to learn from."
            )
        if count == n_texts:
            raise ValueError(f"Theme {name!r} is on every comment, so it cannot be learned.")
    return counts
