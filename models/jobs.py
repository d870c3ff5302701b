"""Background jobs as the pages see them: what is running, how far it has got, what came out.

The queue itself (huey) only carries the job id; this table is the record people read.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=40, index=True)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=value_enum(JobStatus))
    progress: int = Field(default=0)
    message: str = Field(default="", max_length=300)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}


def create_job(
    *,
    session: Session,
    organisation_id: int,
    kind: str,
    params: dict[str, Any] | None = None,
    created_by_id: int | None = None,
) -> Job:
    """Record a job before it is queued, so its page exists at once."""
    job = Job(
        organisation_id=organisation_id,
        kind=kind,
        params=params or {},
        created_by_id=created_by_id,
        message="Waiting to start",
    )
    session.add(job)
    session.flush()
    return job


def update_job(
    *,
    session: Session,
    job: Job,
    progress: int | None = None,
    message: str | None = None,
    status: JobStatus | None = None,
    result: dict[str, Any] | None = None,
) -> Job:
    """Move a job on; finishing it stamps the time."""
    if progress is not None:
        job.progress = max(0, min(100, progress))
    if message is not None:
        job.message = message[:300]
    if result is not None:
        job.result = result
    if status is not None:
        job.status = status
        if status in {JobStatus.DONE, JobStatus.FAILED}:
            job.finished_at = utcnow()
            if status == JobStatus.DONE:
                job.progress = 100
    session.add(job)
    session.flush()
    return job


def claim_job(*, session: Session, job_id: int) -> bool:
    """Mark a queued job as running, in one statement; False if it was not queued.

    Two workers handed the same job (it was queued twice) cannot both run it: only one
    statement finds it queued. The caller commits.
    """
    claimed = session.execute(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, message="Starting")
    )
    return int(claimed.rowcount) == 1  # type: ignore[attr-defined]


def get_job(*, session: Session, organisation_id: int, job_id: int) -> Job | None:
    """One job, only within the given organisation."""
    job = session.get(Job, job_id)
    if job is None or job.organisation_id != organisation_id:
        return None
    return job


def list_jobs(*, session: Session, organisation_id: int, kind: str | None = None) -> list[Job]:
    """Recent jobs, newest first."""
    query = select(Job).where(Job.organisation_id == organisation_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.exec(query.order_by(col(Job.id).desc()).limit(20)))


class JobFile(SQLModel, table=True):
    """A file a job made, such as an export, kept for a short time for the person who asked."""

    __tablename__ = "job_file"

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", unique=True, index=True)
    filename: str = Field(max_length=200)
    mimetype: str = Field(max_length=120)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


FILE_LIFETIME = timedelta(hours=24)


def save_job_file(*, session: Session, job: Job, filename: str, mimetype: str, data: bytes) -> None:
    """Keep the file a job made."""
    session.add(JobFile(job_id=job.id, filename=filename, mimetype=mimetype, data=data))  # type: ignore[arg-type]
    session.flush()


def get_job_file(*, session: Session, job: Job) -> JobFile | None:
    """The file a job made, unless it has expired."""
    found = session.exec(select(JobFile).where(JobFile.job_id == job.id)).first()
    if found is None or utcnow() - found.created_at > FILE_LIFETIME:
        return None
    return found


def purge_job_files(*, session: Session) -> int:
    """Delete files older than a day: they may hold personal data. Returns how many."""
    cutoff = utcnow() - FILE_LIFETIME
    old = list(session.exec(select(JobFile).where(JobFile.created_at < cutoff)))
    for found in old:
        session.delete(found)
    session.flush()
    return len(old)
