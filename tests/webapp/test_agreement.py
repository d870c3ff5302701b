"""Double coding: samples coded blind by two people (or a person and the machine), Cohen's
kappa per theme and pooled, the disagreements, the "coding agreed" gate and its settings."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event
from sqlmodel import select

from models import Role, UserCreate, create_user, get_user_by_email
from models.agreement import (
    AgreementCoding,
    AgreementSample,
    SecondCoder,
    create_sample,
    hidden_from,
    save_coding,
)
from models.audit import AuditEvent
from models.coding import (
    Codebook,
    CodebookStatus,
    CodingSource,
    Comment,
    Theme,
    add_themes,
    code_comment,
    create_codebook,
    list_themes,
    save_comment,
)
from models.organisations import OrganisationCreate, create_organisation
from models.review import AnalysisSettings
from models.surveys import SurveyRound, Term
from tests.conftest import csrf_token, make_app
from tests.surveys import add_responses, make_round, parent_answers
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.test_yswd import as_role, post
from webapp.staff_agreement import band, kappa_text, parse_number

BASE = "/staff/agreement"


@pytest.fixture
def app(database_url):
    """The usual test app, letting one test sign in as each coder in turn more than 5 times."""
    app = make_app(database_url, HEARD_LOGIN_LIMITS="100 per minute")
    yield app
    app.extensions["heard.engine"].dispose()


@dataclass
class Setup:
    survey_round: SurveyRound
    comments: list[Comment]  # in id order, which is the order the coding pages show them
    waiting: Theme
    transport: Theme
    other: Theme  # a theme of the demo codebook, which is no longer the active one


def add_comments(session, survey_round, texts):
    responses = add_responses(session, survey_round, [parent_answers("agree")] * len(texts))
    made = [
        save_comment(
            session=session,
            organisation_id=survey_round.organisation_id,
            response_id=response.id,
            question_id="could-be-better",
            text_redacted=text,
            sentiment="negative",
            flagged=False,
        )
        for response, text in zip(responses, texts, strict=True)
    ]
    session.commit()
    return made


@pytest.fixture
def setup(session, demo, published):
    """An active codebook of two themes, and a round with five comments."""
    organisation_id = demo.organisation.id
    [old] = session.exec(select(Codebook).where(Codebook.organisation_id == organisation_id)).all()
    codebook = create_codebook(
        session=session,
        organisation_id=organisation_id,
        name="Parent themes",
        status=CodebookStatus.ACTIVE,
        themes=[
            {"key": "waiting", "name": "Waiting times"},
            {"key": "transport", "name": "School transport"},
        ],
    )
    themes = {t.key: t for t in list_themes(session=session, codebook_id=codebook.id)}
    survey_round = make_round(session, organisation_id)
    comments = add_comments(
        session,
        survey_round,
        [
            "We waited a year for the assessment.",
            "Nobody called us back about the plan.",
            "The taxi was late and the wait for a plan was longer.",
            "The teachers were kind.",
            "The bus never came, and we are still waiting.",
        ],
    )
    return Setup(
        survey_round,
        comments,
        themes["waiting"],
        themes["transport"],
        list_themes(session=session, codebook_id=old.id)[0],
    )


def user_id(session, role: Role) -> int:
    return get_user_by_email(session=session, email=DEMO_EMAILS[role]).id


def soup_of(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def words(node) -> str:
    """A node's words as a reader sees them, with tags and extra spaces gone."""
    text = re.sub(r"\s+", " ", node.get_text(" ")).strip()
    return re.sub(r" ([:.,])", r"\1", text)


def send_start(client, data):
    """Post the start form as a browser would, the first coder left as the page chose."""
    page = soup_of(client, f"{BASE}/new")
    chosen = page.select_one("#first option[selected]")
    sent = {"csrf_token": page.find("input", {"name": "csrf_token"})["value"], "size": "30"}
    if chosen is not None:
        sent["first"] = chosen["value"]
        where = page.select_one("#survey_round option[selected]")
        sent["survey_round"] = where["value"] if where else ""
    return client.post(f"{BASE}/new", data={**sent, **data})


