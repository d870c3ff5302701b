"""Active learning: the comments the coder is least sure of are put in front of people first."""

import doctest

import numpy as np
import pandas as pd
import pytest

import analysis.learning
from analysis.coder import ThemeCoder
from analysis.learning import pick_uncertain, review_order, uncertainty


def test_the_examples_in_the_docstrings_hold():
    failed, tried = doctest.testmod(analysis.learning)
    assert tried >= 6 and failed == 0


def test_a_confidence_on_its_threshold_is_fully_unsure_and_the_ends_are_sure():
    p = np.array([[0.3], [0.0], [1.0], [0.15], [0.65]])
    u = uncertainty(p, np.array([0.3]))
    # 0.15 is halfway from 0.3 down to 0; 0.65 is halfway from 0.3 up to 1.
    assert u == pytest.approx([1.0, 0.0, 0.0, 0.5, 0.5])


def test_the_distance_is_scaled_to_the_room_on_each_side_of_the_threshold():
    # With a threshold of 0.2, 0.1 is halfway to "no" but 0.3 is only 1/8 of the way to "yes".
    u = uncertainty(np.array([[0.1], [0.3]]), np.array([0.2]))
    assert u == pytest.approx([0.5, 1 - 0.1 / 0.8])


def test_the_comment_at_the_threshold_comes_first_and_the_confident_ones_last():
    p = np.array([[0.99], [0.7], [0.5], [0.02], [0.4]])
    order = review_order(p, np.array([0.5]))
    assert order.tolist() == [2, 4, 1, 3, 0]


def test_a_comment_is_as_uncertain_as_the_theme_it_is_least_sure_of():
    thresholds = np.array([0.5, 0.4])
    p = np.array(
        [
            [0.99, 0.01],  # sure of both
            [0.99, 0.42],  # sure it is about the first theme, not sure about the second
            [0.6, 0.1],  # fairly sure of both
        ]
    )
    u = uncertainty(p, thresholds)
    assert u == pytest.approx([1 - min(0.49 / 0.5, 0.39 / 0.4), 1 - 0.02 / 0.6, 1 - 0.1 / 0.5])
    assert review_order(p, thresholds).tolist() == [1, 2, 0]


def test_thresholds_of_0_and_1_do_not_divide_by_zero():
    p = np.array([[0.0, 1.0], [0.4, 0.6], [1.0, 0.0]])
    with np.errstate(all="raise"):  # any division by zero would raise here
        u = uncertainty(p, np.array([0.0, 1.0]))
    assert not np.isnan(u).any()
    # Row 0 sits on both thresholds; row 1 is 0.4 above 0 and 0.4 below 1; row 2 is sure.
    assert u == pytest.approx([1.0, 0.6, 0.0])


def test_no_themes_means_nothing_to_be_unsure_of():
    assert uncertainty(np.zeros((3, 0)), np.zeros(0)).tolist() == [0.0, 0.0, 0.0]
    assert uncertainty(np.zeros((0, 2)), np.array([0.5, 0.5])).shape == (0,)
    assert review_order(np.zeros((0, 2)), np.array([0.5, 0.5])).tolist() == []


def test_out_of_range_values_are_clipped_and_bad_shapes_or_missing_values_refused():
    assert uncertainty(np.array([[1.2], [-0.1]]), np.array([0.5])).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="2 themes of confidences but 1 thresholds"):
        uncertainty(np.zeros((2, 2)), np.array([0.5]))
    with pytest.raises(ValueError, match="2-D"):
        uncertainty(np.zeros(3), np.array([0.5]))
    with pytest.raises(ValueError, match="missing"):
        uncertainty(np.array([[np.nan]]), np.array([0.5]))


def test_ties_keep_their_order_unless_a_seed_shuffles_them():
    p = np.array([[0.9]] * 6 + [[0.5]])
    assert review_order(p, np.array([0.5])).tolist() == [6, 0, 1, 2, 3, 4, 5]
    shuffled = review_order(p, np.array([0.5]), random_state=3)
    assert shuffled[0] == 6
    assert sorted(shuffled.tolist()) == list(range(7))
    assert shuffled.tolist() != [6, 0, 1, 2, 3, 4, 5]
    assert review_order(p, np.array([0.5]), random_state=3).tolist() == shuffled.tolist()


def test_pick_uncertain_gives_the_n_least_sure():
    p = np.array([[0.9], [0.5], [0.1], [0.625], [0.375]])  # 3 and 4 tie exactly
    assert pick_uncertain(p, np.array([0.5]), 3).tolist() == [1, 3, 4]
    assert pick_uncertain(p, np.array([0.5]), 0).tolist() == []
    assert len(pick_uncertain(p, np.array([0.5]), 10)) == 5
    with pytest.raises(ValueError, match="give 0 or more"):
        pick_uncertain(p, np.array([0.5]), -1)


def test_with_a_trained_coder_a_mixed_comment_comes_before_clear_ones():
    texts = [
        "the nurse was kind",
        "kind and caring staff",
        "lovely kind nurse",
        "friendly helpful staff",
        "waited hours to be seen",
        "long wait in a&e",
        "the wait was too long",
        "waiting far too long",
    ] * 4
    labels = pd.DataFrame(
        {"staff": [1, 1, 1, 1, 0, 0, 0, 0] * 4, "waiting": [0, 0, 0, 0, 1, 1, 1, 1] * 4}
    )
    coder = ThemeCoder(random_state=0).fit(texts, labels)
    pool = [
        "such a kind nurse",
        "we waited so long",
        "kind nurse but a long wait",
        "caring friendly staff",
    ]
    order = review_order(coder.predict_proba(pool), coder.thresholds_)
    assert order[0] == 2
    u = uncertainty(coder.predict_proba(pool), coder.thresholds_)
    assert u[2] > max(u[0], u[1], u[3]) + 0.1
    assert pick_uncertain(coder.predict_proba(pool), coder.thresholds_, 1).tolist() == [2]
