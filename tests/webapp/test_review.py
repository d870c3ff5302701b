"""The review queue: the order, reviewing a comment, bulk actions, learning and its quality."""

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from models import AuditEvent, get_organisation_by_slug
from models.coding import (
    CoderModel,
    CodingSource,
    Comment,
    CommentTheme,
    get_active_codebook,
    list_themes,
    save_comment,
)
from models.jobs import Job
from models.review import CodingDecision, Decision, save_settings
from models.surveys import Term
from tests.conftest import csrf_token, sign_in

WORKER = "participation@demo.heard"


@pytest.fixture
def org(session, demo):
    return get_organisation_by_slug(session=session, slug="kent-demo")


@pytest.fixture
def themes(session, org):
    codebook = get_active_codebook(session=session, organisation_id=org.id)
    return list_themes(session=session, codebook_id=codebook.id)


def add_comment(session, org, text, *, uncertainty=None, machine=None, sentiment="neutral"):
    comment = save_comment(
        session=session,
        organisation_id=org.id,
        response_id=None,
        question_id="have-your-say",
        text_redacted=text,
        sentiment=sentiment,
        flagged=False,
    )
    comment.uncertainty = uncertainty
    for theme, confidence in machine or []:
        session.add(
            CommentTheme(
                comment_id=comment.id,
                theme_id=theme.id,
                source=CodingSource.MACHINE,
                confidence=confidence,
            )
        )
    session.commit()
    return comment


def queue_ids(client, query="") -> list[int]:
    html = client.get(f"/staff/review/{query}").get_data(as_text=True)
    return [int(n) for n in re.findall(r'name="comments" type="checkbox" value="(\d+)"', html)]


def test_the_queue_puts_the_comments_the_coder_is_least_sure_of_first(client, session, org):
    sure = add_comment(session, org, "Sure", uncertainty=0.05)
    unsure = add_comment(session, org, "Could go either way", uncertainty=0.97)
    middling = add_comment(session, org, "Middling", uncertainty=0.5)
    never_coded = add_comment(session, org, "Not coded by the machine yet")
    done = add_comment(session, org, "Already reviewed", uncertainty=0.99)
    done.reviewed_at = done.created_at
    session.add(done)
    session.commit()

    sign_in(client, WORKER)
    assert queue_ids(client) == [unsure.id, middling.id, sure.id, never_coded.id]
    assert queue_ids(client, "?reviewed=yes") == [done.id]
    # "Review the next comment" starts at the least sure.
    html = client.get("/staff/review/").get_data(as_text=True)
    start = BeautifulSoup(html, "html.parser").find(id="start-reviewing")
    assert start["href"].startswith(f"/staff/review/{unsure.id}")


def test_reviewing_records_every_decision_with_what_the_machine_said(client, session, org, themes):
    first, second, third = themes[:3]
    comment = add_comment(
        session, org, "The wait was long", uncertainty=0.6, machine=[(first, 0.81), (second, 0.55)]
    )
    later = add_comment(session, org, "Next one", uncertainty=0.2)
    sign_in(client, WORKER)
    url = f"/staff/review/{comment.id}"
    page = client.get(url).get_data(as_text=True)
    assert (
        "Suggested by the coder, 81% sure." in page and "Suggested by the coder, 55% sure." in page
    )
    soup = BeautifulSoup(page, "html.parser")
    # Suggestions are ticked to start with, and come first so the number keys reach them.
    boxes = soup.select('input[name="themes"]')
    assert [b["value"] for b in boxes[:2]] == [str(first.id), str(second.id)]
    assert [b.has_attr("checked") for b in boxes[:3]] == [True, True, False]
    assert soup.find(id="shortcuts") is not None

    # Accept the first, reject the second, add the third, and call it negative.
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "themes": [str(first.id), str(third.id)],
            "sentiment": "negative",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/staff/review/{later.id}")

    session.expire_all()
    decisions = {
        (d.decision, d.theme_id): d
        for d in session.exec(select(CodingDecision).where(CodingDecision.comment_id == comment.id))
    }
    assert set(decisions) == {
        (Decision.ACCEPT, first.id),
        (Decision.REJECT, second.id),
        (Decision.ADD, third.id),
        (Decision.SENTIMENT, None),
    }
    assert decisions[(Decision.ACCEPT, first.id)].machine_confidence == 0.81
    assert decisions[(Decision.REJECT, second.id)].machine_confidence == 0.55
    assert decisions[(Decision.ADD, third.id)].machine_confidence is None
    sentiment = decisions[(Decision.SENTIMENT, None)]
    assert (sentiment.sentiment_before, sentiment.sentiment_after) == ("neutral", "negative")
    assert decisions[(Decision.ACCEPT, first.id)].suggested == {
        str(first.id): 0.81,
        str(second.id): 0.55,
    }
    human = session.exec(
        select(CommentTheme.theme_id)
        .where(CommentTheme.comment_id == comment.id)
        .where(CommentTheme.source == CodingSource.HUMAN)
    ).all()
    assert sorted(human) == sorted([first.id, third.id])
    stored = session.get(Comment, comment.id)
    assert stored.reviewed_at is not None and stored.sentiment == "negative"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "review.comment.coded")).one()

    # The page now shows who decided what.
    history = client.get(url).get_data(as_text=True)
    assert "Reject “" + second.name + "”" in history and "Suggested, 55% sure" in history


