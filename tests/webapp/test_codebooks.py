"""Codebook themes: added, edited, renamed, merged and retired with history; codebooks in
and out of CSV and REFI-QDA files, on the pages and on the command line."""

import base64
import os
import random
import re
import string
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select

from analysis.codebook_files import (
    MAX_EXAMPLE,
    MAX_EXAMPLES,
    QDC_NAMESPACE,
    CodebookFile,
    ThemeRow,
    check_qdc,
    from_csv,
    theme_guid,
    to_csv,
)
from models import AuditEvent, Organisation, Role, UserCreate, create_user
from models.coding import (
    Codebook,
    CodebookStatus,
    CodingSource,
    CommentTheme,
    Theme,
    ThemeStatus,
    code_comment,
    create_codebook,
    list_codebooks,
    list_themes,
    save_comment,
)
from models.review import ChangeKind, CodebookSnapshot, ThemeChange
from tests.conftest import DEMO_PASSWORD, csrf_token, sign_in
from tests.free_to_write import watch_pages
from tests.same_instant import same_instant
from tests.webapp.test_access import DEMO_EMAILS
from webapp import codebook_imports, staff_codebook_edits, staff_codebooks
from webapp.codebook_cli import codebook_group
from webapp.codebook_imports import MAX_UPLOAD

BASE = "/staff/codebooks"


@dataclass
class Book:
    codebook: Codebook
    themes: dict[str, Theme]

    @property
    def url(self) -> str:
        return f"{BASE}/{self.codebook.id}"

    def theme_url(self, key: str, action: str) -> str:
        return f"{self.url}/themes/{self.themes[key].id}/{action}"


@pytest.fixture
def book(session, demo) -> Book:
    """A codebook of the demo organisation: waiting, with one theme under it, and two more."""
    codebook = create_codebook(
        session=session,
        organisation_id=demo.organisation.id,
        name="Parent themes",
        themes=[
            {"key": "waiting", "name": "Waiting times", "description": "How long things took."},
            {
                "key": "waiting-plans",
                "name": "Waiting for a plan",
                "parent": "waiting",
                "inclusion": "the wait was for an EHC plan",
                "examples": ["We waited 40 weeks for the plan."],
                "outcome_area": "My Voice",
            },
            {"key": "transport", "name": "School transport"},
            {"key": "communication", "name": "Communication with parents"},
        ],
    )
    session.commit()
    themes = {t.key: t for t in list_themes(session=session, codebook_id=codebook.id)}
    return Book(codebook=codebook, themes=themes)


@pytest.fixture
def worker(client, demo):
    assert sign_in(client, DEMO_EMAILS[Role.PARTICIPATION]).status_code == 302
    return client


def post(client, url, data, page=None, **kwargs):
    token = csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def upload(client, url, content: bytes, filename: str, **fields):
    """Post the file as a browser would. The body is built here, in memory, because the test
    client would spool a large one to a temporary file that it never closes."""
    boundary = "heard-test-boundary"
    parts = {"csrf_token": csrf_token(client, url), **fields}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in parts.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def confirm(client, check_page_html: str, url: str):
    """Press the check page's confirm button, whose form must post to `url`."""
    soup = BeautifulSoup(check_page_html, "html.parser")
    token = soup.select_one('input[name="token"]')
    assert token is not None, "the check page has no confirmation form"
    form = token.find_parent("form")
    assert form["action"] == url
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    return client.post(url, data=fields)


