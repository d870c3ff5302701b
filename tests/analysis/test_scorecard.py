"""The scorecard: counts by area match a fixture, with movement and exceptions."""

import csv
from pathlib import Path

from analysis.scorecard import RatingRow, SchemeValues, counts, exceptions, movement, wide_csv_frame

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IMPACT = SchemeValues(
    "kent-impact",
    "Impact",
    {"blue": "Blue", "green": "Green", "amber": "Amber", "red": "Red"},
    "red",
)
PROGRESS = SchemeValues(
    "kent-progress",
    "Progress",
    {"blue": "Blue", "green": "Green", "amber": "Amber", "red": "Red"},
    "red",
)
AREAS = ["1 Parental Confidence", "2 Inclusion", "9 Systems and Outcomes"]


def fixture_rows():
    with (FIXTURES / "scorecard-ratings.csv").open(encoding="utf-8") as handle:
        return [
            RatingRow(
                r["area"],
                r["action"],
                r["scheme"],
                r["value"] or None,
                r["previous"] or None,
                r["suggested"] or None,
                reported=r["reported"] == "1",
                agreed=r["agreed"] == "1",
            )
            for r in csv.DictReader(handle)
        ]


def expected():
    with (FIXTURES / "scorecard-expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_counts_match_the_fixture():
    wide = wide_csv_frame(fixture_rows(), [PROGRESS, IMPACT], AREAS)
    got = [{k: str(v) for k, v in row.items()} for row in wide.to_dict("records")]
    assert got == expected()


def test_every_area_is_listed_even_with_no_ratings_and_totals_add_up():
    table = counts(fixture_rows(), IMPACT, AREAS)
    assert list(table.index) == [*AREAS, "Total"]
    assert table.loc["9 Systems and Outcomes", "Actions"] == 0
    assert table.loc["Total", "Actions"] == table["Actions"].iloc[:-1].sum() == 6
    # A proposal still being checked is not counted as a rating.
    assert table.loc["1 Parental Confidence", "Red"] == 1
    assert table.loc["1 Parental Confidence", "Not agreed yet"] == 1


def test_movement_counts_better_worse_same_and_new():
    assert movement(fixture_rows(), IMPACT) == {"better": 1, "worse": 1, "same": 1, "new": 1}


def test_exceptions_name_red_worse_unreported_and_disputed_actions():
    found = {(e.action, e.scheme, e.reason) for e in exceptions(fixture_rows(), [PROGRESS, IMPACT])}
    assert found == {
        ("1A2", "Impact", "Rated Red"),
        ("1A2", "Impact", "Worse: Amber to Red"),
        ("1E1", "Impact", "Rated Amber; the evidence suggests Green"),
        ("2B1", "All", "Did not report"),
        ("1A2", "Progress", "Rated Red"),
    }