def test_only_the_suggestions_the_coder_would_code_with_start_ticked(client, session, org, themes):
    first, second = themes[:2]
    comment = add_comment(session, org, "Taxi late", machine=[(first, 0.72), (second, 0.10)])
    sign_in(client, WORKER)
    soup = BeautifulSoup(
        client.get(f"/staff/review/{comment.id}").get_data(as_text=True), "html.parser"
    )
    assert soup.find(id=f"theme-{first.id}").has_attr("checked")
    # A 10% guess is offered first, but a person must tick it to code the comment with it.
    assert not soup.find(id=f"theme-{second.id}").has_attr("checked")
    assert "Suggested by the coder, 10% sure." in soup.get_text()


def test_a_review_without_a_sentiment_is_an_error_and_saves_nothing(client, session, org, themes):
    comment = add_comment(session, org, "Text", machine=[(themes[0], 0.9)], sentiment="")
    sign_in(client, WORKER)
    url = f"/staff/review/{comment.id}"
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "themes": [str(themes[1].id)]}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Select the sentiment of the comment" in html
    # What the reviewer ticked is kept on the page.
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(id=f"theme-{themes[1].id}").has_attr("checked")
    assert not soup.find(id=f"theme-{themes[0].id}").has_attr("checked")
    bad = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "themes": ["99999"], "sentiment": "mixed"},
    )
    assert "Choose themes from this codebook" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(CodingDecision)).all() == []
    assert session.get(Comment, comment.id).reviewed_at is None


def test_bulk_actions_apply_to_every_selected_comment(client, session, org, themes):
    a = add_comment(session, org, "A", machine=[(themes[0], 0.9)])
    b = add_comment(session, org, "B", machine=[(themes[1], 0.7)])
    c = add_comment(session, org, "C", machine=[(themes[2], 0.4)])
    sign_in(client, WORKER)
    # The page says what a bulk review records, before anyone applies one.
    queue = BeautifulSoup(client.get("/staff/review/").get_data(as_text=True), "html.parser")
    assert "is recorded as turned down" in queue.find(id="action-hint").get_text()
    assert "action-hint" in queue.find(id="action-hint").find_parent("fieldset")["aria-describedby"]
    token = csrf_token(client, "/staff/review/")
    accepted = client.post(
        "/staff/review/bulk",
        data={"csrf_token": token, "comments": [str(a.id), str(b.id)], "action": "accept"},
    )
    assert accepted.status_code == 302
    rejected = client.post(
        "/staff/review/bulk",
        data={"csrf_token": token, "comments": [str(c.id)], "action": "reject"},
    )
    assert rejected.status_code == 302
    session.expire_all()

    def human(comment):
        return set(
            session.exec(
                select(CommentTheme.theme_id)
                .where(CommentTheme.comment_id == comment.id)
                .where(CommentTheme.source == CodingSource.HUMAN)
            )
        )

    assert human(a) == {themes[0].id} and human(b) == {themes[1].id} and human(c) == set()
    batches = {d.batch for d in session.exec(select(CodingDecision)) if d.comment_id != c.id}
    assert len(batches) == 1 and batches != {""}

    client.post(
        "/staff/review/bulk",
        data={
            "csrf_token": token,
            "comments": [str(c.id)],
            "action": "add",
            "theme": str(themes[3].id),
        },
    )
    session.expire_all()
    assert human(c) == {themes[3].id}


