"""The two linear support vector machines a theme coder trains per theme, and their folds.

One machine reads the TF-IDF features as they are; the other reads them scaled by each
term's naive Bayes log-count ratio (Wang and Manning, 2012, "NBSVM"). Both are given back
as weights on the plain features, so that they can be added into one linear score.
Out-of-fold scores, from machines that never saw the comment, are what calibration and
the thresholds are chosen on.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

#: One theme's machines: plain weights and intercept, then NBSVM weights and intercept.
Machines = tuple[np.ndarray, float, np.ndarray, float]


@dataclass(frozen=True)
class ThemeMachines:
    """How to train each theme's two machines (the settings of a ThemeCoder).

    Args:
        C: Inverse regularisation strength of the machine on the plain features.
        nb_C: The same for the machine on the naive-Bayes-scaled features.
        random_state: Seed for the folds and the solver.
        n_jobs: Themes trained at once (threads); ``None`` is one, ``-1`` every core.

    Examples:
        >>> features = sp.csr_matrix(np.eye(4, dtype=np.float32))
        >>> fitted = ThemeMachines(C=1, nb_C=1).fit(features, np.array([[1], [1], [0], [0]]))
        >>> len(fitted), fitted[0][0].shape
        (1, (4,))
    """

    C: float
    nb_C: float
    random_state: int | None = 0
    n_jobs: int | None = None

    def fit_theme(
        self, features: sp.csr_matrix, present: sp.csr_matrix, target: np.ndarray
    ) -> Machines:
        """Fit one theme's two machines; return each one's weights and intercept.

        Args:
            features: The TF-IDF features.
            present: The same matrix with every stored value set to 1.
            target: The theme's 0/1 column.

        Returns:
            Both machines, with the NBSVM's weights in terms of the plain features.
        """
        plain = LinearSVC(C=self.C, random_state=self.random_state).fit(features, target)
        ratio = log_count_ratio(present, target)
        scaled = LinearSVC(C=self.nb_C, random_state=self.random_state)
        scaled.fit(features @ sp.diags(ratio), target)
        return (
            plain.coef_[0],
            float(plain.intercept_[0]),
            scaled.coef_[0] * ratio,
            float(scaled.intercept_[0]),
        )

    def fit(self, features: sp.csr_matrix, matrix: np.ndarray) -> list[Machines]:
        """Fit every theme's machines: one :meth:`fit_theme` per column of ``matrix``."""
        present = features.copy()
        present.data[:] = 1.0
        # liblinear lets go of the GIL, so threads train themes side by side.
        return Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self.fit_theme)(features, present, matrix[:, j]) for j in range(matrix.shape[1])
        )

    def out_of_fold_scores(
        self, features: sp.csr_matrix, matrix: np.ndarray, folds: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each machine's score for each comment, from models that never saw the comment.

        Args:
            features: The TF-IDF features of every comment.
            matrix: Their 0/1 themes.
            folds: How many folds to split the comments into.

        Returns:
            The plain machines' scores and the NBSVM machines' scores, each shaped like
            ``matrix``.
        """
        plain = np.zeros(matrix.shape, dtype=np.float64)
        weighted = np.zeros(matrix.shape, dtype=np.float64)
        for train, test in spread_folds(matrix, folds, self.random_state):
            target = matrix[train]
            # A theme with no positives (or only positives) in this fold cannot be learned.
            constant = constant_themes(target)
            learnable = np.flatnonzero(~constant)
            models = self.fit(features[train], target[:, learnable])
            held_out = features[test]
            for j, (plain_w, plain_b, nb_w, nb_b) in zip(learnable, models, strict=True):
                plain[test, j] = held_out @ plain_w + plain_b
                weighted[test, j] = held_out @ nb_w + nb_b
            for j in np.flatnonzero(constant):
                plain[test, j] = weighted[test, j] = 10.0 if target[0, j] else -10.0
        return plain, weighted


def spread_folds(
    matrix: np.ndarray, folds: int, random_state: int | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled folds in which every fold can learn every theme.

    Plain shuffled folds can put all three examples of a rare theme in one fold: the
    models for that fold never see the theme, the theme's examples all get the lowest
    score, and its calibration comes out flat or backwards. When that happens, the folds
    are stratified on the rarest theme each comment has instead, which spreads the rarest
    themes first.

    Args:
        matrix: The comments' 0/1 themes.
        folds: How many folds.
        random_state: Seed for the shuffle.

    Returns:
        ``(train, test)`` row indices, one pair per fold.

    Examples:
        >>> matrix = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 0]])
        >>> [len(test) for _, test in spread_folds(matrix, 2, random_state=0)]
        [3, 3]
    """
    shuffled = KFold(n_splits=folds, shuffle=True, random_state=random_state)
    plain = list(shuffled.split(matrix))
    if not any(constant_themes(matrix[train]).any() for train, _ in plain):
        return plain
    counts = matrix.sum(axis=0)
    rarity = np.where(matrix == 1, counts, np.inf)
    key = np.where(matrix.any(axis=1), rarity.argmin(axis=1), -1)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    try:
        with warnings.catch_warnings():
            # A key held by fewer comments than there are folds is expected, and harmless.
            warnings.simplefilter("ignore", UserWarning)
            return list(splitter.split(np.zeros(len(key)), key))
    except ValueError:  # every key is held by fewer comments than there are folds
        return plain


def constant_themes(target: np.ndarray) -> np.ndarray:
    """Which themes are on none of these comments, or on all of them: nothing to learn.

    Examples:
        >>> constant_themes(np.array([[1, 0, 1], [1, 0, 0]])).tolist()
        [True, True, False]
    """
    return target.min(axis=0) == target.max(axis=0)


def log_count_ratio(present: sp.csr_matrix, target: np.ndarray) -> np.ndarray:
    """How much more often each term is in comments with the theme than without (log).

    Smoothed by one, so a term seen on one side only gets a large ratio but a finite one.

    Args:
        present: 1 where a comment has a term, a row per comment.
        target: The theme's 0/1 column.

    Returns:
        One float32 ratio per term.

    Examples:
        >>> present = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
        >>> (log_count_ratio(present, np.array([1, 0])) > 0).tolist()
        [True, False]
    """
    with_theme = np.asarray(present[target == 1].sum(axis=0)).ravel() + 1.0
    without = np.asarray(present[target == 0].sum(axis=0)).ravel() + 1.0
    return np.log((with_theme / with_theme.sum()) / (without / without.sum())).astype(np.float32)
