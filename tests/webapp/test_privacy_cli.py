"""`heard retention` and `heard sar`: the purge, subject access, and erasure.

The people here answer through the real pages (an invitation link, free text, an address to
hear back, and for one of them a disclosure), so erasure meets everything sending creates.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from models import (
    OrganisationCreate,
    Response,
    create_organisation,
    get_published_form,
    list_users,
    save_answers,
    save_upload,
    start_response,
    submit_response,
)
from models.audit import AuditEvent
from models.coding import CodingSource, Comment, code_comment
from models.demo import DEMO_SLUG
from models.plan_evidence import EvidenceKind, EvidenceLink
from models.safeguarding import SafeguardingAlert
from models.surveys import (
    Anonymity,
    Invitation,
    close_round,
    count_submitted,
    create_invitations,
    invitation_counts,
    submitted_responses,
)
from models.types import utcnow
from models.yswd import Audience, FollowUp, YswdQuote, create_entry, set_quotes
from tests.conftest import make_app
from tests.dangling import assert_nothing_points_at
from tests.surveys import answer_every_page, definition, make_round, send, start
from tests.webapp.yswd import coded_term
from webapp import settings
from webapp.action_evidence import indicator_evidence
from webapp.privacy_cli import retention_group, sar_group
from webapp.review_queue import Filters
from webapp.review_queue import count as queue_count
from webapp.survey_results import question_tables, score
from webapp.yswd_figures import entry_figures, theme_figures

DISCLOSURE = "my dad hurts me when mum is out"
HERE = ("--organisation", DEMO_SLUG)  # the demo; the people fixture adds a second organisation


@dataclass
class People:
    organisation_id: int
    survey_round: object
    term: object
    # Response ids:
    jo: int  # invited, answered the parent survey online, asked to hear back
    jo_child: int  # All about Me, named Jo Parent, with a picture
    sam: int  # invited, answered online, wrote a disclosure
    elsewhere: int  # another organisation's Jo Parent


def answer(app, session, survey_round, token, **choices):
    client = app.test_client()
    assert start(client, f"/i/{token}").status_code == 302
    answer_every_page(client, definition(session, survey_round), choices)
    assert send(client, "parent-termly").status_code == 302


def newest_response(session) -> Response:
    session.expire_all()
    return session.exec(select(Response).order_by(col(Response.id).desc())).first()


@pytest.fixture
def people(app, session, demo, published) -> People:
    org = demo.organisation.id
    term = coded_term(session, org)
    survey_round = term.survey_round
    invited = create_invitations(
        session=session,
        survey_round=survey_round,
        people=[
            {"name": "Jo Parent", "email": "Jo@Example.org", "reference": "J-1"},
            {"name": "Sam Carer", "email": "sam@example.org", "reference": "S-2"},
        ],
    )
    session.commit()
    answer(
        app,
        session,
        survey_round,
        invited[0][1],
        **{"could-be-better": "We waited 30 weeks for the plan", "contact-email": "jo@example.org"},
    )
    jo = newest_response(session)
    answer(app, session, survey_round, invited[1][1], **{"could-be-better": DISCLOSURE})
    sam = newest_response(session)
    [jo_comment] = session.exec(
        select(Comment).where(
            Comment.response_id == jo.id, Comment.question_id == "could-be-better"
        )
    )
    jo_comment.quote_consent = True
    code_comment(
        session=session,
        comment=jo_comment,
        theme_ids={term.waiting.id: None},
        source=CodingSource.HUMAN,
    )
    jo_child = named_child(session, org, "Jo Parent", b"\x89PNG jo")
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="elsewhere", name="Elsewhere Council")
    )
    elsewhere = named_child(session, other.id, "Jo Parent", b"\x89PNG other")
    other_round = make_round(session, other.id)
    create_invitations(
        session=session,
        survey_round=other_round,
        people=[{"name": "Jo Parent", "email": "jo@example.org"}],
    )
    session.commit()
    return People(org, survey_round, term, jo.id, jo_child.id, sam.id, elsewhere.id)


def named_child(session, organisation_id, name, picture) -> Response:
    version = get_published_form(session=session, slug="all-about-me-pathway-1")
    response, _token = start_response(
        session=session, organisation_id=organisation_id, form_version=version
    )
    save_answers(
        session=session,
        response=response,
        page_id="about-me",
        answers={"name": name, "provided-by": "child-alone", "picture": {"filename": "me.png"}},
        respondent_name=name,
        name_given=True,
    )
    save_upload(
        session=session,
        response=response,
        question_id="picture",
        data=picture,
        content_type="image/png",
        filename="me.png",
    )
    submit_response(session=session, response=response)
    session.commit()
    return response


def run(app, group, *args, input=None):
    result = app.test_cli_runner().invoke(group, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def events(session, action):
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


# heard retention


def test_retention_show_prints_every_rule_its_period_and_its_setting(database_url):
    app = make_app(database_url, HEARD_RETAIN_DRAFTS_DAYS=30)
    try:
        result = run(app, retention_group, "show")
    finally:
        app.extensions["heard.engine"].dispose()
    assert result.exit_code == 0, result.output
    assert "Unfinished responses (drafts): 30 days since last changed" in result.output
    assert "Set with HEARD_RETAIN_DRAFTS_DAYS, default 60." in result.output
    assert "Safeguarding alerts (safeguarding): 2190 days after the alert was closed" in (
        result.output
    )
    assert "never deleted" in result.output
    assert "Files made by jobs (job-files): 1 day since made" in result.output
    for setting in ("HEARD_RETAIN_AUDIT_DAYS", "HEARD_RETAIN_SIGN_INS_DAYS"):
        assert f"Set with {setting}." in result.output


def test_retention_purge_says_what_it_removed_and_a_second_run_removes_nothing(
    app, session, demo, published
):
    version = get_published_form(session=session, slug="all-about-me-pathway-1")
    for days in (61, 1):
        draft, _token = start_response(
            session=session, organisation_id=demo.organisation.id, form_version=version
        )
        draft.updated_at = utcnow() - timedelta(days=days)
        session.add(draft)
    session.commit()

    dry = run(app, retention_group, "purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Unfinished responses: 1 would be deleted" in dry.output
    assert "This was a dry run: nothing was changed." in dry.output
    assert session.scalar(select(func.count()).select_from(Response)) == 2
    assert events(session, "retention.purged") == []

    done = run(app, retention_group, "purge")
    assert done.exit_code == 0, done.output
    assert "Unfinished responses: 1 deleted" in done.output
    assert "Who answered a sent response: 0 stripped" in done.output
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    again = run(app, retention_group, "purge")
    assert "Nothing was past its retention period." in again.output
    first, second = events(session, "retention.purged")
    assert first.details["counts"]["drafts"] == 1 and second.details["counts"]["drafts"] == 0


def test_a_bad_retention_setting_is_a_clear_error(database_url, monkeypatch):
    monkeypatch.setenv("HEARD_RETAIN_DRAFTS_DAYS", "a month")
    with pytest.raises(settings.ConfigurationError, match="HEARD_RETAIN_DRAFTS_DAYS must be"):
        settings.from_environment()
    monkeypatch.setenv("HEARD_RETAIN_DRAFTS_DAYS", "45")
    assert settings.from_environment()["HEARD_RETAIN_DRAFTS_DAYS"] == 45
    app = make_app(database_url, HEARD_RETAIN_JOBS_DAYS=0)
    try:
        result = run(app, retention_group, "purge")
    finally:
        app.extensions["heard.engine"].dispose()
    assert result.exit_code == 1
    assert "HEARD_RETAIN_JOBS_DAYS must be a whole number of days" in result.output


# heard sar export


def test_a_subject_access_file_holds_everything_about_them_and_nobody_else(
    app, session, people, tmp_path
):
    out = tmp_path / "jo.json"
    app.config["HEARD_ORGANISATION"] = DEMO_SLUG  # the default when none is named
    result = run(app, sar_group, "export", "--email", " jo@EXAMPLE.org ", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "responses 1, comments 3, pictures 0, safeguarding alerts 0, invitations 1" in (
        result.output
    )
    held = json.loads(out.read_text("utf-8"))
    [response] = held["responses"]
    assert response["id"] == people.jo and response["survey_round"] == "2026/27 Autumn"
    assert {
        "page": "Your comments",
        "question": "What could be better?",
        "answer": ["We waited 30 weeks for the plan"],
    } in response["answers"]
    assert any(a["answer"] == ["Strongly agree"] for a in response["answers"])
    said = {c["question"]: c for c in response["comments"]}
    assert said["What could be better?"]["themes"] == ["Waiting times"]
    assert said["What could be better?"]["may_be_quoted"] is True
    assert said["What could be better?"]["words_redacted"] == "We waited 30 weeks for the plan"
    [invitation] = held["invitations"]
    assert (invitation["name"], invitation["email"], invitation["reference"]) == (
        "Jo Parent",
        "Jo@Example.org",
        "J-1",
    )
    assert [f["email"] for f in held["follow_up_requests"]] == ["jo@example.org"]
    assert held["subject_access_request"]["review_before_release"] is False
    text = out.read_text("utf-8")
    assert "Sam Carer" not in text and DISCLOSURE not in text and "Elsewhere" not in text

    [event] = events(session, "sar.exported")
    assert event.organisation_id == people.organisation_id
    assert event.details["counts"]["responses"] == 1 and event.details["found_by"] == "email"
    assert "example.org" not in json.dumps(event.details).lower()


def test_by_name_it_finds_both_their_forms_with_the_picture_in_a_zip(
    app, session, people, tmp_path
):
    out = tmp_path / "jo.zip"
    result = run(app, sar_group, "export", "--respondent", "JO PARENT", *HERE, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Check before release: Found by name" in result.output
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        held = json.loads(archive.read("subject-access.json"))
        ids = [r["id"] for r in held["responses"]]
        assert ids == [people.jo, people.jo_child]
        [picture] = held["responses"][1]["pictures"]
        assert picture["file_name"] == "me.png"
        assert archive.read(picture["file"]) == b"\x89PNG jo"
        assert held["responses"][1]["name_given"] == "Jo Parent"
    # The other organisation's Jo Parent is in neither organisation's file but their own.
    other = tmp_path / "elsewhere.json"
    found = run(
        app,
        sar_group,
        "export",
        "--name",
        "Jo Parent",
        "--organisation",
        "elsewhere",
        "--out",
        str(other),
    )
    assert found.exit_code == 0, found.output
    held = json.loads(other.read_text("utf-8"))
    assert [r["id"] for r in held["responses"]] == [people.elsewhere]
    picture = held["responses"][0]["pictures"][0]
    assert picture["data_base64"] == "iVBORyBvdGhlcg=="  # the other picture's bytes
    assert [i["email"] for i in held["invitations"]] == ["jo@example.org"]


def test_safeguarding_records_are_included_and_flagged_for_review(app, session, people, tmp_path):
    out = tmp_path / "sam.json"
    result = run(app, sar_group, "export", "--response", str(people.sam), *HERE, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Check before release: This file holds safeguarding records" in result.output
    held = json.loads(out.read_text("utf-8"))
    assert held["subject_access_request"]["review_before_release"] is True
    [alert] = held["responses"][0]["safeguarding_alerts"]
    assert alert["words_as_written"] == DISCLOSURE and alert["status"] == "open"
    assert [i["name"] for i in held["invitations"]] == ["Sam Carer"]
    assert any(e["action"] == "safeguarding.alert.raised" for e in held["audit_events"])


# heard sar erase


def figures(app, session, people):
    """Every figure erasure must keep in step, worked out afresh."""
    session.expire_all()
    survey_round = people.survey_round
    form = definition(session, survey_round)
    answers = [r.answers for r in submitted_responses(session=session, survey_round=survey_round)]
    [indicator] = form.indicators
    link = EvidenceLink(
        action_id=0,
        kind=EvidenceKind.INDICATOR,
        form_slug="parent-termly",
        indicator_id=indicator.id,
    )
    with app.app_context():
        evidence = indicator_evidence(session, people.organisation_id, link, date.today())
    themes = theme_figures(session, people.organisation_id, [survey_round])
    return {
        "tables": question_tables(form, answers, {}),
        "score": score(indicator, answers),
        "evidence": (evidence.people, evidence.counted, evidence.positive),
        "sent": count_submitted(session=session, round_ids=[survey_round.id]),
        "invited": invitation_counts(session=session, survey_round=survey_round),
        "themes": {f.theme_id: (f.raised, f.respondents) for f in themes},
        "queue": {
            theme.id: queue_count(
                session, people.organisation_id, Filters(theme=str(theme.id), reviewed="all")
            )
            for theme in (people.term.waiting, people.term.transport)
        },
    }


def without(session, people, response_id):
    """The same figures over everyone else's answers: what erasure should leave."""
    survey_round = people.survey_round
    form = definition(session, survey_round)
    others = [
        r.answers
        for r in submitted_responses(session=session, survey_round=survey_round)
        if r.id != response_id
    ]
    [indicator] = form.indicators
    found = score(indicator, others)
    return form, others, found


