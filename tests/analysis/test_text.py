"""Shared preprocessing: the words every analysis component sees."""

import pytest

from analysis.text import lemmas, lemmatise_all, lemmatise_normalised, nlp, normalise, tokens


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("I dont like it", "i do not like it"),
        ("I don\u2019t like it", "i do not like it"),
        ("can't won't isn't", "can not will not is not"),
        ("u r gr8 tbh", "you are great to be honest"),
        ("sooo boring", "so boring"),
        ("helllp", "help"),
        ("it's good", "it is good"),
        ("  Lots   of\nspace ", "lots of space"),
    ],
)
def test_normalise_makes_text_plain(raw, plain):
    assert normalise(raw) == plain


def test_negations_are_kept():
    assert "not" in tokens("The staff weren't listening")
    assert "never" in tokens("They never call back")
    assert "no" in tokens("No one helps")


@pytest.mark.parametrize("value", [None, float("nan"), 42, "", "   ", "\U0001f600\U0001f44d"])
def test_odd_values_become_empty(value):
    assert normalise(value) == ""
    assert lemmas(value) == []


def test_very_long_and_non_english_text_do_not_crash():
    assert len(normalise("word " * 30_000).split()) < 30_000
    assert normalise("Dzie\u0144 dobry, \u0436\u0434\u0443 \u043b\u0438\u0441\u0442\u0430")


def test_lemmas_use_the_lookup_table():
    assert lemmas("The nurses were listening to the children") == [
        "the",
        "nurse",
        "be",
        "listen",
        "to",
        "the",
        "child",
    ]
    assert lemmatise_all(["waiting lists", None]) == ["wait list", ""]


def test_the_spacy_pipeline_works_offline():
    doc = nlp()("The children were playing")
    assert [token.lemma_ for token in doc][1:4] == ["child", "be", "play"]


@pytest.mark.parametrize(
    "text",
    [
        "The nurses were listening",
        "I dont like it, it's sooo boring!!",
        "u r gr8 thx, idk y we waited",
        "Can't wait!!! 😀 ok",
        "Ça va? Naïve café — “quoted” words",
        "",
        "don't " * 20_000,  # longer than normalise reads, once contractions are expanded
    ],
)
def test_lemmatising_normalised_text_gives_what_lemmatising_the_text_gives(text):
    assert lemmatise_normalised([normalise(text)]) == lemmatise_all([text])
