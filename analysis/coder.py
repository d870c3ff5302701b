"""Theme coding: learn a team's codebook from human-coded comments and code new ones.

A comment can have several themes, or none. :class:`ThemeCoder` is a scikit-learn
estimator: ``fit(texts, labels)`` with one 0/1 column per theme, then ``predict_proba``
for a calibrated confidence per theme, ``predict`` for the themes it would suggest, and
``explain`` for the words that drove each suggestion (shown to reviewers so they can see
why a theme was suggested).

How it works:

* Every text is read through :mod:`analysis.text`: normalised (negations kept, text speak
  made plain) and lemmatised. Word unigrams and bigrams of the lemmas, and character
  n-grams of the normalised text (robust to spelling mistakes), are weighted by TF-IDF.
* Two linear support vector machines per theme, combined into one linear score: one on
  the TF-IDF features as they are, and one on the features scaled by how much more often
  each term appears in comments with the theme than without it (the naive Bayes
  log-count ratio of Wang and Manning, 2012, "NBSVM"). The first generalises; the second
  trusts the few words that really mark a theme, which helps rare themes. Each is
  calibrated with Platt scaling on out-of-fold scores and the two calibrated log-odds are
  added, so the combined model is still one weight per term and theme: coding costs the
  same as one model, and :meth:`ThemeCoder.explain` can read it.
* Confidence: the combined score is calibrated again with Platt scaling on out-of-fold
  scores, so 0.8 means roughly "80 in 100 comments with this score had the theme".
* Decision thresholds: one per theme, chosen together on the same out-of-fold
  confidences to maximise the average of micro-F1 (every suggestion counts the same) and
  macro-F1 (every theme counts the same), so that neither the common themes nor the rare
  ones are sacrificed to the other.

Measured on NHS Friends and Family Test comments (``benchmarks/bench_coder.py``), each of
these beat logistic regression with per-theme F1 thresholds: micro-F1 0.708 to about
0.745, macro-F1 0.516 to about 0.56.
"""

from __future__ import annotations

import inspect
import io
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

from analysis.batches import BATCH_SIZE, batched
from analysis.text import lemmatise_all, normalise

#: Bump when a saved model from an older Heard can no longer be loaded.
FORMAT_VERSION = 2
MIN_POSITIVES = 3
#: Every word counts, even one letter long ("i", "a&e" becomes "a" and "e").
WORD_PATTERN = r"(?u)\b\w+\b"