def test_erasure_removes_everything_and_every_figure_matches_a_fresh_count(
    app, session, people, demo
):
    org, term = people.organisation_id, people.term
    close_round(session=session, survey_round=people.survey_round)
    user = list_users(session=session, organisation_id=org)[0]
    before_themes = theme_figures(session, org, [people.survey_round])
    entry = create_entry(
        session=session,
        organisation_id=org,
        user_id=user.id,
        audience=Audience.PARENTS,
        academic_year="2026/27",
        term="autumn",
        title="Waiting times",
        you_said="",
        easy_said="",
        respondents=before_themes[0].respondents,
        themes=[(f.theme_id, f.name, f.raised) for f in before_themes],
    )
    [jo_comment] = session.exec(
        select(Comment).where(
            Comment.response_id == people.jo, Comment.question_id == "could-be-better"
        )
    )
    quotes = [(c.id, term.waiting.id, c.text_redacted) for c in (jo_comment, term.consenting[0])]
    set_quotes(session=session, entry=entry, quotes=quotes)
    session.commit()
    before = figures(app, session, people)
    form, others, expected_score = without(session, people, people.jo)
    jo_ids = {"response": {people.jo, people.jo_child}, "comment": set()}
    jo_ids["comment"] = {
        c.id
        for c in session.exec(
            select(Comment).where(col(Comment.response_id).in_(jo_ids["response"]))
        )
    }
    assert len(jo_ids["comment"]) == 3

    result = run(app, sar_group, "erase", "--name", "jo parent", *HERE, "--yes")

    assert result.exit_code == 0, result.output
    assert f"response {people.jo}: Parent and carer survey, sent" in result.output
    assert "with 3 comments, 1 picture and 0 safeguarding alerts" in result.output
    assert "Erased: " in result.output and "responses 2" in result.output
    assert "“You said, we did” figures now leave them out" in result.output
    after = figures(app, session, people)
    waiting, transport = term.waiting.id, term.transport.id
    assert after["tables"] == question_tables(form, others, {})
    assert after["score"] == expected_score and after["score"].people == before["score"].people - 1
    assert after["evidence"] == (
        expected_score.people,
        expected_score.counted,
        expected_score.positive,
    )
    assert after["sent"] == {people.survey_round.id: before["sent"][people.survey_round.id] - 1}
    assert after["invited"] == (before["invited"][0] - 1, before["invited"][1] - 1)
    assert after["themes"][waiting] == (
        before["themes"][waiting][0] - 1,
        before["themes"][waiting][1] - 1,
    )
    assert after["themes"][transport][0] == before["themes"][transport][0]
    assert after["queue"] == {
        waiting: before["queue"][waiting] - 1,
        transport: before["queue"][transport],
    }
    # The entry's own figures were drafted from the same count, and drop with it.
    stored = {f.theme_id: (f.raised, f.respondents) for f in entry_figures(session, entry)}
    assert stored == after["themes"]
    assert [q.comment_id for q in session.exec(select(YswdQuote))] == [term.consenting[0].id]
    for table, ids in jo_ids.items():
        assert_nothing_points_at(session, table, ids)
    assert session.exec(select(FollowUp).where(FollowUp.email == "jo@example.org")).first() is None
    assert session.get(Response, people.elsewhere) is not None  # the other Jo Parent stays
    [event] = events(session, "sar.erased")
    assert event.details["counts"]["responses"] == 2
    assert "jo parent" not in json.dumps(event.details).lower()
    again = run(app, sar_group, "erase", "--name", "jo parent", *HERE, "--yes")
    assert again.exit_code == 1 and "Nothing is held about that name" in again.output


