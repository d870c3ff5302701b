"""Background jobs: recorded, queued, run by a real huey worker, and shown with progress."""

import time

import pytest
from sqlmodel import select

from models import get_organisation_by_slug, new_session
from models.coding import get_active_codebook
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


def _run_with_a_real_worker(app, session):
    from huey.consumer import Consumer

    organisation = get_organisation_by_slug(session=session, slug="kent-demo")
    job = create_job(
        session=session,
        organisation_id=organisation.id,
        kind="discover",
        params={"codebook_id": codebook_id(session)},
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
