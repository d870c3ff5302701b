"""Staff pages are in English, but show each answer in the language it was written in, marked
with `lang` (so a screen reader pronounces it right) and `dir="auto"` (so Arabic reads right
to left inside the English page)."""

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from models import Role, get_user_by_email
from models.agreement import SecondCoder, create_sample, save_coding
from models.coding import Comment, get_active_codebook, list_themes
from models.jobs import JobStatus, create_job, update_job
from models.plan_evidence import EvidenceKind, add_evidence
from models.plans import get_action
from models.review import DiscoveredCluster
from models.safeguarding import create_alert
from models.surveys import SurveyRound
from tests.conftest import make_app
from tests.surveys import add_responses, definition, make_round, parent_answers
from tests.webapp.plans import small_plan
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.test_survey_imports import as_csv, check, headings, rows_for, upload
from tests.webapp.test_yswd import as_role, choose_quotes, draft, publish
from tests.webapp.yswd import coded_term
from webapp.screening import process_submission

ARABIC = "انتظرنا سنة كاملة من أجل التقييم ولم يتصل بنا أحد"
EASY = "We waited a long time for help at school"


@pytest.fixture
def app(database_url):
    """The usual test app, letting one test sign in as several people in turn."""
    app = make_app(database_url, HEARD_LOGIN_LIMITS="100 per minute")
    yield app
    app.extensions["heard.engine"].dispose()


@dataclass
class Written:
    survey_round: SurveyRound
    arabic: Comment  # answered in Arabic
    easy: Comment  # answered in easy read, which is English


@pytest.fixture
def written(session, demo, published) -> Written:
    """Two parents' answers, one in Arabic and one in easy read, screened as sending does."""
    survey_round = make_round(session, demo.organisation.id)
    form = definition(session, survey_round)
    made = {}
    for language, said in (("ar", ARABIC), ("easy", EASY)):
        answers = parent_answers("agree", **{"could-be-better": said, "quote-consent": "yes"})
        [response] = add_responses(session, survey_round, [answers], language=language)
        process_submission(
            session=session, organisation=demo.organisation, response=response, definition=form
        )
        session.commit()
        made[language] = session.exec(
            select(Comment).where(Comment.response_id == response.id)
        ).one()
    # Screening keeps the language of the response on its comment.
    assert (made["ar"].language, made["easy"].language) == ("ar", "easy")
    return Written(survey_round, made["ar"], made["easy"])


