"""The demo's survey rounds: two past terms and an open one, with a rising headline figure."""

from datetime import date

from sqlmodel import select

from forms.schema import parse_definition
from models import FormVersion, get_default_organisation
from models.coding import Comment
from models.demo_surveys import schedule, term_of
from models.surveys import RoundState, Term, list_rounds, submitted_responses
from webapp import demo_data
from webapp.survey_results import score


def test_rounds_are_named_for_the_terms_they_run_in():
    assert term_of(date(2026, 12, 1)) == ("2026/27", Term.AUTUMN)
    assert term_of(date(2027, 2, 1)) == ("2026/27", Term.SPRING)
    assert term_of(date(2027, 5, 1)) == ("2026/27", Term.SUMMER)
    names = [(year, term) for year, term, _o, _c in schedule(date(2026, 12, 1))]
    assert names == [("2025/26", Term.SPRING), ("2025/26", Term.SUMMER), ("2026/27", Term.AUTUMN)]


def test_demo_rounds_have_hundreds_of_responses_and_confidence_rising(app, session, published):
    organisation = get_default_organisation(session=session)
    with app.test_request_context():
        added = demo_data.load_surveys(session=session, organisation=organisation)
        session.commit()
        assert demo_data.load_surveys(session=session, organisation=organisation) == 0
    rounds = list_rounds(session=session, organisation_id=organisation.id)
    assert added == 430 and len(rounds) == 3
    assert [r.state() for r in rounds] == [RoundState.CLOSED, RoundState.CLOSED, RoundState.OPEN]
    version = session.get(FormVersion, rounds[0].form_version_id)
    indicator = parse_definition(version.definition, "demo").indicators[0]
    figures = [
        score(indicator, [r.answers for r in submitted_responses(session=session, survey_round=x)])
        for x in rounds
    ]
    percents = [f.percent for f in figures]
    assert percents == sorted(percents) and percents[0] < percents[-1]
    comments = session.exec(select(Comment)).all()
    assert len(comments) > 400
    assert not any(c.flagged for c in comments)  # nothing in the demo looks like a disclosure
