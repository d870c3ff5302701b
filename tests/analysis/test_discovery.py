"""Theme discovery: groups that make sense, named and quoted, stable and redacted."""

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from analysis.discovery import OTHER, ThemeDiscovery
from models.demo import demo_comments

TRANSPORT = ["the bus was late again", "bus never comes on time", "the school bus is always late"]
NURSES = ["the nurse was so kind", "kind and caring nurses", "lovely kind nurse helped me"]
FOOD = ["the food was cold", "hospital food is awful and cold", "cold food every day"]


def corpus(copies: int = 4) -> tuple[list[str], list[int]]:
    texts, truth = [], []
    for _ in range(copies):
        for group, items in enumerate((TRANSPORT, NURSES, FOOD)):
            texts += items
            truth += [group] * len(items)
    return texts, truth


def test_comments_about_the_same_thing_end_up_together():
    texts, truth = corpus()
    found = ThemeDiscovery(n_themes=3, random_state=0, other_quantile=0).fit(texts)
    assert normalized_mutual_info_score(truth, found.labels_) > 0.9
    assert sorted(t.size for t in found.themes_) == [12, 12, 12]


def test_each_theme_has_a_name_keywords_quotes_and_a_size():
    texts, _ = corpus()
    found = ThemeDiscovery(n_themes=3, random_state=0, other_quantile=0).fit(texts)
    by_keyword = {t.keywords[0]: t for t in found.themes_}
    assert {"bus", "kind", "cold"} <= {w for t in found.themes_ for w in t.keywords[:2]}
    for theme in by_keyword.values():
        assert theme.name and theme.name[0].isupper()
        assert 3 <= len(theme.representatives) <= 5 or theme.size < 3
        assert len(set(theme.representatives)) == len(theme.representatives)
        members = [t for t, label in zip(texts, found.labels_, strict=True) if label == theme.id]
        assert set(theme.representatives) <= set(members)
    assert [t.id for t in found.themes_] == list(range(3))


def test_representative_comments_are_redacted():
    texts = [f"Ring me on 07700 900{n:03d} about the late bus" for n in range(10)] + NURSES * 4
    found = ThemeDiscovery(n_themes=2, random_state=0, other_quantile=0).fit(texts)
    quotes = [q for t in found.themes_ for q in t.representatives]
    assert any("[phone]" in q for q in quotes)
    assert not any("07700" in q for q in quotes)


def test_a_custom_redactor_is_used():
    texts, _ = corpus()
    found = ThemeDiscovery(n_themes=3, redactor=str.upper, other_quantile=0).fit(texts)
    assert all(q == q.upper() for t in found.themes_ for q in t.representatives)


def test_the_same_random_state_gives_the_same_themes():
    texts = [c["text"] for c in demo_comments()]
    a = ThemeDiscovery(random_state=7).fit(texts)
    b = ThemeDiscovery(random_state=7).fit(texts)
    assert np.array_equal(a.labels_, b.labels_)
    assert a.themes_ == b.themes_


def test_the_number_of_themes_is_chosen_but_can_be_set():
    texts = [c["text"] for c in demo_comments()]
    assert len(ThemeDiscovery(random_state=0).fit(texts).themes_) == ThemeDiscovery.choose_n_themes(
        len(texts)
    )
    assert len(ThemeDiscovery(n_themes=12, random_state=0).fit(texts).themes_) == 12
    assert [ThemeDiscovery.choose_n_themes(n) for n in (30, 1200, 50_000)] == [8, 8, 40]


def test_outliers_and_empty_comments_go_into_other():
    texts, _ = corpus(copies=3)
    texts += ["", "   ", "\U0001f600", None, "zebra xylophone quantum"]
    found = ThemeDiscovery(n_themes=3, random_state=0, other_quantile=0.05).fit(texts)
    assert len(found.labels_) == len(texts)
    assert (found.labels_[-5:-1] == OTHER).all()
    assert found.labels_[-1] == OTHER
    assert sum(t.size for t in found.themes_) == int((found.labels_ != OTHER).sum())


@pytest.mark.parametrize("texts", [[], ["", " "], ["only one"]])
def test_too_few_comments_get_a_clear_error(texts):
    with pytest.raises(ValueError, match="at least two comments"):
        ThemeDiscovery().fit(texts)


def test_very_long_and_non_english_text_does_not_crash():
    texts = ["wait " * 25_000, "Czekamy bardzo długo", "انتظرنا طويلا", *TRANSPORT, *NURSES]
    assert len(ThemeDiscovery(n_themes=2, random_state=0).fit_predict(texts)) == len(texts)


def test_identical_comments_make_one_theme_not_other():
    found = ThemeDiscovery(random_state=0).fit(["ok"] * 30)
    assert len(found.themes_) == 1 and found.themes_[0].size == 30
    assert (found.labels_ == 0).all()
    assert found.themes_[0].representatives == ["ok"]


def test_words_that_keep_the_same_company_get_similar_vectors():
    # "kind" and "friendly" never meet, but both come with "nurse" and "staff"; "late" and
    # "slow" both come with "bus" and "train".
    texts = [
        "kind nurse",
        "kind staff",
        "friendly nurse",
        "friendly staff",
        "late bus",
        "late train",
        "slow bus",
        "slow train",
    ] * 3
    found = ThemeDiscovery(n_themes=2, random_state=0, other_quantile=0).fit(texts)
    assert found.word_vectors_ is not None
    column = found.word_vectoriser_.vocabulary_
    row = {int(c): r for r, c in enumerate(found.single_words_)}

    def vector(word):
        return found.word_vectors_[row[column[word]]]

    assert vector("kind") @ vector("friendly") > 0.9
    assert vector("late") @ vector("slow") > 0.9
    assert vector("kind") @ vector("late") < 0.5
    # So "kind nurse" and "friendly staff" share a theme without sharing a word.
    first, second = found.labels_[:4].tolist(), found.labels_[4:8].tolist()
    assert len(set(first)) == len(set(second)) == 1 and first[0] != second[0]
