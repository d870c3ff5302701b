"""Sentiment: a lexicon on day one, the team's own model once it has enough labels."""

import pytest
from sklearn.base import clone

from analysis.sentiment import (
    MIN_LABELS,
    LexiconSentiment,
    TrainedSentiment,
    enough_labels,
    sentiment_model,
)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The staff are lovely and really helpful", "positive"),
        ("It was awful, nobody listened", "negative"),
        ("The staff are lovely but the wait was awful", "mixed"),
        ("We went on Tuesday", "neutral"),
        ("", "neutral"),
        (None, "neutral"),
    ],
)
def test_the_lexicon_labels_plain_comments(text, label):
    assert LexiconSentiment().fit([]).predict([text])[0] == label


def test_odd_input_does_not_crash():
    labels = LexiconSentiment().fit([]).predict(["\U0001f600", "x " * 50_000, "Dzie\u0144 dobry"])
    assert len(labels) == 3


def _labelled(n_each):
    good = [f"the support worker {i} was brilliant and kind" for i in range(n_each)]
    bad = [f"we waited {i} months and nobody rang back" for i in range(n_each)]
    return good + bad, ["positive"] * n_each + ["negative"] * n_each


def test_enough_labels_needs_a_total_and_a_minimum_for_each_label():
    assert not enough_labels(["positive"] * MIN_LABELS)
    assert not enough_labels(["positive"] * (MIN_LABELS - 5) + ["negative"] * 5)
    assert enough_labels(["positive"] * (MIN_LABELS - 20) + ["negative"] * 20)


def test_the_team_model_replaces_the_lexicon_once_there_are_enough_labels():
    texts, labels = _labelled(10)
    assert isinstance(sentiment_model(texts, labels), LexiconSentiment)
    texts, labels = _labelled(MIN_LABELS // 2)
    model = sentiment_model(texts, labels)
    assert isinstance(model, TrainedSentiment)
    # "waited" is neutral to a lexicon; the team's labels say it is negative here.
    assert list(model.predict(["we waited ages", "brilliant worker", ""])) == [
        "negative",
        "positive",
        "neutral",
    ]


def test_unknown_labels_and_mismatched_lengths_are_errors():
    with pytest.raises(ValueError, match="Unknown sentiment labels: great"):
        TrainedSentiment().fit(["a", "b"], ["positive", "great"])
    with pytest.raises(ValueError, match="one label for each comment"):
        sentiment_model(["a"], [])


def test_scikit_learn_contract():
    assert clone(LexiconSentiment(threshold=0.2)).get_params()["threshold"] == 0.2
    assert clone(TrainedSentiment(C=2.0)).get_params()["C"] == 2.0
