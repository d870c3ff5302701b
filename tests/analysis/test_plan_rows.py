"""Reading plan spreadsheets with the messes real plans have."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.plan_dates import fold_lookalikes, read_date
from analysis.plan_rows import PlanFileError, columns, normalise_code, read_plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KENT_STATUSES = {
    "completed": "Completed",
    "in-progress": "In progress",
    "behind": "Behind",
    "not-started": "Not started",
}
HULL_STATUSES = {
    "completed-embedded-sustained": "Completed Embedded Sustained",
    "on-track-no-concerns": "On track no concerns",
    "on-track-some-concerns": "On track some concerns",
    "not-due-yet": "Not due yet",
}


@pytest.fixture
def messy():
    frame = pd.read_csv(FIXTURES / "plan-messy.csv", dtype=str, keep_default_na=False)
    return read_plan(frame, statuses=KENT_STATUSES)


def by_code(rows):
    return {a.code: a for a in rows.actions}


def messages(rows):
    return [w.message for w in rows.warnings]


@pytest.mark.parametrize(
    ("cell", "value", "precision", "note"),
    [
        ("31/01/2023", date(2023, 1, 31), "day", ""),
        ("1/4/23", date(2023, 4, 1), "day", ""),
        ("2023-10-31", date(2023, 10, 31), "day", ""),
        ("30 th November 2023", date(2023, 11, 30), "day", ""),
        ("Feb-24", date(2024, 2, 1), "month", ""),
        ("March 2023 Pilot", date(2023, 3, 1), "month", "Pilot"),
        ("TBC", None, "", "TBC"),
        ("\u0442\u0432\u0441", None, "", "TBC"),  # Cyrillic te, ve, es
        ("Ongoing", None, "", "Ongoing"),
        ("ONGOING", None, "", "Ongoing"),
        ("", None, "", ""),
    ],
)
def test_plan_dates_are_read_as_people_write_them(cell, value, precision, note):
    found = read_date(cell).date
    assert (found.value, found.precision, found.note) == (value, precision, note)
    assert found.raw == cell


def test_a_month_date_covers_the_whole_month():
    assert read_date("Feb-24").date.ends_on == date(2024, 2, 29)


def test_dates_that_cannot_be_read_are_kept_and_reported():
    for cell in ("30/0/2024", "31/02/2023", "soon"):
        found = read_date(cell)
        assert found.date.value is None and found.date.raw == cell
        assert found.notes == (f"could not read “{cell}” as a date; it is kept as written",)


def test_a_cell_with_two_dates_gives_the_second_as_revised():
    found = read_date("31/03/2023 / 30/09/2023")
    assert found.date.value == date(2023, 3, 31)
    assert found.further is not None and found.further.value == date(2023, 9, 30)


def test_cyrillic_look_alikes_become_latin_letters():
    assert fold_lookalikes("\u0412\u0430\u0441") == "Bac"
    assert normalise_code("9\u04121") == "9B1"
    assert normalise_code(" 7 a 1 ") == "7A1"


def test_headings_are_recognised_by_their_meaning():
    found = columns(
        pd.DataFrame(
            columns=[
                "What do we want to achieve and what is needed to make this happen?",
                "What is needed ot make this happen and what we will do",
                "Intended outcomes and Impact",
                "Impact Measures",
                "Strategic Lead",
                "Start Date",
                "Due Date",
                "SEF/DBV /AFI (no)",
                "Status (RAGP)",
            ]
        )
    )
    assert found == {
        "sub_theme": "What do we want to achieve and what is needed to make this happen?",
        "action": "What is needed ot make this happen and what we will do",
        "intended_outcomes": "Intended outcomes and Impact",
        "impact_measures": "Impact Measures",
        "lead": "Strategic Lead",
        "start": "Start Date",
        "due": "Due Date",
        "tags": "SEF/DBV /AFI (no)",
        "status": "Status (RAGP)",
    }


def test_codes_with_spaces_and_cyrillic_letters_are_normalised_and_reported(messy):
    actions = by_code(messy)
    assert {"1E1", "1E3", "1C2", "6J2", "8E1", "8A2", "9B1"} == set(actions)
    assert "Code “1 e 3” read as 1E3" in messages(messy)
    assert "Code “9\u04121” read as 9B1" in messages(messy)


def test_messy_due_dates_are_kept_as_written_and_read_where_possible(messy):
    actions = by_code(messy)
    assert (actions["6J2"].due.raw, actions["6J2"].due.value, actions["6J2"].due.note) == (
        "\u0442\u0432\u0441",
        None,
        "TBC",
    )
    assert actions["8E1"].due.value == date(2023, 3, 1) and actions["8E1"].due.note == "Pilot"
    assert actions["1E3"].due.note == "Ongoing"
    assert actions["1C2"].due.value == date(2023, 3, 31)
    assert actions["1C2"].revised.value == date(2023, 9, 30)
    assert actions["9B1"].due.value is None and actions["9B1"].due.raw == "30/0/2024"
    found = messages(messy)
    assert any("Cyrillic" in m and "\u0442\u0432\u0441" in m for m in found)
    assert "Due date: could not read “30/0/2024” as a date; it is kept as written" in found


def test_an_action_listed_twice_with_two_dates_becomes_one_with_a_revised_date(messy):
    service = by_code(messy)["8A2"]
    assert service.due.value == date(2023, 9, 30)
    assert service.revised.value == date(2024, 3, 31)
    assert service.rows == (7, 9)
    assert (
        "8A2 is on rows 7 and 9 with different due dates (30 September 2023 and 31 March 2024); "
        "kept 30 September 2023 as due and 31 March 2024 as revised"
    ) in messages(messy)
    assert len(messy.actions) == 7


def test_statuses_are_matched_to_the_scheme_and_a_stub_is_reported(messy):
    actions = by_code(messy)
    assert actions["1E1"].status == "in-progress" and actions["9B1"].status == "not-started"
    assert actions["8E1"].status == "completed"
    assert "Status “compl” read as “Completed”" in messages(messy)


def test_actions_with_no_impact_measure_are_reported(messy):
    assert "6J2 has no impact measure, so its impact cannot be evidenced" in messages(messy)
    assert by_code(messy)["6J2"].impact_measures == ""


def test_areas_and_sub_themes_come_from_the_codes(messy):
    keys = {a.key: a.parent for a in messy.areas}
    assert keys["1"] is None and keys["1.E"] == "1" and keys["9.B"] == "9"


def test_hull_shaped_plans_carry_objectives_down_number_actions_and_fix_tags():
    frame = pd.read_csv(FIXTURES / "plan-hull-shape.csv", dtype=str, keep_default_na=False)
    rows = read_plan(frame, statuses=HULL_STATUSES)
    codes = [a.code for a in rows.actions]
    assert codes == ["1.1", "1.2", "2.1"]
    first, second, third = rows.actions
    assert first.sub_theme == second.sub_theme == "1.1"
    assert {a.key: a.name for a in rows.areas}["1.1"] == "Measure the impact of strategic actions"
    assert second.tags == ("AFI4", "AFI5") and third.tags == ("AFI4", "AFI5")
    assert second.status == "on-track-no-concerns"
    assert third.due.note == "TBC" and first.start.value == date(2023, 2, 1)
    found = messages(rows)
    assert "Tag “AF15” read as AFI5" in found
    assert "Status “On track no conce” read as “On track no concerns”" in found
    assert "1 rows had no objective, as merged cells do; each took the objective above it" in found
    assert "3 actions had no code; Heard numbered them by area (1.1, 1.2, 2.1…)" in found


def test_a_file_without_the_columns_heard_needs_is_refused():
    with pytest.raises(PlanFileError, match="column headed “action”"):
        read_plan(pd.DataFrame({"Area": ["1"], "Notes": ["x"]}))
    with pytest.raises(PlanFileError, match="no actions"):
        read_plan(pd.DataFrame({"Area": [""], "Action": [""]}))


def test_more_messes_are_fixed_and_reported_rather_than_lost():
    frame = pd.DataFrame(
        {
            "Area": [
                "Priority 1: Parents",
                "1 - Families",
                "Inclusion in schools and settings" * 3,
            ],
            "Code": ["1A1/2", "1A3", ""],
            "Action": ["Survey", "Hub", "Training"],
            "Lead": ["KCC", "x" * 350, "KCC"],
            "Due": ["31/03/2024", "", ""],
            "Revised": ["30/06/2024 or 30/09/2024", "", ""],
            "Impact measures": ["Survey", "Calls", "Feedback"],
        }
    )
    rows = read_plan(frame)
    found = messages(rows)
    first, second, third = rows.actions
    assert first.code == "1A1-2" and "Code “1A1/2” read as 1A1-2" in found
    assert "Area 1 is also called “1 - Families”; kept “Priority 1: Parents”" in found
    assert first.revised.value == date(2024, 9, 30)
    assert "Revised date: kept the later one, 30 September 2024" in found
    assert len(second.lead) == 300
    assert "The lead is longer than 300 characters; the rest was cut" in found
    assert len(third.area) <= 30 and len(third.code) <= 40


def test_a_second_due_date_becomes_the_revised_date_and_says_so(messy):
    assert "Due date: the second date, 30 September 2023, is the revised date" in messages(messy)