class ThemeCoder(ClassifierMixin, BaseEstimator):
    """Multi-label theme coder with calibrated confidences and per-theme thresholds.

    Args:
        C: Inverse regularisation strength of each theme's support vector machine on the
            plain TF-IDF features.
        nb_C: The same for the machine on the naive-Bayes-scaled features.
        word_ngrams: Range of word n-grams (of lemmas).
        char_ngrams: Range of character n-grams (within word boundaries); ``None`` turns
            them off.
        min_df: Ignore terms that appear in fewer comments than this.
        folds: Folds used for the out-of-fold scores behind calibration and thresholds.
        micro_weight: How the thresholds trade micro-F1 against macro-F1 (1 is micro-F1
            only, 0 macro-F1 only).
        random_state: Seed for the folds and the solver, so training is repeatable. With
            ``n_jobs`` above one, liblinear's threads share one random number generator,
            so weights can differ in about the sixth decimal place from run to run.
        codebook_version: Recorded in :attr:`metadata_` and in saved models.
        n_jobs: Themes trained at once (threads); ``None`` is one, ``-1`` every core.

    Attributes:
        themes_: The theme keys, in the order of the columns of ``predict_proba``.
        thresholds_: The decision threshold of each theme.
        weights_, intercepts_: Each theme's combined linear score, one weight per feature
            (word n-grams first, then character n-grams).
        metadata_: When and on how many comments the coder was trained, and the
            codebook version.

    Examples:
        >>> texts = ["the nurse was kind", "kind and caring staff", "waited hours",
        ...          "long wait in a&e", "lovely kind nurse", "the wait was too long"] * 4
        >>> labels = pd.DataFrame({"staff": [1, 1, 0, 0, 1, 0] * 4,
        ...                        "waiting": [0, 0, 1, 1, 0, 1] * 4})
        >>> coder = ThemeCoder(random_state=0).fit(texts, labels)
        >>> coder.themes_
        ['staff', 'waiting']
        >>> coder.predict(["such a kind nurse", "we waited so long"]).tolist()
        [[1, 0], [0, 1]]
    """

    def __init__(
        self,
        C: float = 0.3,
        nb_C: float = 0.1,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        folds: int = 5,
        micro_weight: float = 0.5,
        random_state: int | None = 0,
        codebook_version: str | int | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.C = C
        self.nb_C = nb_C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.folds = folds
        self.micro_weight = micro_weight
        self.random_state = random_state
        self.codebook_version = codebook_version
        self.n_jobs = n_jobs

    # -- training -------------------------------------------------------------------------

    def fit(self, X: Iterable[object], y: Any, themes: Sequence[str] | None = None) -> ThemeCoder:
        """Learn the themes from coded comments.

        Args:
            X: The comments (strings; blanks are allowed and read as empty).
            y: A DataFrame with one 0/1 column per theme, or a 2-D array of 0/1 with
                ``themes`` naming its columns.
            themes: Theme keys for an array ``y``; ignored for a DataFrame.

        Raises:
            ValueError: If there are no comments, the shapes differ, or a theme has fewer
                than three positive examples (the message names the theme).
        """
        started = time.perf_counter()
        texts = list(X)
        matrix, names = _label_matrix(y, themes)
        if not texts:
            raise ValueError("There are no comments to learn from.")
        if matrix.shape[0] != len(texts):
            raise ValueError(
                f"There are {len(texts)} comments but {matrix.shape[0]} rows of themes."
            )
        counts = matrix.sum(axis=0)
        for name, count in zip(names, counts, strict=True):
            if count < MIN_POSITIVES:
                raise ValueError(
                    f"Theme {name!r} has {int(count)} coded comments; "
                    f"it needs at least {MIN_POSITIVES} to learn from."
                )
            if count == len(texts):
                raise ValueError(f"Theme {name!r} is on every comment, so it cannot be learned.")

        self._build_vectorisers(len(texts))
        features = self._fit_features(texts)
        folds = max(2, min(self.folds, int(counts.min())))
        plain, weighted = self._out_of_fold_scores(features, matrix, folds)
        # Platt-scale each machine's scores, add the two log-odds, and calibrate the sum.
        first = np.array([_platt(plain[:, j], matrix[:, j]) for j in range(len(names))])
        second = np.array([_platt(weighted[:, j], matrix[:, j]) for j in range(len(names))])
        combined = plain * first[:, 0] + weighted * second[:, 0] + first[:, 1] + second[:, 1]
        self.calibration_ = np.array(
            [_platt(combined[:, j], matrix[:, j]) for j in range(len(names))]
        )
        probabilities = _sigmoid(combined * self.calibration_[:, 0] + self.calibration_[:, 1])
        self.thresholds_ = _choose_thresholds(probabilities, matrix, self.micro_weight)

        models = self._fit_themes(features, matrix)
        self.weights_ = np.vstack(
            [
                first[j, 0] * plain_w + second[j, 0] * nb_w
                for j, (plain_w, _, nb_w, _) in enumerate(models)
            ]
        ).astype(np.float32)
        self.intercepts_ = np.array(
            [
                first[j, 0] * plain_b + first[j, 1] + second[j, 0] * nb_b + second[j, 1]
                for j, (_, plain_b, _, nb_b) in enumerate(models)
            ]
        )
        self.themes_ = list(names)
        self.classes_ = [np.array([0, 1]) for _ in names]
        self.metadata_ = {
            "format": FORMAT_VERSION,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "comments": len(texts),
            "positives": {n: int(c) for n, c in zip(names, counts, strict=True)},
            "codebook_version": self.codebook_version,
            "seconds": round(time.perf_counter() - started, 2),
        }
        return self

    def _fit_theme(
        self, features: sp.csr_matrix, present: sp.csr_matrix, target: np.ndarray
    ) -> tuple[np.ndarray, float, np.ndarray, float]:
        """Fit one theme's two machines; return each one's weights (in terms of the plain
        features) and intercept."""
        plain = LinearSVC(C=self.C, random_state=self.random_state).fit(features, target)
        ratio = _log_count_ratio(present, target)
        scaled = LinearSVC(C=self.nb_C, random_state=self.random_state)
        scaled.fit(features @ sp.diags(ratio), target)
        return (
            plain.coef_[0],
            float(plain.intercept_[0]),
            scaled.coef_[0] * ratio,
            float(scaled.intercept_[0]),
        )

    def _fit_themes(
        self, features: sp.csr_matrix, matrix: np.ndarray
    ) -> list[tuple[np.ndarray, float, np.ndarray, float]]:
        present = features.copy()
        present.data[:] = 1.0
        # liblinear lets go of the GIL, so threads train themes side by side.
        return Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self._fit_theme)(features, present, matrix[:, j])
            for j in range(matrix.shape[1])
        )

    def _build_vectorisers(self, n_texts: int) -> None:
        min_df = self.min_df if n_texts >= 20 * self.min_df else 1
        self.word_vectoriser_ = TfidfVectorizer(
            analyzer="word",
            ngram_range=self.word_ngrams,
            min_df=min_df,
            sublinear_tf=True,
            token_pattern=WORD_PATTERN,
            dtype=np.float32,
        )
        self.char_vectoriser_ = (
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=self.char_ngrams,
                min_df=min_df,
                sublinear_tf=True,
                max_features=150_000,
                dtype=np.float32,
            )
            if self.char_ngrams
            else None
        )

    def _fit_features(self, texts: list[object]) -> sp.csr_matrix:
        return self._features([normalise(t) for t in texts], fit=True)

    def _features(self, normalised: list[str], fit: bool = False) -> sp.csr_matrix:
        vectorisers = [(self.word_vectoriser_, lemmatise_all(normalised))]
        if self.char_vectoriser_ is not None:
            vectorisers.append((self.char_vectoriser_, normalised))
        parts = [v.fit_transform(t) if fit else v.transform(t) for v, t in vectorisers]
        return sp.hstack(parts, format="csr")

    def _out_of_fold_scores(
        self, features: sp.csr_matrix, matrix: np.ndarray, folds: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each machine's score for each comment, from models that never saw the comment."""
        plain = np.zeros(matrix.shape, dtype=np.float64)
        weighted = np.zeros(matrix.shape, dtype=np.float64)
        for train, test in _spread_folds(matrix, folds, self.random_state):
            target = matrix[train]
            # A theme with no positives (or only positives) in this fold cannot be learned.
            constant = _constant_themes(target)
            learnable = np.flatnonzero(~constant)
            models = self._fit_themes(features[train], target[:, learnable])
            held_out = features[test]
            for j, (plain_w, plain_b, nb_w, nb_b) in zip(learnable, models, strict=True):
                plain[test, j] = held_out @ plain_w + plain_b
                weighted[test, j] = held_out @ nb_w + nb_b
            for j in np.flatnonzero(constant):
                plain[test, j] = weighted[test, j] = 10.0 if target[0, j] else -10.0
        return plain, weighted

    # -- prediction -----------------------------------------------------------------------

    def decision_function(self, X: Iterable[object]) -> np.ndarray:
        """Return each theme's raw linear score for each comment."""
        return self._scores([normalise(t) for t in X])

    def _scores(self, normalised: list[str]) -> np.ndarray:
        self._check_fitted()
        features = self._features(normalised)
        return np.asarray(features @ self.weights_.T) + self.intercepts_

    def predict_proba(self, X: Iterable[object]) -> np.ndarray:
        """Return an (n_comments, n_themes) array of calibrated confidences in [0, 1].

        A comment with no words (blank, only punctuation or emoji) gets 0 for every theme.
        """
        normalised = [normalise(t) for t in X]
        if not normalised:
            self._check_fitted()
            return np.zeros((0, len(self.themes_)))
        scores = self._scores(normalised)
        probabilities = _sigmoid(scores * self.calibration_[:, 0] + self.calibration_[:, 1])
        probabilities[[not text for text in normalised]] = 0.0
        return probabilities

    def predict(self, X: Iterable[object]) -> np.ndarray:
        """Return an (n_comments, n_themes) 0/1 array of the themes the coder suggests."""
        return self.decide(self.predict_proba(X))

    def predict_batches(
        self, X: Iterable[object], batch_size: int = BATCH_SIZE, proba: bool = False
    ) -> Iterator[np.ndarray]:
        """Code comments a batch at a time, reading ``X`` lazily, so memory stays bounded.

        Each comment is coded on its own, so the batches join up to exactly what
        :meth:`predict` (or :meth:`predict_proba`) gives for all of ``X`` at once.

        Args:
            X: Any iterable of comments, for example a generator over a file.
            batch_size: Comments per batch.
            proba: Yield confidences, as :meth:`predict_proba`, instead of 0/1 suggestions.

        Returns:
            An iterator of arrays, one per batch, each with a row per comment in order.

        Raises:
            ValueError: If the coder has not been trained, or ``batch_size`` is below 1.

        Examples:
            >>> texts = ["kind nurse", "kind staff", "long wait", "wait was long"] * 5
            >>> labels = pd.DataFrame({"kind": [1, 1, 0, 0] * 5, "wait": [0, 0, 1, 1] * 5})
            >>> coder = ThemeCoder(char_ngrams=None).fit(texts, labels)
            >>> [b.tolist() for b in coder.predict_batches(iter(["kind", "wait", "kind"]), 2)]
            [[[1, 0], [0, 1]], [[1, 0]]]
        """
        self._check_fitted()
        code = self.predict_proba if proba else self.predict
        return (code(batch) for batch in batched(X, batch_size))

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        """Turn :meth:`predict_proba` output into 0/1 suggestions with each theme's threshold."""
        return (probabilities >= self.thresholds_).astype(int)

    def explain(self, text: object, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """Return, for each suggested theme, the words that pushed the comment towards it.

        Only whole words and word pairs are given (character n-grams also count in the
        score, but a reviewer cannot read them), strongest first.

        Examples:
            >>> texts = ["kind nurse", "kind staff", "long wait", "wait was long"] * 5
            >>> labels = pd.DataFrame({"kind": [1, 1, 0, 0] * 5, "wait": [0, 0, 1, 1] * 5})
            >>> coder = ThemeCoder(char_ngrams=None).fit(texts, labels)
            >>> [word for word, _ in coder.explain("a kind nurse")["kind"]][:1]
            ['kind']
        """
        self._check_fitted()
        suggested = self.predict([text])[0]
        words = self.word_vectoriser_.transform(lemmatise_all([normalise(text)]))
        names = self.word_vectoriser_.get_feature_names_out()
        explanation: dict[str, list[tuple[str, float]]] = {}
        n_words = words.shape[1]
        for j, theme in enumerate(self.themes_):
            if not suggested[j]:
                continue
            coef = self.weights_[j][:n_words]
            row = words.tocoo()
            contributions = [
                (str(names[i]), float(v * coef[i])) for i, v in zip(row.col, row.data, strict=True)
            ]
            positive = sorted((c for c in contributions if c[1] > 0), key=lambda c: -c[1])
            explanation[theme] = [(w, round(s, 4)) for w, s in positive[:top]]
        return explanation

    # -- persistence ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Return the fitted coder as bytes (for storing in a database)."""
        self._check_fitted()
        buffer = io.BytesIO()
        joblib.dump({"format": FORMAT_VERSION, "coder": self}, buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeCoder:
        """Load a coder saved by :meth:`to_bytes`."""
        try:
            saved = joblib.load(io.BytesIO(data))
        except Exception as error:  # a damaged or foreign file fails in many ways
            raise ValueError("This file is not a Heard theme coder.") from error
        return _unwrap(saved)

    def save(self, path: str | Path) -> None:
        """Write the fitted coder, with its metadata, to a file."""
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> ThemeCoder:
        """Read a coder written by :meth:`save`.

        Raises:
            ValueError: If the file is not a Heard theme coder of a known format.
        """
        return cls.from_bytes(Path(path).read_bytes())

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise ValueError("This coder has not been trained yet: call fit first.")


def _unwrap(saved: object) -> ThemeCoder:
    if not isinstance(saved, dict) or not isinstance(saved.get("coder"), ThemeCoder):
        raise ValueError("This file is not a Heard theme coder.")
    coder = saved["coder"]
    if saved.get("format") == 1 and hasattr(coder, "models_"):
        # Format 1 kept one logistic regression per theme: the same kind of linear score.
        coder.weights_ = np.vstack([m.coef_[0] for m in coder.models_]).astype(np.float32)
        coder.intercepts_ = np.array([m.intercept_[0] for m in coder.models_])
        del coder.models_
        # Settings added since, at their defaults, so get_params and clone still work.
        for name, parameter in inspect.signature(ThemeCoder.__init__).parameters.items():
            if name != "self" and not hasattr(coder, name):
                setattr(coder, name, parameter.default)
        return coder
    if saved.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"This coder was saved in format {saved.get('format')}; "
            f"this version of Heard reads format {FORMAT_VERSION}. Train it again."
        )
    return coder


def _label_matrix(y: Any, themes: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
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


def _spread_folds(
    matrix: np.ndarray, folds: int, random_state: int | None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled folds in which every fold can learn every theme.

    Plain shuffled folds can put all three examples of a rare theme in one fold: the
    models for that fold never see the theme, the theme's examples all get the lowest
    score, and its calibration comes out flat or backwards. When that happens, the folds
    are stratified on the rarest theme each comment has instead, which spreads the rarest
    themes first.
    """
    shuffled = KFold(n_splits=folds, shuffle=True, random_state=random_state)
    plain = list(shuffled.split(matrix))
    if not any(_constant_themes(matrix[train]).any() for train, _ in plain):
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


def _constant_themes(target: np.ndarray) -> np.ndarray:
    """Which themes are on none of these comments, or on all of them: nothing to learn."""
    return target.min(axis=0) == target.max(axis=0)


def _log_count_ratio(present: sp.csr_matrix, target: np.ndarray) -> np.ndarray:
    """How much more often each term is in comments with the theme than without (log).

    Smoothed by one, so a term seen on one side only gets a large ratio but a finite one.
    """
    with_theme = np.asarray(present[target == 1].sum(axis=0)).ravel() + 1.0
    without = np.asarray(present[target == 0].sum(axis=0)).ravel() + 1.0
    return np.log((with_theme / with_theme.sum()) / (without / without.sum())).astype(np.float32)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -35, 35)))


def _platt(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Fit P(theme | score) = sigmoid(a * score + b) on out-of-fold scores."""
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


#: The cuts a theme's threshold is chosen from. Confidences are calibrated, so a fixed grid
#: means the same on every codebook.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.9001, 0.025), 3)


def _choose_thresholds(probabilities: np.ndarray, target: np.ndarray, weight: float) -> np.ndarray:
    """Each theme's cut, chosen together on out-of-fold confidences.

    The cuts maximise ``weight`` x micro-F1 + (1 - ``weight``) x macro-F1. Micro-F1 counts
    every suggestion the same, so on its own it would let common themes crowd out rare ones;
    macro-F1 counts each theme the same, so on its own it would give rare, hard themes cuts
    so low that they flood reviewers with wrong suggestions. One theme's cut is changed at a
    time, to the grid value that most improves the whole, until no change helps.
    """
    n_themes = target.shape[1]
    grid = THRESHOLD_GRID
    # For every theme and cut: true positives, and how many comments would get the theme.
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
    return grid[choice].astype(float)


def _middle_best(objective: np.ndarray) -> int:
    """The best cut; among cuts that do equally well, the middle one.

    When a theme separates cleanly, every cut between its comments scores the same: the
    lowest of them would suggest the theme for nearly anything new, and the highest would
    miss comments a little less clear than the ones it learned from.
    """
    tied = np.flatnonzero(objective >= objective.max() - 1e-12)
    return int(tied[len(tied) // 2])
