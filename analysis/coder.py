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

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin

from analysis.batches import BATCH_SIZE, batched
from analysis.coder_calibration import add_log_odds, add_machines, calibrated, platt_each
from analysis.coder_features import build_vectorisers, tfidf_features, top_words
from analysis.coder_labels import MIN_POSITIVES, check_learnable, label_matrix
from analysis.coder_saved import pack, training_record, unpack
from analysis.coder_thresholds import choose_thresholds
from analysis.coder_training import ThemeMachines, log_count_ratio
from analysis.text import lemmatise_normalised, normalise

# Defined elsewhere now, but still imported from here (by analysis.quality, the benchmarks
# and the tests), under the names they had when they were defined here.
__all__ = ["MIN_POSITIVES", "ThemeCoder", "_choose_thresholds", "_log_count_ratio"]
_choose_thresholds = choose_thresholds
_log_count_ratio = log_count_ratio


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
        >>> import pandas as pd
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
        matrix, names = label_matrix(y, themes)
        counts = check_learnable(len(texts), matrix, names)
        self.word_vectoriser_, self.char_vectoriser_ = build_vectorisers(
            self.word_ngrams, self.char_ngrams, self.min_df, len(texts)
        )
        features = self._features([normalise(t) for t in texts], fit=True)
        machines = ThemeMachines(self.C, self.nb_C, self.random_state, self.n_jobs)
        folds = max(2, min(self.folds, int(counts.min())))
        plain, weighted = machines.out_of_fold_scores(features, matrix, folds)
        first, second = self._calibrate(plain, weighted, matrix)
        self.weights_, self.intercepts_ = add_machines(
            machines.fit(features, matrix), first, second
        )
        self.themes_ = list(names)
        self.classes_ = [np.array([0, 1]) for _ in names]
        self.metadata_ = training_record(len(texts), names, counts, self.codebook_version, started)
        return self

    def _calibrate(
        self, plain: np.ndarray, weighted: np.ndarray, matrix: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Set the calibration and thresholds from both machines' out-of-fold scores.

        Returns each machine's own Platt scaling, which turns its weights into log-odds.
        """
        # Platt-scale each machine's scores, add the two log-odds, and calibrate the sum.
        first, second = platt_each(plain, matrix), platt_each(weighted, matrix)
        combined = add_log_odds(plain, weighted, first, second)
        self.calibration_ = platt_each(combined, matrix)
        probabilities = calibrated(combined, self.calibration_)
        self.thresholds_ = choose_thresholds(probabilities, matrix, self.micro_weight)
        return first, second

    def _features(self, normalised: list[str], fit: bool = False) -> sp.csr_matrix:
        return tfidf_features(self.word_vectoriser_, self.char_vectoriser_, normalised, fit)

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
        probabilities = calibrated(scores, self.calibration_)
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
            >>> import pandas as pd
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
            >>> import pandas as pd
            >>> texts = ["kind nurse", "kind staff", "long wait", "wait was long"] * 5
            >>> labels = pd.DataFrame({"kind": [1, 1, 0, 0] * 5, "wait": [0, 0, 1, 1] * 5})
            >>> coder = ThemeCoder(char_ngrams=None).fit(texts, labels)
            >>> [word for word, _ in coder.explain("a kind nurse")["kind"]][:1]
            ['kind']
        """
        self._check_fitted()
        suggested = self.predict([text])[0]
        words = self.word_vectoriser_.transform(lemmatise_normalised([normalise(text)]))
        names = self.word_vectoriser_.get_feature_names_out()
        return {
            theme: top_words(words, names, self.weights_[j][: words.shape[1]], top)
            for j, theme in enumerate(self.themes_)
            if suggested[j]
        }

    # -- persistence ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Return the fitted coder as bytes (for storing in a database)."""
        self._check_fitted()
        return pack(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> ThemeCoder:
        """Load a coder saved by :meth:`to_bytes`."""
        return unpack(data, ThemeCoder)

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
