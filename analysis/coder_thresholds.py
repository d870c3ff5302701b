"""A theme coder's decision thresholds: one cut per theme, chosen together.

The cuts are chosen on out-of-fold confidences to maximise a blend of micro-F1 (every
suggestion counts the same) and macro-F1 (every theme counts the same), so that neither
the common themes nor the rare ones are sacrificed to the other.
"""

from __future__ import annotations

import numpy as np

#: The cuts a theme's threshold is chosen from. Confidences are calibrated, so a fixed grid
#: means the same on every codebook.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.9001, 0.025), 3)


def choose_thresholds(probabilities: np.ndarray, target: np.ndarray, weight: float) -> np.ndarray:
    """Each theme's cut, chosen together on out-of-fold confidences.

    The cuts maximise ``weight`` x micro-F1 + (1 - ``weight``) x macro-F1. Micro-F1 counts
    every suggestion the same, so on its own it would let common themes crowd out rare ones;
    macro-F1 counts each theme the same, so on its own it would give rare, hard themes cuts
    so low that they flood reviewers with wrong suggestions. One theme's cut is changed at a
    time, to the grid value that most improves the whole, until no change helps.

    Args:
        probabilities: Out-of-fold confidences, a row per comment and a column per theme.
        target: The comments' 0/1 themes, the same shape.
        weight: How much micro-F1 counts (1 is micro-F1 only, 0 macro-F1 only).

    Returns:
        One cut per theme, each a value of :data:`THRESHOLD_GRID`.

    Examples:
        >>> probabilities = np.array([[0.9, 0.1], [0.8, 0.7], [0.2, 0.6], [0.1, 0.2]])
        >>> target = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
        >>> thresholds = choose_thresholds(probabilities, target, 0.5)
        >>> bool(((probabilities >= thresholds) == target).all())
        True
    """
    n_themes = target.shape[1]
    tp, wrong, f1 = _counts_at_each_cut(probabilities, target)
    choice = np.array([_middle_best(row) for row in f1])  # each theme's own best cut
    rows = np.arange(n_themes)
    for _ in range(20):
        changed = False
        for j in range(n_themes):
            tp_rest = tp[rows, choice].sum() - tp[j, choice[j]]
            wrong_rest = wrong[rows, choice].sum() - wrong[j, choice[j]]
            f1_rest = f1[rows, choice].sum() - f1[j, choice[j]]
            all_tp = tp_rest + tp[j]
            micro = 2 * all_tp / np.maximum(2 * all_tp + wrong_rest + wrong[j], 1)
            macro = (f1_rest + f1[j]) / n_themes
            objective = weight * micro + (1 - weight) * macro
            if objective.max() > objective[choice[j]] + 1e-12:
                choice[j] = _middle_best(objective)
                changed = True
        if not changed:
            break
    return THRESHOLD_GRID[choice].astype(float)


def _counts_at_each_cut(
    probabilities: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every theme and cut of the grid: true positives, wrong decisions, and F1.

    Wrong decisions are false positives plus false negatives; each array has a row per
    theme and a column per cut.
    """
    n_themes = target.shape[1]
    grid = THRESHOLD_GRID
    tp = np.empty((n_themes, len(grid)))
    suggested = np.empty((n_themes, len(grid)))
    for j in range(n_themes):
        everyone = np.sort(probabilities[:, j])
        positives = np.sort(probabilities[target[:, j] == 1, j])
        tp[j] = len(positives) - np.searchsorted(positives, grid, side="left")
        suggested[j] = len(everyone) - np.searchsorted(everyone, grid, side="left")
    coded = target.sum(axis=0).astype(float)[:, None]
    wrong = suggested - tp + coded - tp  # false positives plus false negatives
    f1 = np.divide(2 * tp, 2 * tp + wrong, out=np.zeros_like(tp), where=(2 * tp + wrong) > 0)
    return tp, wrong, f1


def _middle_best(objective: np.ndarray) -> int:
    """The best cut; among cuts that do equally well, the middle one.

    When a theme separates cleanly, every cut between its comments scores the same: the
    lowest of them would suggest the theme for nearly anything new, and the highest would
    miss comments a little less clear than the ones it learned from.
    """
    tied = np.flatnonzero(objective >= objective.max() - 1e-12)
    return int(tied[len(tied) // 2])
