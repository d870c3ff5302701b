"""Coding and placing comments a batch at a time gives what doing them all at once gives."""

import doctest
import random

import numpy as np
import pandas as pd
import pytest

import analysis.batches
import analysis.coder
import analysis.discovery
from analysis.batches import batched
from analysis.coder import ThemeCoder
from analysis.discovery import OTHER, ThemeDiscovery

TOPICS = {
    "waiting": ["waited", "months", "appointment", "delay", "list", "slow"],
    "staff": ["kind", "caring", "nurse", "listened", "friendly", "helpful"],
    "transport": ["bus", "taxi", "late", "driver", "journey", "school"],
}
FILLER = ["the", "we", "it", "was", "really", "very", "and", "our", "again", "so"]


def synthetic(n: int, seed: int = 0) -> tuple[list[str], pd.DataFrame]:
    """Comments about one or two of three topics, with filler words, and their topics."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not security
    texts, rows = [], []
    for _ in range(n):
        chosen = rng.sample(sorted(TOPICS), rng.choice([1, 1, 2]))
        words = [w for topic in chosen for w in rng.sample(TOPICS[topic], 3)]
        words += rng.sample(FILLER, 4)
        rng.shuffle(words)
        texts.append(" ".join(words))
        rows.append({topic: int(topic in chosen) for topic in TOPICS})
    return texts, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def coder() -> ThemeCoder:
    texts, labels = synthetic(300)
    return ThemeCoder(random_state=0, folds=3).fit(texts, labels)


@pytest.fixture(scope="module")
def found() -> tuple[ThemeDiscovery, list[str]]:
    texts, _ = synthetic(400, seed=1)
    return ThemeDiscovery(n_themes=6, random_state=0).fit(texts), texts


def counting(texts: list[str], seen: list[int]):
    """A generator over texts that records how many have been read so far."""
    for text in texts:
        seen[0] += 1
        yield text


def test_batches_come_in_order_and_the_last_one_is_shorter():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError, match="at least one"):
        batched([1], 0)


def test_the_coder_in_batches_gives_exactly_its_unbatched_suggestions(coder):
    texts, _ = synthetic(3_000, seed=2)
    texts[5] = ""  # a blank comment gets zeros in a batch as well
    batches = list(coder.predict_batches(iter(texts), batch_size=700))
    assert [len(b) for b in batches] == [700, 700, 700, 700, 200]
    assert np.array_equal(np.vstack(batches), coder.predict(texts))
    confidences = np.vstack(list(coder.predict_batches(texts, batch_size=1_000, proba=True)))
    assert np.allclose(confidences, coder.predict_proba(texts))
    assert confidences[5].max() == 0 and confidences.shape == (3_000, 3)
    # It learned something: most comments about waiting are coded "waiting".
    waiting = [i for i, t in enumerate(texts) if "waited" in t.split()]
    assert np.vstack(batches)[waiting, 0].mean() > 0.9


def test_the_coder_reads_its_input_only_a_batch_ahead(coder):
    texts, _ = synthetic(2_500, seed=3)
    seen = [0]
    stream = coder.predict_batches(counting(texts, seen), batch_size=1_000)
    assert seen[0] == 0  # nothing read until the first batch is asked for
    next(stream)
    assert seen[0] == 1_000
    assert sum(len(b) for b in stream) == 1_500 and seen[0] == 2_500


def test_an_untrained_coder_refuses_before_reading_anything():
    with pytest.raises(ValueError, match="not been trained"):
        ThemeCoder().predict_batches(["a comment"])
    with pytest.raises(ValueError, match="at least one"):
        ThemeCoder(random_state=0, folds=3).fit(*synthetic(60)).predict_batches(["x"], 0)


def test_discovery_places_the_comments_it_learned_from_where_fit_put_them(found):
    model, texts = found
    assert np.array_equal(model.predict(texts), model.labels_)
    assert (model.labels_ == OTHER).any()  # the "other" cut is repeated, not just the centres


def test_discovery_in_batches_gives_exactly_its_unbatched_themes(found):
    model, _ = found
    texts, _ = synthetic(3_000, seed=4)
    texts[10] = "!!!"  # no words: "other"
    batches = list(model.predict_batches(iter(texts), batch_size=800))
    assert [len(b) for b in batches] == [800, 800, 800, 600]
    labels = np.concatenate(batches)
    assert np.array_equal(labels, model.predict(texts))
    assert labels[10] == OTHER
    assert set(labels) <= {OTHER, *(t.id for t in model.themes_)}


def test_new_comments_join_the_theme_of_comments_like_them():
    texts = ["the bus was late", "late bus again", "bus never on time"]
    texts += ["kind nurse", "the nurse was kind", "lovely kind nurses"]
    model = ThemeDiscovery(n_themes=2, random_state=0, other_quantile=0).fit(texts * 4)
    bus, nurse = model.labels_[0], model.labels_[3]
    assert model.labels_[:6].tolist() == [bus] * 3 + [nurse] * 3 and bus != nurse
    assert model.predict(["our bus is always late", "such a kind nurse", None]).tolist() == [
        bus,
        nurse,
        OTHER,
    ]


def test_discovery_must_be_fitted_first():
    with pytest.raises(ValueError, match="call fit"):
        ThemeDiscovery().predict(["a comment"])
    with pytest.raises(ValueError, match="call fit"):
        ThemeDiscovery().predict_batches(["a comment"])


@pytest.mark.parametrize("module", [analysis.batches, analysis.coder, analysis.discovery])
def test_the_examples_in_the_docstrings_run(module):
    failed, tried = doctest.testmod(module)
    assert tried and not failed
