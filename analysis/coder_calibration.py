"""Platt scaling: turning a theme coder's linear scores into calibrated confidences.

Each of a theme's two machines is Platt-scaled on out-of-fold scores, and the two
calibrated log-odds are added. Because Platt scaling is linear in the score, the sum is
still one linear score per theme (one weight per term), which is calibrated once more so
that 0.8 means roughly "80 in 100 comments with this score had the theme".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from analysis.coder_training import Machines


def sigmoid(values: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that it never overflows.

    Examples:
        >>> sigmoid(np.array([0.0, 1000.0])).round(3).tolist()
        [0.5, 1.0]
    """
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35, 35)))


def platt(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Fit P(theme | score) = sigmoid(a * score + b) on out-of-fold scores.

    Args:
        scores: One theme's score for each comment.
        target: The theme's 0/1 column.

    Returns:
        The slope ``a`` and the intercept ``b``.

    Examples:
        >>> a, b = platt(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
        >>> a > 0
        True
    """
    positives = target.sum()
    negatives = len(target) - positives
    # Platt's smoothed targets keep the fit finite when the classes separate perfectly.
    smoothed = np.where(target == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    model = LogisticRegression(C=1e4, solver="lbfgs")
    weights = np.c_[smoothed, 1 - smoothed].ravel()
    model.fit(
        np.repeat(scores.reshape(-1, 1), 2, axis=0),
        np.tile([1, 0], len(scores)),
        sample_weight=weights,
    )
    return float(model.coef_[0][0]), float(model.intercept_[0])


def platt_each(scores: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """:func:`platt` for every theme: an (n_themes, 2) array of slopes and intercepts."""
    return np.array([platt(scores[:, j], matrix[:, j]) for j in range(matrix.shape[1])])


def calibrated(scores: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Confidences from scores, with each theme's slope and intercept from :func:`platt_each`.

    Examples:
        >>> calibrated(np.array([[0.0, 2.0]]), np.array([[1.0, 0.0], [1.0, -2.0]])).tolist()
        [[0.5, 0.5]]
    """
    return sigmoid(scores * calibration[:, 0] + calibration[:, 1])


def add_log_odds(
    plain: np.ndarray, weighted: np.ndarray, first: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """Add two machines' calibrated log-odds, given their scores and Platt scalings.

    Args:
        plain: The plain machines' scores, a column per theme.
        weighted: The NBSVM machines' scores, the same shape.
        first: The plain machines' Platt scalings, from :func:`platt_each`.
        second: The NBSVM machines' Platt scalings.

    Returns:
        The combined scores, the same shape as ``plain``.

    Examples:
        >>> add_log_odds(np.ones((1, 1)), np.ones((1, 1)), np.array([[2.0, 1.0]]),
        ...              np.array([[3.0, -1.0]])).tolist()
        [[5.0]]
    """
    return plain * first[:, 0] + weighted * second[:, 0] + first[:, 1] + second[:, 1]


def add_machines(
    models: Sequence[Machines], first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The linear score whose values :func:`add_log_odds` would give, one per theme.

    Args:
        models: Each theme's two machines, from
            :meth:`analysis.coder_training.ThemeMachines.fit`.
        first: The plain machines' Platt scalings, from :func:`platt_each`.
        second: The NBSVM machines' Platt scalings.

    Returns:
        The weights (float32, a row per theme) and the intercepts.

    Examples:
        >>> weights, intercepts = add_machines([(np.ones(2), 0.5, np.ones(2), 0.0)],
        ...                                    np.array([[2.0, 1.0]]), np.array([[3.0, -1.0]]))
        >>> weights.tolist(), intercepts.tolist()
        ([[5.0, 5.0]], [1.0])
    """
    weights = np.vstack(
        [
            first[j, 0] * plain_w + second[j, 0] * nb_w
            for j, (plain_w, _, nb_w, _) in enumerate(models)
        ]
    ).astype(np.float32)
    intercepts = np.array(
        [
            first[j, 0] * plain_b + first[j, 1] + second[j, 0] * nb_b + second[j, 1]
            for j, (_, plain_b, _, nb_b) in enumerate(models)
        ]
    )
    return weights, intercepts
