"""The suggested impact rating: its value and its reasons, from known evidence."""

from datetime import date

from analysis.impact import (
    Direction,
    IndicatorEvidence,
    KpiEvidence,
    Level,
    ThemeEvidence,
    margin,
    suggest,
)

END = date(2023, 10, 31)


def confidence(positive, counted, people, **extra):
    return IndicatorEvidence(
        "Parent confidence", positive, counted, people, date(2023, 7, 20), **extra
    )


def communication(before_negative, now_negative, mentions=(100, 100)):
    return ThemeEvidence(
        "Communication with families",
        Direction.LESS_NEGATIVE,
        END,
        comments=(400, 380),
        mentions=mentions,
        negative=(before_negative, now_negative),
    )


def test_the_margin_of_error_shrinks_with_more_people():
    assert round(margin(58, 412), 1) == 4.8
    assert margin(58, 100) > margin(58, 412)


def test_a_survey_short_of_target_but_up_on_baseline_with_a_better_theme_is_early_evidence():
    found = suggest(
        [
            confidence(239, 412, 412, baseline=50, target=65),
            communication(61, 44),
        ],
        on=END,
        has_measure=True,
        due=date(2024, 3, 31),
    )
    assert found.level is Level.EARLY
    assert found.reasons == [
        "Parent confidence 58% (n=412, ±4.8) vs target 65%, up on the baseline of 50%",
        "“Communication with families” theme negative share down from 61% to 44% (n=100, then 100)",
        "Suggested because there is early evidence of improvement and none of things getting worse",
    ]
    assert found.flags == [] and found.counted == 2


def test_evidence_getting_worse_suggests_impact_is_not_being_delivered():
    found = suggest(
        [confidence(170, 412, 412, baseline=52, target=65), communication(40, 60)],
        on=END,
        has_measure=True,
    )
    assert found.level is Level.NOT_DELIVERED
    assert found.reasons[0].endswith("down on the baseline of 52%")
    assert found.reasons[-1] == "Suggested because the evidence is getting worse"


def test_mixed_evidence_is_on_track():
    found = suggest(
        [confidence(300, 412, 412, baseline=52), communication(40, 60)], on=END, has_measure=True
    )
    assert found.level is Level.ON_TRACK
    assert found.reasons[-1] == "Suggested because the evidence is mixed"


def test_targets_met_again_are_ongoing_evidence():
    found = suggest(
        [
            confidence(330, 412, 412, baseline=52, target=65, previous_percent=70),
            KpiEvidence("Plans issued in 20 weeks (%)", 71, date(2023, 10, 1), 40, 60),
        ],
        on=END,
        has_measure=True,
    )
    assert found.level is Level.ONGOING
    assert "meets the target of 65% again" in found.reasons[0]


def test_no_change_after_the_due_date_is_not_delivered_but_before_it_is_on_track():
    evidence = [communication(50, 48)]
    late = suggest(evidence, on=END, has_measure=True, due=date(2023, 3, 31))
    early = suggest(evidence, on=END, has_measure=True, due=date(2024, 3, 31))
    assert late.level is Level.NOT_DELIVERED and early.level is Level.ON_TRACK
    assert late.reasons[0] == (
        "“Communication with families” theme negative share 50%, then 48%: no clear change"
    )
    assert late.reasons[-1] == (
        "Suggested because nothing has clearly changed, and the action was due by 31 March 2023"
    )


def test_with_no_evidence_it_says_so_and_does_not_guess():
    found = suggest([], on=END, has_measure=True)
    assert found.level is None and not found.enough
    assert found.reasons == ["Not enough evidence to suggest a rating"]


def test_too_few_people_or_comments_is_not_enough_evidence():
    found = suggest(
        [confidence(10, 20, 12, target=65), communication(3, 2, mentions=(6, 4))],
        on=END,
        has_measure=True,
    )
    assert found.level is None
    assert found.reasons == [
        "Not enough evidence to suggest a rating",
        "Parent confidence: only 12 people answered, too few to judge",
        "“Communication with families” theme: 6 then 4 comments, too few to judge",
    ]


def test_stale_evidence_is_named_but_not_counted():
    old = KpiEvidence("Complaints answered in time (%)", 90, date(2022, 11, 1), 70, 85)
    found = suggest([old], on=END, has_measure=True)
    assert found.level is None
    assert found.reasons[1] == (
        "Complaints answered in time (%) is from November 2022, more than 6 months old, "
        "so it is not counted"
    )


def test_an_action_with_no_impact_measure_is_flagged_whatever_the_evidence():
    found = suggest([], on=END, has_measure=False)
    assert found.level is None
    assert found.flags[0].startswith("This action has no impact measure or milestone")


def test_a_lower_is_better_kpi_is_judged_the_right_way_round():
    waits = KpiEvidence("Weeks waiting for assessment", 30, END, 45, 26, higher_is_better=False)
    found = suggest([waits], on=END, has_measure=True)
    assert found.level is Level.EARLY
    assert found.reasons[0] == (
        "Weeks waiting for assessment 30 vs target 26, better than the baseline of 45"
    )


def test_figures_with_nothing_to_compare_with_are_not_counted():
    no_baseline = confidence(239, 412, 412, target=65)
    kpi = KpiEvidence("Families using the hub", 120, date(2023, 10, 1))
    found = suggest([no_baseline, kpi], on=END, has_measure=True, due=date(2023, 1, 31))
    assert found.level is None  # not "no change, and overdue": Heard does not guess
    assert found.reasons[1] == (
        "Parent confidence 58% (n=412, ±4.8) vs target 65%; with no baseline it cannot show "
        "a change, so it is not counted"
    )


def test_evidence_from_after_the_period_is_named_for_a_later_one():
    later = KpiEvidence("Plans issued in 20 weeks (%)", 61, date(2023, 11, 15), 40, 60)
    found = suggest([later], on=END, has_measure=True)
    assert found.level is None
    assert found.reasons[1] == (
        "Plans issued in 20 weeks (%) was measured after this period ended, so it counts for "
        "a later one"
    )
