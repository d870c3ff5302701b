"""Long analysis work, run by the queue's worker: retraining the coder and finding themes.

Each job reads its inputs from the database, reports progress to its `job` row as it goes
(the job page shows it), and records its result or a plain-English reason it failed.
"""

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import new_session, record_event
from models.coding import (
    Codebook,
    CoderModel,
    CodingSource,
    code_comment,
    get_codebook,
    human_coded_examples,
    list_comments,
    list_themes,
    save_coder_model,
)
from models.jobs import Job, JobStatus, claim_job, update_job
from webapp import coder_cache

if TYPE_CHECKING:
    from analysis.coder import ThemeCoder

log = logging.getLogger(__name__)
Report = Callable[[int, str], None]

#: Comments a person must have coded before the coder can learn from them.
MIN_TRAINING_COMMENTS = 20
#: And examples each theme needs to be learned; themes with fewer are left out, and said so.
MIN_THEME_EXAMPLES = 3
#: Folds of the cross-validation behind the model-quality page.
QUALITY_FOLDS = 5
#: Comments needed before discovery can find anything worth proposing.
MIN_DISCOVERY_COMMENTS = 20


class JobProblem(Exception):
    """A job cannot go on, for a reason the person who started it can act on."""


#: A result key listing jobs the runner recorded in its own transaction, to be queued once
#: that transaction is committed (so they never run against work that was rolled back).
FOLLOW_ON = "follow_on_jobs"


def run(engine: Engine, job_id: int) -> None:
    """Run one recorded job to the end, recording progress, result or failure."""
    with new_session(engine) as session:
        # Claimed in one statement, so a job queued twice still runs once.
        if not claim_job(session=session, job_id=job_id):
            return
        session.commit()
        job = session.get(Job, job_id)
        if job is None:
            return

        def report(progress: int, message: str) -> None:
            update_job(session=session, job=job, progress=progress, message=message)
            session.commit()

        try:
            result = RUNNERS[job.kind](session, job, report)
        except JobProblem as problem:
            session.rollback()
            update_job(session=session, job=job, status=JobStatus.FAILED, message=str(problem))
        except Exception:
            log.exception("job failed", extra={"job_id": job.id, "kind": job.kind})
            session.rollback()
            update_job(
                session=session,
                job=job,
                status=JobStatus.FAILED,
                message="Something went wrong. The error has been logged; try again later.",
            )
        else:
            update_job(
                session=session, job=job, status=JobStatus.DONE, message="Finished", result=result
            )
        session.commit()
        if job.status == JobStatus.DONE:
            from webapp.queue import enqueue_quietly

            for follow_on in job.result.get(FOLLOW_ON, []):
                enqueue_quietly(follow_on)


