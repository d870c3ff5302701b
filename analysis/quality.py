"""How well a coder does, theme by theme, measured on comments people have coded.

Cross-validation: the coded comments are split into folds, and each fold is coded by a
coder trained on the others, so every comment is coded by a model that never saw it. The
figures are then precision, recall and F1 per theme, and micro-averaged over all themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import KFold

from analysis.coder import MIN_POSITIVES, ThemeCoder


def learnable(labels: pd.DataFrame) -> list[str]:
    """The themes a coder can learn from these labels: enough examples, not on every row.

    Args:
        labels: one column per theme, 1 where a comment has it.

    Returns:
        The themes with at least `MIN_POSITIVES` comments that are not on all of them.

    Examples:
        >>> learnable(pd.DataFrame({"kind": [1, 1, 1, 0], "wait": [1, 0, 0, 0]}))
        ['kind']
    """
    counts = labels.sum()
    return [str(theme) for theme, n in counts.items() if n >= MIN_POSITIVES and n < len(labels)]


def cross_validate(
    texts: Sequence[str],
    labels: pd.DataFrame,
    *,
    folds: int = 5,
    random_state: int = 0,
    make: Callable[[], ThemeCoder] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Precision, recall and F1 of each theme (a column of ``labels``) and micro overall.

    A theme with too few examples in a training fold cannot be learned there, and is
    counted as never suggested for that fold, which is what the product would do.

    Args:
        texts: the coded comments.
        labels: one column per theme and one row per comment, 1 where it has the theme.
        folds: how many folds to split the comments into (at least 2, at most one each).
        random_state: seeds the split, and the default coder.
        make: makes a fresh, unfitted coder; a ``ThemeCoder`` by default.
        progress: called with (folds done, folds) after each fold.

    Returns:
        ``{"folds": k, "comments": n, "micro": {...}, "themes": {key: {"precision",
        "recall", "f1", "support"}}}``, figures rounded to three places.

    Examples:
        >>> texts = ["kind nurse", "kind staff", "long wait", "wait was long"] * 6
        >>> labels = pd.DataFrame({"kind": [1, 1, 0, 0] * 6, "wait": [0, 0, 1, 1] * 6})
        >>> found = cross_validate(texts, labels, folds=3)
        >>> found["themes"]["kind"]["f1"], found["micro"]["f1"]
        (1.0, 1.0)
    """
    make = make or (lambda: ThemeCoder(random_state=random_state))
    array = np.asarray(list(texts), dtype=object)
    folds = max(2, min(folds, len(array)))
    splits = list(KFold(folds, shuffle=True, random_state=random_state).split(array))
    predicted = _predict_held_out(array, labels, splits, make, progress)
    return {"folds": folds, "comments": len(array), **_scores(labels, predicted)}


def _predict_held_out(
    array: np.ndarray,
    labels: pd.DataFrame,
    splits: list[tuple[np.ndarray, np.ndarray]],
    make: Callable[[], ThemeCoder],
    progress: Callable[[int, int], None] | None,
) -> np.ndarray:
    """Each comment's themes, as coded by a coder trained on the other folds."""
    themes = [str(c) for c in labels.columns]
    predicted = np.zeros_like(labels.to_numpy().astype(int))
    for done, (train, test) in enumerate(splits, start=1):
        fold_labels = labels.iloc[train]
        usable = learnable(fold_labels)
        if usable:
            coder = make().fit(list(array[train]), fold_labels[usable].reset_index(drop=True))
            guesses = coder.predict(list(array[test]))
            for j, theme in enumerate(usable):
                predicted[test, themes.index(theme)] = guesses[:, j]
        if progress is not None:
            progress(done, len(splits))
    return predicted


def _scores(labels: pd.DataFrame, predicted: np.ndarray) -> dict[str, Any]:
    """Micro-averaged and per-theme figures, rounded to three places."""
    truth = labels.to_numpy().astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, average=None, zero_division=0
    )
    micro = precision_recall_fscore_support(truth, predicted, average="micro", zero_division=0)
    return {
        "micro": {
            "precision": round(float(micro[0]), 3),
            "recall": round(float(micro[1]), 3),
            "f1": round(float(micro[2]), 3),
        },
        "themes": {
            theme: {
                "precision": round(float(precision[j]), 3),
                "recall": round(float(recall[j]), 3),
                "f1": round(float(f1[j]), 3),
                "support": int(support[j]),
            }
            for j, theme in enumerate(str(c) for c in labels.columns)
        },
    }
