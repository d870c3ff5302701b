"""“You said, we did”: drafting from themes, quotes, the workflow, the public page and files."""

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from models import Role
from models.audit import AuditEvent
from models.yswd import EntryState, FollowUp, StepKind, YswdEntry, YswdStep, entry_quotes
from tests.conftest import csrf_token, sign_in
from tests.free_to_write import watch_pages
from tests.mail import REFUSED, fake_smtp
from tests.same_instant import same_instant
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.yswd import coded_term
from webapp import staff_yswd_edits

BASE = "/staff/you-said-we-did"


@pytest.fixture
def term(session, demo, published):
    return coded_term(session, demo.organisation.id)


def scope(term) -> str:
    return f"parents|{term.survey_round.academic_year}|autumn"


def sign_out(client) -> None:
    page = client.get("/accessibility").get_data(as_text=True)
    if "/sign-out" in page:
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/accessibility")})


def as_role(client, role: Role) -> None:
    sign_out(client)
    assert sign_in(client, DEMO_EMAILS[role]).status_code == 302


def text_of(client, url) -> str:
    """A page's words as a reader sees them, with tags and extra spaces gone."""
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    return re.sub(r"\s+", " ", soup.get_text(" ")).replace(" :", ":")


def post(client, url, data, page=None):
    token = csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **data})


def draft(client, term, themes=None) -> int:
    """Draft an entry from the term's themes as the signed-in person; return its id."""
    url = f"{BASE}/new?scope={scope(term)}"
    chosen = themes or [term.waiting.id, term.transport.id]
    response = post(client, url, {"title": "Waiting for assessments", "themes": chosen})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/(\d+)/edit$", response.headers["Location"])[1])


def step(client, entry_id, kind, note=""):
    page = f"{BASE}/{entry_id}"
    token = csrf_token(client, page)
    return client.post(
        f"{BASE}/{entry_id}/steps/{kind}",
        data={f"{kind}-csrf_token": token, f"{kind}-note": note},
    )


def choose_quotes(client, entry_id, comment_ids):
    return post(client, f"{BASE}/{entry_id}/quotes", {"quotes": comment_ids})


def publish(client, session, term) -> int:
    """Draft as the officer, review as the participation worker, approve and publish."""
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    assert choose_quotes(client, entry_id, [c.id for c in term.consenting[:2]]).status_code == 302
    as_role(client, Role.PARTICIPATION)
    assert step(client, entry_id, "reviewed").status_code == 302
    as_role(client, Role.OFFICER)
    assert step(client, entry_id, "approved").status_code == 302
    assert step(client, entry_id, "published").status_code == 302
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.PUBLISHED
    return entry_id


def test_a_draft_counts_each_person_once_and_never_prints_a_small_number(
    client, session, demo, term
):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    entry = session.get(YswdEntry, entry_id)
    assert entry.respondents == 20
    assert entry.you_said.splitlines() == [
        "20 parents and carers answered our 2026/27 Autumn survey.",
        "9 of them (45%) told us about waiting times.",
        "Fewer than 5 of them told us about school transport.",
    ]
    page = text_of(client, f"{BASE}/{entry_id}")
    assert "9 of 20 people (45%)" in page and "School transport: Fewer than 5 people" in page
    assert "3 of 20" not in page