def retrain(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Train a coder on the comments people have coded, then recode every comment with it."""
    codebook = get_codebook(
        session=session, organisation_id=job.organisation_id, codebook_id=job.params["codebook_id"]
    )
    if codebook is None:
        raise JobProblem("The codebook no longer exists.")
    report(5, "Reading the comments people have coded")
    texts, keys = human_coded_examples(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    if len(texts) < MIN_TRAINING_COMMENTS:
        raise JobProblem(
            f"The coder needs at least {MIN_TRAINING_COMMENTS} comments coded by a person; "
            f"there are {len(texts)}."
        )
    labels, skipped = _learnable_labels(session, codebook, keys)
    report(10, f"Checking the coder on {len(texts)} comments people have coded")
    quality = _check_coder(texts, labels, report)
    report(55, f"Training on {len(texts)} comments and {labels.shape[1]} themes")
    coder = _fit_coder(texts, labels, codebook)
    report(70, "Saving the model")
    details = {"themes": list(labels.columns), "skipped": skipped, "quality": quality}
    record = _save_coder(session, job, codebook, coder, len(texts), details)
    session.commit()
    recoded = _recode(session, job, codebook, report)
    return {
        "coder_model_id": record.id,
        "trained_on": len(texts),
        "themes": list(labels.columns),
        "skipped": skipped,
        "recoded": recoded,
        "micro_f1": quality["micro"]["f1"],
    }


def _learnable_labels(
    session: Session, codebook: Codebook, keys: list[list[str]]
) -> tuple[pd.DataFrame, list[Hashable]]:
    """A column per theme with enough examples to learn, and the keys of the themes left out."""
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    labels = pd.DataFrame(
        [[int(theme.key in chosen) for theme in themes] for chosen in keys],
        columns=[theme.key for theme in themes],
    )
    counts = labels.sum()
    skipped = [
        key
        for key, count in counts.items()
        if count < MIN_THEME_EXAMPLES or count == len(keys)  # a theme on every comment
    ]
    labels = labels.drop(columns=skipped)
    if labels.shape[1] < 1:
        raise JobProblem(f"No theme has {MIN_THEME_EXAMPLES} or more coded comments yet.")
    return labels, skipped


def _check_coder(texts: list[str], labels: pd.DataFrame, report: Report) -> dict[str, Any]:
    """Cross-validate a coder on these examples, reporting each fold as it finishes."""
    from analysis.quality import cross_validate

    return cross_validate(
        texts,
        labels,
        folds=QUALITY_FOLDS,
        progress=lambda done, folds: report(
            10 + 45 * done // folds, f"Checking the coder: part {done} of {folds}"
        ),
    )


def _fit_coder(texts: list[str], labels: pd.DataFrame, codebook: Codebook) -> "ThemeCoder":
    """The coder trained on every example; a reason it cannot be is the job's problem."""
    from analysis.coder import ThemeCoder

    try:
        return ThemeCoder(random_state=0, codebook_version=codebook.version, n_jobs=-1).fit(
            texts, labels
        )
    except ValueError as error:
        raise JobProblem(str(error)) from None


def _save_coder(
    session: Session,
    job: Job,
    codebook: Codebook,
    coder: "ThemeCoder",
    trained_on: int,
    details: dict[str, Any],
) -> CoderModel:
    """Store the trained coder with what it learned and how well, and record who trained it."""
    record = save_coder_model(
        session=session,
        organisation_id=job.organisation_id,
        codebook=codebook,
        trained_on=trained_on,
        details={**details, **coder.metadata_},
        data=coder.to_bytes(),
    )
    record_event(
        session=session,
        action="coder.trained",
        actor_user_id=job.created_by_id,
        organisation_id=job.organisation_id,
        object_type="coder_model",
        object_id=record.id,
        details={"codebook_id": codebook.id, "trained_on": trained_on},
    )
    return record


def _recode(session: Session, job: Job, codebook: Any, report: Report) -> int:
    loaded = coder_cache.latest(session, codebook)
    comments = list_comments(session=session, organisation_id=job.organisation_id)
    if loaded is None or not comments:
        return 0
    batch = 500
    for start in range(0, len(comments), batch):
        chunk = comments[start : start + batch]
        coded = loaded.code_with_uncertainty([c.text_redacted for c in chunk])
        for comment, (themes, unsure) in zip(chunk, coded, strict=True):
            comment.uncertainty = unsure
            code_comment(
                session=session,
                comment=comment,
                theme_ids=themes,
                source=CodingSource.MACHINE,
                coder_model_id=loaded.model_id,
            )
        report(75 + 24 * (start + len(chunk)) // len(comments), "Coding comments again")
    return len(comments)


def discover(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Propose themes from the organisation's comments (see webapp/discovery_jobs.py)."""
    from webapp.discovery_jobs import run_discovery

    return run_discovery(session, job, report)


def survey_import(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Import a checked spreadsheet of survey answers (see webapp/import_jobs.py)."""
    from webapp.import_jobs import run_import

    return run_import(session, job, report)


def survey_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Export a round's responses (see webapp/export_jobs.py)."""
    from webapp.export_jobs import run_export

    return run_export(session, job, report)


def scorecard_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Export a plan's scorecard (see webapp/scorecard_exports.py)."""
    from webapp.scorecard_exports import run_export

    return run_export(session, job, report)


def yswd_export(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Export published “You said, we did” entries (see webapp/yswd_exports.py)."""
    from webapp.yswd_exports import run_export

    return run_export(session, job, report)


def yswd_follow_up(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Tell a round's respondents who asked what changed (see webapp/follow_ups.py)."""
    from webapp.follow_ups import run_follow_up

    return run_follow_up(session, job, report)


def safeguarding_notify(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Email the safeguarding leads about new alerts (see webapp/safeguarding_mail.py)."""
    from webapp.safeguarding_mail import run_notify

    return run_notify(session, job, report)


RUNNERS: dict[str, Callable[[Session, Job, Report], dict[str, Any]]] = {
    "retrain": retrain,
    "discover": discover,
    "survey-import": survey_import,  # webapp.import_jobs.KIND
    "survey-export": survey_export,  # webapp.export_jobs.KIND
    "scorecard-export": scorecard_export,  # webapp.scorecard_exports.KIND
    "yswd-export": yswd_export,  # webapp.yswd_exports.KIND
    "yswd-follow-up": yswd_follow_up,  # webapp.follow_ups.KIND
    "safeguarding-notify": safeguarding_notify,  # webapp.safeguarding_mail.KIND
}
