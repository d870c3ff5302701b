"""A round's results: counts with small numbers hidden, breakdowns and the KPI trend."""

import copy
import re
from datetime import date, timedelta

import pytest

from analysis.suppression import suppress_counts
from models import get_published_form, list_districts, save_form_version
from models.surveys import Term
from tests.conftest import sign_in
from tests.surveys import add_responses, make_round, parent_answers


@pytest.fixture
def districts(session, demo):
    found = {
        d.name: str(d.id) for d in list_districts(session=session, organisation=demo.organisation)
    }
    return found


@pytest.fixture
def rounds(session, demo, published, districts):
    today = date.today()
    past = make_round(
        session,
        demo.organisation.id,
        year="2025/26",
        term=Term.SUMMER,
        opens=today - timedelta(days=200),
        closes=today - timedelta(days=150),
    )
    add_responses(session, past, [parent_answers("agree")] * 6 + [parent_answers("disagree")] * 4)
    current = make_round(session, demo.organisation.id)
    add_responses(
        session,
        current,
        [parent_answers("strongly-agree", district=districts["Dover"])] * 6
        + [parent_answers("agree", district=districts["Thanet"])] * 3
        + [parent_answers("disagree")] * 3,
    )
    return past, current


def results_page(client, survey_round, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/staff/surveys/{survey_round.id}/results?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def row(page, label):
    """The text of the table row whose header is `label`, tags removed."""
    match = re.search(rf"<th[^>]*>\s*{re.escape(label)}\s*</th>(.*?)</tr>", page, re.S)
    assert match, label
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_suppression_hides_small_counts_and_the_one_that_would_reveal_them():
    assert suppress_counts({"a": 20, "b": 3, "c": 8, "d": 0}) == {
        "a": 20,
        "b": None,
        "c": None,
        "d": 0,
    }
    assert suppress_counts({"a": 6, "b": 3, "c": 3}) == {"a": 6, "b": None, "c": None}
    assert suppress_counts({"a": 6, "b": 7}) == {"a": 6, "b": 7}


def test_counts_charts_and_tables_with_small_numbers_hidden(client, rounds):
    _past, current = rounds
    sign_in(client, "officer@demo.heard")
    page = results_page(client, current)
    assert "12 responses sent" in page
    first = page[page.index('id="q-listened-to"') :]
    first = first[: first.index("</section>")]
    assert "<svg" in first and 'role="img"' in first
    assert row(first, "Strongly agree") == "6 50%"
    assert row(first, "Agree") == "Fewer than 5 Fewer than 5"
    assert row(first, "Disagree") == "Fewer than 5 Fewer than 5"
    assert row(first, "Strongly disagree") == "0 0%"
    assert "Fewer than 5" in first[: first.index("<table")]  # the chart says so too


def test_the_headline_kpi_and_its_trend_across_rounds(client, rounds):
    past, current = rounds
    sign_in(client, "officer@demo.heard")
    page = results_page(client, current)
    assert re.search(r'id="headline-parent-confidence">.*?75%', page, re.S)
    assert "answers such as “Don&#39;t know” are not counted" in page
    trend = page[page.index('id="trend-parent-confidence"') :]
    assert row(trend, "2025/26 Summer") == "60% 10"
    assert row(trend, "2026/27 Autumn") == "75% 12"
    assert "left out of the trend" not in page
    # The past round's own trend stops at itself.
    earlier = results_page(client, past)
    assert "2026/27 Autumn" not in earlier[earlier.index('id="trend-parent-confidence"') :]


def test_breakdowns_hide_groups_of_fewer_than_five(client, rounds):
    _past, current = rounds
    sign_in(client, "officer@demo.heard")
    page = results_page(client, current, by="district")
    table = page[page.index('id="breakdown-parent-confidence"') :]
    assert row(table, "Dover").startswith("6 100% 100%")
    assert row(table, "Thanet").startswith("Fewer than 5 Fewer than 5")
    assert row(table, "Not answered").startswith("Fewer than 5")
    by_need = results_page(client, current, by="sen-status")
    assert "by sen support or ehcp" in by_need.lower()


def test_a_reworded_statement_is_left_out_of_the_trend(client, session, demo, rounds):
    version = get_published_form(session=session, slug="parent-termly")
    changed = copy.deepcopy(version.definition)
    question = changed["pages"][0]["questions"][0]
    old_label = question["label"]
    question["label"] = "I feel the SEN service listens to me"
    reworded, _ = save_form_version(
        session=session,
        slug="parent-termly",
        title=version.title,
        definition=changed,
        checksum="reworded",
    )
    session.commit()
    later = make_round(
        session, demo.organisation.id, year="2027/28", form_version=reworded, term=Term.SPRING
    )
    add_responses(session, later, [parent_answers("agree")] * 5)
    sign_in(client, "officer@demo.heard")
    page = results_page(client, later)
    trend = page[page.index('id="trend-parent-confidence"') :]
    assert "left out of the trend" in trend and old_label in trend
    assert "I feel the SEN service listens to me" in trend
    assert row(trend, "2027/28 Spring") == "100% 5"
    assert row(trend, "2025/26 Summer") == "60% 10"  # 7 statements, still 6 of 10 agreeing


def test_a_round_with_fewer_than_five_responses_shows_no_figures(client, session, demo, published):
    survey_round = make_round(session, demo.organisation.id)
    add_responses(session, survey_round, [parent_answers("agree")] * 4)
    sign_in(client, "officer@demo.heard")
    page = results_page(client, survey_round)
    assert "Fewer than 5 people answered this question" in page
    assert re.search(r'id="headline-parent-confidence">.*?Fewer than 5', page, re.S)
    assert "<svg" not in page[page.index("Every question") :]


def test_shares_that_would_reveal_a_small_count_are_hidden(
    client, session, demo, published, districts
):
    survey_round = make_round(session, demo.organisation.id)
    dover = districts["Dover"]
    add_responses(
        session,
        survey_round,
        [parent_answers("disagree", district=dover)] * 4
        + [parent_answers("disagree", district=dover, **{"listened-to": "agree"})]
        + [parent_answers("agree", district=districts["Thanet"])] * 12
        + [parent_answers("agree", district=districts["Ashford"])] * 3
        + [parent_answers("agree", district=districts["Canterbury"])] * 3,
    )
    sign_in(client, "officer@demo.heard")
    table = results_page(client, survey_round, by="district")
    table = table[table.index('id="breakdown-parent-confidence"') :]
    # 5 people in Dover, one of whom agreed once: 3% or 20% would reveal that one person.
    assert row(table, "Dover").startswith("5 Fewer than 5 Fewer than 5")
    assert row(table, "Thanet").startswith("12 100%")
    assert row(table, "Ashford").startswith("Fewer than 5")


def test_a_group_that_would_give_away_a_hidden_one_is_not_shown(
    client, session, demo, published, districts
):
    survey_round = make_round(session, demo.organisation.id)
    add_responses(
        session,
        survey_round,
        [parent_answers("agree", district=districts["Thanet"])] * 12
        + [parent_answers("agree", district=districts["Dover"])] * 6
        + [parent_answers("disagree", district=districts["Ashford"])] * 3,
    )
    sign_in(client, "officer@demo.heard")
    table = results_page(client, survey_round, by="district")
    table = table[table.index('id="breakdown-parent-confidence"') :]
    # With 21 in all, Thanet's 12 and Dover's 6 would show that Ashford has 3.
    assert row(table, "Ashford").startswith("Fewer than 5")
    assert row(table, "Dover").startswith("Not shown Not shown")
    assert row(table, "Thanet").startswith("12 100%")
