"""`heard redaction reapply`: words stored under an older redaction are redacted again.

The comments here are stored as an older Heard would have left them: a child's name, an
address, a new member of staff and a new setting all still in the words, and copied into
plan evidence, a “You said, we did” quote and a discovered cluster.
"""

import pytest
from sqlmodel import select

from analysis.codebook_files import same_name
from analysis.redaction import redact
from models import (
    OrganisationCreate,
    Role,
    SettingCreate,
    UserCreate,
    create_organisation,
    create_setting,
    create_user,
    get_published_form,
    list_users,
    save_answers,
    start_response,
    submit_response,
)
from models.audit import AuditEvent
from models.coding import Comment, Theme, get_active_codebook, list_themes, save_comment
from models.demo import DEMO_SLUG
from models.jobs import Job, create_job
from models.organisations import Phase, SettingType
from models.plan_evidence import EvidenceKind, EvidenceLink, add_evidence
from models.plans import PlanAction
from models.review import ChangeKind, CodebookSnapshot, DiscoveredCluster, new_version
from models.yswd import Audience, YswdQuote, create_entry, set_quotes
from tests.webapp.plans import small_plan
from webapp.discovery_jobs import quoted_forms
from webapp.redaction_cli import redaction_group

OLD = "We had no help for Ethan at 14 Mill Lane until Okonkwo came from Riverside Centre."
NEW = "We had no help for [name] at [address] until [name] came from [setting]."
WRITER = "Zephyrine said her son is happier now."  # a name only the response knows
OWN = "[name] said her son is happier now."
# Across lines, redaction reads differently from the same words on one line.
LINES = "Thanks to Mrs Patel\nand Oak Tree\nSchool for help"


def stored_comment(session, organisation_id, text, response_id=None, quote_consent=False):
    """A comment stored as an older redaction left it."""
    return save_comment(
        session=session,
        organisation_id=organisation_id,
        response_id=response_id,
        question_id="could-be-better",
        text_redacted=text,
        sentiment="",
        flagged=False,
        quote_consent=quote_consent,
    )


def run(app, *args):
    result = app.test_cli_runner().invoke(redaction_group, ["reapply", *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def stored(session, demo, published):
    """Comments and copies of them, as redaction before this version left them."""
    org = demo.organisation
    version = get_published_form(session=session, slug="all-about-me-pathway-1")
    response, _token = start_response(session=session, organisation_id=org.id, form_version=version)
    save_answers(
        session=session,
        response=response,
        page_id="about-me",
        answers={"name": "Zephyrine Quill", "provided-by": "child-alone"},
        respondent_name="Zephyrine Quill",
        name_given=True,
    )
    submit_response(session=session, response=response)
    old = stored_comment(session, org.id, OLD, quote_consent=True)
    own = stored_comment(session, org.id, WRITER, response_id=response.id)
    # Staff and settings added since the comments were stored.
    create_user(
        session=session,
        organisation_id=org.id,
        data=UserCreate(
            email="p.okonkwo@example.org",
            full_name="Priya Okonkwo",
            role=Role.PARTICIPATION,
            password="a long enough password 1",
        ),
    )
    create_setting(
        session=session,
        organisation=org,
        data=SettingCreate(
            name="Riverside Centre", setting_type=SettingType.PRU, phase=Phase.SECONDARY
        ),
    )
    session.commit()

    plan = small_plan(session, org.id)
    action = session.exec(select(PlanAction).where(PlanAction.plan_id == plan.id)).first()
    add_evidence(
        session=session, action=action, kind=EvidenceKind.QUOTE, user_id=None, comment_id=old.id
    )
    codebook = get_active_codebook(session=session, organisation_id=org.id)
    theme_id = list_themes(session=session, codebook_id=codebook.id)[0].id
    entry = create_entry(
        session=session,
        organisation_id=org.id,
        user_id=list_users(session=session, organisation_id=org.id)[0].id,
        audience=Audience.PARENTS,
        academic_year="2026/27",
        term="autumn",
        title="Help",
        you_said="",
        easy_said="",
        respondents=1,
        themes=[(theme_id, "Help", 1)],
    )
    set_quotes(
        session=session,
        entry=entry,
        quotes=[(old.id, theme_id, OLD), (own.id, theme_id, WRITER)],
    )
    lines = stored_comment(session, org.id, LINES)
    job = create_job(session=session, organisation_id=org.id, kind="discover")
    theme = {"id": 0, "name": "ethan / help", "keywords": ["ethan", "help"], "size": 3}
    # Discovery quotes a comment on one line.
    quotes = [OLD, WRITER, " ".join(LINES.split())]
    job.result = {"themes": [{**theme, "representatives": quotes}], "other": 0}
    session.add(job)
    session.add(
        DiscoveredCluster(
            organisation_id=org.id,
            codebook_id=codebook.id,
            job_id=job.id,
            name="ethan / help",
            keywords=["ethan", "help"],
            size=3,
            quotes=quotes,
            comment_ids=[old.id, own.id, lines.id],
        )
    )
    # A theme made from that cluster took one of its quotes as an example.
    first = list_themes(session=session, codebook_id=codebook.id)[0]
    first.examples = [*first.examples, OLD]
    session.add(first)
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.EDITED,
        summary="Example added",
        user_id=None,
        theme=first,
    )
    session.commit()
    return {"old": old.id, "own": own.id, "lines": lines.id, "job": job.id, "theme": first.id}


@pytest.fixture
def elsewhere(session, stored):
    """Another organisation with a comment the same as the demo's, left as it was."""
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="other", name="Other")
    )
    comment = stored_comment(session, other.id, OLD)
    session.commit()
    return comment.id