def page(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def assert_marked(soup: BeautifulSoup, said: str, lang: str) -> None:
    """Every element whose own text holds `said` is marked as written in `lang`."""
    holders = [text.parent for text in soup.find_all(string=lambda s: s and said in s)]
    assert holders, f"{said!r} is not on the page"
    for holder in holders:
        assert (holder.get("lang"), holder.get("dir")) == (lang, "auto"), str(holder)[:300]


def assert_both_marked(soup: BeautifulSoup, written: Written) -> None:
    assert_marked(soup, written.arabic.text_redacted, "ar")
    assert_marked(soup, written.easy.text_redacted, "en")


def test_the_review_queue_and_each_comment_mark_the_answers_language(client, written):
    as_role(client, Role.PARTICIPATION)
    assert_both_marked(page(client, "/staff/review/"), written)
    for comment, lang in ((written.arabic, "ar"), (written.easy, "en")):
        assert_marked(page(client, f"/staff/review/{comment.id}"), comment.text_redacted, lang)


def test_double_coding_marks_the_comment_and_each_disagreement(client, session, demo, written):
    codebook = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    first, second = (
        get_user_by_email(session=session, email=DEMO_EMAILS[role]).id
        for role in (Role.PARTICIPATION, Role.OFFICER)
    )
    ids = [written.arabic.id, written.easy.id]
    sample = create_sample(
        session=session,
        organisation_id=demo.organisation.id,
        codebook_id=codebook.id,
        comment_ids=ids,
        second=SecondCoder.PERSON,
        first_user_id=first,
        second_user_id=second,
        created_by_id=first,
        round_id=written.survey_round.id,
    )
    session.commit()
    as_role(client, Role.PARTICIPATION)
    for comment, lang in ((written.arabic, "ar"), (written.easy, "en")):
        coding = page(client, f"/staff/agreement/{sample.id}/code?comment={comment.id}")
        assert_marked(coding, comment.text_redacted, lang)
    # The first coder gives each comment the theme and the second does not: two disagreements.
    for comment_id in ids:
        for slot, user_id, themes in ((1, first, [theme.id]), (2, second, [])):
            save_coding(
                session=session,
                sample=sample,
                comment_id=comment_id,
                slot=slot,
                user_id=user_id,
                theme_ids=themes,
            )
    session.commit()
    results = page(client, f"/staff/agreement/{sample.id}")
    assert len(results.select("[data-disagreement]")) == 2
    assert_both_marked(results, written)


def test_discovered_groups_mark_each_example_comments_language(client, session, demo, written):
    codebook = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    quotes = [written.arabic.text_redacted, written.easy.text_redacted]
    job = create_job(
        session=session,
        organisation_id=demo.organisation.id,
        kind="discover",
        params={"codebook_id": codebook.id},
    )
    theme = {"name": "Waiting", "keywords": ["waiting"], "size": 2, "representatives": quotes}
    result = {"n_comments": 2, "other": 0, "themes": [{"id": 0, **theme}]}
    update_job(session=session, job=job, progress=100, status=JobStatus.DONE, result=result)
    cluster = DiscoveredCluster(
        organisation_id=demo.organisation.id,
        codebook_id=codebook.id,
        job_id=job.id,
        name="Waiting",
        keywords=["waiting"],
        size=2,
        quotes=quotes,
        comment_ids=[written.arabic.id, written.easy.id],
    )
    session.add(cluster)
    session.commit()
    as_role(client, Role.PARTICIPATION)
    base = f"/staff/codebooks/{codebook.id}/discovery"
    assert_both_marked(page(client, base), written)
    assert_both_marked(page(client, f"{base}/{cluster.id}/merge"), written)
    assert_both_marked(page(client, f"/staff/jobs/{job.id}"), written)


def test_plan_evidence_marks_each_quotes_language(client, session, demo, written):
    plan = small_plan(session, demo.organisation.id)
    action = get_action(session=session, plan=plan, code="1E1")
    as_role(client, Role.OFFICER)
    url = "/staff/plans/kent-app/actions/1E1"
    assert_both_marked(page(client, f"{url}/evidence/quote"), written)
    for comment in (written.arabic, written.easy):
        add_evidence(
            session=session,
            action=action,
            kind=EvidenceKind.QUOTE,
            user_id=None,
            comment_id=comment.id,
        )
    session.commit()
    assert_both_marked(page(client, url), written)


def test_you_said_we_did_marks_each_quotes_language(client, session, demo, published):
    term = coded_term(session, demo.organisation.id)
    arabic, easy = term.consenting[:2]
    for comment, language, said in ((arabic, "ar", ARABIC), (easy, "easy", EASY)):
        comment.language, comment.text_redacted = language, said
        session.add(comment)
    session.commit()
    shown = Written(term.survey_round, arabic, easy)
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    assert_both_marked(page(client, f"/staff/you-said-we-did/{entry_id}/quotes"), shown)
    assert choose_quotes(client, entry_id, [arabic.id, easy.id]).status_code == 302
    assert_both_marked(page(client, f"/staff/you-said-we-did/{entry_id}"), shown)


def test_published_quotes_keep_their_language_on_the_public_page(client, session, demo, published):
    term = coded_term(session, demo.organisation.id)
    arabic, easy = term.consenting[:2]  # the two quotes `publish` chooses
    for comment, language, said in ((arabic, "ar", ARABIC), (easy, "easy", EASY)):
        comment.language, comment.text_redacted = language, said
        session.add(comment)
    session.commit()
    publish(client, session, term)
    assert_both_marked(
        page(client, "/you-said-we-did/kent-demo"), Written(term.survey_round, arabic, easy)
    )


def test_a_safeguarding_alert_shows_what_was_written_in_its_language(client, session, written):
    for comment, lang in ((written.arabic, "ar"), (written.easy, "en")):
        alert = create_alert(
            session=session,
            organisation_id=comment.organisation_id,
            response_id=comment.response_id,
            question_id=comment.question_id,
            severity="high",
            reason="A test",
            categories=["self-harm"],
            text=comment.text_redacted,
        )
        session.commit()
        as_role(client, Role.SAFEGUARDING)
        assert_marked(page(client, f"/staff/safeguarding/{alert.id}"), comment.text_redacted, lang)


def test_imported_answers_are_marked_english_and_read_in_their_own_direction(
    client, session, demo, published
):
    survey_round = make_round(session, demo.organisation.id)
    header, rows = rows_for(headings(session, survey_round), 2)
    rows[0][-2] = ARABIC  # the "working well" comment: the file does not say its language
    as_role(client, Role.OFFICER)
    uploaded = upload(client, survey_round, as_csv(header, rows), "answers.csv")
    assert uploaded.status_code == 302
    checked = check(client, uploaded.location)
    assert checked.status_code == 200
    preview = BeautifulSoup(checked.get_data(as_text=True), "html.parser")
    assert_marked(preview, ARABIC, "en")