def words(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    return re.sub(r"\s+", " ", soup.get_text(" "))


def error_summary(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        re.sub(r"\s+", " ", li.get_text(" ")).strip()
        for li in soup.select(".govuk-error-summary li")
    ]


def card_titles(html: str) -> list[str]:
    """The themes the codebook page shows, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [t.get_text(strip=True) for t in soup.select(".govuk-summary-card__title")]


def theme_form(**values) -> dict:
    data = {
        "name": "",
        "parent": "",
        "description": "",
        "inclusion": "",
        "exclusion": "",
        "examples": "",
        "outcome_area": "",
    }
    data.update(values)
    return data


def changes(session, codebook) -> list[ThemeChange]:
    session.expire_all()
    query = (
        select(ThemeChange).where(ThemeChange.codebook_id == codebook.id).order_by(ThemeChange.id)  # type: ignore[arg-type]
    )
    return list(session.exec(query))


def events(session, action) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def comment(session, organisation_id, text, codings):
    """A comment coded with {theme: source}."""
    saved = save_comment(
        session=session,
        organisation_id=organisation_id,
        response_id=None,
        question_id="could-be-better",
        text_redacted=text,
        sentiment="negative",
        flagged=False,
    )
    by_source: dict[CodingSource, dict[int, float | None]] = {}
    for theme, source in codings:
        confidence = None if source is CodingSource.HUMAN else 0.8
        by_source.setdefault(source, {})[theme.id] = confidence
    for source, theme_ids in by_source.items():
        code_comment(session=session, comment=saved, theme_ids=theme_ids, source=source)
    session.commit()
    return saved


# Adding and editing


def test_adding_a_theme_under_another_makes_a_version_shown_in_the_tree(worker, session, book):
    response = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(
            name="Waiting for an assessment",
            parent=str(book.themes["waiting"].id),
            description="Assessments that took too long.",
            inclusion="the wait was for an assessment",
            exclusion="the wait was for a health appointment",
            examples="We waited a year.\n\n  Nobody told us why.  ",
            outcome_area="My Health",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == book.url
    session.expire_all()
    added = session.exec(select(Theme).where(Theme.name == "Waiting for an assessment")).one()
    assert added.key == "waiting-for-an-assessment"
    assert added.parent_id == book.themes["waiting"].id
    assert added.examples == ["We waited a year.", "Nobody told us why."]
    assert (added.inclusion, added.outcome_area) == ("the wait was for an assessment", "My Health")
    assert session.get(Codebook, book.codebook.id).version == 2
    [change] = changes(session, book.codebook)
    assert (change.kind, change.version, change.theme_id) == (ChangeKind.CREATED, 2, added.id)
    assert change.summary == "Added “Waiting for an assessment” to “Waiting times”"
    assert session.exec(select(CodebookSnapshot).where(CodebookSnapshot.version == 2)).one()
    [event] = events(session, "codebook.theme.added")
    assert event.object_id == str(book.codebook.id) and event.details["theme"] == added.id

    page = BeautifulSoup(worker.get(book.url).get_data(as_text=True), "html.parser")
    cards = page.select(".govuk-summary-card")
    titles = [c.select_one(".govuk-summary-card__title").get_text(strip=True) for c in cards]
    # Each parent is followed by its children, and children are indented.
    assert titles == [
        "Waiting times",
        "Waiting for a plan",
        "Waiting for an assessment",
        "School transport",
        "Communication with parents",
    ]
    assert "govuk-!-margin-left-6" in cards[2]["class"]
    assert "govuk-!-margin-left-6" not in cards[0]["class"]
    shown = words(str(cards[1]))
    assert "Part of Waiting times" in shown and "Use when the wait was for an EHC plan" in shown
    assert "We waited 40 weeks for the plan." in shown and "Outcome area My Voice" in shown


def test_the_codebook_page_keeps_the_coder_forms_and_links_to_the_theme_pages(
    worker, session, book
):
    html = worker.get(book.url).get_data(as_text=True)
    assert 'name="retrain"' in html and 'name="themes"' in html and 'name="find"' in html
    for href in (
        f"{book.url}/themes/new",
        f"{book.url}/history",
        f"{book.url}/export/csv",
        f"{book.url}/export/qdc",
        f"{book.url}/import",
        book.theme_url("transport", "edit"),
        book.theme_url("transport", "merge"),
        book.theme_url("transport", "retire"),
    ):
        assert f'href="{href}' in html, href


def test_the_codebook_page_links_to_its_quality_discovery_and_the_review_queue(worker, app, book):
    html = worker.get(book.url).get_data(as_text=True)
    with app.test_request_context():
        for endpoint, values in (
            ("review.quality", {"codebook_id": book.codebook.id}),
            ("discovery.index", {"codebook_id": book.codebook.id}),
            ("review.queue_page", {}),
        ):
            assert f'href="{url_for(endpoint, **values)}"' in html


def test_renaming_and_editing_are_two_versions_and_the_key_stays(worker, session, book):
    theme = book.themes["transport"]
    url = book.theme_url("transport", "edit")
    page = worker.get(url).get_data(as_text=True)
    assert 'value="School transport"' in page
    response = post(
        worker,
        url,
        theme_form(
            name="Travel to school",
            description="Taxis, buses and travel training.",
            parent=str(book.themes["waiting"].id),
        ),
    )
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Theme, theme.id)
    assert (saved.name, saved.key) == ("Travel to school", "transport")
    assert saved.parent_id == book.themes["waiting"].id
    assert session.get(Codebook, book.codebook.id).version == 3
    renamed, edited = changes(session, book.codebook)
    assert (renamed.kind, renamed.version) == (ChangeKind.RENAMED, 2)
    assert renamed.details == {"from": "School transport", "to": "Travel to school"}
    assert (edited.kind, edited.version) == (ChangeKind.EDITED, 3)
    assert edited.summary == "Changed “Travel to school”: part of, description"
    assert edited.details["before"] == {"parent_key": "", "description": ""}
    assert len(events(session, "codebook.theme.renamed")) == 1
    assert events(session, "codebook.theme.edited")[0].details["fields"] == [
        "parent_key",
        "description",
    ]
    # The rename's snapshot has the new name and the old description.
    snapshot = session.exec(select(CodebookSnapshot).where(CodebookSnapshot.version == 2)).one()
    [at_two] = [t for t in snapshot.themes if t["key"] == "transport"]
    assert (at_two["name"], at_two["description"]) == ("Travel to school", "")

    history = words(worker.get(f"{book.url}/history").get_data(as_text=True))
    first = history.index("Changed “Travel to school”: part of, description")
    assert first < history.index("Renamed “School transport” to “Travel to school”")
    assert history.count("Priya Participation") == 2  # who made each change


def test_an_edit_over_someone_elses_newer_save_is_caught_and_loses_nothing(
    app, worker, session, book
):
    url = book.theme_url("transport", "edit")
    other = app.test_client()
    assert sign_in(other, DEMO_EMAILS[Role.OFFICER]).status_code == 302
    opened = BeautifulSoup(other.get(url).get_data(as_text=True), "html.parser")
    stamp = opened.find("input", {"name": "stamp"})["value"]
    saved = post(worker, url, theme_form(name="School transport", description="Taxis."))
    assert saved.status_code == 302

    page = post(other, url, theme_form(name="School transport", description="Buses.", stamp=stamp))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert error_summary(html) == [
        "Someone else saved this while you were editing it. Your changes are below and are "
        "not saved yet: check what they saved, then save again to keep your words"
    ]
    assert "What they saved" in html and "Taxis." in html
    assert (
        BeautifulSoup(html, "html.parser")
        .find("textarea", {"name": "description"})
        .get_text(strip=True)
        == "Buses."
    )
    session.expire_all()
    assert session.get(Theme, book.themes["transport"].id).description == "Taxis."


def test_two_edits_sent_in_the_same_instant_take_turns_and_the_second_is_caught(
    app, worker, session, book, monkeypatch
):
    url = book.theme_url("transport", "edit")
    other = app.test_client()
    assert sign_in(other, DEMO_EMAILS[Role.OFFICER]).status_code == 302
    opened = BeautifulSoup(other.get(url).get_data(as_text=True), "html.parser")
    stamp = opened.find("input", {"name": "stamp"})["value"]

    first, second, held = same_instant(
        monkeypatch,
        staff_codebook_edits,
        "_save",
        lambda: post(
            worker, url, theme_form(name="School transport", description="Taxis.", stamp=stamp)
        ),
        lambda: post(
            other, url, theme_form(name="School transport", description="Buses.", stamp=stamp)
        ),
    )

    assert held  # the second waited while the first was saving
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else saved this while you were editing it" in second.get_data(as_text=True)
    session.expire_all()
    assert session.get(Theme, book.themes["transport"].id).description == "Taxis."


def test_every_problem_with_an_edit_shows_at_once(worker, session, book):
    theme = book.themes["waiting"]
    examples = "\n".join(f"Example comment {n}" for n in range(30))
    sent = theme_form(name="", parent=str(theme.id), examples=examples)
    page = post(worker, book.theme_url("waiting", "edit"), sent)
    summary = [
        a.get_text(strip=True)
        for a in BeautifulSoup(page.get_data(as_text=True), "html.parser").select(
            ".govuk-error-summary a"
        )
    ]
    assert "Enter a theme name" in summary
    assert "A theme cannot be part of itself. Select another theme, or none" in summary
    assert any("example" in line.lower() for line in summary)


def test_a_refused_edit_lets_go_of_the_theme_before_the_page_is_drawn(
    worker, session, book, database_url, monkeypatch
):
    theme = book.themes["transport"]
    url = book.theme_url("transport", "edit")
    stamp = BeautifulSoup(worker.get(url).get_data(as_text=True), "html.parser")
    sent = theme_form(name="", stamp=stamp.find("input", {"name": "stamp"})["value"])
    free = watch_pages(monkeypatch, staff_codebook_edits, database_url, Theme, theme.id)

    page = post(worker, url, sent)

    assert page.status_code == 200 and "Enter a theme name" in page.get_data(as_text=True)
    # Drawn last, after the page opened to get the form's token: nobody else's save waits.
    assert free[-1] is True


def test_an_edit_and_a_retire_of_its_parent_in_the_same_instant_both_save(
    app, worker, session, book, monkeypatch
):
    # Both change the theme and then the codebook's version. If either took the codebook
    # first, each would wait for the other, and PostgreSQL would fail one of them.
    waiting, plans = book.themes["waiting"], book.themes["waiting-plans"]
    url = book.theme_url("waiting-plans", "edit")
    other = app.test_client()
    assert sign_in(other, DEMO_EMAILS[Role.OFFICER]).status_code == 302
    edit = theme_form(name=plans.name, parent=str(waiting.id), description="EHC plans.")

    first, second, held = same_instant(
        monkeypatch,
        staff_codebook_edits,
        "_save",
        lambda: post(worker, url, edit),
        lambda: post(other, book.theme_url("waiting", "retire"), {}),
    )

    assert held and (first.status_code, second.status_code) == (302, 302)
    session.expire_all()
    saved = session.get(Theme, plans.id)
    assert (saved.description, saved.parent_id) == ("EHC plans.", None)
    assert session.get(Theme, waiting.id).status == ThemeStatus.RETIRED


def test_saving_with_nothing_changed_makes_no_version(worker, session, book):
    theme = book.themes["waiting-plans"]
    url = book.theme_url("waiting-plans", "edit")
    response = post(
        worker,
        url,
        theme_form(
            name=theme.name,
            parent=str(book.themes["waiting"].id),
            inclusion=theme.inclusion,
            examples="We waited 40 weeks for the plan.",
            outcome_area="My Voice",
        ),
    )
    assert response.status_code == 302
    assert changes(session, book.codebook) == []
    assert session.get(Codebook, book.codebook.id).version == 1


def test_words_to_avoid_are_refused_naming_the_phrase_and_what_to_say(worker, session, book):
    response = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(
            name="Hard to reach families",
            description="Support for children with autism at school.",
            exclusion="the comment is from a service user",
            examples="My son is a service user and I hate that word.",
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_summary(html) == [
        "Theme name uses “Hard to reach”. Say “under-represented”, or name the group you mean.",
        "The description uses “children with autism”. Use identity-first language, for "
        "example “autistic children”.",
        "The “do not use when” note uses “service user”. Use people’s own terms, for example "
        "“children and young people” or “parents and carers”.",
    ]
    # Nothing typed is lost, and examples are people's own words, so they are not checked.
    assert 'value="Hard to reach families"' in html
    assert "Support for children with autism at school." in html
    assert "My son is a service user and I hate that word." in html
    assert html.startswith("<!DOCTYPE html>") and "<title>Error:" in html
    session.expire_all()
    assert len(list_themes(session=session, codebook_id=book.codebook.id)) == 4


def test_a_name_already_used_under_the_same_parent_is_refused(worker, session, book):
    waiting = str(book.themes["waiting"].id)
    again = post(worker, f"{book.url}/themes/new", theme_form(name="  school   TRANSPORT "))
    assert error_summary(again.get_data(as_text=True)) == [
        "There is already a theme called “school TRANSPORT” at the top level. Enter a "
        "different name, or merge the two themes"
    ]
    under = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(name="Waiting for a PLAN", parent=waiting),
    )
    assert error_summary(under.get_data(as_text=True)) == [
        "There is already a theme called “Waiting for a PLAN” in “Waiting times”. Enter a "
        "different name, or merge the two themes"
    ]
    # The same name under another parent is a different theme, and its key is its own.
    elsewhere = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(name="School transport", parent=waiting),
    )
    assert elsewhere.status_code == 302
    session.expire_all()
    keys = {t.key for t in list_themes(session=session, codebook_id=book.codebook.id)}
    assert "school-transport" in keys
    # Renaming a theme to its own name in other letters is not a clash.
    recased = post(worker, book.theme_url("transport", "edit"), theme_form(name="School Transport"))
    assert recased.status_code == 302


def test_a_parent_that_would_make_a_circle_is_refused(worker, session, book):
    url = book.theme_url("waiting", "edit")
    page = worker.get(url).get_data(as_text=True)
    # Themes under it are not offered as its parent...
    options = BeautifulSoup(page, "html.parser").select("#parent option")
    offered = {o["value"] for o in options}
    assert str(book.themes["waiting-plans"].id) not in offered
    assert str(book.themes["waiting"].id) not in offered
    assert str(book.themes["transport"].id) in offered
    # ...and if sent anyway (another person moved them meanwhile), the page says why.
    response = post(
        worker,
        url,
        theme_form(name="Waiting times", parent=str(book.themes["waiting-plans"].id)),
    )
    assert response.status_code == 200
    assert error_summary(response.get_data(as_text=True)) == [
        "“Waiting times” cannot be part of “Waiting for a plan”, because “Waiting for a plan” "
        "is part of “Waiting times”. Select another theme, or none"
    ]
    itself = post(
        worker, url, theme_form(name="Waiting times", parent=str(book.themes["waiting"].id))
    )
    assert error_summary(itself.get_data(as_text=True)) == [
        "A theme cannot be part of itself. Select another theme, or none"
    ]
    unknown = post(worker, url, theme_form(name="Waiting times", parent="99999"))
    assert error_summary(unknown.get_data(as_text=True)) == [
        "Select a theme from the list, or none"
    ]
    session.expire_all()
    assert session.get(Theme, book.themes["waiting"].id).parent_id is None
    assert changes(session, book.codebook) == []


def test_other_bad_input_is_shown_on_the_form_not_a_server_error(worker, book):
    response = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(
            name="   ",
            description="x" * 4001,
            examples="\n".join(f"Example {n}" for n in range(21)),
            outcome_area="My Weekend",
        ),
    )
    assert response.status_code == 200
    assert error_summary(response.get_data(as_text=True)) == [
        "Enter a theme name",
        "Description must be 4000 characters or fewer",
        "Enter 20 example comments or fewer",
        "Select an outcome area from the list, or none",
    ]


# Merging and retiring


def test_merging_moves_the_comments_without_counting_any_twice(worker, session, demo, book):
    organisation_id = demo.organisation.id
    transport, communication = book.themes["transport"], book.themes["communication"]
    only_source = comment(
        session, organisation_id, "The taxi was late.", [(transport, CodingSource.HUMAN)]
    )
    both = comment(
        session,
        organisation_id,
        "The taxi was late and nobody rang us.",
        [(transport, CodingSource.HUMAN), (communication, CodingSource.HUMAN)],
    )
    machine = comment(
        session, organisation_id, "The bus never came.", [(transport, CodingSource.MACHINE)]
    )
    untouched = comment(
        session, organisation_id, "Nobody answers.", [(communication, CodingSource.HUMAN)]
    )

    chosen = post(worker, book.theme_url("transport", "merge"), {"into": str(communication.id)})
    assert chosen.status_code == 302
    confirm_url = chosen.headers["Location"]
    assert confirm_url == f"{book.theme_url('transport', 'merge')}/{communication.id}"
    page = words(worker.get(confirm_url).get_data(as_text=True))
    assert "3 comments coded “School transport” will move to “Communication with parents”." in page
    assert "1 of them is already coded “Communication with parents”" in page
    assert session.get(Codebook, book.codebook.id).version == 1  # nothing yet

    done = post(worker, confirm_url, {})
    assert done.status_code == 302
    session.expire_all()
    rows = session.exec(select(CommentTheme)).all()
    assert not [r for r in rows if r.theme_id == transport.id]
    coded = sorted((r.comment_id, r.theme_id, r.source) for r in rows)
    assert coded == sorted(
        [
            (only_source.id, communication.id, CodingSource.HUMAN),
            (both.id, communication.id, CodingSource.HUMAN),
            (machine.id, communication.id, CodingSource.MACHINE),
            (untouched.id, communication.id, CodingSource.HUMAN),
        ]
    )
    merged = session.get(Theme, transport.id)
    assert (merged.status, merged.merged_into_id) == (ThemeStatus.MERGED, communication.id)
    [change] = changes(session, book.codebook)
    assert (change.kind, change.version, change.details["codings_moved"]) == (
        ChangeKind.MERGED,
        2,
        2,
    )
    [event] = events(session, "codebook.theme.merged")
    assert event.details["into"] == communication.id and event.details["comments"] == 3
    assert "School transport" not in card_titles(worker.get(book.url).get_data(as_text=True))
    # A merged theme can no longer be changed.
    again = worker.get(book.theme_url("transport", "edit"))
    assert again.status_code == 302
    assert "no longer in use" in worker.get(book.url).get_data(as_text=True)


def test_a_theme_cannot_be_merged_into_itself_or_a_theme_under_it(worker, session, book):
    waiting, plans = book.themes["waiting"], book.themes["waiting-plans"]
    page = BeautifulSoup(
        worker.get(book.theme_url("waiting", "merge")).get_data(as_text=True), "html.parser"
    )
    offered = {o["value"] for o in page.select("#into option")}
    assert str(plans.id) not in offered and str(waiting.id) not in offered
    refused = post(worker, book.theme_url("waiting", "merge"), {"into": str(plans.id)})
    assert refused.status_code == 200
    assert error_summary(refused.get_data(as_text=True)) == [
        "“Waiting times” cannot be merged into that theme. Choose one of the themes listed"
    ]
    direct = post(
        worker,
        f"{book.theme_url('waiting', 'merge')}/{plans.id}",
        {},
        page=book.theme_url("waiting", "merge"),
    )
    assert direct.status_code == 302
    session.expire_all()
    assert session.get(Theme, waiting.id).status == ThemeStatus.ACTIVE
    assert changes(session, book.codebook) == []
    # Merging a child into another theme at the top level is fine, and its place goes too.
    upward = post(
        worker, f"{book.theme_url('waiting-plans', 'merge')}/{waiting.id}", {}, page=book.url
    )
    assert upward.status_code == 302
    session.expire_all()
    assert session.get(Theme, plans.id).status == ThemeStatus.MERGED


def test_retiring_keeps_the_codings_and_moves_the_themes_under_it_up(worker, session, demo, book):
    waiting, plans = book.themes["waiting"], book.themes["waiting-plans"]
    coded = comment(
        session, demo.organisation.id, "We waited a year.", [(waiting, CodingSource.HUMAN)]
    )
    url = book.theme_url("waiting", "retire")
    page = words(worker.get(url).get_data(as_text=True))
    assert "The 1 comment coded with it keeps that coding" in page
    assert "The themes under it will move to the top level: Waiting for a plan" in page
    response = post(worker, url, {})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Theme, waiting.id).status == ThemeStatus.RETIRED
    assert session.get(Theme, plans.id).parent_id is None
    [kept] = session.exec(select(CommentTheme).where(CommentTheme.comment_id == coded.id)).all()
    assert kept.theme_id == waiting.id
    [change] = changes(session, book.codebook)
    assert (change.kind, change.version, change.theme_id) == (ChangeKind.RETIRED, 2, waiting.id)
    assert change.details["children_moved"] == [plans.id]
    assert events(session, "codebook.theme.retired")
    shown = card_titles(worker.get(book.url).get_data(as_text=True))
    assert "Waiting times" not in shown and "Waiting for a plan" in shown


def test_retiring_is_refused_when_a_theme_under_it_would_clash(worker, session, book):
    post(worker, f"{book.url}/themes/new", theme_form(name="Waiting for a plan"))
    url = book.theme_url("waiting", "retire")
    html = worker.get(url).get_data(as_text=True)
    assert error_summary(html) == [
        "There is already a theme called “Waiting for a plan” at the top level, and “Waiting "
        "for a plan” would move there. Rename or merge one of them first"
    ]
    assert post(worker, url, {}).status_code == 200
    session.expire_all()
    assert session.get(Theme, book.themes["waiting"].id).status == ThemeStatus.ACTIVE


# Files


def test_csv_export_then_import_updates_by_key_after_a_check(worker, session, book):
    exported = worker.get(f"{book.url}/export/csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.headers["Content-Disposition"] == (
        'attachment; filename="parent-themes-v1.csv"'
    )
    assert exported.data.startswith(b"\xef\xbb\xbf")
    read = from_csv(exported.data, name="Parent themes")
    assert [(t.key, t.parent_key) for t in read.themes] == [
        ("waiting", ""),
        ("waiting-plans", "waiting"),
        ("transport", ""),
        ("communication", ""),
    ]
    assert read.themes[1].examples == ("We waited 40 weeks for the plan.",)

    text = exported.data.decode("utf-8-sig")
    text = text.replace("School transport", "Travel to school")
    text = "\r\n".join(line for line in text.split("\r\n") if not line.startswith("communication"))
    text += (
        "short-breaks,Short breaks,waiting,Respite and clubs,,,"
        "Clubs closed | No respite,My Independence\r\n"
    )
    checked = upload(worker, f"{book.url}/import", text.encode("utf-8"), "parent-themes-v1.csv")
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    shown = words(html)
    assert "Check what the file will change" in shown
    assert "Themes to add (1)" in shown and "Short breaks Waiting times" in shown
    assert "Themes to change (1)" in shown
    assert "Name: “School transport” to “Travel to school”" in shown
    assert "Themes to retire (1)" in shown and "Communication with parents" in shown
    assert "2 themes are the same as now" in shown
    session.expire_all()
    assert session.get(Codebook, book.codebook.id).version == 1  # nothing saved yet

    saved = confirm(worker, html, f"{book.url}/import/confirm")
    assert saved.status_code == 302 and saved.headers["Location"] == book.url
    session.expire_all()
    assert session.get(Codebook, book.codebook.id).version == 2
    themes = {
        t.key: t
        for t in list_themes(session=session, codebook_id=book.codebook.id, include_inactive=True)
    }
    assert themes["transport"].name == "Travel to school"
    assert themes["communication"].status == ThemeStatus.RETIRED
    added = themes["short-breaks"]
    assert added.parent_id == themes["waiting"].id
    assert added.examples == ["Clubs closed", "No respite"]
    assert added.outcome_area == "My Independence"
    kinds = [(c.kind, c.version, c.theme_id) for c in changes(session, book.codebook)]
    assert kinds == [
        (ChangeKind.RENAMED, 2, themes["transport"].id),
        (ChangeKind.CREATED, 2, added.id),
        (ChangeKind.RETIRED, 2, themes["communication"].id),
        (ChangeKind.IMPORTED, 2, None),
    ]
    [event] = events(session, "codebook.updated_from_file")
    assert event.details["added"] == 1 and event.details["retired"] == 1

    # The same file again changes nothing, and has nothing to confirm.
    again = upload(worker, f"{book.url}/import", text.encode("utf-8"), "parent-themes-v2.csv")
    assert "so nothing would change" in words(again.get_data(as_text=True))
    assert 'name="token"' not in again.get_data(as_text=True)
    # The first version, before the import, can still be downloaded as it was.
    old = worker.get(f"{book.url}/versions/1/export/csv")
    assert old.status_code == 404  # version 1 was never changed, so it has no snapshot
    now = worker.get(f"{book.url}/history").get_data(as_text=True)
    assert f'href="{book.url}/export/csv"' in now


def test_a_past_version_can_be_downloaded_as_it_was(worker, session, book):
    post(worker, book.theme_url("transport", "edit"), theme_form(name="Travel to school"))
    post(worker, book.theme_url("transport", "edit"), theme_form(name="Getting to school"))
    history = worker.get(f"{book.url}/history").get_data(as_text=True)
    assert f'href="{book.url}/versions/2/export/csv"' in history
    past = worker.get(f"{book.url}/versions/2/export/csv")
    assert past.status_code == 200 and past.mimetype == "text/csv"
    assert past.headers["Content-Disposition"] == 'attachment; filename="parent-themes-v2.csv"'
    names = [t.name for t in from_csv(past.data, name="x").themes]
    assert "Travel to school" in names and "Getting to school" not in names
    assert worker.get(f"{book.url}/versions/9/export/csv").status_code == 404
    assert worker.get(f"{book.url}/export/pdf").status_code == 404


def test_a_confirmation_is_refused_once_the_codebook_has_changed(worker, session, book):
    text = worker.get(f"{book.url}/export/csv").data.decode("utf-8-sig")
    text = text.replace("School transport", "Travel to school")
    html = upload(worker, f"{book.url}/import", text.encode(), "book.csv").get_data(as_text=True)
    post(worker, book.theme_url("waiting", "edit"), theme_form(name="Waiting"))
    late = confirm(worker, html, f"{book.url}/import/confirm")
    assert late.status_code == 302 and late.headers["Location"] == f"{book.url}/import"
    # The rename and the cleared description are versions 2 and 3.
    assert "it is now version 3" in worker.get(f"{book.url}/import").get_data(as_text=True)
    session.expire_all()
    assert session.get(Theme, book.themes["transport"].id).name == "School transport"
    # A token that was tampered with is not trusted.
    forged = html.replace('name="token" value="', 'name="token" value="x')
    assert confirm(worker, forged, f"{book.url}/import/confirm").status_code == 302
    assert "Upload the file again" in worker.get(f"{book.url}/import").get_data(as_text=True)
    session.expire_all()
    assert session.get(Codebook, book.codebook.id).version == 3


def test_the_qdc_export_is_a_valid_codebook_with_children_inside_their_parent(worker, book):
    response = worker.get(f"{book.url}/export/qdc")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="parent-themes-v1.qdc"'
    )
    assert check_qdc(response.data) == []
    root = ET.fromstring(response.data)  # noqa: S314 (Heard's own export, in a test)
    code = f"{{{QDC_NAMESPACE}}}Code"
    [waiting] = [c for c in root.iter(code) if c.get("name") == "Waiting times"]
    assert [c.get("name") for c in waiting.findall(code)] == ["Waiting for a plan"]
    assert waiting.findall(code)[0].get("guid") == theme_guid("waiting-plans")
    top = root.find(f"{{{QDC_NAMESPACE}}}Codes").findall(code)
    assert [c.get("name") for c in top] == [
        "Waiting times",
        "School transport",
        "Communication with parents",
    ]


def test_a_qdc_file_makes_a_new_draft_codebook(worker, session, demo, book):
    data = worker.get(f"{book.url}/export/qdc").data
    checked = upload(worker, f"{BASE}/import", data, "from-nvivo.qdc", name="Parents 2026")
    html = checked.get_data(as_text=True)
    shown = words(html)
    assert "This will make a new draft codebook, “Parents 2026”, with 4 themes." in shown
    saved = confirm(worker, html, f"{BASE}/import/confirm")
    assert saved.status_code == 302
    session.expire_all()
    [made] = [
        c
        for c in list_codebooks(session=session, organisation_id=demo.organisation.id)
        if c.name == "Parents 2026"
    ]
    assert saved.headers["Location"] == f"{BASE}/{made.id}"
    assert (made.status, made.version) == (CodebookStatus.DRAFT, 1)
    themes = {t.key: t for t in list_themes(session=session, codebook_id=made.id)}
    assert set(themes) == set(book.themes)
    assert themes["waiting-plans"].parent_id == themes["waiting"].id
    assert themes["waiting-plans"].inclusion == "the wait was for an EHC plan"
    [change] = changes(session, made)
    assert (change.kind, change.version) == (ChangeKind.IMPORTED, 1)
    assert (
        session.exec(select(CodebookSnapshot).where(CodebookSnapshot.codebook_id == made.id))
        .one()
        .version
        == 1
    )
    assert events(session, "codebook.imported")[0].object_id == str(made.id)
    # A second file cannot take the same name.
    twice = upload(worker, f"{BASE}/import", data, "again.qdc", name="parents  2026")
    assert error_summary(twice.get_data(as_text=True)) == [
        "There is already a codebook called “parents 2026”. Enter a different name, or import "
        "the file from that codebook’s page to make it the next version"
    ]


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (
            b"name\nWaiting\n",
            "themes.txt",
            ["The selected file must be a CSV file or a REFI-QDA codebook (.qdc)"],
        ),
        (
            b"name\n" + b"A theme\n" * 150_000,
            "big.csv",
            ["The selected file must be smaller than 1MB"],
        ),
        (b"", "empty.csv", ["The selected file is empty"]),
        (b'name,description\nWaiting,"never closed\n', "broken.csv", None),
        (b"\xff\xfe\x00n\x00a", "binary.csv", None),
        (b"<CodeBook><Codes>", "broken.qdc", None),
        (
            b"key,name\nwaiting,Waiting\nwaiting,Waiting again\n,Service users\n",
            "twice.csv",
            [
                "Row 3: the key “waiting” is already used on row 2",
            ],
        ),
    ],
)
def test_a_bad_file_is_listed_in_the_error_summary(
    worker, session, book, content, filename, expected
):
    response = upload(worker, f"{BASE}/import", content, filename)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    problems = error_summary(html)
    assert problems, html
    if expected is not None:
        assert problems == expected
    assert "govuk-file-upload" in html or 'type="file"' in html
    assert 'id="file-error"' in html
    session.expire_all()
    assert len(list_codebooks(session=session, organisation_id=book.codebook.organisation_id)) == 2


def test_every_problem_in_a_file_is_listed(worker, book):
    content = (
        b"key,name,parent,outcome_area\n"
        b"waiting,Waiting,,\n"
        b"plans,Waiting for a plan,nowhere,\n"
        b"breaks,Short breaks for service users,,My Weekend\n"
    )
    html = upload(worker, f"{book.url}/import", content, "themes.csv").get_data(as_text=True)
    problems = error_summary(html)
    assert problems == [
        "Row 3: parent “nowhere” is not a theme in this file",
        "Row 4: outcome area must be “My Voice”, “My Health” or “My Independence”, or left blank",
    ]
    assert "The file has 2 problems. Fix them all, then upload it again" in html
    # Words to avoid are checked once the file can be read.
    fixed = content.replace(b"nowhere", b"waiting").replace(b"My Weekend", b"")
    html = upload(worker, f"{book.url}/import", fixed, "themes.csv").get_data(as_text=True)
    assert error_summary(html) == [
        "Theme “Short breaks for service users”: the name uses “service users”. Use people’s "
        "own terms, for example “children and young people” or “parents and carers”."
    ]


def test_a_file_cannot_bring_back_a_merged_theme(worker, session, book):
    text = worker.get(f"{book.url}/export/csv").data
    post(
        worker,
        f"{book.theme_url('transport', 'merge')}/{book.themes['communication'].id}",
        {},
        page=book.url,
    )
    html = upload(worker, f"{book.url}/import", text, "old.csv").get_data(as_text=True)
    assert error_summary(html) == [
        "Theme “School transport”: the key “transport” belonged to “School transport”, which "
        "was merged into “Communication with parents”. Give the theme a new key, or take it "
        "out of the file"
    ]


def test_a_retired_theme_comes_back_when_a_file_has_its_key(worker, session, book):
    text = worker.get(f"{book.url}/export/csv").data
    post(worker, book.theme_url("transport", "retire"), {})
    html = upload(worker, f"{book.url}/import", text, "old.csv").get_data(as_text=True)
    assert "Brought back into use" in words(html)
    assert confirm(worker, html, f"{book.url}/import/confirm").status_code == 302
    session.expire_all()
    assert session.get(Theme, book.themes["transport"].id).status == ThemeStatus.ACTIVE
    assert session.get(Codebook, book.codebook.id).version == 3


# The command line


def test_the_command_line_exports_and_imports_like_the_pages(app, session, book, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "parents.csv"
    written = runner.invoke(
        codebook_group,
        ["export", "--format", "csv", "--out", str(out), "--codebook", "parent THEMES"],
    )
    assert written.exit_code == 0, written.output
    assert f"Wrote “Parent themes” version 1 (4 themes) to {out}." in written.output
    read = from_csv(out.read_bytes(), name="x")
    assert [t.key for t in read.themes] == [
        "waiting",
        "waiting-plans",
        "transport",
        "communication",
    ]

    text = out.read_text("utf-8-sig").replace("Communication with parents", "Talking with parents")
    changed = tmp_path / "Parent themes.csv"
    changed.write_text(text, "utf-8")
    imported = runner.invoke(codebook_group, ["import", str(changed)])
    assert imported.exit_code == 0, imported.output
    assert (
        "Change “Communication with parents”: Name: “Communication with parents” to "
        "“Talking with parents”" in imported.output
    )
    assert "Updated “Parent themes” to version 2: 0 added, 1 changed, 0 retired." in imported.output
    session.expire_all()
    assert session.get(Theme, book.themes["communication"].id).name == "Talking with parents"
    [event] = events(session, "codebook.updated_from_file")
    assert event.actor_user_id is None and event.details["via"] == "command line"
    renamed = [c for c in changes(session, book.codebook) if c.kind == ChangeKind.RENAMED]
    assert renamed[0].details["from"] == "Communication with parents"

    again = runner.invoke(codebook_group, ["import", str(changed), "--codebook", "Parent themes"])
    assert again.exit_code == 0 and "Nothing changed" in again.output

    qdc = tmp_path / "parents.qdc"
    assert (
        runner.invoke(
            codebook_group,
            ["export", "--format", "qdc", "--out", str(qdc), "--codebook", "Parent themes"],
        ).exit_code
        == 0
    )
    assert check_qdc(qdc.read_bytes()) == []
    new = runner.invoke(codebook_group, ["import", str(qdc), "--codebook", "Copied themes"])
    assert new.exit_code == 0, new.output
    assert "Created “Copied themes”, a draft codebook with 4 themes (version 1)." in new.output
    # Heard's .qdc files carry no codebook name, so without --codebook it comes from the file's.
    named = runner.invoke(codebook_group, ["import", str(qdc)])
    assert "Created “Parents”, a draft codebook with 4 themes (version 1)." in named.output


def test_the_command_line_exports_the_active_codebook_by_default(
    app, session, demo, book, tmp_path
):
    out = tmp_path / "active.csv"
    result = app.test_cli_runner().invoke(
        codebook_group, ["export", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    active = next(
        c
        for c in list_codebooks(session=session, organisation_id=demo.organisation.id)
        if c.status == CodebookStatus.ACTIVE
    )
    assert f"“{active.name}”" in result.output
    missing = app.test_cli_runner().invoke(
        codebook_group, ["export", "--format", "csv", "--out", str(out), "--codebook", "Nope"]
    )
    assert missing.exit_code == 2 and "there is no codebook called 'Nope'" in missing.output


def test_the_command_line_lists_the_problems_and_fails(app, session, book, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("key,name\nwaiting,Waiting\nwaiting,Waiting again\n", "utf-8")
    result = app.test_cli_runner().invoke(
        codebook_group, ["import", str(bad), "--codebook", "Parent themes"]
    )
    assert result.exit_code == 1
    assert "bad.csv was not imported" in result.output
    assert "Row 3: the key “waiting” is already used on row 2" in result.output
    wrong = tmp_path / "themes.xlsx"
    wrong.write_bytes(b"PK")
    result = app.test_cli_runner().invoke(codebook_group, ["import", str(wrong)])
    assert result.exit_code == 1 and "must be a CSV file or a REFI-QDA codebook" in result.output
    session.expire_all()
    assert session.get(Codebook, book.codebook.id).version == 1


# Who may see what


def test_another_organisations_codebook_is_not_found(client, session, demo, book):
    other = Organisation(name="Elsewhere Council", slug="elsewhere")
    session.add(other)
    session.flush()
    create_user(
        session=session,
        organisation_id=other.id,
        data=UserCreate(
            email="worker@elsewhere.example.org",
            full_name="Sam Elsewhere",
            role=Role.PARTICIPATION,
            password=DEMO_PASSWORD,
        ),
    )
    session.commit()
    assert sign_in(client, "worker@elsewhere.example.org").status_code == 302
    theme = book.themes["transport"].id
    for url in [
        f"{book.url}/themes/new",
        f"{book.url}/themes/{theme}/edit",
        f"{book.url}/themes/{theme}/merge",
        f"{book.url}/themes/{theme}/merge/{book.themes['waiting'].id}",
        f"{book.url}/themes/{theme}/retire",
        f"{book.url}/history",
        f"{book.url}/export/csv",
        f"{book.url}/export/qdc",
        f"{book.url}/versions/1/export/csv",
        f"{book.url}/import",
    ]:
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, f"{BASE}/import")
    assert (
        client.post(f"{book.url}/themes/{theme}/retire", data={"csrf_token": token}).status_code
        == 404
    )
    session.expire_all()
    assert session.get(Theme, theme).status == ThemeStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.SAFEGUARDING, Role.REVIEWER])
def test_other_roles_are_refused(client, book, role):
    assert sign_in(client, DEMO_EMAILS[role]).status_code == 302
    for url in [
        f"{book.url}/themes/new",
        book.theme_url("transport", "edit"),
        f"{book.url}/history",
        f"{book.url}/export/csv",
        f"{BASE}/import",
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_officers_and_administrators_can_change_themes(client, session, book, role):
    assert sign_in(client, DEMO_EMAILS[role]).status_code == 302
    response = post(client, book.theme_url("transport", "edit"), theme_form(name="Travel"))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Theme, book.themes["transport"].id).name == "Travel"


def test_a_draft_codebook_can_be_made_the_one_in_use(worker, book, session, demo):
    from models.coding import CodebookStatus, get_active_codebook

    before = get_active_codebook(session=session, organisation_id=demo.organisation.id)
    assert before.id != book.codebook.id
    page = worker.get(book.url).get_data(as_text=True)
    assert "Use this codebook for new comments" in page
    token = csrf_token(worker, book.url)
    done = worker.post(f"{book.url}/activate", data={"csrf_token": token}, follow_redirects=True)
    assert "New comments are now coded against “Parent themes”" in done.get_data(as_text=True)
    session.expire_all()
    assert get_active_codebook(session=session, organisation_id=demo.organisation.id).id == (
        book.codebook.id
    )
    assert session.get(Codebook, before.id).status == CodebookStatus.RETIRED
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "codebook.activated")).one()
    assert "Use this codebook for new comments" not in worker.get(book.url).get_data(as_text=True)
    assert worker.post(f"{book.url}/activate", data={}).status_code == 400


# Limits the pages keep, so that every codebook they make can be imported again


@pytest.fixture
def deep(session, demo) -> Book:
    """Ten themes, each under the one before; a theme with one under it; and one alone."""
    levels = [
        {"key": f"level-{n}", "name": f"Level {n}", "parent": f"level-{n - 1}" if n > 1 else ""}
        for n in range(1, 11)
    ]
    codebook = create_codebook(
        session=session,
        organisation_id=demo.organisation.id,
        name="Deep themes",
        themes=[
            *levels,
            {"key": "branch", "name": "Branch"},
            {"key": "twig", "name": "Twig", "parent": "branch"},
            {"key": "solo", "name": "Solo"},
        ],
    )
    session.commit()
    themes = {t.key: t for t in list_themes(session=session, codebook_id=codebook.id)}
    return Book(codebook=codebook, themes=themes)


def test_a_theme_cannot_be_added_more_than_ten_levels_deep(worker, session, deep):
    url = f"{deep.url}/themes/new"
    refused = post(worker, url, theme_form(name="Too far", parent=str(deep.themes["level-10"].id)))
    assert refused.status_code == 200
    assert error_summary(refused.get_data(as_text=True)) == [
        "A theme can be at most 10 levels deep, and “Level 10” is already 10 levels deep. "
        "Select a theme higher up, or none"
    ]
    added = post(worker, url, theme_form(name="Far enough", parent=str(deep.themes["level-9"].id)))
    assert added.status_code == 302
    session.expire_all()
    assert session.get(Codebook, deep.codebook.id).version == 2
    assert "Too far" not in {
        t.name for t in list_themes(session=session, codebook_id=deep.codebook.id)
    }


def test_a_theme_cannot_be_moved_where_the_themes_under_it_would_be_too_deep(worker, session, deep):
    url = deep.theme_url("branch", "edit")
    refused = post(worker, url, theme_form(name="Branch", parent=str(deep.themes["level-9"].id)))
    assert refused.status_code == 200
    assert error_summary(refused.get_data(as_text=True)) == [
        "A theme can be at most 10 levels deep. In “Level 9”, “Branch” and the themes under it "
        "would go 11 levels deep. Select a theme higher up, or none"
    ]
    solo = post(
        worker,
        deep.theme_url("solo", "edit"),
        theme_form(name="Solo", parent=str(deep.themes["level-10"].id)),
    )
    assert "“Level 10” is already 10 levels deep" in error_summary(solo.get_data(as_text=True))[0]
    session.expire_all()
    assert session.get(Theme, deep.themes["branch"].id).parent_id is None
    assert session.get(Codebook, deep.codebook.id).version == 1
    moved = post(worker, url, theme_form(name="Branch", parent=str(deep.themes["level-8"].id)))
    assert moved.status_code == 302
    session.expire_all()
    assert session.get(Theme, deep.themes["branch"].id).parent_id == deep.themes["level-8"].id
    # What the pages made still imports.
    exported = worker.get(f"{deep.url}/export/csv").data
    assert len(from_csv(exported, name="x").themes) == 13


def test_a_merge_is_refused_when_the_themes_under_it_would_be_too_deep(worker, session, deep):
    url = f"{deep.theme_url('branch', 'merge')}/{deep.themes['level-10'].id}"
    page = worker.get(url)
    assert page.status_code == 200
    expected = (
        "A theme can be at most 10 levels deep, and “Level 10” is already 10 levels deep. "
        "Choose a theme higher up, or move some of the themes first"
    )
    assert expected in words(page.get_data(as_text=True))
    assert post(worker, url, {}).status_code == 200
    session.expire_all()
    assert session.get(Theme, deep.themes["branch"].id).status == ThemeStatus.ACTIVE
    assert session.get(Theme, deep.themes["twig"].id).parent_id == deep.themes["branch"].id
    assert session.get(Codebook, deep.codebook.id).version == 1
    # One level higher up, the theme under it lands on the tenth level: allowed.
    merged = post(worker, f"{deep.theme_url('branch', 'merge')}/{deep.themes['level-9'].id}", {})
    assert merged.status_code == 302
    session.expire_all()
    assert session.get(Theme, deep.themes["twig"].id).parent_id == deep.themes["level-9"].id


def test_a_codebook_cannot_have_more_than_500_themes(worker, session, demo):
    codebook = create_codebook(
        session=session,
        organisation_id=demo.organisation.id,
        name="Full themes",
        themes=[{"key": f"theme-{n}", "name": f"Theme {n}"} for n in range(500)],
    )
    session.commit()
    url = f"{BASE}/{codebook.id}/themes/new"
    refused = post(worker, url, theme_form(name="One more"))
    assert refused.status_code == 200
    assert error_summary(refused.get_data(as_text=True)) == [
        "A codebook can have at most 500 themes, and this one has 500 in use. Merge or retire "
        "a theme before adding another"
    ]
    session.expire_all()
    assert session.get(Codebook, codebook.id).version == 1
    assert len(list_themes(session=session, codebook_id=codebook.id)) == 500


# Two people at once


@pytest.mark.parametrize("same_place", [False, True])
def test_a_theme_added_by_someone_else_at_the_same_moment_is_not_a_server_error(
    worker, session, book, monkeypatch, same_place
):
    """Someone adds a theme with the same name, so the same key, after this form was
    checked and before it is saved: the database refuses the second theme's key."""
    real = staff_codebooks.add_themes
    other = session  # the other person's
    raced: list[str] = []

    def add_themes_late(*, session: Any, codebook: Codebook, themes: list[dict]) -> list[Theme]:
        if raced:
            return real(session=session, codebook=codebook, themes=themes)
        [values] = themes
        raced.append(values["key"])
        other.add(
            Theme(
                codebook_id=codebook.id,
                key=values["key"],
                name=values["name"],
                parent_id=book.themes["waiting"].id if same_place else None,
                position=50,
            )
        )
        other.commit()
        # As add_themes would, had it looked just before the other theme was saved.
        session.add(Theme(codebook_id=codebook.id, key=values["key"], name=values["name"]))
        session.flush()
        raise AssertionError("the key should already be taken")

    monkeypatch.setattr(staff_codebooks, "add_themes", add_themes_late)
    response = post(
        worker,
        f"{book.url}/themes/new",
        theme_form(name="Short breaks", parent=str(book.themes["waiting"].id)),
    )
    assert raced == ["short-breaks"]
    session.expire_all()
    themes = list_themes(session=session, codebook_id=book.codebook.id)
    named = sorted(t.key for t in themes if t.name == "Short breaks")
    if same_place:
        assert response.status_code == 200
        assert error_summary(response.get_data(as_text=True)) == [
            "There is already a theme called “Short breaks” in “Waiting times”. Enter a "
            "different name, or merge the two themes"
        ]
        assert named == ["short-breaks"]
        assert session.get(Codebook, book.codebook.id).version == 1
    else:
        # The other theme is at the top level, so this one is added, with the next key.
        assert response.status_code == 302
        assert named == ["short-breaks", "short-breaks-2"]
        assert session.get(Codebook, book.codebook.id).version == 2
        [event] = events(session, "codebook.theme.added")
        assert event.details["key"] == "short-breaks-2"


# Files at the limits


def test_a_file_near_the_size_limit_that_hardly_compresses_can_be_confirmed(
    worker, session, demo, app
):
    letters = string.ascii_letters + string.digits
    chance = random.Random(1)  # noqa: S311 (test data, not a secret)

    def text(length: int) -> str:
        return "".join(chance.choice(letters) for _ in range(length))

    rows = tuple(
        ThemeRow(
            key=f"theme-{n}",
            name=f"Theme {n}",
            examples=tuple(text(MAX_EXAMPLE - 10) for _ in range(MAX_EXAMPLES)),
        )
        for n in range(50)
    )
    data = to_csv(CodebookFile(name="Big", version=1, themes=rows)).encode("utf-8")
    assert 900_000 < len(data) < MAX_UPLOAD
    checked = upload(worker, f"{BASE}/import", data, "big-themes.csv")
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    token = BeautifulSoup(html, "html.parser").select_one('input[name="token"]')["value"]
    assert len(token) > 500_000  # more than Flask lets a form field hold unless told otherwise
    # Sent as multipart/form-data, which Werkzeug always holds to the limit (it held
    # urlencoded forms to it too before 3.1.9).
    fields = {"csrf_token": csrf_token(worker, f"{BASE}/import"), "token": token}
    boundary = "heard-test-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    saved = worker.post(
        f"{BASE}/import/confirm",
        data=body + f"--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert saved.status_code == 302
    session.expire_all()
    [created] = [
        c
        for c in list_codebooks(session=session, organisation_id=demo.organisation.id)
        if c.name == "Big themes"
    ]
    themes = list_themes(session=session, codebook_id=created.id)
    assert len(themes) == 50 and themes[0].examples == list(rows[0].examples)


def test_the_form_limit_holds_the_largest_check_a_file_can_make(app):
    """Random bytes are the worst case: they do not compress at all."""
    worst = base64.urlsafe_b64encode(codebook_imports.pack(os.urandom(MAX_UPLOAD))).decode()
    token = URLSafeTimedSerializer("k" * 64, salt="heard.codebook-import").dumps(
        {"organisation": 1, "user": 1, "filename": "x" * 200, "name": "x" * 200, "data": worst}
    )
    # Even if the signed token did not compress, it is 4/3 of its contents.
    assert len(token) < len(worst) * 4 // 3 + 2_000 < app.config["MAX_FORM_MEMORY_SIZE"]
    assert app.config["MAX_FORM_MEMORY_SIZE"] < app.config["MAX_CONTENT_LENGTH"]


def test_a_long_file_name_keeps_its_ending(worker, session, demo, book):
    text = worker.get(f"{book.url}/export/csv").data
    long_name = "parent-themes-" + "x" * 250 + ".csv"
    checked = upload(worker, f"{BASE}/import", text, long_name)
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "must be a CSV file" not in html
    assert confirm(worker, html, f"{BASE}/import/confirm").status_code == 302
    [event] = events(session, "codebook.imported")
    kept = event.details["file"]
    assert len(kept) == 200 and kept.endswith("x.csv") and kept.startswith("parent-themes-x")
    assert codebook_imports.short_filename("C:\\Files\\" + long_name) == kept
    assert codebook_imports.short_filename("themes.csv") == "themes.csv"
    assert codebook_imports.short_filename("x" * 300) == "x" * 200


def test_the_command_line_refuses_a_codebook_name_that_is_too_long(app, session, book, tmp_path):
    path = tmp_path / "themes.csv"
    path.write_text("key,name\nwaiting,Waiting\n", "utf-8")
    runner = app.test_cli_runner()
    long_name = "N" * 201
    imported = runner.invoke(codebook_group, ["import", str(path), "--codebook", long_name])
    assert imported.exit_code == 2
    assert "a codebook name must be 200 characters or fewer; this one has 201" in imported.output
    exported = runner.invoke(
        codebook_group,
        ["export", "--format", "csv", "--out", str(tmp_path / "out.csv"), "--codebook", long_name],
    )
    assert exported.exit_code == 2 and "200 characters or fewer" in exported.output
    session.expire_all()
    organisation_id = book.codebook.organisation_id
    assert long_name not in {
        c.name for c in list_codebooks(session=session, organisation_id=organisation_id)
    }
    # Exactly 200 characters is a name a codebook can have.
    made = runner.invoke(codebook_group, ["import", str(path), "--codebook", "N" * 200])
    assert made.exit_code == 0, made.output


# Another organisation's codebook, posted to


def test_another_organisations_codebook_cannot_be_activated_or_imported_into(
    client, session, demo, book
):
    assert sign_in(client, DEMO_EMAILS[Role.PARTICIPATION]).status_code == 302
    text = client.get(f"{book.url}/export/csv").data.decode("utf-8-sig")
    text = text.replace("School transport", "Travel to school")
    checked = upload(client, f"{book.url}/import", text.encode(), "book.csv")
    soup = BeautifulSoup(checked.get_data(as_text=True), "html.parser")
    token = soup.select_one('input[name="token"]')["value"]
    other = Organisation(name="Elsewhere Council", slug="elsewhere")
    session.add(other)
    session.flush()
    create_user(
        session=session,
        organisation_id=other.id,
        data=UserCreate(
            email="worker@elsewhere.example.org",
            full_name="Sam Elsewhere",
            role=Role.PARTICIPATION,
            password=DEMO_PASSWORD,
        ),
    )
    session.commit()
    elsewhere = client.application.test_client()
    assert sign_in(elsewhere, "worker@elsewhere.example.org").status_code == 302
    csrf = csrf_token(elsewhere, f"{BASE}/import")
    activated = elsewhere.post(f"{book.url}/activate", data={"csrf_token": csrf})
    assert activated.status_code == 404
    confirmed = elsewhere.post(
        f"{book.url}/import/confirm", data={"csrf_token": csrf, "token": token}
    )
    assert confirmed.status_code == 404
    session.expire_all()
    saved = session.get(Codebook, book.codebook.id)
    assert saved.status == CodebookStatus.DRAFT and saved.version == 1
    assert session.get(Theme, book.themes["transport"].id).name == "School transport"
    assert not events(session, "codebook.activated")
    assert not events(session, "codebook.updated_from_file")