def test_empty_words_are_asked_for_in_plain_english(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    blank = {name: "" for name in ("you_said", "we_did", "easy_said", "easy_did")}
    page = post(client, f"{BASE}/{entry_id}/edit", {**ENTRY_WORDS, **blank})
    summary = [
        a.get_text(strip=True)
        for a in BeautifulSoup(page.get_data(as_text=True), "html.parser").select(
            ".govuk-error-summary a"
        )
    ]
    assert summary == [
        "Enter what people said",
        "Enter what we did, or will do",
        "Enter the easy read version of what people said",
        "Enter the easy read version of what was done",
    ]


def test_a_change_done_cannot_be_dated_in_the_future(client, session, demo, term):
    from datetime import date

    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    url = f"{BASE}/{entry_id}/edit"
    next_year = str(date.today().year + 1)
    done = {**ENTRY_WORDS, "delivery": "done", "delivery_on": ["1", "11", next_year]}
    page = post(client, url, done)
    assert page.status_code == 200
    assert "A change that is done must have a date today or in the past" in page.get_data(
        as_text=True
    )
    planned = {**done, "delivery": "planned"}
    assert post(client, url, planned).status_code == 302  # a plan may be dated ahead


def test_editing_a_reviewed_entry_warns_it_goes_back_to_draft(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    url = f"{BASE}/{entry_id}/edit"
    assert "takes this entry back to draft" not in text_of(client, url)
    as_role(client, Role.PARTICIPATION)
    assert step(client, entry_id, "reviewed").status_code == 302
    assert "takes this entry back to draft, so it is reviewed and approved again" in text_of(
        client, url
    )


def test_long_plan_actions_are_cut_at_a_word_with_an_ellipsis():
    from webapp.staff_yswd_edits import shortened

    long = "Improve the timeliness of EHC needs assessments " * 4
    cut = shortened(long)
    assert len(cut) <= 80 and cut.endswith("…") and long.startswith(cut[:-1])
    assert cut[:-1].split()[-1] in long.split()  # a whole word before the ellipsis
    assert shortened("Short and sweet") == "Short and sweet"


def test_an_officer_cannot_write_a_small_count_into_the_words(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    data = {
        "title": "Waiting",
        "you_said": "3 parents told us the taxi was late.",
        "we_did": "We changed the contract.",
        "easy_said": "You told us the taxi was late.",
        "easy_did": "We changed it.",
        "action": "0",
        "delivery": "done",
    }
    response = post(client, f"{BASE}/{entry_id}/edit", data)
    assert response.status_code == 200
    assert "must not give a count under 5, like “3 parents”" in response.get_data(as_text=True)
    session.expire_all()
    assert "3 parents" not in session.get(YswdEntry, entry_id).you_said


def stamp_on(client, url) -> str:
    """The edit page's record of what the entry held when it was opened."""
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    return soup.find("input", {"name": "stamp"})["value"]


ENTRY_WORDS = {
    "title": "Waiting",
    "you_said": "Parents told us the wait was too long.",
    "we_did": "We changed the contract.",
    "easy_said": "You told us the wait was long.",
    "easy_did": "We changed it.",
    "action": "0",
    "delivery": "done",
}


def two_writers(app, client, term, page="edit"):
    """An officer drafts an entry, and a participation worker opens one of its pages.

    Returns the entry, the page, the worker's client and the stamp the worker was given.
    """
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    url = f"{BASE}/{entry_id}/{page}"
    other = app.test_client()
    as_role(other, Role.PARTICIPATION)
    return entry_id, url, other, stamp_on(other, url)


def test_a_save_over_someone_elses_newer_save_is_caught_and_loses_nothing(
    app, client, session, demo, term
):
    entry_id, url, other, opened = two_writers(app, client, term)
    words = ENTRY_WORDS
    theirs = {**words, "you_said": "Officer: parents told us the wait was too long."}
    saved = post(client, url, {**theirs, "stamp": stamp_on(client, url)})
    assert saved.status_code == 302

    mine = {**words, "you_said": "Worker: families said the wait was too long."}
    page = post(other, url, {**mine, "stamp": opened})

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Someone else saved this while you were editing it" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("textarea", {"name": "you_said"}).get_text().strip() == mine["you_said"]
    assert "What they saved" in html and theirs["you_said"] in html
    session.expire_all()
    assert session.get(YswdEntry, entry_id).you_said == theirs["you_said"]
    # Saving again, having seen theirs, keeps this person's words.
    again = post(other, url, {**mine, "stamp": soup.find("input", {"name": "stamp"})["value"]})
    assert again.status_code == 302
    session.expire_all()
    assert session.get(YswdEntry, entry_id).you_said == mine["you_said"]


@pytest.mark.parametrize(
    ("page", "step", "field"),
    [("edit", "_save_words", "you_said"), ("translations/pl", "set_translation", "title")],
)
def test_two_saves_sent_in_the_same_instant_take_turns_and_the_second_is_caught(
    app, client, session, demo, term, monkeypatch, page, step, field
):
    entry_id, url, other, opened = two_writers(app, client, term, page)
    words = ENTRY_WORDS if page == "edit" else {}
    theirs, mine = {**words, field: "Officer's words"}, {**words, field: "Worker's words"}

    first, second, held = same_instant(
        monkeypatch,
        staff_yswd_edits,
        step,
        lambda: post(client, url, {**theirs, "stamp": opened}),
        lambda: post(other, url, {**mine, "stamp": opened}),
    )

    assert held  # the second waited while the first was saving
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else saved this while you were editing it" in second.get_data(as_text=True)
    session.expire_all()
    entry = session.get(YswdEntry, entry_id)
    saved = entry.you_said if page == "edit" else entry.translations["pl"]["title"]
    assert saved == "Officer's words"


def test_a_conflict_is_reported_beside_other_errors_and_shows_every_saved_choice(
    app, client, session, demo, term
):
    _entry_id, url, other, opened = two_writers(app, client, term)
    words = ENTRY_WORDS
    done = {"delivery": "done", "delivery_on": ["1", "2", "2026"]}  # day, month, year
    assert post(client, url, {**words, **done, "stamp": stamp_on(client, url)}).status_code == 302

    page = post(other, url, {**words, "title": "", "delivery": "planned", "stamp": opened})

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    summary = [a.get_text(strip=True) for a in soup.select(".govuk-error-summary a")]
    # Both problems are listed: the title left empty, and the save in between.
    assert summary[0] == "Enter a title"
    assert summary[1].startswith("Someone else saved this") and len(summary) == 2
    link = soup.select_one('.govuk-error-summary a[href="#stamp"]')
    assert link is not None and soup.find(id="stamp").get_text().count("What they saved") == 1
    saved = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in soup.select("#stamp .govuk-summary-list__row")
    }
    assert saved["Where has the change got to?"] == "Done"
    assert saved["Date"] == "1 February 2026"
    assert saved["Plan action"] == "None"


def test_a_translation_saved_meanwhile_is_not_overwritten_unseen(app, client, session, demo, term):
    entry_id, url, other, opened = two_writers(app, client, term, "translations/pl")
    assert (
        post(client, url, {"title": "Czekanie", "stamp": stamp_on(client, url)}).status_code == 302
    )

    page = post(other, url, {"title": "Oczekiwanie", "stamp": opened})

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Someone else saved this while you were editing" in html
    [title] = BeautifulSoup(html, "html.parser").select("#stamp dd")[:1]
    assert (title.get_text(strip=True), title["lang"], title["dir"]) == ("Czekanie", "pl", "auto")
    session.expire_all()
    assert session.get(YswdEntry, entry_id).translations["pl"]["title"] == "Czekanie"


def saved_quotes(session, entry_id) -> list[int]:
    session.expire_all()
    return [q.comment_id for q in entry_quotes(session=session, entry_ids=[entry_id])[entry_id]]


def test_quotes_chosen_meanwhile_are_not_replaced_unseen(app, client, session, demo, term):
    entry_id, url, other, opened = two_writers(app, client, term, "quotes")
    theirs = [c.id for c in term.consenting[:2]]
    mine = [c.id for c in term.consenting[1:4]]
    assert post(client, url, {"quotes": theirs, "stamp": stamp_on(client, url)}).status_code == 302

    page = post(other, url, {"quotes": mine, "stamp": opened})

    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Someone else saved this while you were editing" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one('.govuk-error-summary a[href="#stamp"]') is not None
    shown = soup.select_one("#stamp dd").get_text("\n", strip=True).splitlines()
    assert shown == [c.text_redacted for c in term.consenting[:2]]
    ticked = {int(box["value"]) for box in soup.select('input[name="quotes"][checked]')}
    assert ticked == set(mine)  # this person's choice is still in the form
    assert saved_quotes(session, entry_id) == theirs
    # Saving again, having seen theirs, keeps this person's choice.
    again = post(
        other, url, {"quotes": mine, "stamp": soup.find("input", {"name": "stamp"})["value"]}
    )
    assert again.status_code == 302
    assert saved_quotes(session, entry_id) == mine


def test_two_choices_of_quotes_sent_in_the_same_instant_take_turns(
    app, client, session, demo, term, monkeypatch
):
    entry_id, url, other, opened = two_writers(app, client, term, "quotes")
    theirs = [c.id for c in term.consenting[:2]]
    mine = [c.id for c in term.consenting[2:4]]

    first, second, held = same_instant(
        monkeypatch,
        staff_yswd_edits,
        "set_quotes",
        lambda: post(client, url, {"quotes": theirs, "stamp": opened}),
        lambda: post(other, url, {"quotes": mine, "stamp": opened}),
    )

    assert held
    assert (first.status_code, second.status_code) == (302, 200)
    assert "Someone else saved this while you were editing" in second.get_data(as_text=True)
    assert saved_quotes(session, entry_id) == theirs


@pytest.mark.parametrize(
    ("page", "sent", "error"),
    [
        ("edit", {**ENTRY_WORDS, "title": ""}, "Enter a title"),
        ("quotes", {"quotes": "first"}, "Choose 2 or 3 quotes, or none"),
        ("translations/pl", {"you_said": "3 rodzice"}, "has the number 3"),
    ],
)
def test_a_refused_save_lets_go_of_the_entry_before_the_page_is_drawn(
    app, client, session, demo, term, database_url, monkeypatch, page, sent, error
):
    entry_id, url, other, opened = two_writers(app, client, term, page)
    if sent.get("quotes") == "first":
        sent = {"quotes": [term.consenting[0].id]}
    free = watch_pages(monkeypatch, staff_yswd_edits, database_url, YswdEntry, entry_id)

    response = post(other, url, {**sent, "stamp": opened})

    assert response.status_code == 200 and error in response.get_data(as_text=True)
    # Drawn last, after the page opened to get the form's token: nobody else's save waits.
    assert free[-1] is True


def test_only_consenting_unflagged_comments_from_big_enough_themes_are_offered(
    client, session, demo, term
):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    page = client.get(f"{BASE}/{entry_id}/quotes").get_data(as_text=True)
    offered = {int(v) for v in re.findall(r'name="quotes" type="checkbox" value="(\d+)"', page)}
    assert offered == {c.id for c in term.consenting}
    # Posting a comment that was not offered, whatever the reason, is refused with a message.
    for comment in (term.refusing[0], term.flagged, term.few[0]):
        response = choose_quotes(client, entry_id, [term.consenting[0].id, comment.id])
        assert response.status_code == 200
        assert "You can only quote comments listed here" in response.get_data(as_text=True)
    session.expire_all()
    from models.yswd import YswdQuote

    assert session.exec(select(YswdQuote)).all() == []
    response = choose_quotes(client, entry_id, [c.id for c in term.consenting])
    assert "Choose 2 or 3 quotes, or none. You chose" in response.get_data(as_text=True)


def test_a_reviewer_reviews_but_cannot_approve_or_publish(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    # Nobody reviews words they wrote.
    assert step(client, entry_id, "reviewed").status_code == 403
    as_role(client, Role.REVIEWER)
    assert step(client, entry_id, "published").status_code == 403
    assert step(client, entry_id, "approved").status_code == 403
    assert step(client, entry_id, "reviewed", "Reads well.").status_code == 302
    assert step(client, entry_id, "published").status_code == 403
    page = client.get(f"{BASE}/{entry_id}").get_data(as_text=True)
    assert 'data-entry-state="reviewed"' in page and "/steps/published" not in page
    # A reviewer cannot edit or draft either.
    assert client.get(f"{BASE}/{entry_id}/edit").status_code == 403
    assert client.get(f"{BASE}/new").status_code == 403
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.REVIEWED


def test_the_drafter_cannot_review_their_own_words(client, session, demo, term):
    as_role(client, Role.PARTICIPATION)
    entry_id = draft(client, term)
    response = step(client, entry_id, "reviewed")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.DRAFT
    page = client.get(f"{BASE}/{entry_id}").get_data(as_text=True)
    assert "Someone who did not write this entry must review it." in page


def test_every_step_is_recorded_and_a_step_out_of_turn_changes_nothing(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    response = step(client, entry_id, "published")  # not approved yet
    assert response.status_code == 302
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.DRAFT
    publish_id = publish(client, session, term)
    kinds = [s.kind for s in session.exec(select(YswdStep).where(YswdStep.entry_id == publish_id))]
    assert kinds == [
        StepKind.DRAFTED,
        StepKind.EDITED,  # the quotes
        StepKind.REVIEWED,
        StepKind.APPROVED,
        StepKind.PUBLISHED,
    ]
    actions = {e.action for e in session.exec(select(AuditEvent))}
    assert {"yswd.drafted", "yswd.reviewed", "yswd.approved", "yswd.published"} <= actions


def test_sending_back_needs_a_reason_and_editing_after_review_needs_review_again(
    client, session, demo, term
):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    as_role(client, Role.REVIEWER)
    step(client, entry_id, "reviewed")
    as_role(client, Role.OFFICER)
    response = step(client, entry_id, "returned")
    assert "Enter what needs to change" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.REVIEWED
    entry = session.get(YswdEntry, entry_id)
    data = {
        "title": entry.title,
        "you_said": entry.you_said,
        "we_did": "We hired two more assessors.",
        "easy_said": entry.easy_said,
        "easy_did": "We got more people to help.",
        "action": "0",
        "delivery": "in-progress",
        "delivery_on": "",
        "delivery_on-month": "",
        "delivery_on-year": "",
    }
    assert post(client, f"{BASE}/{entry_id}/edit", data).status_code == 302
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.DRAFT


def test_the_public_page_shows_published_entries_with_safe_figures_and_quotes(
    client, session, demo, term
):
    entry_id = publish(client, session, term)
    sign_out(client)
    page = client.get("/you-said-we-did/kent-demo").get_data(as_text=True)
    assert "Waiting for assessments" in page and "9 of 20 people (45%)" in page
    assert term.consenting[0].text_redacted in page
    for comment in [*term.refusing, term.flagged, *term.few]:
        assert comment.text_redacted not in page
    # Filtering by audience and term.
    assert "Waiting for assessments" not in client.get(
        "/you-said-we-did/kent-demo?audience=schools"
    ).get_data(as_text=True)
    assert "Waiting for assessments" in client.get(
        "/you-said-we-did/kent-demo?audience=parents&term=2026/27-autumn"
    ).get_data(as_text=True)
    # A quote whose writer later withdraws consent disappears everywhere.
    comment = session.get(type(term.consenting[0]), term.consenting[0].id)
    comment.quote_consent = False
    session.add(comment)
    session.commit()
    assert comment.text_redacted not in client.get("/you-said-we-did/kent-demo").get_data(
        as_text=True
    )
    # The easy read page has a symbol beside each sentence.
    easy = client.get(f"/you-said-we-did/kent-demo/{entry_id}/easy-read").get_data(as_text=True)
    assert "/symbols/easy-read/" in easy
    printed = client.get(f"/you-said-we-did/kent-demo/{entry_id}/easy-read.pdf?lang=pl")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.data)).pages)
    text = " ".join(text.split())
    assert printed.mimetype == "application/pdf" and "Zrobiliśmy" in text
    assert "Lots of you told us about waiting times." in text
    with client.get("/symbols/easy-read/waiting") as symbol:
        assert symbol.status_code == 200 and symbol.mimetype == "image/svg+xml"
    assert client.get("/symbols/easy-read/not-a-symbol").status_code == 404


def test_drafts_are_never_public(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    sign_out(client)
    assert "Waiting for assessments" not in client.get("/you-said-we-did/kent-demo").get_data(
        as_text=True
    )
    assert client.get(f"/you-said-we-did/kent-demo/{entry_id}/easy-read").status_code == 404
    assert client.get("/you-said-we-did/nowhere").status_code == 404


def test_a_small_term_shows_no_numbers_and_no_quotes(client, session, demo, published):
    small = coded_term(session, demo.organisation.id, respondents=4, waiting=4)
    as_role(client, Role.OFFICER)
    entry_id = draft(client, small, themes=[small.waiting.id])
    entry = session.get(YswdEntry, entry_id)
    assert entry.you_said.startswith("Fewer than 5 parents and carers answered")
    page = client.get(f"{BASE}/{entry_id}/quotes").get_data(as_text=True)
    assert 'name="quotes"' not in page
    assert choose_quotes(client, entry_id, [small.consenting[0].id]).status_code == 302
    from models.yswd import YswdQuote

    assert session.exec(select(YswdQuote)).all() == []


def test_a_translation_is_shown_to_readers_of_that_language(client, session, demo, term):
    entry_id = publish(client, session, term)
    step(client, entry_id, "withdrawn")
    data = {"title": "Czekanie na ocenę", "we_did": "Zatrudniliśmy więcej osób."}
    assert post(client, f"{BASE}/{entry_id}/translations/pl", data).status_code == 302
    as_role(client, Role.PARTICIPATION)
    step(client, entry_id, "reviewed")
    as_role(client, Role.OFFICER)
    step(client, entry_id, "approved")
    step(client, entry_id, "published")
    page = client.get("/you-said-we-did/kent-demo?lang=pl").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "pl"
    assert "Czekanie na ocenę" in page and "Zatrudniliśmy więcej osób." in page
    # What nobody translated is shown in English, marked as English.
    said = soup.find(string=re.compile("9 of them")).parent
    assert said["lang"] == "en"
    assert client.get(f"{BASE}/{entry_id}/translations/xx").status_code == 404


def test_the_feed_lists_published_entries(client, session, demo, term):
    publish(client, session, term)
    response = client.get("/you-said-we-did/kent-demo/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 (our own feed, in a test)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{atom}title") for e in root.findall(f"{atom}entry")]
    assert titles == ["Waiting for assessments"]


def export(client, fmt, **extra):
    response = post(client, f"{BASE}/exports", {"format": fmt, **extra}, page=BASE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    download = client.get(f"{BASE}/downloads/{job_id}")
    assert download.status_code == 200
    return download


def test_the_docx_and_pdf_reports_read_back(client, session, demo, term):
    from docx import Document
    from pypdf import PdfReader

    publish(client, session, term)
    document = Document(io.BytesIO(export(client, "docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Waiting for assessments" in text and "Waiting times: 9 of 20 people (45%)" in text
    assert "School transport: Fewer than 5 people" in text
    assert f"“{term.consenting[0].text_redacted}”" in text
    pdf = PdfReader(io.BytesIO(export(client, "pdf").data))
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Waiting for assessments" in pdf_text and "9 of 20 people (45%)" in pdf_text
    easy = PdfReader(io.BytesIO(export(client, "easy-read").data))
    assert "Some of you told us about" in " ".join(p.extract_text() for p in easy.pages)
    # Numbered pages: the print styles reach both PDFs unescaped.
    for document in (pdf, easy):
        assert f"1 / {len(document.pages)}" in document.pages[0].extract_text()


def test_the_newsletter_is_self_contained_html_and_the_csv_has_a_row_per_entry(
    client, session, demo, term
):
    publish(client, session, term)
    html = export(client, "html").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["style", "script", "link"])
    assert not soup.find_all(attrs={"class": True})
    assert soup.find("h3")["style"] and "Waiting for assessments" in html
    rows = list(csv.DictReader(io.StringIO(export(client, "csv").get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["Themes"].startswith("Waiting times: 9 of 20 people (45%)")
    # Another audience has nothing published.
    assert "Nothing has been published" in export(client, "html", audience="schools").get_data(
        as_text=True
    )


def test_a_bad_export_choice_gets_a_message(client, session, demo, term):
    as_role(client, Role.OFFICER)
    response = post(client, f"{BASE}/exports", {"format": "exe"}, page=BASE)
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_the_command_line_export_matches(database_url, session, demo, term, client, tmp_path):
    from click.testing import CliRunner
    from docx import Document

    from webapp.cli import cli

    publish(client, session, term)
    out = tmp_path / "yswd.docx"

    def run(*args):
        return CliRunner().invoke(cli, list(args), env={"DATABASE_URL": database_url})

    result = run(
        "yswd", "export", "--format", "docx", "--out", str(out),
        "--term", "2026/27 Autumn", "--audience", "parents", "--lang", "pl",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Waiting for assessments" in text and "Waiting times: 9 z 20" in text
    assert (
        run(
            "yswd", "export", "--format", "csv", "--out", str(out), "--term", "2025/26 Spring"
        ).exit_code
        == 0
    )
    assert list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))) == []
    bad = run("yswd", "export", "--format", "pdf", "--out", str(out), "--term", "Autumn")
    assert bad.exit_code != 0 and "2026/27 Autumn" in bad.output


def answer_with_follow_up(client, session, survey_round, email, wants="yes"):
    from tests.surveys import answer_every_page, definition, send, start

    assert start(client, f"/r/{survey_round.open_code}").status_code == 302
    answer_every_page(
        client,
        definition(session, survey_round),
        {"follow-up": wants, "contact-email": email},
    )
    return send(client, "parent-termly")


def test_someone_who_asks_to_hear_back_is_kept_apart_from_their_answers(
    client, session, demo, term
):
    from models import Response

    assert (
        answer_with_follow_up(client, session, term.survey_round, "sam@example.org").status_code
        == 302
    )
    [follow_up] = session.exec(select(FollowUp)).all()
    assert follow_up.email == "sam@example.org" and follow_up.round_id == term.survey_round.id
    response = session.get(Response, follow_up.response_id)
    assert "contact-email" not in response.answers and response.answers["follow-up"] == "yes"


def test_an_anonymous_round_keeps_no_link_to_the_address(client, session, demo, published):
    from models.surveys import Anonymity
    from tests.surveys import make_round

    survey_round = make_round(session, demo.organisation.id, anonymity=Anonymity.ANONYMOUS)
    answer_with_follow_up(client, session, survey_round, "sam@example.org")
    [follow_up] = session.exec(select(FollowUp)).all()
    assert follow_up.response_id is None and follow_up.email == "sam@example.org"


def test_no_means_no_address_is_kept(client, session, demo, term):
    answer_with_follow_up(client, session, term.survey_round, "sam@example.org", wants="no")
    assert session.exec(select(FollowUp)).all() == []


def test_an_address_typed_then_no_is_neither_kept_nor_shown(client, session, demo, term):
    from models import Response
    from tests.surveys import start

    start(client, f"/r/{term.survey_round.open_code}")
    url = "/f/parent-termly/pages/hearing-back"
    yes = {"follow-up": "yes", "contact-email": "sam@example.org"}
    assert client.post(url, data={"csrf_token": csrf_token(client, url), **yes}).status_code == 302
    # Changing their mind, they answer no and leave the address in the box.
    no = {**yes, "follow-up": "no"}
    assert client.post(url, data={"csrf_token": csrf_token(client, url), **no}).status_code == 302

    session.expire_all()
    response = session.exec(select(Response).order_by(Response.id.desc())).first()
    assert "contact-email" not in response.answers and response.answers["follow-up"] == "no"
    page = client.get("/f/parent-termly/check-answers").get_data(as_text=True)
    assert "sam@example.org" not in page


def test_a_badly_typed_email_gets_a_message(client, session, demo, term):
    from tests.surveys import start

    start(client, f"/r/{term.survey_round.open_code}")
    url = "/f/parent-termly/pages/hearing-back"
    token = csrf_token(client, url)
    response = client.post(
        url, data={"csrf_token": token, "follow-up": "yes", "contact-email": "sam at example"}
    )
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    # Yes with no address is asked again, not silently dropped.
    response = client.post(url, data={"csrf_token": token, "follow-up": "yes", "contact-email": ""})
    assert response.status_code == 200
    assert "Enter your email address, or answer no to hearing what changed" in response.get_data(
        as_text=True
    )


def test_telling_people_writes_to_the_outbox_and_reports_the_share_told(
    client, session, demo, term, app, tmp_path
):
    app.config["HEARD_OUTBOX_DIR"] = str(tmp_path / "outbox")
    answer_with_follow_up(client, session, term.survey_round, "sam@example.org")
    publish(client, session, term)
    page = client.get(BASE).get_data(as_text=True)
    assert "Tell 1" in page
    response = post(client, f"{BASE}/tell/{term.survey_round.id}", {}, page=BASE)
    assert response.status_code == 302
    [message] = (tmp_path / "outbox" / "kent-demo").glob("*.eml")
    body = message.read_text()
    assert "To: sam@example.org" in body and "Waiting for assessments" in body
    # The address was asked for this alone, so it is erased once the message has gone.
    session.expire_all()
    [follow_up] = session.exec(select(FollowUp)).all()
    assert follow_up.email == "" and follow_up.told_at is not None
    soup = BeautifulSoup(client.get(BASE).get_data(as_text=True), "html.parser")
    row = soup.find("tr", attrs={"data-round": str(term.survey_round.id)})
    # 21 answered (20 plus Sam); 1 told.
    assert row.find(attrs={"data-told-percent": True}).get_text(strip=True) == "5%"
    # Telling again sends nothing more.
    assert "Tell 1" not in client.get(BASE).get_data(as_text=True)
    # Only an administrator downloads the outbox.
    assert client.get(f"{BASE}/outbox").status_code == 403
    as_role(client, Role.ADMIN)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/outbox").data))
    assert archive.namelist() == [message.name]
    # Downloaded messages leave the server, because they hold addresses.
    assert not message.exists()
    assert zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/outbox").data)).namelist() == []


def test_telling_people_uses_smtp_when_it_is_configured(
    client, session, demo, term, app, monkeypatch
):
    sent = fake_smtp(monkeypatch, app, HEARD_SMTP_USERNAME="heard")
    answer_with_follow_up(client, session, term.survey_round, REFUSED)
    answer_with_follow_up(client, session, term.survey_round, "sam@example.org")
    publish(client, session, term)
    response = post(client, f"{BASE}/tell/{term.survey_round.id}", {}, page=BASE)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 could not be sent" in page
    assert [call[:2] for call in sent] == [
        ("connect", "mail.example.org"),
        ("starttls",),
        ("login", "heard"),
        ("send", "sam@example.org"),
    ]
    assert sent[0][2] == 587
    # The refused one is still waiting, with its address; the one told is erased.
    session.expire_all()
    emails = {f.email for f in session.exec(select(FollowUp))}
    assert emails == {"", REFUSED}
    assert "Tell 1" in client.get(BASE).get_data(as_text=True)


def test_the_survey_start_page_says_what_changed_since_last_time(client, session, demo, term):
    publish(client, session, term)
    sign_out(client)
    page = client.get(f"/r/{term.survey_round.open_code}").get_data(as_text=True)
    assert "What changed since last time" in page and "Waiting for assessments" in page


def test_entries_of_another_organisation_are_not_found(client, session, demo, term):
    from models import OrganisationCreate, create_organisation

    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull", name="Hull City Council")
    )
    entry = session.get(YswdEntry, entry_id)
    entry.organisation_id = other.id
    session.add(entry)
    session.commit()
    for url in [f"{BASE}/{entry_id}", f"{BASE}/{entry_id}/edit", f"{BASE}/{entry_id}/quotes"]:
        assert client.get(url).status_code == 404
    assert step(client, entry_id, "reviewed").status_code == 404


def test_odd_input_gets_messages_not_errors(client, session, demo, term):
    as_role(client, Role.OFFICER)
    url = f"{BASE}/new?scope={scope(term)}"
    for themes in (["999999"], ["not-a-number"], []):
        response = post(client, url, {"title": "Waits", "themes": themes})
        assert response.status_code == 200, themes
        assert "govuk-error-summary" in response.get_data(as_text=True)
    response = post(client, url, {"title": "x" * 201, "themes": [term.waiting.id]})
    assert "The title must be 200 characters or fewer" in response.get_data(as_text=True)
    assert session.exec(select(YswdEntry)).all() == []
    # Control characters pasted in are dropped, on PostgreSQL as on SQLite.
    response = post(client, url, {"title": "Wai\x00ts\x07", "themes": [term.waiting.id]})
    assert response.status_code == 302
    assert [e.title for e in session.exec(select(YswdEntry))] == ["Waits"]
    assert client.get(f"{BASE}/new?scope=made-up").status_code == 200
    assert client.get(f"{BASE}/999/steps/reviewed").status_code == 405
    entry_id = draft(client, term)
    assert step(client, entry_id, "not-a-step").status_code == 404
    data = {
        "title": "Waits",
        "you_said": "y" * 3001,
        "we_did": "Done.",
        "easy_said": "Yes.",
        "easy_did": "Yes.",
        "action": "not-a-number",
        "delivery": "done",
        "delivery_on": ["31", "2", "2027"],  # day, month and year, as the page sends them
    }
    page = post(client, f"{BASE}/{entry_id}/edit", data).get_data(as_text=True)
    assert "You said must be 3000 characters or fewer" in page
    assert "The date must be a real date" in page


def test_a_participation_worker_reviews_but_cannot_approve(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    as_role(client, Role.PARTICIPATION)
    assert step(client, entry_id, "reviewed").status_code == 302
    assert step(client, entry_id, "approved").status_code == 403
    assert step(client, entry_id, "published").status_code == 403


def test_approval_waits_for_two_or_three_quotes(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    response = choose_quotes(client, entry_id, [term.consenting[0].id])
    assert "Choose 2 or 3 quotes, or none" in response.get_data(as_text=True)
    as_role(client, Role.REVIEWER)
    step(client, entry_id, "reviewed")
    as_role(client, Role.OFFICER)
    step(client, entry_id, "approved")
    session.expire_all()
    assert session.get(YswdEntry, entry_id).state is EntryState.REVIEWED
    assert "Choose 2 or 3 quotes first" in client.get(f"{BASE}/{entry_id}").get_data(as_text=True)


def test_a_published_entry_cannot_be_changed_until_it_is_withdrawn(client, session, demo, term):
    entry_id = publish(client, session, term)
    for url in (f"{BASE}/{entry_id}/edit", f"{BASE}/{entry_id}/quotes"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/{entry_id}")
    assert (
        post(
            client,
            f"{BASE}/{entry_id}/translations/pl",
            {"title": "Nowy"},
            page=f"{BASE}/{entry_id}",
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.get(YswdEntry, entry_id).translations == {}


def test_a_translation_cannot_add_a_small_count(client, session, demo, term):
    as_role(client, Role.OFFICER)
    entry_id = draft(client, term)
    response = post(client, f"{BASE}/{entry_id}/translations/pl", {"we_did": "3 rodziców"})
    assert "has the number 3, which the English does not" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(YswdEntry, entry_id).translations == {}


def test_no_address_and_no_small_count_reaches_any_output(client, session, demo, term):
    answer_with_follow_up(client, session, term.survey_round, "sam@example.org")
    entry_id = publish(client, session, term)
    step(client, entry_id, "withdrawn")
    entry = session.get(YswdEntry, entry_id)
    data = {
        "title": "<script>alert(1)</script> Waits",
        "you_said": entry.you_said,
        "we_did": "We did <b>this</b>.",
        "easy_said": entry.easy_said,
        "easy_did": entry.easy_did,
        "action": "0",
        "delivery": "done",
    }
    assert post(client, f"{BASE}/{entry_id}/edit", data).status_code == 302
    as_role(client, Role.REVIEWER)
    step(client, entry_id, "reviewed")
    as_role(client, Role.OFFICER)
    step(client, entry_id, "approved")
    step(client, entry_id, "published")
    outputs = {
        "page": client.get("/you-said-we-did/kent-demo").get_data(as_text=True),
        "feed": client.get("/you-said-we-did/kent-demo/feed.atom").get_data(as_text=True),
        "html": export(client, "html").get_data(as_text=True),
        "csv": export(client, "csv").get_data(as_text=True),
    }
    for name, text in outputs.items():
        assert "sam@example.org" not in text, name
        if name != "csv":  # CSV is data, not markup; its cells are made safe for spreadsheets
            assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text, name
        assert not re.search(r"\b[1-4] of 20\b", text), name