def test_a_bulk_action_without_comments_or_a_theme_says_so_and_keeps_the_choices(
    client, session, org, themes
):
    first = add_comment(session, org, "A", uncertainty=0.9, machine=[(themes[0], 0.9)])
    add_comment(session, org, "B", uncertainty=0.1)
    sign_in(client, WORKER)
    token = csrf_token(client, "/staff/review/")
    nothing = client.post("/staff/review/bulk", data={"csrf_token": token, "action": "accept"})
    assert nothing.status_code == 200
    soup = BeautifulSoup(nothing.get_data(as_text=True), "html.parser")
    assert [(a.get_text(strip=True), a["href"]) for a in soup.select(".govuk-error-summary a")] == [
        ("Select at least one comment", f"#select-{first.id}")
    ]
    no_theme = client.post(
        "/staff/review/bulk",
        data={"csrf_token": token, "comments": [str(first.id)], "action": "add"},
    )
    soup = BeautifulSoup(no_theme.get_data(as_text=True), "html.parser")
    assert [a["href"] for a in soup.select(".govuk-error-summary a")] == ["#bulk-theme"]
    assert soup.find(id="action-add").has_attr("checked")
    assert soup.find(id=f"select-{first.id}").has_attr("checked")
    session.expire_all()
    assert session.exec(select(CodingDecision)).all() == []


def test_filters_narrow_the_queue(client, session, org, themes):
    from models import list_districts

    district = list_districts(session=session, organisation=org)[0]
    high = add_comment(session, org, "High", machine=[(themes[0], 0.92)], sentiment="positive")
    medium = add_comment(session, org, "Medium", machine=[(themes[1], 0.6)], sentiment="negative")
    low = add_comment(session, org, "Low", machine=[(themes[1], 0.3)])
    none = add_comment(session, org, "None at all")
    none.district_id = district.id
    session.add(none)
    session.commit()
    sign_in(client, WORKER)
    assert queue_ids(client, "?band=high") == [high.id]
    assert queue_ids(client, "?band=medium") == [medium.id]
    assert queue_ids(client, "?band=low") == [low.id]
    assert queue_ids(client, "?band=none") == [none.id]
    assert sorted(queue_ids(client, f"?theme={themes[1].id}")) == sorted([medium.id, low.id])
    assert queue_ids(client, "?sentiment=positive") == [high.id]
    assert queue_ids(client, f"?district={district.id}") == [none.id]
    assert queue_ids(client, "?question=another-question") == []
    assert sorted(queue_ids(client, "?reviewed=all&band=nonsense")) == sorted(
        [high.id, medium.id, low.id, none.id]
    )


def test_the_form_filter_lists_each_form_once_by_its_title(client, session, org, published):
    from tests.surveys import make_round

    for term in (Term.AUTUMN, Term.SPRING):
        make_round(session, org.id, term=term)
    sign_in(client, WORKER)
    soup = BeautifulSoup(client.get("/staff/review/").get_data(as_text=True), "html.parser")
    labels = [o.get_text(strip=True) for o in soup.select('select[name="form"] option')]
    assert labels.count("Parent and carer survey") == 1
    assert "All about Me" in labels


def test_a_page_past_the_end_of_the_queue_shows_the_last_page(client, session, org):
    only = add_comment(session, org, "The only one")
    sign_in(client, WORKER)
    assert queue_ids(client, "?page=99999") == [only.id]
    assert queue_ids(client, "?page=-3") == [only.id]


def test_other_roles_cannot_review_and_comments_stay_in_their_organisation(
    app, client, session, org
):
    from models import OrganisationCreate, create_organisation

    comment = add_comment(session, org, "Ours")
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="other-area", name="Other area")
    )
    theirs = save_comment(
        session=session,
        organisation_id=other.id,
        response_id=None,
        question_id="q",
        text_redacted="Theirs",
        sentiment="",
        flagged=False,
    )
    session.commit()
    for email in ("safeguarding@demo.heard", "reviewer@demo.heard"):
        lead = app.test_client()
        sign_in(lead, email)
        assert lead.get("/staff/review/").status_code == 403
        assert lead.get(f"/staff/review/{comment.id}").status_code == 403
    sign_in(client, WORKER)
    assert client.get(f"/staff/review/{theirs.id}").status_code == 404
    assert client.get(f"/staff/review/{comment.id}").status_code == 200