def start(client, **data) -> int:
    """Start a sample as the signed-in person; return its id."""
    response = send_start(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def start_errors(client, **data) -> list[str]:
    response = send_start(client, data)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [words(a) for a in soup.select(".govuk-error-summary a")]


def code_page(client, sample_id, comment=None) -> BeautifulSoup:
    query = f"?comment={comment}" if comment else ""
    return soup_of(client, f"{BASE}/{sample_id}/code{query}")


def code_next(client, sample_id, themes_for) -> int:
    """Code the comment the coding page offers next; return its id."""
    page = code_page(client, sample_id)
    comment_id = int(page.find("input", {"name": "comment"})["value"])
    chosen = [str(t) for t in themes_for[comment_id]] or ["none"]
    token = page.find("input", {"name": "csrf_token"})["value"]
    response = client.post(
        f"{BASE}/{sample_id}/code",
        data={"csrf_token": token, "comment": comment_id, "themes": chosen},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return comment_id


def code_all(client, sample_id, themes_for) -> None:
    for _ in themes_for:
        code_next(client, sample_id, themes_for)


def checked(page: BeautifulSoup) -> set[str]:
    return {box["value"] for box in page.select("input[name=themes]") if box.has_attr("checked")}


def two_coders(client, session, setup) -> int:
    """A two-person sample of the round's five comments, coded through the pages.

    The codings are chosen so the result can be worked by hand:

        comment          1    2    3      4    5
        first coder      W    W    W, T   -    -
        second coder     W    -    W, T   -    W

    Waiting times (W): both 2, only first 1 (comment 2), only second 1 (comment 5),
    neither 1. Observed agreement po = 3/5 = 0.6. The first says yes 3/5 and the second
    3/5, so chance agreement pe = 0.6 x 0.6 + 0.4 x 0.4 = 0.52, and
    kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 0.1667, shown as 0.17.

    School transport (T): both 1 (comment 3), neither 4. po = 1; each says yes 1/5, so
    pe = 0.2 x 0.2 + 0.8 x 0.8 = 0.68, and kappa = (1 - 0.68) / (1 - 0.68) = 1.00, 100%.

    Overall, the pooled kappa (De Vries and others, 2008) averages po and pe over the
    two themes: mean po = (0.6 + 1) / 2 = 0.8, mean pe = (0.52 + 0.68) / 2 = 0.6, and
    kappa = (0.8 - 0.6) / (1 - 0.6) = 0.2 / 0.4 = 0.5 exactly: moderate, below the
    default threshold of 0.6, and just at a threshold of 0.5. (All 10 decisions added
    into one table, both 3, only first 1, only second 1, neither 5, would give
    po 0.8, pe 0.4 x 0.4 + 0.6 x 0.6 = 0.52 and 0.28 / 0.48 = 0.58 instead.)
    """
    w, t = setup.waiting.id, setup.transport.id
    c = [comment.id for comment in setup.comments]
    as_role(client, Role.PARTICIPATION)
    sample_id = start(
        client,
        survey_round=str(setup.survey_round.id),
        first=str(user_id(session, Role.PARTICIPATION)),
        second=str(user_id(session, Role.OFFICER)),
    )
    code_all(client, sample_id, {c[0]: [w], c[1]: [w], c[2]: [w, t], c[3]: [], c[4]: []})
    as_role(client, Role.OFFICER)
    code_all(client, sample_id, {c[0]: [w], c[1]: [], c[2]: [w, t], c[3]: [], c[4]: [w]})
    return sample_id


def theme_row(page: BeautifulSoup, name: str) -> dict[str, str]:
    row = page.select_one(f'#results tr[data-theme="{name}"]')
    assert row is not None, name
    return {
        key: words(row.select_one(f"[data-{key}]"))
        for key in ("kappa", "both", "first-only", "second-only", "neither", "observed")
    }


def test_two_people_code_a_sample_and_the_page_shows_kappa_worked_by_hand(client, session, setup):
    sample_id = two_coders(client, session, setup)
    sample = session.get(AgreementSample, sample_id)
    assert sample.second == SecondCoder.PERSON
    assert sorted(sample.comment_ids) == [c.id for c in setup.comments]
    assert sample.round_id == setup.survey_round.id

    page = soup_of(client, f"{BASE}/{sample_id}")
    assert words(page.select_one("[data-overall]")) == "Overall kappa 0.50: moderate agreement"
    assert theme_row(page, "Waiting times") == {
        "kappa": "0.17 Weak agreement",
        "both": "2",
        "first-only": "1",
        "second-only": "1",
        "neither": "1",
        "observed": "60%",
    }
    assert theme_row(page, "School transport") == {
        "kappa": "1.00 Almost perfect agreement",
        "both": "1",
        "first-only": "0",
        "second-only": "0",
        "neither": "4",
        "observed": "100%",
    }
    assert "Landis and Koch" in words(page.select_one("#results"))
    assert words(page.select_one("[data-overall-hint]")) == (
        "The overall kappa is the pooled kappa (De Vries and others, 2008): the average "
        "agreement over themes, corrected for the average agreement expected by chance."
    )
    assert "the same decision on 80% of 10 decisions" in words(page.select_one("#results"))
    # The disagreements: comments 2 and 5, on waiting times, with what each coder said.
    cards = page.select("[data-disagreement]")
    assert [card["data-disagreement"] for card in cards] == ["2", "5"]
    second = words(cards[0])
    assert setup.comments[1].text_redacted in second
    assert "Waiting times Gave this theme Did not" in second
    assert "Priya Participation" in second and "Olu Officer" in second
    assert "Waiting times Did not Gave this theme" in words(cards[1])
    assert "School transport" not in words(cards[1])
    assert setup.comments[0].text_redacted not in words(page.select_one("#results"))
    # Each coder's choices were kept as they made them.
    firsts = {
        c.comment_id: c.theme_ids
        for c in session.exec(select(AgreementCoding).where(AgreementCoding.slot == 1))
    }
    assert firsts[setup.comments[3].id] == [] and firsts[setup.comments[4].id] == []
    assert firsts[setup.comments[2].id] == sorted([setup.waiting.id, setup.transport.id])
    # The list shows the result and who coded.
    listed = words(soup_of(client, BASE).select_one(f'[data-sample="{sample_id}"]'))
    assert "Kappa 0.50" in listed and "5 of 5 coded" in listed
    assert "Coding not agreed yet" in listed
    # Now both have finished, the coding is fixed.
    response = client.get(f"{BASE}/{sample_id}/code")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"{BASE}/{sample_id}"
    )
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert actions.count("agreement.started") == 1
    assert actions.count("agreement.coder_finished") == 2


def test_the_coding_page_shows_one_comment_with_the_themes_and_checks_the_answer(
    client, session, setup
):
    # A theme under waiting times comes straight after it, with its parent as a hint.
    codebook = session.get(Codebook, setup.waiting.codebook_id)
    [child] = add_themes(
        session=session,
        codebook=codebook,
        themes=[{"key": "assessment", "name": "Assessment waits", "parent": "waiting"}],
    )
    session.commit()
    as_role(client, Role.PARTICIPATION)
    sample_id = start(client, survey_round="", second=str(user_id(session, Role.OFFICER)))
    sample = session.get(AgreementSample, sample_id)
    # Every comment of the organisation was a candidate; there are five.
    assert len(sample.comment_ids) == 5
    assert sample.first_user_id == user_id(session, Role.PARTICIPATION)  # the default: you
    page = code_page(client, sample_id)
    assert words(page.h1) == "Code comment 1 of 5"
    assert words(page.select_one("[data-progress]")) == "0 of 5 coded"
    assert words(page.select_one("[data-comment]")) == setup.comments[0].text_redacted
    boxes = page.select("input[name=themes]")
    assert [b["value"] for b in boxes] == [
        str(setup.waiting.id),
        str(child.id),
        str(setup.transport.id),
        "none",
    ]
    assert boxes[-1]["data-behaviour"] == "exclusive"
    hint = page.select_one(f"#{boxes[1]['id']}-item-hint")
    assert words(hint) == "Part of Waiting times"
    assert page.select_one(f"#{boxes[0]['id']}-item-hint") is None
    assert words(page.select_one("main form button")) == "Save and next"
    # Nothing chosen, or a theme and "none" together, is refused with a message.
    token = csrf_token(client, f"{BASE}/{sample_id}/code")
    target = f"{BASE}/{sample_id}/code"
    first = setup.comments[0].id
    refused = client.post(target, data={"csrf_token": token, "comment": first})
    assert "Select the themes this comment raises" in refused.get_data(as_text=True)
    both = {"csrf_token": token, "comment": first, "themes": [str(setup.waiting.id), "none"]}
    assert "not both" in client.post(target, data=both).get_data(as_text=True)
    # A comment that is not in the sample is refused.
    other = {"csrf_token": token, "comment": 999999, "themes": ["none"]}
    assert client.post(target, data=other).status_code == 400
    assert session.exec(select(AgreementCoding)).all() == []
    # Saving moves on to the next comment.
    code_next(client, sample_id, {first: [setup.waiting.id]})
    page = code_page(client, sample_id)
    assert words(page.h1) == "Code comment 2 of 5"
    assert words(page.select_one("[data-progress]")) == "1 of 5 coded"
    # The coder can go back and sees their own choice.
    back = page.select_one(".govuk-back-link")
    assert back["href"].endswith(f"/code?comment={first}")
    assert checked(code_page(client, sample_id, first)) == {str(setup.waiting.id)}


def test_nobody_sees_the_other_coders_themes_until_both_have_finished(client, session, setup):
    w, t = setup.waiting.id, setup.transport.id
    c = [comment.id for comment in setup.comments]
    as_role(client, Role.PARTICIPATION)
    sample_id = start(
        client,
        survey_round=str(setup.survey_round.id),
        second=str(user_id(session, Role.OFFICER)),
    )
    # The second coder goes first and gives the first comment both themes.
    as_role(client, Role.OFFICER)
    code_next(client, sample_id, {c[0]: [w, t]})
    as_role(client, Role.PARTICIPATION)
    page = code_page(client, sample_id)
    assert page.find("input", {"name": "comment"})["value"] == str(c[0])
    assert checked(page) == set()
    assert words(page.select_one("[data-progress]")) == "0 of 5 coded"  # my own count only
    code_next(client, sample_id, {c[0]: [t]})
    assert checked(code_page(client, sample_id, c[0])) == {str(t)}
    code_all(client, sample_id, {c[1]: [], c[2]: [], c[3]: [], c[4]: [w]})
    # The first coder has finished; the other has not, so only progress is shown.
    finished = client.get(f"{BASE}/{sample_id}/code")
    assert finished.status_code == 302 and finished.headers["Location"].endswith(
        f"{BASE}/{sample_id}"
    )
    sample_page = soup_of(client, f"{BASE}/{sample_id}")
    assert sample_page.select_one("#results") is None
    assert sample_page.select_one("[data-waiting]") is not None
    assert "Overall kappa" not in words(sample_page)
    assert "1 of 5 coded" in words(sample_page) and "5 of 5 coded" in words(sample_page)
    # The second coder sees nothing of the first's choices either.
    as_role(client, Role.OFFICER)
    page = code_page(client, sample_id)
    assert page.find("input", {"name": "comment"})["value"] == str(c[1])
    assert checked(page) == set()
    assert checked(code_page(client, sample_id, c[0])) == {str(w), str(t)}  # their own
    assert checked(code_page(client, sample_id, c[4])) == set()


def test_a_person_and_the_machine_the_machines_themes_are_copied_when_the_sample_starts(
    client, session, setup
):
    w, t = setup.waiting.id, setup.transport.id
    c = setup.comments
    # The machine suggested themes; one suggestion is from an older codebook and is left out.
    code_comment(session=session, comment=c[0], theme_ids={w: 0.9}, source=CodingSource.MACHINE)
    code_comment(
        session=session, comment=c[2], theme_ids={w: 0.8, t: 0.7}, source=CodingSource.MACHINE
    )
    code_comment(
        session=session, comment=c[4], theme_ids={setup.other.id: 0.9}, source=CodingSource.MACHINE
    )
    # A person's own coding is not the machine's.
    code_comment(session=session, comment=c[1], theme_ids={t: None}, source=CodingSource.HUMAN)
    session.commit()
    as_role(client, Role.PARTICIPATION)
    sample_id = start(client, survey_round=str(setup.survey_round.id), second="machine")
    sample = session.get(AgreementSample, sample_id)
    assert sample.second == SecondCoder.MACHINE and sample.second_user_id is None
    copied = {
        row.comment_id: row.theme_ids
        for row in session.exec(
            select(AgreementCoding)
            .where(AgreementCoding.sample_id == sample_id)
            .where(AgreementCoding.slot == 2)
        )
    }
    assert copied == {c[0].id: [w], c[1].id: [], c[2].id: sorted([w, t]), c[3].id: [], c[4].id: []}
    # The machine learns something new afterwards: the sample keeps what it said then.
    code_comment(session=session, comment=c[0], theme_ids={t: 0.9}, source=CodingSource.MACHINE)
    session.commit()
    # The person never sees the machine's suggestions while coding.
    page = code_page(client, sample_id)
    assert checked(page) == set()
    assert "0.9" not in words(page) and "suggest" not in words(page).lower()
    assert "You will not see the machine’s themes" in words(page)
    listed = soup_of(client, f"{BASE}/{sample_id}")
    assert listed.select_one("#results") is None
    # The person agrees with what the machine had said, so kappa is 1 on every count.
    code_all(
        client,
        sample_id,
        {c[0].id: [w], c[1].id: [], c[2].id: [w, t], c[3].id: [], c[4].id: []},
    )
    page = soup_of(client, f"{BASE}/{sample_id}")
    assert (
        words(page.select_one("[data-overall]")) == "Overall kappa 1.00: almost perfect agreement"
    )
    assert theme_row(page, "Waiting times")["both"] == "2"
    assert page.select("[data-disagreement]") == []
    assert "The machine" in words(page)


def test_the_machine_must_have_coded_something_to_be_a_second_coder(client, session, setup):
    as_role(client, Role.PARTICIPATION)
    errors = start_errors(client, survey_round="", second="machine")
    assert errors == [
        "The machine has not suggested themes for any of these comments yet. "
        "Retrain the coder first, or choose a person"
    ]
    assert session.exec(select(AgreementSample)).all() == []


def test_a_sample_is_refused_clearly_when_it_cannot_be_coded(client, session, demo, setup):
    officer = str(user_id(session, Role.OFFICER))
    me = str(user_id(session, Role.PARTICIPATION))
    as_role(client, Role.PARTICIPATION)
    new_page = soup_of(client, f"{BASE}/new")
    assert new_page.select_one("#size")["value"] == "30"
    assert new_page.select_one("#first option[selected]")["value"] == me
    offered = [o["value"] for o in new_page.select("#second option")]
    # People who can code: not the safeguarding lead or the reviewer.
    assert offered[:2] == ["", "machine"]
    assert set(offered[2:]) == {
        str(user_id(session, r)) for r in (Role.ADMIN, Role.OFFICER, Role.PARTICIPATION)
    }
    assert start_errors(client, size="4", second=officer) == [
        "The sample size must be a whole number from 5 to 200"
    ]
    assert start_errors(client, size="201", second=officer) == [
        "The sample size must be a whole number from 5 to 200"
    ]
    assert start_errors(client, size="ten", second=officer) == [
        "The sample size must be a whole number from 5 to 200"
    ]
    assert start_errors(client, size="", second=officer) == ["Enter the sample size"]
    assert start_errors(client, first=me, second=me) == [
        "Select a different person from the first coder"
    ]
    assert start_errors(client, first=me, second="") == ["Select the second coder"]
    # A round with no comments yet, and one with fewer than a sample needs.
    empty = make_round(session, demo.organisation.id, term=Term.SPRING)
    assert start_errors(client, survey_round=str(empty.id), first=me, second=officer) == [
        "There are no comments to sample in this round"
    ]
    small = make_round(session, demo.organisation.id, term=Term.SUMMER)
    add_comments(session, small, ["One.", "Two.", "Three."])
    assert start_errors(client, survey_round=str(small.id), first=me, second=officer) == [
        "There are only 3 comments in this round, and a sample needs 5 or more"
    ]
    assert session.exec(select(AgreementSample)).all() == []
    # With no active codebook there is nothing to code against.
    for codebook in session.exec(select(Codebook)):
        codebook.status = CodebookStatus.DRAFT
        session.add(codebook)
    session.commit()
    page = soup_of(client, f"{BASE}/new")
    assert "There is no active codebook" in words(page.select_one(".govuk-warning-text"))
    assert page.select_one("#size") is None
    response = post(client, f"{BASE}/new", {"size": "30", "first": me, "second": officer}, BASE)
    assert response.status_code == 200
    assert session.exec(select(AgreementSample)).all() == []
    # Nor with an active codebook that has no themes in use.
    create_codebook(
        session=session,
        organisation_id=demo.organisation.id,
        name="Empty",
        status=CodebookStatus.ACTIVE,
        themes=[],
    )
    session.commit()
    warning = words(soup_of(client, f"{BASE}/new").select_one(".govuk-warning-text"))
    assert "The active codebook, Empty, has no themes in use" in warning


def test_a_round_is_marked_coding_agreed_only_when_kappa_reaches_the_threshold(
    client, session, setup
):
    sample_id = two_coders(client, session, setup)  # pooled kappa exactly 0.5
    agree = f"{BASE}/{sample_id}/agree"
    # The default threshold, 0.6, asks for more than this sample reached.
    as_role(client, Role.PARTICIPATION)
    page = soup_of(client, f"{BASE}/{sample_id}")
    reason = (
        "Kappa is 0.50, below the 0.60 your organisation needs to mark a round’s coding "
        "agreed. Discuss the disagreements, agree how to use the themes, then code a new sample."
    )
    assert words(page.select_one("[data-blocked]")) == reason
    assert page.find("form", action=agree) is None
    refused = post(client, agree, {}, f"{BASE}/{sample_id}")
    assert refused.status_code == 302
    after = soup_of(client, refused.headers["Location"])
    assert reason in words(after.select_one(".govuk-notification-banner"))
    session.expire_all()
    assert session.get(SurveyRound, setup.survey_round.id).coding_agreed_at is None
    # With the threshold lowered to the sample's kappa, it can be marked.
    as_role(client, Role.ADMIN)
    settings = {"min_kappa": "0.5", "retrain_after": "50", "min_theme_f1": "0.5"}
    assert post(client, f"{BASE}/settings", settings).status_code == 302
    as_role(client, Role.OFFICER)
    page = soup_of(client, f"{BASE}/{sample_id}")
    assert page.select_one("[data-blocked]") is None
    assert page.find("form", action=agree) is not None
    assert post(client, agree, {}, f"{BASE}/{sample_id}").status_code == 302
    session.expire_all()
    marked = session.get(SurveyRound, setup.survey_round.id)
    assert marked.coding_kappa == 0.5
    assert marked.coding_agreed_by_id == user_id(session, Role.OFFICER)
    assert marked.coding_agreed_at is not None
    today = datetime.now(ZoneInfo("Europe/London"))
    status = f"Coding agreed on {today.day} {today:%B} {today.year}, kappa 0.50"
    listed = soup_of(client, BASE).select_one(f'[data-sample="{sample_id}"] [data-round-status]')
    assert words(listed) == status
    assert status in words(soup_of(client, f"/staff/surveys/{setup.survey_round.id}"))
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "agreement.round_agreed"))
    assert event.object_id == str(setup.survey_round.id)
    assert event.details["sample"] == sample_id and event.details["kappa"] == 0.5
    # Once agreed it stays so: marking again is refused.
    again = post(client, agree, {}, f"{BASE}/{sample_id}")
    assert "already agreed" in words(soup_of(client, again.headers["Location"]))
    assert (
        len(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "agreement.round_agreed")
            ).all()
        )
        == 1
    )