def test_erasure_refuses_a_response_with_a_safeguarding_alert_unless_told(app, session, people):
    refused = run(app, sar_group, "erase", "--email", "sam@example.org", *HERE, "--yes")
    assert refused.exit_code == 1
    assert "Nothing was erased" in refused.output
    assert "Safeguarding records must be kept" in refused.output
    assert "--include-safeguarding" in refused.output
    session.expire_all()
    assert session.get(Response, people.sam) is not None
    assert session.exec(select(SafeguardingAlert)).first() is not None
    assert events(session, "sar.erased") == []

    erased = run(
        app,
        sar_group,
        "erase",
        "--email",
        "sam@example.org",
        *HERE,
        "--yes",
        "--include-safeguarding",
    )
    assert erased.exit_code == 0, erased.output
    assert "safeguarding alerts 1" in erased.output
    session.expire_all()
    assert session.get(Response, people.sam) is None
    assert session.exec(select(SafeguardingAlert)).first() is None
    assert session.exec(select(Invitation).where(Invitation.name == "Sam Carer")).first() is None


def test_erasure_asks_first_and_keeps_everything_if_the_answer_is_no(app, session, people):
    result = run(app, sar_group, "erase", "--response", str(people.jo_child), *HERE, input="n\n")
    assert result.exit_code == 1
    assert f"response {people.jo_child}: All about Me, sent" in result.output
    assert "Erase all of this? It cannot be undone" in result.output
    session.expire_all()
    assert session.get(Response, people.jo_child) is not None
    assert events(session, "sar.erased") == []
    yes = run(app, sar_group, "erase", "--response", str(people.jo_child), *HERE, input="y\n")
    assert yes.exit_code == 0, yes.output
    session.expire_all()
    assert session.get(Response, people.jo_child) is None


