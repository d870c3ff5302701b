"""The figures behind evidence links, read from the database as of a reporting period."""

from datetime import UTC, date, datetime

import pytest

from analysis.impact import IndicatorEvidence, Level, ThemeEvidence
from models.coding import CodingSource, code_comment, get_active_codebook, list_themes, save_comment
from models.plan_evidence import EvidenceKind, add_evidence
from models.plans import get_action, list_schemes
from models.surveys import Term
from tests.surveys import add_responses, make_round, parent_answers
from tests.webapp.plans import small_plan
from webapp.action_evidence import gather, suggestion_for

LABEL = "Parent confidence"


@pytest.fixture(autouse=True)
def context(app):
    """Form definitions are read through the app, as the pages and jobs read them."""
    with app.app_context():
        yield


@pytest.fixture
def action(session, demo, published):
    plan = small_plan(session, demo.organisation.id)
    return plan, get_action(session=session, plan=plan, code="1E1")


def rounds(session, organisation_id):
    autumn = make_round(
        session,
        organisation_id,
        year="2025/26",
        term=Term.AUTUMN,
        opens=date(2025, 11, 1),
        closes=date(2025, 12, 15),
    )
    spring = make_round(
        session,
        organisation_id,
        year="2025/26",
        term=Term.SPRING,
        opens=date(2026, 3, 1),
        closes=date(2026, 3, 20),
    )
    add_responses(
        session, autumn, [parent_answers("agree")] * 20 + [parent_answers("disagree")] * 20
    )
    add_responses(
        session, spring, [parent_answers("agree")] * 45 + [parent_answers("disagree")] * 15
    )


def test_an_indicator_is_read_from_the_last_round_closed_by_the_periods_end(session, demo, action):
    plan, found = action
    rounds(session, demo.organisation.id)
    add_evidence(
        session=session,
        action=found,
        kind=EvidenceKind.INDICATOR,
        user_id=None,
        form_slug="parent-termly",
        indicator_id="parent-confidence",
        label=LABEL,
        baseline=50,
        target=65,
    )
    session.commit()
    [spring] = gather(session, demo.organisation.id, found, "2026-04")
    assert isinstance(spring, IndicatorEvidence)
    assert (spring.people, spring.measured_on, spring.previous_percent) == (
        60,
        date(2026, 3, 20),
        50,
    )
    assert 100 * spring.positive / spring.counted == 75
    [autumn] = gather(session, demo.organisation.id, found, "2026-01")
    assert autumn.measured_on == date(2025, 12, 15) and autumn.previous_percent is None
    assert gather(session, demo.organisation.id, found, "2025-11") == []
    schemes = list_schemes(session=session, plan=plan)
    suggested = suggestion_for(session, demo.organisation.id, found, "2026-04", schemes)
    assert suggested.suggestion.level is Level.EARLY
    assert suggested.value_key == "green" and suggested.value_label == "Green"
    assert suggested.suggestion.reasons[0] == (
        "Parent confidence 75% (n=60, ±11.0) vs target 65%, up on the baseline of 50%"
    )
    # In January the last closed round is the autumn one, which is at the baseline.
    january = suggestion_for(session, demo.organisation.id, found, "2026-01", schemes)
    assert january.suggestion.level is Level.NOT_DELIVERED
    assert "not clearly different from the baseline of 50%" in january.suggestion.reasons[0]
    assert january.suggestion.reasons[-1] == (
        "Suggested because nothing has clearly changed, and the action was due by 31 January 2023"
    )


def said(session, organisation_id, theme, when, sentiment, coded=True):
    comment = save_comment(
        session=session,
        organisation_id=organisation_id,
        response_id=None,
        question_id="q",
        text_redacted="words",
        sentiment=sentiment,
        flagged=False,
    )
    comment.created_at = when
    session.add(comment)
    if coded:
        code_comment(
            session=session, comment=comment, theme_ids={theme.id: None}, source=CodingSource.HUMAN
        )


def test_a_theme_is_counted_in_the_two_half_years_before_the_periods_end(session, demo, action):
    plan, found = action
    codebook = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    org = demo.organisation.id
    before, now, later = (
        datetime(2025, 9, 1, tzinfo=UTC),
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 7, 1, tzinfo=UTC),
    )
    for _ in range(12):
        said(session, org, theme, before, "negative")
    for _ in range(4):
        said(session, org, theme, before, "positive")
    for _ in range(3):
        said(session, org, theme, now, "negative")
    for _ in range(9):
        said(session, org, theme, now, "positive")
    for _ in range(5):
        said(session, org, theme, now, "negative", coded=False)
        said(session, org, theme, later, "negative")  # after the period: not counted
    add_evidence(
        session=session,
        action=found,
        kind=EvidenceKind.THEME,
        user_id=None,
        theme_id=theme.id,
        direction="less-negative",
        label=theme.name,
    )
    session.commit()
    [evidence] = gather(session, org, found, "2026-03")
    assert isinstance(evidence, ThemeEvidence)
    assert (evidence.comments, evidence.mentions, evidence.negative) == (
        (16, 17),
        (16, 12),
        (12, 3),
    )
    schemes = list_schemes(session=session, plan=plan)
    suggested = suggestion_for(session, org, found, "2026-03", schemes)
    assert suggested.suggestion.reasons[0] == (
        f"“{theme.name}” theme negative share down from 75% to 25% (n=16, then 12)"
    )
    assert suggested.suggestion.level is Level.EARLY


@pytest.mark.parametrize(("answer", "consent"), [("yes", True), ("no", False)])
def test_a_parents_answer_to_the_quote_question_is_kept_with_their_comments(
    client, session, demo, published, answer, consent
):
    from sqlmodel import select

    from models.coding import Comment
    from tests.surveys import answer_every_page, definition, send, start

    survey_round = make_round(session, demo.organisation.id)
    assert start(client, f"/r/{survey_round.open_code}").status_code == 302
    answer_every_page(client, definition(session, survey_round), {"quote-consent": answer})
    assert send(client, "parent-termly").status_code == 302
    comments = session.exec(select(Comment)).all()
    assert len(comments) == 3 and {c.quote_consent for c in comments} == {consent}
