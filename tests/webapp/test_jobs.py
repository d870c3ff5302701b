"""Background jobs: recorded, queued, run by a real huey worker, and shown with progress."""

import logging
import time

import pytest
from sqlmodel import select

from models import get_organisation_by_slug, new_session
from models.coding import get_active_codebook
from models.demo import demo_comments
from models.jobs import Job, JobStatus, create_job
from tests.conftest import REDIS_URL, csrf_token, make_app, sign_in, unavailable

WORKER = "participation@demo.heard"


def codebook_id(session):
    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    return get_active_codebook(session=session, organisation_id=organisation.id).id


def test_a_job_that_cannot_run_says_why(app, demo, session):
    client = app.test_client()
    sign_in(client, WORKER)
    url = f"/staff/codebooks/{codebook_id(session)}"
    token = csrf_token(client, url)
    started = client.post(f"{url}/discover", data={"csrf_token": token})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "The job could not finish" in page
    assert "Finding themes needs at least 20 comments; there are 0." in page
    status = client.get(f"{job_url}/status").get_json()
    assert status == {
        "status": "failed",
        "progress": 5,
        "message": "Finding themes needs at least 20 comments; there are 0.",
        "finished": True,
    }


def test_a_bad_number_of_themes_is_an_error_on_the_form(app, demo, session):
    client = app.test_client()
    sign_in(client, WORKER)
    url = f"/staff/codebooks/{codebook_id(session)}"
    token = csrf_token(client, url)
    page = client.post(f"{url}/discover", data={"csrf_token": token, "themes": "1"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Number of themes must be between 2 and 60" in html
    page = client.post(f"{url}/discover", data={"csrf_token": token, "themes": "2.5"})
    assert "Number of themes must be a whole number, like 12" in page.get_data(as_text=True)
    assert session.exec(select(Job)).all() == []


def test_a_running_job_shows_its_progress(app, demo, session):
    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    job = create_job(session=session, organisation_id=organisation.id, kind="discover")
    job.status, job.progress, job.message = JobStatus.RUNNING, 40, "Grouping 300 comments"
    session.add(job)
    session.commit()
    client = app.test_client()
    sign_in(client, WORKER)
    page = client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert '<progress id="job-progress" class="heard-progress" max="100" value="40">' in page
    assert "Grouping 300 comments" in page and "Refresh this page" in page


def test_jobs_belong_to_their_organisation_and_need_a_role(app, demo, session):
    lead = app.test_client()
    sign_in(lead, "safeguarding@demo.heard")
    assert lead.get("/staff/codebooks/").status_code == 403
    client = app.test_client()
    sign_in(client, WORKER)
    assert client.get("/staff/jobs/9999").status_code == 404
    assert client.get("/staff/codebooks/9999").status_code == 404


def _run_with_a_real_worker(app, session, kind="discover", params=None):
    from huey.consumer import Consumer

    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    job = create_job(
        session=session,
        organisation_id=organisation.id,
        kind=kind,
        params=params if params is not None else {"codebook_id": codebook_id(session)},
    )
    session.commit()
    queue = app.extensions["heard.queue"]
    queue.huey.flush()
    with app.app_context():
        queue.enqueue(job)
    assert session.get(Job, job.id).status == JobStatus.QUEUED  # nothing ran it inline
    consumer = Consumer(queue.huey, workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        deadline = time.monotonic() + 30
        with new_session(app.extensions["heard.engine"]) as fresh:
            while time.monotonic() < deadline:
                done = fresh.get(Job, job.id)
                if done.finished:
                    return done
                fresh.expire_all()
                time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
        app.extensions["heard.engine"].dispose()
    pytest.fail("the worker did not finish the job in 30 seconds")


def test_a_real_worker_runs_queued_jobs_from_sqlite_storage(database_url, tmp_path, demo, session):
    app = make_app(
        database_url, HEARD_JOBS_IMMEDIATE=False, HEARD_QUEUE_PATH=str(tmp_path / "queue.db")
    )
    assert type(app.extensions["heard.queue"].huey).__name__ == "SqliteHuey"
    done = _run_with_a_real_worker(app, session)
    assert done.status == JobStatus.FAILED
    assert done.message.startswith("Finding themes needs at least 20 comments")


def test_a_real_worker_runs_queued_jobs_from_redis(database_url, demo, session):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", "REQUIRE_REDIS", str(error))
    app = make_app(database_url, HEARD_JOBS_IMMEDIATE=False, HEARD_QUEUE_REDIS_URL=REDIS_URL)
    assert type(app.extensions["heard.queue"].huey).__name__ == "RedisHuey"
    done = _run_with_a_real_worker(app, session)
    assert done.status == JobStatus.FAILED
    assert done.message.startswith("Finding themes needs at least 20 comments")


def test_survey_imports_and_exports_run_on_a_real_worker(
    database_url, tmp_path, demo, published, session
):
    """Outside any request: the worker's own thread, as `heard worker` runs it."""
    import csv
    import io

    from models.jobs import JobFile
    from models.surveys import save_import
    from tests.surveys import STATEMENTS, add_responses, definition, make_round, parent_answers

    survey_round = make_round(session, demo.organisation.id)
    add_responses(session, survey_round, [parent_answers("agree")] * 5)
    labels = {q.id: q.label for q in definition(session, survey_round).questions()}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([labels[s] for s in STATEMENTS])
    writer.writerows([["Agree"] * len(STATEMENTS)] * 6)
    upload = save_import(
        session=session,
        survey_round=survey_round,
        user_id=demo_user_id(session),
        filename="answers.csv",
        data=out.getvalue().encode(),
    )
    upload.mapping = {s: labels[s] for s in STATEMENTS}
    session.commit()
    app = make_app(
        database_url, HEARD_JOBS_IMMEDIATE=False, HEARD_QUEUE_PATH=str(tmp_path / "queue.db")
    )
    params = {"round_id": survey_round.id, "import_id": upload.id}
    done = _run_with_a_real_worker(app, session, "survey-import", params)
    assert (done.status, done.result.get("imported")) == (JobStatus.DONE, 6), done.message
    params = {"round_id": survey_round.id, "format": "xlsx", "identity": False}
    done = _run_with_a_real_worker(app, session, "survey-export", params)
    assert (done.status, done.result.get("rows")) == (JobStatus.DONE, 11), done.message
    assert session.exec(select(JobFile).where(JobFile.job_id == done.id)).one().data[:2] == b"PK"


def demo_user_id(session):
    from models import get_user_by_email

    return get_user_by_email(session=session, email="officer@demo.heard").id


def _load_demo_comments(session):
    from webapp.demo_data import load_comments

    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    added = load_comments(session=session, organisation=organisation)
    session.commit()
    return added


def _start(client, session, action, **data):
    url = f"/staff/codebooks/{codebook_id(session)}"
    token = csrf_token(client, url)
    started = client.post(f"{url}/{action}", data={"csrf_token": token, **data})
    assert started.status_code == 302, started.get_data(as_text=True)
    return started.headers["Location"]


def test_retraining_learns_from_people_and_codes_new_submissions(app, published, session):
    from models import AuditEvent
    from models.coding import CoderModel, CodingSource, Comment, CommentTheme, Theme
    from tests.webapp.test_safeguarding import send

    added = _load_demo_comments(session)
    client = app.test_client()
    sign_in(client, WORKER)
    page = client.get(_start(client, session, "retrain")).get_data(as_text=True)
    # It learns from every comment a person coded, including those they gave no theme:
    # those show it what none of the themes looks like.
    coded = len(demo_comments())
    assert coded == added and any(not c["themes"] for c in demo_comments())
    assert "The coder has been retrained" in page
    assert f"It learned from {coded} comments" in page and "It codes 14 themes" in page
    assert f"{added} comments were coded again" in page

    session.expire_all()
    [model] = session.exec(select(CoderModel)).all()
    assert model.trained_on == coded and model.details["comments"] == coded
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "coder.trained")).one()
    machine = session.exec(
        select(CommentTheme).where(CommentTheme.source == CodingSource.MACHINE)
    ).all()
    assert machine and all(0 < c.confidence <= 1 and c.coder_model_id == model.id for c in machine)

    # A new answer is coded by the new model as it is submitted.
    respondent = app.test_client()
    send(
        respondent,
        {
            "aspirations": {
                "three-wishes": "I wish the GP would give us an appointment, we ring at 8am"
                " every day and they are all gone"
            }
        },
    )
    session.expire_all()
    comment = session.exec(select(Comment).where(Comment.response_id.is_not(None))).one()
    coded = session.exec(
        select(Theme.key)
        .join(CommentTheme, CommentTheme.theme_id == Theme.id)
        .where(CommentTheme.comment_id == comment.id)
        .where(CommentTheme.source == CodingSource.MACHINE)
    ).all()
    assert "gp-access" in coded


def test_finding_themes_shows_names_keywords_and_redacted_quotes(app, demo, session):
    _load_demo_comments(session)
    client = app.test_client()
    sign_in(client, WORKER)
    page = client.get(_start(client, session, "discover", themes="9")).get_data(as_text=True)
    assert "9 suggested themes from 188 comments" in page
    assert page.count('<h2 class="govuk-heading-m">') == 9
    assert page.count("Keywords: ") == 9
    assert page.count('<li class="heard-verbatim" lang="en" dir="auto">') >= 27
    # The demo comments hold made-up phone numbers and emails; none reach the page.
    assert "07700" not in page and "@example.com" not in page


def test_a_stored_model_that_cannot_be_read_never_stops_a_submission(app, published, session):
    from models.coding import Comment, CommentTheme, get_active_codebook, save_coder_model
    from tests.webapp.test_safeguarding import send

    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    codebook = get_active_codebook(session=session, organisation_id=organisation.id)
    save_coder_model(
        session=session,
        organisation_id=organisation.id,
        codebook=codebook,
        trained_on=0,
        details={},
        data=b"not a model",
    )
    session.commit()
    page = send(app.test_client(), {"aspirations": {"three-wishes": "More GP appointments"}})
    assert "0800 1111" in page
    session.expire_all()
    [comment] = session.exec(select(Comment)).all()
    assert comment.text_redacted == "More GP appointments"
    assert session.exec(select(CommentTheme)).all() == []


def test_a_theme_on_every_coded_comment_is_left_out_not_a_crash(app, demo, session):
    from models.coding import CodingSource, code_comment, list_themes, save_comment

    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    themes = list_themes(session=session, codebook_id=codebook_id(session))
    for n in range(24):
        comment = save_comment(
            session=session,
            organisation_id=organisation.id,
            response_id=None,
            question_id="q",
            text_redacted=f"GP appointment number {n}" if n % 2 else f"long wait number {n}",
            sentiment="neutral",
            flagged=False,
        )
        chosen = [themes[0].id] + ([themes[1].id] if n % 2 else [])
        code_comment(
            session=session,
            comment=comment,
            theme_ids=dict.fromkeys(chosen),
            source=CodingSource.HUMAN,
        )
    session.commit()
    client = app.test_client()
    sign_in(client, WORKER)
    page = client.get(_start(client, session, "retrain")).get_data(as_text=True)
    assert "The coder has been retrained" in page
    assert (
        f"Left out, because too few coded comments have them (or every one does): {themes[0].key}"
        in page
    )


def test_the_minutely_sweep_is_not_narrated_in_the_log_but_its_errors_are(app, caplog):
    queue = app.extensions["heard.queue"]

    @queue.huey.task(name="test.other_task")
    def other_task() -> None:
        pass

    scheduler = logging.getLogger("huey.consumer.Scheduler")
    with caplog.at_level(logging.INFO):
        queue.retry_safeguarding_notices()  # immediate mode: huey runs it, as a worker would
        scheduler.info("Enqueueing periodic task %s.", "heard.retry_safeguarding_notices: 1")
        scheduler.error("Error running %s", "heard.retry_safeguarding_notices: 2")
        other_task()
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("huey")]
    sweep = [line for line in lines if "retry_safeguarding_notices" in line[1]]
    assert sweep == [("ERROR", "Error running heard.retry_safeguarding_notices: 2")]
    # Any other task is narrated as huey always does.
    assert any(m.startswith("Executing") and "test.other_task" in m for _, m in lines)