def test_an_unfinished_sample_or_one_of_all_comments_cannot_mark_a_round(client, session, setup):
    as_role(client, Role.PARTICIPATION)
    officer = str(user_id(session, Role.OFFICER))
    sample_id = start(client, survey_round=str(setup.survey_round.id), second=officer)
    page = soup_of(client, f"{BASE}/{sample_id}")
    assert words(page.select_one("[data-round-status]")) == "Coding not agreed yet."
    response = post(client, f"{BASE}/{sample_id}/agree", {}, f"{BASE}/{sample_id}")
    assert "Both coders must finish" in words(soup_of(client, response.headers["Location"]))
    session.expire_all()
    assert session.get(SurveyRound, setup.survey_round.id).coding_agreed_at is None
    everything = start(client, survey_round="", second=officer)
    assert post(client, f"{BASE}/{everything}/agree", {}, BASE).status_code == 404


def test_only_an_administrator_changes_the_settings_and_bad_numbers_get_messages(
    client, session, demo
):
    for role in (Role.PARTICIPATION, Role.OFFICER, Role.REVIEWER):
        as_role(client, role)
        assert client.get(f"{BASE}/settings").status_code == 403
        token = csrf_token(client, "/staff/")
        response = client.post(
            f"{BASE}/settings",
            data={"csrf_token": token, "min_kappa": "0", "retrain_after": "1", "min_theme_f1": "0"},
        )
        assert response.status_code == 403
    assert session.exec(select(AnalysisSettings)).all() == []
    as_role(client, Role.ADMIN)
    page = soup_of(client, f"{BASE}/settings")
    assert [
        page.select_one(f"#{name}")["value"]
        for name in ("min_kappa", "retrain_after", "min_theme_f1")
    ] == ["0.6", "50", "0.5"]
    assert page.select_one("#min_kappa")["inputmode"] == "decimal"
    bad = {"min_kappa": "1.5", "retrain_after": "0", "min_theme_f1": ""}
    response = post(client, f"{BASE}/settings", bad)
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.title.get_text().startswith("Error:")
    assert [words(a) for a in soup.select(".govuk-error-summary a")] == [
        "The kappa needed must be a number from 0 to 1, like 0.6",
        "The number of decisions must be a whole number from 1 to 10,000",
        "Enter the lowest F1 score before a theme needs more examples",
    ]
    assert "Error: The kappa needed must be" in words(soup.select_one("#min_kappa-error"))
    wrong = {"min_kappa": "high", "retrain_after": "2.5", "min_theme_f1": "-0.1"}
    soup = BeautifulSoup(
        post(client, f"{BASE}/settings", wrong).get_data(as_text=True), "html.parser"
    )
    assert len(soup.select(".govuk-error-summary a")) == 3
    assert session.exec(select(AnalysisSettings)).all() == []
    good = {"min_kappa": "0.75", "retrain_after": "1,000", "min_theme_f1": "0.4"}
    assert post(client, f"{BASE}/settings", good).status_code == 302
    session.expire_all()
    [saved] = session.exec(select(AnalysisSettings)).all()
    assert (saved.min_kappa, saved.retrain_after, saved.min_theme_f1) == (0.75, 1000, 0.4)
    assert saved.organisation_id == demo.organisation.id
    assert saved.updated_by_id == user_id(session, Role.ADMIN)
    page = soup_of(client, f"{BASE}/settings")
    assert page.select_one("#retrain_after")["value"] == "1000"
    assert "Last changed by Alex Admin" in words(page)
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "agreement.settings_changed")
    )
    assert event.details["before"]["min_kappa"] == 0.6
    assert event.details["after"] == {"min_kappa": 0.75, "retrain_after": 1000, "min_theme_f1": 0.4}
    assert "0.75" in words(soup_of(client, BASE))


