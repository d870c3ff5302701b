"""The fast character n-gram path gives the vectoriser's own TF-IDF, value for value."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis import char_grams
from analysis.char_grams import char_transform

TRAINING = [
    "The nurses were kind and the wait was short",
    "Waiting list far too long, nobody rang back",
    "EHCP review late again",
    "i dont like the bus it is loud",
    "Café staff lovely",
]
#: Runs of spaces, tabs and new lines, capitals, accents, words the vectoriser never saw,
#: one-letter words, repeated words, a blank and a comment of only unknown letters.
UNSEEN = [
    "The  nurses\twere\n\nKIND kind kind",
    "a i o",
    "",
    "   ",
    "waitinglist nobodyrang",
    "Café ÉCOLE naïve",
    "ЖЖЖ 你好",
    "short short shorter shortest",
]


def _vectoriser(**settings) -> TfidfVectorizer:
    options = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True}
    return TfidfVectorizer(**(options | settings)).fit(TRAINING)


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"ngram_range": (1, 6), "dtype": np.float32},
        {"ngram_range": (3, 3), "sublinear_tf": False, "norm": None},
        {"max_features": 40, "use_idf": False},
    ],
)
def test_the_fast_path_matches_the_vectorisers_own_transform(settings):
    vectoriser = _vectoriser(**settings)
    texts = UNSEEN + TRAINING + UNSEEN  # the second time round, words come from memory
    fast, slow = char_transform(vectoriser, texts), vectoriser.transform(texts)
    assert fast.shape == slow.shape
    assert fast.dtype == slow.dtype
    assert abs(fast - slow).max() == 0
    assert fast.has_sorted_indices


def test_no_comments_give_an_empty_matrix():
    vectoriser = _vectoriser()
    assert char_transform(vectoriser, []).shape == (0, len(vectoriser.vocabulary_))
    assert char_transform(vectoriser, ["", " "]).nnz == 0


def test_the_memory_of_words_is_emptied_when_full(monkeypatch):
    monkeypatch.setattr(char_grams, "MAX_WORDS", 3)
    vectoriser = _vectoriser()
    char_transform(vectoriser, ["one two three four five"])
    assert len(char_grams._columns[vectoriser]) == 5
    fast = char_transform(vectoriser, ["kind nurses"])
    assert set(char_grams._columns[vectoriser]) == {"kind", "nurses"}
    assert abs(fast - vectoriser.transform(["kind nurses"])).max() == 0


def test_the_memory_is_not_saved_with_the_vectoriser():
    vectoriser = _vectoriser()
    char_transform(vectoriser, ["kind nurses"])
    copy = pickle.loads(pickle.dumps(vectoriser))  # noqa: S301 - made here, not read in
    assert copy not in char_grams._columns
    assert abs(char_transform(copy, ["kind"]) - vectoriser.transform(["kind"])).max() == 0


def test_other_analysers_use_the_vectorisers_own_transform():
    words = TfidfVectorizer().fit(TRAINING)
    assert abs(char_transform(words, ["kind nurses"]) - words.transform(["kind nurses"])).max() == 0
    assert words not in char_grams._columns