def test_enough_new_decisions_retrain_the_coder_and_the_quality_page_shows_it(
    app, client, session, org, themes
):
    from webapp.demo_data import load_comments

    load_comments(session=session, organisation=org)
    codebook = get_active_codebook(session=session, organisation_id=org.id)
    save_settings(
        session=session, organisation_id=org.id, user_id=None, retrain_after=2, min_theme_f1=0.99
    )
    first = add_comment(session, org, "We waited months for an assessment", uncertainty=0.9)
    second = add_comment(session, org, "The school listened to my son", uncertainty=0.8)
    waiting = add_comment(session, org, "Still waiting for the speech therapist to ring back")
    sign_in(client, WORKER)
    quality_url = f"/staff/codebooks/{codebook.id}/quality"
    assert "No coder has been trained for this codebook yet" in client.get(quality_url).get_data(
        as_text=True
    )
    url = f"/staff/review/{first.id}"
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "themes": [str(themes[0].id)],
            "sentiment": "negative",
        },
    )
    session.expire_all()
    assert session.exec(select(Job)).all() == []  # one theme decision is not enough
    url = f"/staff/review/{second.id}"
    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "themes": [str(themes[1].id)],
            "sentiment": "positive",
        },
        follow_redirects=True,
    )
    assert "The coder has started learning from the new decisions" in saved.get_data(as_text=True)
    session.expire_all()
    [job] = session.exec(select(Job)).all()
    assert job.kind == "retrain" and job.status == "done", job.message
    model = session.exec(select(CoderModel)).one()
    quality = model.details["quality"]
    assert quality["folds"] == 5 and quality["comments"] == model.trained_on
    assert 0 < quality["micro"]["f1"] <= 1

    page = client.get(quality_url).get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in soup.select("#quality tbody tr")
    }
    learned = next(t for t in themes if t.key in quality["themes"])
    figures = quality["themes"][learned.key]
    assert rows[learned.name][:4] == [
        str(figures["support"]),
        f"{figures['precision']:.2f}",
        f"{figures['recall']:.2f}",
        f"{figures['f1']:.2f}",
    ]
    # The threshold is 0.99 here, so every theme below it is flagged.
    assert rows[learned.name][4] == (
        "Needs more examples" if figures["f1"] < 0.99 else "Good enough"
    )
    assert f"{quality['micro']['f1']:.2f}" in page and "Last trained" in page

    # The retrain recoded every comment: the one left to review has the coder's doubt now.
    session.expire_all()
    assert session.get(Comment, waiting.id).uncertainty is not None


def test_a_comment_that_raised_a_safeguarding_concern_never_reaches_reviewers(
    client, session, org, themes
):
    ordinary = add_comment(session, org, "The bus was late", uncertainty=0.5)
    flagged = add_comment(session, org, "Something a child disclosed", uncertainty=0.99)
    flagged.flagged = True
    session.add(flagged)
    session.commit()
    sign_in(client, WORKER)
    assert queue_ids(client, "?reviewed=all") == [ordinary.id]
    assert "Something a child disclosed" not in client.get("/staff/review/").get_data(as_text=True)
    assert client.get(f"/staff/review/{flagged.id}").status_code == 404
    token = csrf_token(client, "/staff/review/")
    client.post(
        "/staff/review/bulk",
        data={"csrf_token": token, "comments": [str(flagged.id)], "action": "reject"},
    )
    session.expire_all()
    assert session.get(Comment, flagged.id).reviewed_at is None


def test_skip_and_previous_walk_the_queue_in_order(client, session, org):
    ids = [
        add_comment(session, org, f"Comment {n}", uncertainty=u).id
        for n, u in enumerate([0.9, 0.7, 0.5, 0.3])
    ]
    sign_in(client, WORKER)

    def link(comment_id, name):
        soup = BeautifulSoup(
            client.get(f"/staff/review/{comment_id}").get_data(as_text=True), "html.parser"
        )
        found = soup.find(id=name)
        return int(re.search(r"/staff/review/(\d+)", found["href"]).group(1)) if found else None

    assert [link(i, "skip") for i in ids] == [ids[1], ids[2], ids[3], None]
    assert [link(i, "previous") for i in ids] == [None, ids[0], ids[1], ids[2]]
    # Once the second is reviewed it leaves the queue, and still leads on to the third.
    url = f"/staff/review/{ids[1]}"
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "sentiment": "neutral"})
    assert saved.headers["Location"].startswith(f"/staff/review/{ids[2]}")
    assert link(ids[2], "previous") == ids[0]


