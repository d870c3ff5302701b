"""Cross-validated quality of the coder, theme by theme."""

import pandas as pd

from analysis.quality import cross_validate, learnable

TEXTS = ["kind nurse", "kind staff", "long wait", "wait was long", "lovely kind doctor"] * 6
LABELS = pd.DataFrame(
    {
        "kind": [1, 1, 0, 0, 1] * 6,
        "wait": [0, 0, 1, 1, 0] * 6,
        # Two examples in all: never learnable, so never suggested, so recall 0.
        "rare": [1, 1] + [0] * 28,
    }
)


def test_a_clear_theme_scores_perfectly_and_an_unlearnable_one_scores_nothing():
    found = cross_validate(TEXTS, LABELS, folds=3)
    assert found["folds"] == 3 and found["comments"] == 30
    assert found["themes"]["kind"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 18}
    assert found["themes"]["wait"]["f1"] == 1.0
    assert found["themes"]["rare"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    # Micro: 30 of the 32 positives found, none wrongly: recall 30/32, precision 1.
    assert found["micro"]["precision"] == 1.0
    assert found["micro"]["recall"] == round(30 / 32, 3)


def test_progress_is_reported_once_per_fold():
    seen = []
    cross_validate(
        TEXTS, LABELS[["kind", "wait"]], folds=4, progress=lambda d, n: seen.append((d, n))
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_learnable_needs_three_examples_and_not_every_comment():
    frame = pd.DataFrame({"few": [1, 1, 0, 0], "all": [1, 1, 1, 1], "ok": [1, 1, 1, 0]})
    assert learnable(frame) == ["ok"]
