"""The retention policy and its purge: only what is past its period goes, and only once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from models import (
    FormVersion,
    Response,
    ResponseUpload,
    get_published_form,
    list_users,
    record_event,
    save_answers,
    save_upload,
    start_response,
    submit_response,
)
from models.agreement import AgreementCoding, AgreementSample, SecondCoder, create_sample
from models.audit import AuditEvent
from models.coding import (
    CodebookStatus,
    CodingSource,
    Comment,
    CommentTheme,
    code_comment,
    create_codebook,
    list_themes,
    save_comment,
)
from models.jobs import Job, JobFile, JobStatus, create_job, save_job_file, update_job
from models.plan_evidence import PlanImport
from models.privacy import delete_responses
from models.retention import RULES, policy, run_purge
from models.review import CodingDecision, DiscoveredCluster, review_comment
from models.safeguarding import AlertStatus, SafeguardingAlert, create_alert
from models.surveys import Invitation, SurveyImport, create_invitations, save_import
from models.types import utcnow
from models.yswd import Audience, FollowUp, YswdQuote, create_entry, save_follow_up, set_quotes
from tests.dangling import assert_nothing_points_at
from tests.surveys import make_round, parent_answers

NOW = utcnow()
NOTHING = dict.fromkeys((rule.key for rule in RULES), 0)


def ago(days: float):
    return NOW - timedelta(days=days)


def sent(session, survey_round, days, answers, name=None):
    """A response sent `days` before NOW."""
    version = session.get(FormVersion, survey_round.form_version_id)
    response, _token = start_response(
        session=session,
        organisation_id=survey_round.organisation_id,
        form_version=version,
        round_id=survey_round.id,
    )
    save_answers(
        session=session,
        response=response,
        page_id="all",
        answers=answers,
        respondent_name=name,
        name_given=name is not None,
    )
    submit_response(session=session, response=response)
    response.created_at = response.updated_at = response.submitted_at = ago(days)
    session.add(response)
    session.flush()
    return response


def draft(session, organisation_id, days, slug="all-about-me-pathway-1"):
    response, _token = start_response(
        session=session,
        organisation_id=organisation_id,
        form_version=get_published_form(session=session, slug=slug),
    )
    save_answers(session=session, response=response, page_id="about-me", answers={"name": "Kit"})
    response.updated_at = ago(days)
    session.add(response)
    session.flush()
    return response


def comment_on(session, response, question_id, text, **extra):
    return save_comment(
        session=session,
        organisation_id=response.organisation_id,
        response_id=response.id,
        question_id=question_id,
        text_redacted=text,
        sentiment="negative",
        flagged=False,
        **extra,
    )


def rows(session, model, *conditions):
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def org(demo, published):
    return demo.organisation.id


def test_the_policy_has_a_period_for_every_kind_of_data_and_reads_its_settings():
    defaults = policy()
    assert set(defaults.days) == {rule.key for rule in RULES}
    assert defaults.days["drafts"] == 60 and defaults.days["safeguarding"] == 6 * 365
    assert len({rule.setting for rule in RULES}) == len(RULES)
    assert all(rule.setting.startswith("HEARD_RETAIN_") for rule in RULES)
    changed = policy({"HEARD_RETAIN_DRAFTS_DAYS": 30, "HEARD_RETAIN_AUDIT_DAYS": None})
    assert changed.days["drafts"] == 30 and changed.days["audit"] == 6 * 365
    assert changed.cutoff("drafts", NOW) == NOW - timedelta(days=30)
    for bad in ("0", "-3", "thirty", "2.5", 10**6):
        with pytest.raises(ValueError, match="HEARD_RETAIN_JOBS_DAYS must be a whole number"):
            policy({"HEARD_RETAIN_JOBS_DAYS": bad})


def test_drafts_go_after_their_period_with_their_pictures_and_their_invitation_is_freed(
    session, org
):
    old, fresh = draft(session, org, 61), draft(session, org, 59)
    save_upload(
        session=session,
        response=old,
        question_id="picture",
        data=b"\x89PNG...",
        content_type="image/png",
        filename="me.png",
    )
    survey_round = make_round(session, org)
    [(invitation, _token)] = create_invitations(
        session=session, survey_round=survey_round, people=[{"name": "Kit Carer"}]
    )
    invitation.draft_response_id = old.id
    session.add(invitation)
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    assert counts == {**NOTHING, "drafts": 1}
    session.expire_all()
    assert session.get(Response, old.id) is None and session.get(Response, fresh.id)
    assert rows(session, ResponseUpload) == 0
    invitation = session.get(Invitation, invitation.id)
    assert invitation.draft_response_id is None and invitation.name == "Kit Carer"
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_sent_responses_lose_who_answered_but_keep_every_figure(session, org):
    survey_round = make_round(session, org)
    answers = parent_answers(
        "agree",
        **{
            "could-be-better": "Mrs Patel at Oak School never rang us back",
            "anything-else": "We are the Smiths of Dover",
            "contact-email": "smiths@example.org",
        },
    )
    old = sent(session, survey_round, 366, answers, name="Jo Smith")
    comment_on(session, old, "could-be-better", "[name] at [setting] never rang us back")
    recent = sent(session, survey_round, 364, answers, name="Ali Khan")
    about_me = get_published_form(session=session, slug="all-about-me-pathway-1")
    child, _token = start_response(session=session, organisation_id=org, form_version=about_me)
    save_answers(
        session=session,
        response=child,
        page_id="about-me",
        answers={
            "name": "Kit",
            "setting": {"other": "Little Acorns"},
            "picture": {"filename": "kit-at-home.jpg"},
            "provided-by": "child-alone",
        },
        respondent_name="Kit",
        name_given=True,
    )
    save_upload(
        session=session,
        response=child,
        question_id="picture",
        data=b"\xff\xd8\xff",
        content_type="image/jpeg",
        filename="kit-at-home.jpg",
    )
    submit_response(session=session, response=child)
    child.submitted_at = ago(400)
    session.add(child)
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    assert counts == {**NOTHING, "identities": 2, "pictures": 1}
    session.expire_all()
    old, recent, child = (session.get(Response, r.id) for r in (old, recent, child))
    assert old.respondent_name is None
    assert old.answers == parent_answers(
        "agree", **{"could-be-better": "[name] at [setting] never rang us back"}
    )
    assert recent.respondent_name == "Ali Khan" and recent.answers == answers
    assert child.respondent_name is None and "name" not in child.answers
    assert child.answers == {"setting": {"other": ""}, "provided-by": "child-alone"}
    assert rows(session, ResponseUpload) == 0
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_invitations_and_follow_up_addresses_are_stripped_but_still_counted(session, org):
    closed = make_round(
        session, org, year="2024/25", opens=date(2024, 9, 1), closes=NOW.date() - timedelta(91)
    )
    open_now = make_round(session, org)
    people = [{"name": "Jo Smith", "email": "jo@example.org", "reference": "P-1"}]
    [(old, _t)] = create_invitations(session=session, survey_round=closed, people=people)
    [(current, _t)] = create_invitations(session=session, survey_round=open_now, people=people)
    old.responded = True
    asked = [
        save_follow_up(
            session=session,
            organisation_id=org,
            response_id=None,
            round_id=closed.id,
            audience="parents",
            email=f"parent{days}@example.org",
            language="en",
        )
        for days in (366, 300)
    ]
    asked[0].created_at, asked[1].created_at = ago(366), ago(300)
    session.add_all([old, *asked])
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    assert counts == {**NOTHING, "invitations": 1, "follow-ups": 1}
    session.expire_all()
    old, current = session.get(Invitation, old.id), session.get(Invitation, current.id)
    assert (old.name, old.email, old.reference, old.responded) == ("", "", "", True)
    assert (current.name, current.email) == ("Jo Smith", "jo@example.org")
    assert rows(session, Invitation) == 2 and rows(session, FollowUp) == 2
    assert [f.email for f in session.exec(select(FollowUp).order_by(FollowUp.id))] == [
        "",
        "parent300@example.org",
    ]
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_safeguarding_alerts_stay_while_open_and_for_six_years_after_closing(session, org):
    survey_round = make_round(session, org)
    answers = parent_answers("agree")
    long_ago = [sent(session, survey_round, 7 * 365, answers) for _ in range(4)]
    alerts = {}
    for response, status, closed_days in zip(
        long_ago[:3],
        (AlertStatus.OPEN, AlertStatus.CLOSED, AlertStatus.CLOSED),
        (None, 6 * 365 + 1, 6 * 365 - 1),
        strict=True,
    ):
        alert = create_alert(
            session=session,
            organisation_id=org,
            response_id=response.id,
            question_id="could-be-better",
            severity="high",
            reason="possible harm",
            categories=["harm"],
            text="words as written",
        )
        alert.status, alert.created_at = status, ago(7 * 365)
        alert.handled_at = ago(closed_days) if closed_days else None
        session.add(alert)
        alerts[status, closed_days] = alert
        record_event(
            session=session,
            action="safeguarding.alert.raised",
            object_type="safeguarding_alert",
            object_id=alert.id,
        ).occurred_at = ago(7 * 365)
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    # The closed alert past six years goes; then its response and the one with no alert.
    assert counts == {**NOTHING, "safeguarding": 1, "responses": 2, "audit": 1}
    session.expire_all()
    kept = {a.id for a in session.exec(select(SafeguardingAlert))}
    assert kept == {alerts[AlertStatus.OPEN, None].id, alerts[AlertStatus.CLOSED, 6 * 365 - 1].id}
    assert {r.id for r in session.exec(select(Response))} == {r.id for r in long_ago[:1]} | {
        long_ago[2].id
    }
    about = {
        e.object_id
        for e in session.exec(
            select(AuditEvent).where(AuditEvent.object_type == "safeguarding_alert")
        )
    }
    assert about == {str(i) for i in kept}
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_deleting_old_responses_takes_everything_hanging_off_them(session, org, demo):
    """No foreign key is left dangling, and no list of comment ids names a deleted one."""
    users = list_users(session=session, organisation_id=org)
    codebook = create_codebook(
        session=session,
        organisation_id=org,
        name="Themes",
        status=CodebookStatus.ACTIVE,
        themes=[{"key": "waiting", "name": "Waiting times"}],
    )
    [theme] = list_themes(session=session, codebook_id=codebook.id)
    survey_round = make_round(session, org)
    [invitation, _spare] = [
        i
        for i, _t in create_invitations(
            session=session, survey_round=survey_round, people=[{"name": "A"}, {"name": "B"}]
        )
    ]
    old = sent(session, survey_round, 6 * 365 + 1, parent_answers("agree"))
    old.invitation_id, invitation.responded = invitation.id, True
    kept = sent(session, survey_round, 6 * 365 - 1, parent_answers("disagree"))
    comments = [
        comment_on(session, response, "could-be-better", f"We waited {n} weeks", quote_consent=True)
        for n, response in ((10, old), (12, kept))
    ]
    for comment in comments:
        code_comment(
            session=session, comment=comment, theme_ids={theme.id: 0.9}, source=CodingSource.MACHINE
        )
        review_comment(
            session=session,
            comment=comment,
            theme_ids={theme.id},
            sentiment=None,
            user_id=users[0].id,
        )
    ids = [c.id for c in comments]
    sample = create_sample(
        session=session,
        organisation_id=org,
        codebook_id=codebook.id,
        comment_ids=ids,
        second=SecondCoder.MACHINE,
        first_user_id=users[0].id,
        second_user_id=None,
        created_by_id=users[0].id,
    )
    entry = create_entry(
        session=session,
        organisation_id=org,
        user_id=users[0].id,
        audience=Audience.PARENTS,
        academic_year="2026/27",
        term="autumn",
        title="Waiting",
        you_said="",
        easy_said="",
        respondents=2,
        themes=[(theme.id, theme.name, 2)],
    )
    set_quotes(
        session=session, entry=entry, quotes=[(c.id, theme.id, c.text_redacted) for c in comments]
    )
    job = create_job(session=session, organisation_id=org, kind="discover")
    job.result = {"themes": [{"representatives": ["We waited 10 weeks", "We waited 12 weeks"]}]}
    session.add(
        DiscoveredCluster(
            organisation_id=org,
            codebook_id=codebook.id,
            job_id=job.id,
            name="Waiting",
            size=2,
            quotes=["We waited 10 weeks", "We waited 12 weeks"],
            comment_ids=ids,
        )
    )
    session.add(old)
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    assert counts == {**NOTHING, "responses": 1}
    session.expire_all()
    assert [r.id for r in session.exec(select(Response))] == [kept.id]
    assert [c.id for c in session.exec(select(Comment))] == [ids[1]]
    for model in (CommentTheme, CodingDecision, AgreementCoding, YswdQuote):
        assert {row.comment_id for row in session.exec(select(model))} == {ids[1]}, model
    assert session.get(AgreementSample, sample.id).comment_ids == [ids[1]]
    [cluster] = session.exec(select(DiscoveredCluster))
    assert (cluster.comment_ids, cluster.size, cluster.quotes) == (
        [ids[1]],
        1,
        ["We waited 12 weeks"],
    )
    assert session.get(Job, job.id).result["themes"][0]["representatives"] == ["We waited 12 weeks"]
    assert session.get(Invitation, invitation.id) is None and rows(session, Invitation) == 1
    assert_nothing_points_at(session, "response", {old.id})
    assert_nothing_points_at(session, "comment", {ids[0]})
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_uploaded_files_job_files_jobs_and_old_sign_ins_go(session, org, demo):
    users = list_users(session=session, organisation_id=org)
    survey_round = make_round(session, org)
    waiting = save_import(
        session=session, survey_round=survey_round, user_id=users[0].id, filename="a.csv", data=b"x"
    )
    waiting.created_at = ago(8)
    fresh = save_import(
        session=session, survey_round=survey_round, user_id=users[0].id, filename="b.csv", data=b"y"
    )
    session.add(
        PlanImport(
            organisation_id=org,
            plan_name="p",
            title="P",
            filename="p.xlsx",
            data=b"z",
            created_at=ago(8),
        )
    )
    codebook = create_codebook(session=session, organisation_id=org, name="C", themes=[])
    jobs = {}
    for name, days, status in (
        ("old", 91, JobStatus.DONE),
        ("failed", 91, JobStatus.FAILED),
        ("recent", 89, JobStatus.DONE),
        ("discovery", 91, JobStatus.DONE),
    ):
        job = create_job(session=session, organisation_id=org, kind="export")
        update_job(session=session, job=job, status=status, result={"filename": "x.csv"})
        job.finished_at = ago(days)
        jobs[name] = job
    session.add(
        DiscoveredCluster(
            organisation_id=org,
            codebook_id=codebook.id,
            job_id=jobs["discovery"].id,
            name="A",
            size=0,
        )
    )
    save_job_file(
        session=session, job=jobs["old"], filename="x.csv", mimetype="text/csv", data=b"1"
    )
    save_job_file(
        session=session, job=jobs["recent"], filename="y.csv", mimetype="text/csv", data=b"2"
    )
    for job in jobs.values():
        session.add(job)
    for action, days in (("sign-in-failed", 366), ("sign-in", 364), ("survey_round.imported", 366)):
        record_event(session=session, action=action).occurred_at = ago(days)
    session.commit()
    session.exec(select(JobFile).where(JobFile.job_id == jobs["recent"].id)).one().created_at = ago(
        2
    )
    session.commit()

    counts = run_purge(session=session, policy=policy(), now=NOW)

    assert counts == {**NOTHING, "imports": 2, "job-files": 1, "jobs": 3, "sign-ins": 1}
    session.expire_all()
    assert [i.id for i in session.exec(select(SurveyImport))] == [fresh.id]
    assert rows(session, PlanImport) == 0 and rows(session, JobFile) == 0
    assert {j.id for j in session.exec(select(Job))} == {jobs["recent"].id, jobs["discovery"].id}
    assert session.get(Job, jobs["discovery"].id).result == {}
    actions = sorted(e.action for e in session.exec(select(AuditEvent)))
    assert actions == ["retention.purged", "sign-in", "survey_round.imported"]
    assert run_purge(session=session, policy=policy(), now=NOW) == NOTHING


def test_a_dry_run_counts_and_changes_nothing_and_a_real_run_is_audited(session, org):
    old = draft(session, org, 61)
    session.commit()
    shorter = policy({"HEARD_RETAIN_DRAFTS_DAYS": "10"})
    young = draft(session, org, 11)
    session.commit()
    ids = [old.id, young.id]

    assert run_purge(session=session, policy=shorter, now=NOW, dry_run=True) == {
        **NOTHING,
        "drafts": 2,
    }
    session.expire_all()
    assert rows(session, Response) == 2 and rows(session, AuditEvent) == 0

    assert run_purge(session=session, policy=shorter, now=NOW)["drafts"] == 2
    assert run_purge(session=session, policy=shorter, now=NOW) == NOTHING
    events = list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["retention.purged"] * 2
    assert events[0].details["counts"]["drafts"] == 2 and events[0].details["days"]["drafts"] == 10
    assert events[1].details["counts"] == NOTHING
    assert [session.get(Response, i) for i in ids] == [None, None]


def test_deleting_responses_in_chunks_reaches_every_one(session, org, monkeypatch):
    import models.privacy

    monkeypatch.setattr(models.privacy, "CHUNK", 2)
    survey_round = make_round(session, org)
    made = [sent(session, survey_round, 1, parent_answers("agree")) for _ in range(5)]
    for response in made:
        comment_on(session, response, "could-be-better", "text")
    session.commit()
    counts = delete_responses(
        session=session, response_ids=[r.id for r in made], delete_invitations=True
    )
    session.commit()
    assert counts["responses"] == 5 and counts["comments"] == 5
    assert rows(session, Response) == 0 and rows(session, Comment) == 0
