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
* One linear model per theme (logistic regression with balanced class weights).
* Confidence: each theme's raw score is calibrated with Platt scaling on out-of-fold
  scores, so 0.8 means roughly "80 in 100 comments with this score had the theme".
* Each theme has its own decision threshold, chosen on the same out-of-fold
  probabilities to maximise that theme's F1, and pulled towards 0.5 for themes with few
  examples so that a handful of comments cannot set an extreme threshold.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from analysis.batches import BATCH_SIZE, batched
from analysis.text import lemmatise_all, normalise

#: Bump when a saved model from an older Heard can no longer be loaded.
FORMAT_VERSION = 1
MIN_POSITIVES = 3
#: Every word counts, even one letter long ("i", "a&e" becomes "a" and "e").
WORD_PATTERN = r"(?u)\b\w+\b"


class ThemeCoder(ClassifierMixin, BaseEstimator):
    """Multi-label theme coder with calibrated confidences and per-theme thresholds.

    Args:
        C: Inverse regularisation strength of each theme's logistic regression.
        word_ngrams: Range of word n-grams (of lemmas).
        char_ngrams: Range of character n-grams (within word boundaries); ``None`` turns
            them off.
        min_df: Ignore terms that appear in fewer comments than this.
        folds: Folds used for the out-of-fold scores behind calibration and thresholds.
        random_state: Seed for the folds, so training is repeatable.
        codebook_version: Recorded in :attr:`metadata_` and in saved models.

    Attributes:
        themes_: The theme keys, in the order of the columns of ``predict_proba``.
        thresholds_: The decision threshold of each theme.
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
        C: float = 8.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        folds: int = 5,
        random_state: int | None = 0,
        codebook_version: str | int | None = None,
    ) -> None:
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.folds = folds
        self.random_state = random_state
        self.codebook_version = codebook_version

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
        scores = self._out_of_fold_scores(features, matrix, folds)

        self.models_ = [self._model().fit(features, matrix[:, j]) for j in range(len(names))]
        self.calibration_ = np.array(
            [_platt(scores[:, j], matrix[:, j]) for j in range(len(names))]
        )
        probabilities = _sigmoid(scores * self.calibration_[:, 0] + self.calibration_[:, 1])
        self.thresholds_ = np.array(
            [_best_threshold(probabilities[:, j], matrix[:, j]) for j in range(len(names))]
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

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear")

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
    ) -> np.ndarray:
        scores = np.zeros(matrix.shape, dtype=np.float64)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(features):
            for j in range(matrix.shape[1]):
                target = matrix[train, j]
                if target.min() == target.max():  # no positives (or all) in this fold
                    scores[test, j] = -10.0 if target.max() == 0 else 10.0
                    continue
                model = self._model().fit(features[train], target)
                scores[test, j] = model.decision_function(features[test])
        return scores

    # -- prediction -----------------------------------------------------------------------

    def decision_function(self, X: Iterable[object]) -> np.ndarray:
        """Return each theme's raw linear score for each comment."""
        return self._scores([normalise(t) for t in X])

    def _scores(self, normalised: list[str]) -> np.ndarray:
        self._check_fitted()
        features = self._features(normalised)
        weights = np.vstack([m.coef_[0] for m in self.models_])
        intercepts = np.array([m.intercept_[0] for m in self.models_])
        return np.asarray(features @ weights.T) + intercepts

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
            coef = self.models_[j].coef_[0][:n_words]
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
        if not hasattr(self, "models_"):
            raise ValueError("This coder has not been trained yet: call fit first.")


def _unwrap(saved: object) -> ThemeCoder:
    if not isinstance(saved, dict) or not isinstance(saved.get("coder"), ThemeCoder):
        raise ValueError("This file is not a Heard theme coder.")
    if saved.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"This coder was saved in format {saved.get('format')}; "
            f"this version of Heard reads format {FORMAT_VERSION}. Train it again."
        )
    return saved["coder"]


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


def _best_threshold(probabilities: np.ndarray, target: np.ndarray) -> float:
    """The probability cut that maximises F1, shrunk towards 0.5 for rare themes."""
    order = np.argsort(-probabilities)
    ranked = target[order]
    true_positives = np.cumsum(ranked)
    predicted = np.arange(1, len(ranked) + 1)
    f1 = 2 * true_positives / (predicted + ranked.sum())
    best = int(np.argmax(f1))
    cut = probabilities[order][best]
    if best + 1 < len(order):  # halfway to the next comment, so ties fall the same way
        cut = (cut + probabilities[order][best + 1]) / 2
    weight = min(1.0, ranked.sum() / 50)
    return float(weight * cut + (1 - weight) * 0.5)