def test_saving_a_review_again_records_only_what_changed(client, session, org, themes):
    first, second = themes[:2]
    comment = add_comment(session, org, "Text", machine=[(first, 0.9), (second, 0.6)])
    sign_in(client, WORKER)
    url = f"/staff/review/{comment.id}"

    def save(*chosen):
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                "themes": [str(t.id) for t in chosen],
                "sentiment": "neutral",
            },
        )
        session.expire_all()
        return [
            (d.decision, d.theme_id)
            for d in session.exec(select(CodingDecision).order_by(CodingDecision.id))
        ]

    assert sorted(save(first)) == sorted(
        [(Decision.ACCEPT, first.id), (Decision.REJECT, second.id)]
    )
    assert save(first)[2:] == [(Decision.REVIEWED, None)]  # nothing changed: no new theme decisions
    assert save(first, second)[3:] == [(Decision.ADD, second.id)]
    assert save(second)[4:] == [(Decision.REMOVE, first.id)]


def test_bulk_actions_ignore_other_organisations_comments(client, session, org, themes):
    from models import OrganisationCreate, create_organisation

    other = create_organisation(
        session=session, data=OrganisationCreate(slug="elsewhere", name="Elsewhere")
    )
    theirs = save_comment(
        session=session,
        organisation_id=other.id,
        response_id=None,
        question_id="q",
        text_redacted="Theirs",
        sentiment="",
        flagged=False,
    )
    session.commit()
    sign_in(client, WORKER)
    token = csrf_token(client, "/staff/review/")
    client.post(
        "/staff/review/bulk",
        data={
            "csrf_token": token,
            "comments": [str(theirs.id)],
            "action": "add",
            "theme": str(themes[0].id),
        },
    )
    session.expire_all()
    assert session.get(Comment, theirs.id).reviewed_at is None
    assert session.exec(select(CodingDecision)).all() == []


def test_a_failed_retrain_does_not_start_another_on_every_save(app, client, session, org, themes):
    from models.jobs import JobStatus

    save_settings(session=session, organisation_id=org.id, user_id=None, retrain_after=1)
    comments = [
        add_comment(session, org, f"Comment {n}", machine=[(themes[0], 0.9)]) for n in range(3)
    ]
    sign_in(client, WORKER)
    for comment in comments[:2]:
        url = f"/staff/review/{comment.id}"
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                "themes": [str(themes[0].id)],
                "sentiment": "neutral",
            },
        )
    session.expire_all()
    # The first save started a retrain, which failed (too few coded comments); the second
    # save's one new decision then started one more, and no more than that.
    jobs = session.exec(select(Job).order_by(Job.id)).all()
    assert [j.status for j in jobs] == [JobStatus.FAILED, JobStatus.FAILED]
    assert "needs at least 20 comments" in jobs[0].message
    save_settings(session=session, organisation_id=org.id, user_id=None, retrain_after=5)
    session.commit()
    url = f"/staff/review/{comments[2].id}"
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "themes": [str(themes[0].id)],
            "sentiment": "neutral",
        },
    )
    session.expire_all()
    assert len(session.exec(select(Job)).all()) == 2


def test_a_comment_in_my_unfinished_double_coding_sample_is_shown_blind(
    client, session, org, themes
):
    from models import get_user_by_email
    from models.agreement import SecondCoder, create_sample, save_coding

    comment = add_comment(session, org, "Blind one", uncertainty=0.9, machine=[(themes[0], 0.9)])
    other = add_comment(session, org, "Open one", uncertainty=0.5, machine=[(themes[1], 0.8)])
    worker = get_user_by_email(session=session, email=WORKER)
    codebook = get_active_codebook(session=session, organisation_id=org.id)
    sample = create_sample(
        session=session,
        organisation_id=org.id,
        codebook_id=codebook.id,
        comment_ids=[comment.id],
        second=SecondCoder.MACHINE,
        first_user_id=worker.id,
        second_user_id=None,
        created_by_id=worker.id,
    )
    session.commit()
    sign_in(client, WORKER)
    page = client.get(f"/staff/review/{comment.id}").get_data(as_text=True)
    assert "Suggested by the coder" not in page and 'id="blind-notice"' in page
    # No form to code it with here: it is coded in the sample first.
    assert BeautifulSoup(page, "html.parser").find(id="review-form") is None
    queue = client.get("/staff/review/").get_data(as_text=True)
    assert "Hidden: code it in your double-coding sample first" in queue
    assert "Suggested by the coder" in client.get(f"/staff/review/{other.id}").get_data(
        as_text=True
    )
    # Bulk actions leave it alone until it is coded in the sample.
    token = csrf_token(client, "/staff/review/")
    client.post(
        "/staff/review/bulk",
        data={"csrf_token": token, "comments": [str(comment.id)], "action": "accept"},
    )
    session.expire_all()
    assert session.get(Comment, comment.id).reviewed_at is None

    save_coding(
        session=session,
        sample=sample,
        comment_id=comment.id,
        slot=1,
        user_id=worker.id,
        theme_ids=[themes[0].id],
    )
    session.commit()
    after = client.get(f"/staff/review/{comment.id}").get_data(as_text=True)
    assert "Suggested by the coder, 90% sure." in after and 'id="blind-notice"' not in after


