"""Answering a survey round through a personal invitation or its open link."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models import Response, ResponseStatus
from models.coding import Comment
from models.surveys import Anonymity, Invitation, Term, close_round, create_invitations, digest
from tests.conftest import csrf_token
from tests.surveys import answer_every_page, definition, make_round, send, start

SLUG = "parent-termly"


@pytest.fixture
def survey_round(session, demo, published):
    return make_round(session, demo.organisation.id)


def invite(session, survey_round, **person):
    [(invitation, token)] = create_invitations(
        session=session, survey_round=survey_round, people=[person or {"name": "Jo Parent"}]
    )
    session.commit()
    return invitation, token


def responses(session):
    session.expire_all()
    return list(session.exec(select(Response)))


def test_invitation_tokens_are_long_random_and_stored_only_as_a_hash(session, survey_round):
    invitation, token = invite(session, survey_round)
    _other, second = invite(session, survey_round)
    assert len(token) >= 22 and token != second  # 22 URL-safe characters hold 128 bits
    assert invitation.token_hash == digest(token)
    stored = session.exec(select(Invitation)).all()
    assert all(token not in (i.token_hash, i.name, i.reference) for i in stored)


def test_first_page_states_the_anonymity_mode(client, session, demo, published):
    for mode, words in [
        (Anonymity.NAMED, "Your name is kept with your answers"),
        (Anonymity.CONFIDENTIAL, "Only a few administrators can see who gave them"),
        (Anonymity.ANONYMOUS, "nothing links them to you or to your invitation"),
    ]:
        survey_round = make_round(
            session,
            demo.organisation.id,
            year=f"20{20 + list(Anonymity).index(mode)}/{21 + list(Anonymity).index(mode)}",
            anonymity=mode,
        )
        _invitation, token = invite(session, survey_round)
        page = client.get(f"/i/{token}").get_data(as_text=True)
        assert words in page, mode
        assert survey_round.closes_on.strftime("%-d %B %Y") in page
    open_page = client.get(f"/r/{survey_round.open_code}").get_data(as_text=True)
    assert "This link does not tell us who you are" in open_page


def test_an_invitation_is_answered_once_and_linked_in_a_confidential_round(
    client, session, survey_round
):
    invitation, token = invite(session, survey_round)
    assert start(client, f"/i/{token}").status_code == 302
    form = definition(session, survey_round)
    answer_every_page(client, form)
    assert send(client, SLUG).status_code == 302
    [response] = responses(session)
    assert response.status == ResponseStatus.SUBMITTED and response.round_id == survey_round.id
    assert response.channel == "online"
    session.refresh(invitation)
    assert invitation.responded and response.invitation_id == invitation.id

    again = client.get(f"/i/{token}")
    assert again.status_code == 409
    assert "You have already answered this survey" in again.get_data(as_text=True)
    csrf = csrf_token(client, "/resume")
    assert client.post(f"/i/{token}", data={"csrf_token": csrf}).status_code == 409
    assert len(responses(session)) == 1


def test_in_an_anonymous_round_nothing_links_the_response_to_the_invitation(
    client, session, demo, published
):
    survey_round = make_round(session, demo.organisation.id, anonymity=Anonymity.ANONYMOUS)
    invitation, token = invite(session, survey_round)
    start(client, f"/i/{token}")
    session.refresh(invitation)
    assert invitation.draft_response_id is not None  # while drafting, so the link resumes
    answer_every_page(client, definition(session, survey_round))
    send(client, SLUG)
    session.refresh(invitation)
    [response] = responses(session)
    assert invitation.responded
    assert invitation.draft_response_id is None and response.invitation_id is None


def test_the_invitation_link_resumes_the_same_response_in_another_browser(
    app, client, session, survey_round
):
    _invitation, token = invite(session, survey_round)
    start(client, f"/i/{token}")
    form = definition(session, survey_round)
    first = form.pages[0]
    url = f"/f/{SLUG}/pages/{first.id}"
    client.post(url, data={"csrf_token": csrf_token(client, url), **_likert(first)})

    phone = app.test_client()
    page = phone.get(f"/i/{token}").get_data(as_text=True)
    assert "Carry on where you stopped" in page
    carried = start(phone, f"/i/{token}")
    assert carried.status_code == 302 and f"/pages/{form.pages[1].id}" in carried.location
    assert len(responses(session)) == 1


def _likert(page):
    return {q.id: "agree" for q in page.questions if q.kind == "likert"}


def test_bad_links_get_their_own_clear_page(client, survey_round):
    bad = client.get("/i/not-a-real-token")
    assert bad.status_code == 404
    assert "This survey link does not work" in bad.get_data(as_text=True)
    assert client.get("/r/nope").status_code == 404
    csrf = csrf_token(client, "/resume")
    assert client.post("/i/" + "x" * 32, data={"csrf_token": csrf}).status_code == 404


def test_closed_and_upcoming_rounds_take_no_answers(client, session, demo, published):
    today = date.today()
    closed = make_round(
        session,
        demo.organisation.id,
        year="2025/26",
        opens=today - timedelta(days=40),
        closes=today - timedelta(days=10),
    )
    upcoming = make_round(
        session,
        demo.organisation.id,
        term=Term.SPRING,
        opens=today + timedelta(days=10),
        closes=today + timedelta(days=40),
    )
    _i, closed_token = invite(session, closed)
    page = client.get(f"/i/{closed_token}")
    assert page.status_code == 410 and "This survey has closed" in page.get_data(as_text=True)
    assert client.get(f"/r/{closed.open_code}").status_code == 410
    soon = client.get(f"/r/{upcoming.open_code}")
    assert soon.status_code == 403 and "This survey is not open yet" in soon.get_data(as_text=True)
    assert responses(session) == []


def test_a_round_closing_part_way_through_keeps_what_was_saved_but_takes_no_more(
    client, session, survey_round
):
    start(client, f"/r/{survey_round.open_code}")
    form = definition(session, survey_round)
    first = form.pages[0]
    url = f"/f/{SLUG}/pages/{first.id}"
    client.post(url, data={"csrf_token": csrf_token(client, url), **_likert(first)})
    close_round(session=session, survey_round=survey_round)
    session.commit()
    second = form.pages[1]
    csrf = csrf_token(client, "/resume")
    refused = client.post(
        f"/f/{SLUG}/pages/{second.id}", data={"csrf_token": csrf, **_likert(second)}
    )
    assert refused.status_code == 410
    sent = client.post(f"/f/{SLUG}/check-answers", data={"csrf_token": csrf})
    assert sent.status_code == 410 and "This survey has closed" in sent.get_data(as_text=True)
    [response] = responses(session)
    assert response.status == ResponseStatus.IN_PROGRESS
    assert set(response.answers) == {q.id for q in first.questions if q.kind == "likert"}


def test_a_double_submission_stores_one_response(client, session, survey_round):
    start(client, f"/r/{survey_round.open_code}")
    answer_every_page(client, definition(session, survey_round))
    url = f"/f/{SLUG}/check-answers"
    token = csrf_token(client, url)
    first = client.post(url, data={"csrf_token": token})
    second = client.post(url, data={"csrf_token": token})
    assert first.status_code == second.status_code == 302
    assert second.location.endswith("/confirmation")
    [response] = responses(session)
    assert response.status == ResponseStatus.SUBMITTED
    comments = session.exec(select(Comment).where(Comment.response_id == response.id)).all()
    assert len(comments) == 3  # working well, could be better, anything else: once each


def test_two_tabs_starting_one_invitation_make_one_response(app, client, session, survey_round):
    invitation, token = invite(session, survey_round)
    other_tab = app.test_client()
    csrf_one = csrf_token(client, f"/i/{token}")
    csrf_two = csrf_token(other_tab, f"/i/{token}")
    client.post(f"/i/{token}", data={"csrf_token": csrf_one})
    other_tab.post(f"/i/{token}", data={"csrf_token": csrf_two})
    assert len(responses(session)) == 1
    session.refresh(invitation)
    assert invitation.draft_response_id == responses(session)[0].id


def test_the_open_link_can_be_turned_off(client, session, survey_round):
    survey_round.open_link = False
    session.add(survey_round)
    session.commit()
    assert client.get(f"/r/{survey_round.open_code}").status_code == 404


def test_the_surveys_own_address_leads_to_the_round_open_now(client, survey_round):
    response = client.get(f"/f/{SLUG}")
    assert response.status_code == 302
    assert response.location.endswith(f"/r/{survey_round.open_code}")
    assert client.get("/f/school-termly").status_code == 200  # no round: the plain form


def test_an_invitations_only_round_says_so_at_the_surveys_own_address(
    client, session, survey_round
):
    survey_round.open_link = False
    session.add(survey_round)
    session.commit()
    page = client.get(f"/f/{SLUG}")
    assert page.status_code == 403
    assert "This survey is by invitation" in page.get_data(as_text=True)


def test_the_open_link_offers_to_carry_on_an_unfinished_response(client, session, survey_round):
    start(client, f"/r/{survey_round.open_code}")
    page = client.get(f"/r/{survey_round.open_code}").get_data(as_text=True)
    assert "Carry on where you stopped" in page and "Start again" in page
    assert client.get(f"/f/{SLUG}").status_code == 200  # the same offer at the survey's address


def test_starting_again_at_the_surveys_own_address_joins_the_open_round(
    client, session, survey_round
):
    start(client, f"/r/{survey_round.open_code}")
    again = start(client, f"/f/{SLUG}")  # "Start again" on the carry-on page
    assert again.status_code == 302
    assert {r.round_id for r in responses(session)} == {survey_round.id}
    assert len(responses(session)) == 2