EXPECTED = {
    "Comments": 3,
    "Plan evidence quotes": 1,
    "“You said, we did” quotes": 2,
    "Discovery clusters": 1,
    "Discovery results": 1,
    "Themes' examples": 1,
    "Codebook versions": 1,
}


def test_a_dry_run_counts_every_copy_and_changes_nothing(app, session, stored):
    before = snapshot(session)
    result = run(app, "--organisation", DEMO_SLUG, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        *(f"{label}: {count} would change" for label, count in EXPECTED.items()),
        "This was a dry run: nothing was changed.",
    ]
    assert snapshot(session) == before
    assert reapplied(session) == []


def snapshot(session):
    """Every stored copy of comments' words."""
    session.expire_all()
    return (
        [c.text_redacted for c in session.exec(select(Comment).order_by(Comment.id))],
        [e.quote for e in session.exec(select(EvidenceLink))],
        [q.text for q in session.exec(select(YswdQuote).order_by(YswdQuote.id))],
        [(c.name, c.keywords, c.quotes) for c in session.exec(select(DiscoveredCluster))],
        [j.result for j in session.exec(select(Job))],
        [t.examples for t in session.exec(select(Theme).order_by(Theme.id))],
        [s.themes for s in session.exec(select(CodebookSnapshot).order_by(CodebookSnapshot.id))],
    )


def test_every_stored_copy_is_redacted_again_and_a_second_run_changes_nothing(
    app, session, stored, elsewhere
):
    app.config["HEARD_ORGANISATION"] = DEMO_SLUG  # the default when none is named
    result = run(app)

    assert result.exit_code == 0, result.output
    for label, count in EXPECTED.items():
        assert f"{label}: {count} changed" in result.output
    assert "Retrain the coder" in result.output
    session.expire_all()
    assert session.get(Comment, stored["old"]).text_redacted == NEW
    # The writer's own name is known from their response while the response holds it,
    # and goes from every copy of their words too.
    own = session.get(Comment, stored["own"]).text_redacted
    assert own == OWN
    quote = session.exec(select(EvidenceLink).where(EvidenceLink.kind == EvidenceKind.QUOTE)).one()
    assert quote.quote == NEW
    assert [q.text for q in session.exec(select(YswdQuote).order_by(YswdQuote.id))] == [NEW, OWN]
    lines = session.get(Comment, stored["lines"]).text_redacted
    one_line = redact(" ".join(lines.split()))
    cluster = session.exec(select(DiscoveredCluster)).one()
    assert cluster.name == "[name] / help" and cluster.keywords == ["help"]
    assert cluster.quotes == [NEW, OWN, one_line]
    [theme] = session.get(Job, stored["job"]).result["themes"]
    assert (theme["name"], theme["keywords"], theme["representatives"]) == (
        "[name] / help",
        ["help"],
        [NEW, OWN, one_line],
    )
    # Erasure still finds each quote from its comment.
    for quote, comment_id in zip(cluster.quotes, ("old", "own", "lines"), strict=True):
        words = session.get(Comment, stored[comment_id]).text_redacted
        assert same_name(quote) in quoted_forms(words)
    assert NEW in session.get(Theme, stored["theme"]).examples
    latest = session.exec(select(CodebookSnapshot).order_by(CodebookSnapshot.id.desc())).first()
    assert OLD not in str(latest.themes) and NEW in str(latest.themes)
    assert session.get(Comment, elsewhere).text_redacted == OLD  # another organisation's
    [event] = reapplied(session)
    assert event.details["comments"] == 3 and event.details["yswd quotes"] == 2
    assert "Ethan" not in str(event.details)

    again = run(app, "--organisation", DEMO_SLUG)
    assert again.exit_code == 0, again.output
    assert "Comments: 0 changed" in again.output
    assert "Everything stored was already redacted as it would be today." in again.output
    assert len(reapplied(session)) == 2


def test_the_organisation_must_be_named_when_there_are_several(app, session, stored):
    create_organisation(session=session, data=OrganisationCreate(slug="other", name="Other"))
    session.commit()
    result = run(app)
    assert result.exit_code == 2
    assert "say which organisation with --organisation" in result.output
    unknown = run(app, "--organisation", "nowhere")
    assert unknown.exit_code == 2 and "there is no organisation called 'nowhere'" in unknown.output
    session.expire_all()
    assert session.get(Comment, stored["old"]).text_redacted == OLD


def reapplied(session):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == "redaction.reapplied")
    return list(session.exec(query))