def test_a_comment_keeps_the_district_its_writer_gave_for_the_filter(app, session, org, published):
    from models import list_districts
    from tests.surveys import add_responses, definition, make_round, parent_answers
    from webapp.screening import process_submission

    district = list_districts(session=session, organisation=org)[2]
    survey_round = make_round(session, org.id)
    named, unnamed = add_responses(
        session,
        survey_round,
        [
            parent_answers("agree", district=str(district.id), **{"could-be-better": "Buses"}),
            parent_answers("agree", district="not-said", **{"could-be-better": "Taxis"}),
        ],
    )
    with app.test_request_context():
        for response in (named, unnamed):
            process_submission(
                session=session,
                organisation=org,
                response=response,
                definition=definition(session, survey_round),
            )
    session.commit()
    by_text = {c.text_redacted: c for c in session.exec(select(Comment))}
    assert by_text["Buses"].district_id == district.id
    assert by_text["Taxis"].district_id is None


def test_a_review_leaves_coding_outside_the_codebook_in_use_alone(client, session, org, themes):
    from models.coding import ThemeStatus

    retired, kept = themes[0], themes[1]
    comment = add_comment(session, org, "Old coding", machine=[(kept, 0.9)])
    session.add(CommentTheme(comment_id=comment.id, theme_id=retired.id, source=CodingSource.HUMAN))
    retired.status = ThemeStatus.RETIRED
    session.add(retired)
    session.commit()
    sign_in(client, WORKER)
    url = f"/staff/review/{comment.id}"
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "themes": [str(kept.id)],
            "sentiment": "neutral",
        },
    )
    session.expire_all()
    human = set(
        session.exec(
            select(CommentTheme.theme_id)
            .where(CommentTheme.comment_id == comment.id)
            .where(CommentTheme.source == CodingSource.HUMAN)
        )
    )
    assert human == {retired.id, kept.id}
    decisions = session.exec(select(CodingDecision.decision, CodingDecision.theme_id)).all()
    assert sorted(decisions) == [(Decision.ACCEPT, kept.id)]


def test_a_hidden_comment_cannot_be_saved_from_the_review_page(client, session, org, themes):
    from models import get_user_by_email
    from models.agreement import SecondCoder, create_sample

    comment = add_comment(session, org, "In a sample", machine=[(themes[0], 0.9)])
    worker = get_user_by_email(session=session, email=WORKER)
    create_sample(
        session=session,
        organisation_id=org.id,
        codebook_id=get_active_codebook(session=session, organisation_id=org.id).id,
        comment_ids=[comment.id],
        second=SecondCoder.MACHINE,
        first_user_id=worker.id,
        second_user_id=None,
        created_by_id=worker.id,
    )
    session.commit()
    sign_in(client, WORKER)
    url = f"/staff/review/{comment.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="review-form"' not in page
    token = csrf_token(client, "/staff/review/")
    refused = client.post(url, data={"csrf_token": token, "sentiment": "neutral"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/staff/agreement")
    session.expire_all()
    assert session.get(Comment, comment.id).reviewed_at is None
    assert session.exec(select(CodingDecision)).all() == []


def test_save_and_next_in_the_reviewed_list_moves_on_and_does_not_loop(client, session, org):
    from datetime import timedelta

    comments = [add_comment(session, org, f"Done {n}") for n in range(3)]
    for n, comment in enumerate(comments):  # reviewed longest ago last: 0 newest, 2 oldest
        comment.reviewed_at = comment.created_at - timedelta(minutes=n)
        session.add(comment)
    session.commit()
    sign_in(client, WORKER)
    order = queue_ids(client, "?reviewed=yes")
    assert order == [c.id for c in comments]
    url = f"/staff/review/{order[1]}?reviewed=yes"
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "sentiment": "neutral"})
    assert saved.headers["Location"].startswith(f"/staff/review/{order[2]}")
