"""The theme coder: learns a codebook, gives calibrated confidences, explains itself."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from analysis.coder import ThemeCoder
from models.demo import DEMO_THEMES, demo_comments

THEMES = [key for key, _, _ in DEMO_THEMES]


@pytest.fixture(scope="module")
def demo() -> tuple[list[str], pd.DataFrame]:
    comments = demo_comments()
    texts = [c["text"] for c in comments]
    labels = pd.DataFrame(
        [[int(t in c["themes"]) for t in THEMES] for c in comments], columns=THEMES
    )
    return texts, labels


@pytest.fixture(scope="module")
def coder(demo) -> ThemeCoder:
    texts, labels = demo
    return ThemeCoder(random_state=0, codebook_version=3).fit(texts, labels)


def test_it_learns_the_codebook_and_keeps_the_theme_order(coder, demo):
    texts, labels = demo
    assert coder.themes_ == THEMES
    predicted = coder.predict(texts)
    assert predicted.shape == labels.shape
    assert set(np.unique(predicted)) <= {0, 1}
    # It fits what it was taught closely, but not by rote: most labels come back.
    assert f1_score(labels.to_numpy(), predicted, average="micro") > 0.8


def test_it_codes_comments_it_has_never_seen_better_than_chance(demo):
    texts, labels = demo
    held_out = np.arange(len(texts)) % 4 == 0
    train = ThemeCoder(random_state=0).fit(
        [t for t, h in zip(texts, held_out, strict=True) if not h], labels[~held_out]
    )
    predicted = train.predict([t for t, h in zip(texts, held_out, strict=True) if h])
    truth = labels[held_out].to_numpy()
    ours = f1_score(truth, predicted, average="micro", zero_division=0)
    prevalence = truth.mean()
    chance = 2 * prevalence / (1 + prevalence)  # F1 of coding every theme on every comment
    assert ours > 1.5 * chance


def test_confidences_are_probabilities_that_rank_the_right_theme_first(coder):
    proba = coder.predict_proba(
        [
            "The waiting list for CAMHS is far too long, we waited over a year",
            "GP appointments are impossible to get, you ring at 8am and they are gone",
        ]
    )
    assert proba.shape == (2, len(THEMES))
    assert ((proba >= 0) & (proba <= 1)).all()
    assert THEMES[int(proba[1].argmax())] == "gp-access"
    assert proba[0, THEMES.index("shorter-waits")] > proba[0, THEMES.index("gp-access")]


def test_predictions_use_each_themes_own_threshold(coder):
    proba = coder.predict_proba(["More counsellors in schools please"])
    assert (
        coder.predict(["More counsellors in schools please"]) == (proba >= coder.thresholds_)
    ).all()
    assert ((coder.thresholds_ > 0) & (coder.thresholds_ < 1)).all()


def test_explain_names_the_words_behind_each_suggestion(coder):
    text = "Our GP surgery needs a dedicated phone line for young people"
    explanation = coder.explain(text, top=3)
    assert "gp-access" in explanation
    words = [word for word, weight in explanation["gp-access"]]
    assert 1 <= len(words) <= 3 and "gp" in words
    assert all(weight > 0 for _, weight in explanation["gp-access"])
    assert set(explanation) == {THEMES[i] for i, on in enumerate(coder.predict([text])[0]) if on}


@pytest.mark.parametrize("text", ["", "   ", "\U0001f600\U0001f622", None, float("nan"), "!!!"])
def test_comments_without_words_get_no_themes(coder, text):
    assert coder.predict_proba([text]).sum() == 0
    assert coder.predict([text]).sum() == 0
    assert coder.explain(text) == {}


def test_very_long_and_non_english_text_does_not_crash(coder):
    proba = coder.predict_proba(["wait " * 25_000, "Czekamy bardzo długo na wizytę", "انتظرنا"])
    assert proba.shape == (3, len(THEMES)) and np.isfinite(proba).all()


def test_save_and_load_keep_predictions_and_metadata(coder, tmp_path):
    path = tmp_path / "coder.joblib"
    coder.save(path)
    loaded = ThemeCoder.load(path)
    texts = ["Schools and the NHS must work together", "nothing to add"]
    assert np.allclose(loaded.predict_proba(texts), coder.predict_proba(texts))
    assert loaded.metadata_["codebook_version"] == 3
    assert loaded.metadata_["comments"] == len(demo_comments())
    assert loaded.metadata_["positives"]["gp-access"] >= 12
    assert ThemeCoder.from_bytes(coder.to_bytes()).themes_ == THEMES


def test_a_file_that_is_not_a_coder_is_refused(tmp_path):
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"something": "else"}, path)
    with pytest.raises(ValueError, match="not a Heard theme coder"):
        ThemeCoder.load(path)


def test_training_is_repeatable(demo):
    texts, labels = demo
    a = ThemeCoder(random_state=1).fit(texts, labels)
    b = ThemeCoder(random_state=1).fit(texts, labels)
    assert np.array_equal(a.thresholds_, b.thresholds_)


def test_a_theme_without_enough_examples_is_named_in_the_error():
    labels = pd.DataFrame({"waiting": [1, 1, 1, 0, 0, 0], "parking": [0, 0, 0, 0, 0, 1]})
    with pytest.raises(ValueError, match="'parking' has 1 coded comments"):
        ThemeCoder().fit(["a", "b", "c", "d", "e", "f"], labels)


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        ([], pd.DataFrame({"a": []}), "no comments"),
        (["a", "b"], pd.DataFrame({"a": [1, 0, 1]}), "2 comments but 3 rows"),
        (["a", "b", "c"], pd.DataFrame({"a": ["yes", "no", "yes"]}), "1 \\(coded\\) or 0"),
        (["a", "b", "c"], pd.DataFrame(), "no themes"),
    ],
)
def test_bad_training_data_gets_a_clear_error(texts, labels, message):
    with pytest.raises(ValueError, match=message):
        ThemeCoder().fit(texts, labels)


def test_an_untrained_coder_says_so():
    with pytest.raises(ValueError, match="not been trained"):
        ThemeCoder().predict(["hello"])


def test_a_coder_saved_before_the_combined_weights_still_codes(coder):
    # Heard's first coders kept one logistic regression per theme (format 1).
    import copy
    import io

    import joblib
    from sklearn.linear_model import LogisticRegression

    old = copy.deepcopy(coder)
    old.models_ = []
    for weights, intercept in zip(old.weights_, old.intercepts_, strict=True):
        model = LogisticRegression()
        model.coef_, model.intercept_ = weights.reshape(1, -1), np.array([intercept])
        old.models_.append(model)
    del old.weights_, old.intercepts_, old.nb_C, old.micro_weight, old.n_jobs
    buffer = io.BytesIO()
    joblib.dump({"format": 1, "coder": old}, buffer)
    loaded = ThemeCoder.from_bytes(buffer.getvalue())
    texts = ["Schools and the NHS must work together", "the wait for CAMHS"]
    assert np.allclose(loaded.predict_proba(texts), coder.predict_proba(texts), atol=1e-5)
    assert not hasattr(loaded, "models_")
    assert loaded.get_params()["micro_weight"] == 0.5  # settings added since get defaults


def test_a_format_this_heard_does_not_know_is_refused(coder):
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump({"format": 99, "coder": coder}, buffer)
    with pytest.raises(ValueError, match=r"format 99.*Train it again"):
        ThemeCoder.from_bytes(buffer.getvalue())


def test_thresholds_trade_micro_against_macro_f1():
    from analysis.coder import _choose_thresholds

    rng = np.random.default_rng(0)
    n = 2000
    target = np.zeros((n, 2), dtype=int)
    target[:800, 0] = 1  # a common theme the scores separate well
    target[rng.choice(n, 60, replace=False), 1] = 1  # a rare theme they barely separate
    proba = np.column_stack(
        [
            np.clip(0.75 * target[:, 0] + rng.normal(0.12, 0.1, n), 0, 1),
            np.clip(0.1 * target[:, 1] + rng.normal(0.15, 0.08, n), 0, 1),
        ]
    )

    def scores(cuts):
        predicted = (proba >= cuts).astype(int)
        return (
            f1_score(target, predicted, average="micro"),
            f1_score(target, predicted, average="macro"),
        )

    micro_only = scores(_choose_thresholds(proba, target, 1.0))
    macro_only = scores(_choose_thresholds(proba, target, 0.0))
    balanced = scores(_choose_thresholds(proba, target, 0.5))
    assert micro_only[0] > macro_only[0] and macro_only[1] > micro_only[1]
    assert balanced[0] + balanced[1] >= max(sum(micro_only), sum(macro_only)) - 1e-9


def test_a_clean_split_gets_a_cut_near_the_middle_not_the_lowest():
    from analysis.coder import _choose_thresholds

    target = np.array([[1], [1], [0], [0]] * 10)
    proba = np.where(target == 1, 0.95, 0.01).astype(float)
    # Every cut from 0.05 to 0.9 separates these perfectly: take the middle one.
    (cut,) = _choose_thresholds(proba, target, 0.5)
    assert 0.45 <= cut <= 0.5


def test_the_naive_bayes_ratio_favours_words_of_the_theme():
    import scipy.sparse as sp

    from analysis.coder import _log_count_ratio

    # Columns: a word only in comments with the theme, one only without, one in both.
    present = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], float))
    ratio = _log_count_ratio(present, np.array([1, 1, 0, 0]))
    assert ratio[0] > 0 > ratio[1] and abs(ratio[2]) < 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_a_theme_with_three_examples_is_learned_whatever_the_seed(seed):
    # Three examples and three folds: shuffled folds sometimes put all three in one fold,
    # which left the theme with no slope at all; the folds now share them out.
    filler = [
        "the staff were kind",
        "we waited a long time",
        "parking was hard",
        "the food was cold",
        "the nurse explained everything",
        "appointments kept changing",
    ]
    lights = [
        "the lights on the ward were too bright",
        "bright lights kept him awake",
        "could the lights be dimmed at night",
    ]
    texts = [*[f"{line} {n}" for n in range(10) for line in filler][:57], *lights]
    labels = pd.DataFrame(
        {
            "waiting": [int("waited" in t or "appointments" in t) for t in texts],
            "lights": [0] * 57 + [1, 1, 1],
        }
    )
    coder = ThemeCoder(random_state=seed).fit(texts, labels)
    proba = coder.predict_proba(["the lights on the ward were too bright", "the food was cold"])
    assert proba[0, 1] > 0.5 > proba[1, 1]
