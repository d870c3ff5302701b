"""Sentiment: positive, neutral, negative or mixed.

On day one there are no labels, so a lexicon does the work (VADER, which knows text speak,
capitals, "!!!" and negation). Once a team has labelled enough comments itself, a model
trained on its own labels replaces the lexicon: what counts as negative in a parent survey
about waiting lists is the team's call, not a dictionary's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from analysis.text import lemmatise_all, normalise

POSITIVE, NEUTRAL, NEGATIVE, MIXED = "positive", "neutral", "negative", "mixed"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE, MIXED)
#: Labels a team needs, in all, before its own model replaces the lexicon.
MIN_LABELS = 200
#: And for each label it uses at least this many.
MIN_PER_LABEL = 10


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


class LexiconSentiment(BaseEstimator, ClassifierMixin):
    """Rule-based sentiment from the VADER lexicon; needs no training.

    Args:
        threshold: The compound score beyond which a comment is positive or negative.
        mixed_share: A comment is mixed when both its positive and negative shares reach this.

    Examples:
        >>> LexiconSentiment().fit([], []).predict(["The staff are lovely", "It was awful"])
        array(['positive', 'negative'], dtype='<U8')
    """

    def __init__(self, threshold: float = 0.05, mixed_share: float = 0.15) -> None:
        self.threshold = threshold
        self.mixed_share = mixed_share

    def fit(self, texts: Sequence[object], labels: Sequence[str] | None = None) -> LexiconSentiment:
        """Nothing to learn; kept for the scikit-learn contract."""
        self.classes_ = np.array(LABELS)
        return self

    def predict(self, texts: Sequence[object]) -> np.ndarray:
        """Return one label per text."""
        return np.array([self._label(text) for text in texts])

    def _label(self, text: object) -> str:
        if not isinstance(text, str) or not text.strip():
            return NEUTRAL
        scores = _vader().polarity_scores(text[:5000])
        if scores["pos"] >= self.mixed_share and scores["neg"] >= self.mixed_share:
            return MIXED
        if scores["compound"] >= self.threshold:
            return POSITIVE
        if scores["compound"] <= -self.threshold:
            return NEGATIVE
        return NEUTRAL


class TrainedSentiment(BaseEstimator, ClassifierMixin):
    """Sentiment learned from a team's own labels: TF-IDF and logistic regression.

    Args:
        C: Inverse regularisation strength.
        random_state: Seed for the solver.
    """

    def __init__(self, C: float = 4.0, random_state: int | None = 0) -> None:
        self.C = C
        self.random_state = random_state

    def fit(self, texts: Sequence[object], labels: Sequence[str]) -> TrainedSentiment:
        """Learn from labelled comments."""
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"Unknown sentiment labels: {', '.join(map(str, unknown))}")
        self.pipeline_ = Pipeline(
            [
                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
                (
                    "model",
                    LogisticRegression(
                        C=self.C,
                        class_weight="balanced",
                        max_iter=2000,
                        random_state=self.random_state,
                    ),
                ),
            ]
        )
        self.pipeline_.fit(lemmatise_all(texts), list(labels))
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, texts: Sequence[object]) -> np.ndarray:
        """Return one label per text; empty text is neutral."""
        predicted = self.pipeline_.predict(lemmatise_all(texts))
        empty = np.array([not normalise(text) for text in texts], dtype=bool)
        predicted = predicted.astype(object)
        predicted[empty] = NEUTRAL
        return predicted.astype(str)


def enough_labels(labels: Sequence[str]) -> bool:
    """True when a team's labels are enough to train its own model.

    Examples:
        >>> enough_labels(["positive"] * 300)
        False
    """
    counts = Counter(label for label in labels if label in LABELS)
    used = [count for count in counts.values() if count]
    return sum(used) >= MIN_LABELS and len(used) >= 2 and min(used) >= MIN_PER_LABEL


def sentiment_model(
    texts: Sequence[object] = (), labels: Sequence[str] = ()
) -> LexiconSentiment | TrainedSentiment:
    """Return the team's trained model when it has enough labels, else the lexicon.

    Args:
        texts: Comments a person has labelled.
        labels: Their labels, one of ``LABELS`` each.

    Returns:
        A fitted estimator with ``predict``.

    Examples:
        >>> type(sentiment_model()).__name__
        'LexiconSentiment'
    """
    if len(texts) != len(labels):
        raise ValueError("There must be one label for each comment.")
    if enough_labels(labels):
        return TrainedSentiment().fit(texts, labels)
    return LexiconSentiment().fit(texts, labels)
