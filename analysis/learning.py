"""Active learning: which comments a person should code next to teach the coder most.

The theme coder is least use on the comments it cannot decide. Coding those first, rather
than comments picked at random, teaches it more for the same human effort.

How sure the coder is about a theme is how far the theme's confidence is from the theme's
threshold, as a share of the room on that side: a confidence of 0.9 with a threshold of
0.5 is 0.8 of the way to certain "yes", and 0.1 is 0.8 of the way to certain "no". A
comment is as uncertain as the theme it is least sure of, so a comment that is clearly
about staff but might or might not be about waiting counts as uncertain.

Everything here works on the arrays :meth:`analysis.coder.ThemeCoder.predict_proba`
returns and :attr:`~analysis.coder.ThemeCoder.thresholds_`, so it can be tried in a
notebook as easily as in the product.
"""

from __future__ import annotations

import numpy as np


def uncertainty(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per comment, how unsure the coder is, from 0 (sure) to 1 (could go either way).

    For each theme, the distance of the confidence ``p`` from the threshold ``t`` is
    scaled to the room on that side: ``(p - t) / (1 - t)`` at or above the threshold and
    ``(t - p) / t`` below it. A comment's uncertainty is 1 minus the smallest of those
    distances, so it is set by the theme the coder is least sure of.

    A confidence exactly on its threshold is as unsure as can be (1), including with a
    threshold of 0 or 1, where there is no room on one side. A comment with no themes to
    judge (an empty theme axis) is 0.

    Args:
        probabilities: An (n_comments, n_themes) array of confidences in [0, 1].
        thresholds: The n_themes decision thresholds, in [0, 1].

    Returns:
        An array of n_comments values in [0, 1].

    Raises:
        ValueError: If the shapes do not match or a value is missing (NaN).

    Examples:
        >>> uncertainty(np.array([[0.5], [0.75], [1.0], [0.25]]), np.array([0.5])).tolist()
        [1.0, 0.5, 0.0, 0.5]
        >>> uncertainty(np.array([[0.95, 0.45]]), np.array([0.5, 0.5])).round(2).tolist()
        [0.9]
    """
    p, t = _checked(probabilities, thresholds)
    if p.shape[1] == 0:
        return np.zeros(p.shape[0])
    above = p >= t
    room = np.where(above, 1.0 - t, t)
    gap = np.abs(p - t)
    distance = np.divide(gap, room, out=np.zeros_like(gap), where=room > 0)
    return 1.0 - np.clip(distance, 0.0, 1.0).min(axis=1)


def review_order(
    probabilities: np.ndarray,
    thresholds: np.ndarray,
    *,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Indices of comments, least sure first (ties broken by index, stable).

    Args:
        probabilities: An (n_comments, n_themes) array of confidences, as
            :meth:`~analysis.coder.ThemeCoder.predict_proba` returns.
        thresholds: The n_themes decision thresholds.
        random_state: Left as ``None``, comments that are equally unsure keep their
            order. Given a seed or generator, equally unsure comments are shuffled
            (repeatably for a seed), so that, for example, a run of identical comments
            does not always put the same one in front of a reviewer.

    Returns:
        Every comment's index, once each.

    Examples:
        >>> p = np.array([[0.9], [0.5], [0.1], [0.6]])
        >>> review_order(p, np.array([0.5])).tolist()
        [1, 3, 0, 2]
    """
    scores = uncertainty(probabilities, thresholds)
    if random_state is None:
        return np.argsort(-scores, kind="stable")
    shuffled = np.random.default_rng(random_state).permutation(len(scores))
    return shuffled[np.argsort(-scores[shuffled], kind="stable")]


def pick_uncertain(probabilities: np.ndarray, thresholds: np.ndarray, n: int) -> np.ndarray:
    """The indices of the ``n`` comments the coder is least sure of, least sure first.

    Fewer come back when there are fewer than ``n`` comments.

    Raises:
        ValueError: If ``n`` is negative.

    Examples:
        >>> p = np.array([[0.9], [0.5], [0.1], [0.6]])
        >>> pick_uncertain(p, np.array([0.5]), 2).tolist()
        [1, 3]
    """
    if n < 0:
        raise ValueError(f"Cannot pick {n} comments; give 0 or more.")
    return review_order(probabilities, thresholds)[:n]


def _checked(probabilities: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probabilities, dtype=float)
    t = np.asarray(thresholds, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"Confidences must be a 2-D array (comments x themes), not {p.ndim}-D.")
    if t.ndim != 1 or t.shape[0] != p.shape[1]:
        raise ValueError(f"There are {p.shape[1]} themes of confidences but {t.size} thresholds.")
    if np.isnan(p).any() or np.isnan(t).any():
        raise ValueError("A confidence or threshold is missing (NaN).")
    return np.clip(p, 0.0, 1.0), np.clip(t, 0.0, 1.0)
