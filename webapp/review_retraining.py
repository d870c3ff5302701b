"""When the coder learns from review: counting new decisions and starting a retrain.

After enough new theme decisions (an organisation setting) a save on the review pages
starts a retraining job in the background, unless one is already waiting or running.
"""

import logging

from flask_login import current_user

from models.coding import Codebook, latest_coder_model
from models.jobs import Job, JobStatus, create_job, list_jobs, update_job
from models.review import count_theme_decisions, get_settings
from webapp import db
from webapp.queue import queue

log = logging.getLogger(__name__)


def retrains(codebook: Codebook) -> list[Job]:
    """This codebook's retraining jobs, newest first."""
    jobs = list_jobs(
        session=db.session(), organisation_id=current_user.organisation_id, kind="retrain"
    )
    return [job for job in jobs if job.params.get("codebook_id") == codebook.id]


def new_decisions(codebook: Codebook) -> int:
    """Theme decisions made since the coder last started learning (or ever)."""
    session = db.session()
    model = latest_coder_model(session=session, codebook=codebook)
    started = retrains(codebook)
    # Count from the last retrain's start, not its end: decisions made while it trained
    # were not in what it read. A retrain that failed resets the count too, so every save
    # after a failure does not start another.
    since = started[0].created_at if started else model.created_at if model else None
    return count_theme_decisions(session=session, codebook_id=codebook.id, since=since)  # type: ignore[arg-type]


def retrain_if_due(codebook: Codebook) -> bool:
    """Start retraining when enough new theme decisions have been made since the last one.

    Returns whether a retrain was started. Nothing starts while one is already waiting or
    running for this codebook.
    """
    session = db.session()
    organisation_id = current_user.organisation_id
    settings = get_settings(session=session, organisation_id=organisation_id)
    if new_decisions(codebook) < settings.retrain_after:
        return False
    if any(job.status in {JobStatus.QUEUED, JobStatus.RUNNING} for job in retrains(codebook)):
        return False
    job = create_job(
        session=session,
        organisation_id=organisation_id,
        kind="retrain",
        params={"codebook_id": codebook.id, "reason": "decisions"},
        created_by_id=current_user.id,
    )
    session.commit()
    try:
        queue().enqueue(job)
    except Exception:
        # A queue that cannot take the job must not leave it "waiting" for ever, which
        # would stop every later automatic retrain; the review itself is already saved.
        log.exception("the retrain could not be queued", extra={"job_id": job.id})
        update_job(
            session=session,
            job=job,
            status=JobStatus.FAILED,
            message="The job could not be queued. Try “Retrain the coder” again later.",
        )
        session.commit()
        return False
    return True