def test_only_the_samples_own_coders_may_code_it(client, session, setup):
    as_role(client, Role.PARTICIPATION)
    sample_id = start(client, survey_round="", second=str(user_id(session, Role.OFFICER)))
    as_role(client, Role.ADMIN)
    assert client.get(f"{BASE}/{sample_id}/code").status_code == 403
    token = csrf_token(client, f"{BASE}/new")
    data = {"csrf_token": token, "comment": setup.comments[0].id, "themes": ["none"]}
    assert client.post(f"{BASE}/{sample_id}/code", data=data).status_code == 403
    assert session.exec(select(AgreementCoding)).all() == []
    # The administrator can still follow the sample's progress, with no way in to code.
    page = soup_of(client, f"{BASE}/{sample_id}")
    assert page.find("a", href=f"{BASE}/{sample_id}/code") is None
    # Roles that do not code cannot open the pages at all.
    for role in (Role.SAFEGUARDING, Role.REVIEWER):
        as_role(client, role)
        for url in (BASE, f"{BASE}/new", f"{BASE}/{sample_id}", f"{BASE}/{sample_id}/code"):
            assert client.get(url).status_code == 403, (role, url)


def test_another_organisations_sample_is_not_found(client, session, setup):
    other = create_organisation(session=session, data=OrganisationCreate(slug="hull", name="Hull"))
    people = [
        create_user(
            session=session,
            organisation_id=other.id,
            data=UserCreate(
                email=f"coder{n}@hull.example",
                full_name=f"Coder {n}",
                role=Role.PARTICIPATION,
                password="correct-horse-battery",
            ),
        )
        for n in (1, 2)
    ]
    codebook = create_codebook(
        session=session,
        organisation_id=other.id,
        name="Hull themes",
        status=CodebookStatus.ACTIVE,
        themes=[{"key": "waiting", "name": "Waiting"}],
    )
    comment = save_comment(
        session=session,
        organisation_id=other.id,
        response_id=None,
        question_id="q",
        text_redacted="A comment in Hull.",
        sentiment="",
        flagged=False,
    )
    sample = create_sample(
        session=session,
        organisation_id=other.id,
        codebook_id=codebook.id,
        comment_ids=[comment.id],
        second=SecondCoder.PERSON,
        first_user_id=people[0].id,
        second_user_id=people[1].id,
        created_by_id=people[0].id,
    )
    session.commit()
    as_role(client, Role.PARTICIPATION)
    for url in (f"{BASE}/{sample.id}", f"{BASE}/{sample.id}/code"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, f"{BASE}/new")
    assert client.post(f"{BASE}/{sample.id}/agree", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{BASE}/{sample.id}/code", data={"csrf_token": token}).status_code == 404
    assert "A comment in Hull." not in client.get(BASE).get_data(as_text=True)
    # Nor can a sample be drawn from a round that is not offered.
    assert start_errors(
        client, survey_round="999999", second=str(user_id(session, Role.OFFICER))
    ) == ["Not a valid choice."]


def test_kappa_is_written_to_two_places_with_its_band_in_plain_words():
    assert [kappa_text(k) for k in (None, 0.6, 1 / 6, -0.25, -0.004, 1.0)] == [
        "Not enough to compare",
        "0.60",
        "0.17",
        "\u22120.25",
        "0.00",
        "1.00",
    ]
    assert [band(k) for k in (None, -0.1, 0.0, 0.39, 0.4, 0.59, 0.6, 0.79, 0.8, 1.0)] == [
        "Not enough to compare",
        "Less agreement than chance",
        "Weak agreement",
        "Weak agreement",
        "Moderate agreement",
        "Moderate agreement",
        "Substantial agreement",
        "Substantial agreement",
        "Almost perfect agreement",
        "Almost perfect agreement",
    ]
    assert parse_number("1,000", whole=True) == 1000
    assert parse_number("0.75", whole=False) == 0.75
    assert [parse_number(t, whole=False) for t in ("nan", "inf", "high", "")] == [None] * 4
    assert parse_number("2.5", whole=True) is None


def test_a_sample_never_includes_a_comment_that_raised_a_safeguarding_concern(session, setup):
    from models.agreement import sample_comments

    flagged = setup.comments[0]
    flagged.flagged = True
    session.add(flagged)
    session.commit()
    chosen = sample_comments(
        session=session,
        organisation_id=setup.survey_round.organisation_id,
        size=50,
        round_id=setup.survey_round.id,
        seed=1,
    )
    assert chosen == sorted(c.id for c in setup.comments[1:])


class Statements:
    """Counts the SQL statements run on an engine while in use."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _seen(self, *args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_while_a_person_sample_is_coded_its_comments_are_hidden_from_both_coders(
    app, session, setup
):
    organisation_id = setup.survey_round.organisation_id
    me, officer = user_id(session, Role.PARTICIPATION), user_id(session, Role.OFFICER)
    admin = user_id(session, Role.ADMIN)
    c = [comment.id for comment in setup.comments]
    sample = create_sample(
        session=session,
        organisation_id=organisation_id,
        codebook_id=setup.waiting.codebook_id,
        comment_ids=c[:3],
        second=SecondCoder.PERSON,
        first_user_id=me,
        second_user_id=officer,
        created_by_id=me,
    )
    session.commit()

    def hidden(person, comment_ids=c):
        return hidden_from(
            session=session,
            organisation_id=organisation_id,
            user_id=person,
            comment_ids=comment_ids,
        )

    # Only the sample's comments, and only from its two coders.
    assert hidden(me) == hidden(officer) == set(c[:3])
    assert hidden(admin) == set()
    assert hidden(me, [c[1], c[4]]) == {c[1]}
    assert hidden(me, []) == set()
    assert hidden_from(session=session, organisation_id=0, user_id=me, comment_ids=c) == set()
    # Once I have coded a comment, it is mine to see; the other coder still has not.
    save_coding(session=session, sample=sample, comment_id=c[0], slot=1, user_id=me, theme_ids=[])
    session.commit()
    assert hidden(me) == {c[1], c[2]}
    assert hidden(officer) == set(c[:3])
    # Two statements at most, however many comments are asked about.
    with Statements(app.extensions["heard.engine"]) as statements:
        hidden(me)
    assert statements.count <= 2
    # When both have finished, nothing is hidden.
    for comment_id in c[1:3]:
        save_coding(
            session=session, sample=sample, comment_id=comment_id, slot=1, user_id=me, theme_ids=[]
        )
    session.commit()
    assert hidden(me) == set()
    assert hidden(officer) == set(c[:3])
    for comment_id in c[:3]:
        save_coding(
            session=session,
            sample=sample,
            comment_id=comment_id,
            slot=2,
            user_id=officer,
            theme_ids=[setup.waiting.id],
        )
    session.commit()
    assert hidden(me) == hidden(officer) == set()


def test_with_the_machine_as_second_coder_the_person_is_kept_from_its_suggestions(session, setup):
    organisation_id = setup.survey_round.organisation_id
    me, officer = user_id(session, Role.PARTICIPATION), user_id(session, Role.OFFICER)
    c = setup.comments
    code_comment(
        session=session,
        comment=c[0],
        theme_ids={setup.waiting.id: 0.9},
        source=CodingSource.MACHINE,
    )
    ids = [comment.id for comment in c]
    sample = create_sample(
        session=session,
        organisation_id=organisation_id,
        codebook_id=setup.waiting.codebook_id,
        comment_ids=ids[:2],
        second=SecondCoder.MACHINE,
        first_user_id=me,
        second_user_id=None,
        created_by_id=me,
    )
    session.commit()

    def hidden(person):
        return hidden_from(
            session=session, organisation_id=organisation_id, user_id=person, comment_ids=ids
        )

    # The machine's slot was filled when the sample started; mine was not.
    assert hidden(me) == set(ids[:2])
    assert hidden(officer) == set()  # not a coder of this sample
    save_coding(session=session, sample=sample, comment_id=ids[0], slot=1, user_id=me, theme_ids=[])
    session.commit()
    assert hidden(me) == {ids[1]}
    # A second unfinished sample of mine with the same comment keeps it hidden.
    create_sample(
        session=session,
        organisation_id=organisation_id,
        codebook_id=setup.waiting.codebook_id,
        comment_ids=[ids[0], ids[3]],
        second=SecondCoder.PERSON,
        first_user_id=officer,
        second_user_id=me,
        created_by_id=officer,
    )
    session.commit()
    assert hidden(me) == {ids[0], ids[1], ids[3]}
    assert hidden(officer) == {ids[0], ids[3]}
    save_coding(session=session, sample=sample, comment_id=ids[1], slot=1, user_id=me, theme_ids=[])
    session.commit()
    assert hidden(me) == {ids[0], ids[3]}