def test_erasing_by_email_reaches_drafts_and_invitations_without_answers(
    app, session, demo, published
):
    org = demo.organisation.id
    anonymous = make_round(session, org, year="2025/26", anonymity=Anonymity.ANONYMOUS)
    waiting = make_round(session, org)
    person = {"name": "Lee Kaur", "email": "lee@example.org", "reference": "L-9"}
    [(answered, _t)] = create_invitations(session=session, survey_round=anonymous, people=[person])
    answered.responded = True  # in an anonymous round, nothing leads to the answers
    create_invitations(session=session, survey_round=waiting, people=[person])
    version = get_published_form(session=session, slug="parent-termly")
    draft, _token = start_response(session=session, organisation_id=org, form_version=version)
    save_answers(
        session=session,
        response=draft,
        page_id="hearing-back",
        answers={"follow-up": "yes", "contact-email": "Lee@Example.org"},
    )
    session.add(answered)
    session.commit()

    result = run(app, sar_group, "erase", "--email", "lee@example.org", "--yes")

    assert result.exit_code == 0, result.output
    assert f"response {draft.id}: Parent and carer survey, not sent" in result.output
    assert "responses 1" in result.output and "invitations 1" in result.output
    assert "invitations blanked 1" in result.output
    session.expire_all()
    [kept] = session.exec(select(Invitation))
    assert (kept.name, kept.email, kept.reference, kept.responded) == ("", "", "", True)
    assert invitation_counts(session=session, survey_round=anonymous) == (1, 1)
    assert invitation_counts(session=session, survey_round=waiting) == (0, 0)
    assert session.exec(select(Response)).first() is None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((), 2, "say whose data with one of --email, --name, --response or --respondent"),
        (("--email", "a@b.org", "--name", "A"), 2, "say whose data with one of"),
        (("--email", "not-an-address"), 2, "'not-an-address' is not an email address"),
        (("--name", "   "), 2, "give an email address, a name or a response id"),
        (("--response", "twelve"), 2, "'twelve' is not a valid integer"),
        (("--response", "0"), 2, "that is not a response id"),
        (("--response", str(2**40)), 2, "that is not a response id"),
        (("--response", "999999"), 1, "Nothing is held about that response"),
        (("--email", "a@b.org", "--organisation", "nowhere"), 2, "no organisation called"),
    ],
)
@pytest.mark.parametrize("command", ["export", "erase"])
def test_bad_selectors_are_clear_errors_without_a_traceback(
    app, demo, tmp_path, command, args, code, message
):
    extra = ["--out", str(tmp_path / "out.json")] if command == "export" else ["--yes"]
    result = run(app, sar_group, command, *args, *extra)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out.json").exists()
