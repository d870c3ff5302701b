"""The background job queue (huey): SQLite storage by default, Redis when REDIS_URL is set.

The queue carries only a job id. What a job is, how far it has got and what it produced
live in the `job` table (models.jobs), which the pages read. Run the worker with
`heard worker`; set HEARD_JOBS_IMMEDIATE=1 to run jobs inline (tests, or a one-person demo).
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, redirect, url_for
from flask_login import current_user
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from werkzeug.wrappers import Response as WerkzeugResponse

from models.database import new_session
from models.jobs import Job, JobFile, create_job, get_job, get_job_file
from models.types import utcnow
from webapp import analysis_jobs, db

log = logging.getLogger(__name__)

#: The sweep every worker runs each minute. huey narrates each run in three INFO lines
#: (queued, executing, executed); for a sweep that usually finds nothing, that is noise.
SWEEP = "heard.retry_safeguarding_notices"
#: Where huey writes those lines: the task runner, and the scheduler that queues the sweep.
NARRATORS = ("huey", "huey.consumer.Scheduler")


def quiet_sweep(record: logging.LogRecord) -> bool:
    """Keep every log line except huey's routine INFO narration of the minutely sweep.

    A sweep that fails still logs its error, and the emails it retries log as any job does.
    """
    return record.levelno > logging.INFO or SWEEP not in record.getMessage()


@dataclass(frozen=True)
class Queue:
    """The app's huey instance, its task, and the sweep that retries safeguarding emails."""

    huey: Huey
    run_job: TaskWrapper
    retry_safeguarding_notices: TaskWrapper

    def enqueue(self, job: Job) -> None:
        """Queue a recorded job for a worker (or run it now, in immediate mode)."""
        self.run_job(job.id)


def make_huey(config: dict[str, Any]) -> Huey:
    """Build the huey instance the configuration asks for."""
    immediate = bool(config.get("HEARD_JOBS_IMMEDIATE"))
    redis_url = config.get("HEARD_QUEUE_REDIS_URL") or config.get("REDIS_URL")
    name = config.get("HEARD_QUEUE_NAME") or "heard"
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate)
    path = Path(config["HEARD_QUEUE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), immediate=immediate)


def init_app(app: Flask) -> None:
    """Give the app its queue, with a task bound to the app's database engine."""
    huey = make_huey(app.config)
    engine = app.extensions["heard.engine"]

    @huey.task(name="heard.run_job")
    def run_job(job_id: int) -> None:
        # A worker thread has no app context of its own; imports check rows with the
        # same WTForms classes as the web pages, and those read the app's settings.
        with app.app_context():
            analysis_jobs.run(engine, job_id)

    @huey.periodic_task(crontab(minute="*"), name=SWEEP)
    def retry_safeguarding_notices() -> None:
        # Emails to safeguarding leads that the queue or the mail server let down.
        from webapp.safeguarding_mail import notices_to_retry

        with app.app_context(), new_session(engine) as session:
            again = notices_to_retry(session, utcnow())
            session.commit()
        for job_id in again:
            run_job(job_id)

    for name in NARRATORS:
        narrator = logging.getLogger(name)
        if quiet_sweep not in narrator.filters:
            narrator.addFilter(quiet_sweep)
    app.extensions["heard.queue"] = Queue(
        huey=huey, run_job=run_job, retry_safeguarding_notices=retry_safeguarding_notices
    )


def queue() -> Queue:
    """The current app's queue."""
    return current_app.extensions["heard.queue"]


def enqueue_quietly(job_id: int) -> None:
    """Queue a committed job that nobody is waiting on (an email to the safeguarding leads,
    say), logging instead of raising if the queue cannot be reached: what the person did is
    already saved, and should not look as if it failed."""
    try:
        queue().run_job(job_id)
    except Exception:  # the queue, not the person's work, went wrong
        log.exception("job could not be queued", extra={"job_id": job_id})


def start_job(kind: str, params: dict[str, Any]) -> WerkzeugResponse:
    """Record a job for the signed-in person's organisation, queue it, and go to its page."""
    session = db.session()
    job = create_job(
        session=session,
        organisation_id=current_user.organisation_id,
        kind=kind,
        params=params,
        created_by_id=current_user.id,
    )
    session.commit()
    queue().enqueue(job)
    return redirect(url_for("analysis.job", job_id=job.id))


def own_job_file(kind: str, job_id: int) -> tuple[Job, JobFile]:
    """A finished job's file, for the person who started it only; 404 for anyone else."""
    session = db.session()
    job = get_job(session=session, organisation_id=current_user.organisation_id, job_id=job_id)
    if job is None or job.kind != kind or job.created_by_id != current_user.id:
        abort(404)
    session.refresh(job)
    found = get_job_file(session=session, job=job)
    if found is None:
        abort(404)
    return job, found
