"""Form versions: each form's definitions, of which one at a time is published.

A published form version is frozen: changing a form makes a new version, and every
response records the version it answered.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow, value_enum


class FormStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class FormVersion(SQLModel, table=True):
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, index=True)
    version: int
    title: str = Field(max_length=200)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    checksum: str = Field(max_length=64)
    status: FormStatus = Field(default=FormStatus.DRAFT, sa_type=value_enum(FormStatus))
    source: str = Field(default="", max_length=300)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


def save_form_version(
    *,
    session: Session,
    slug: str,
    title: str,
    definition: dict[str, Any],
    checksum: str,
    source: str = "",
) -> tuple[FormVersion, bool]:
    """Store a definition. Returns the version and whether anything changed.

    Unchanged content is a no-op; a changed draft is updated in place; a
    changed published form gets a new version, so answers keep their meaning.
    """
    latest = session.exec(
        select(FormVersion).where(FormVersion.slug == slug).order_by(FormVersion.version.desc())  # type: ignore[attr-defined]
    ).first()
    if latest is not None and latest.checksum == checksum:
        return latest, False
    if latest is not None and latest.status == FormStatus.DRAFT:
        latest.title, latest.definition, latest.checksum = title, definition, checksum
        latest.source = source
        session.add(latest)
        session.flush()
        return latest, True
    version = FormVersion(
        slug=slug,
        version=(latest.version + 1) if latest else 1,
        title=title,
        definition=definition,
        checksum=checksum,
        source=source,
    )
    session.add(version)
    session.flush()
    return version, True


def publish_form_version(*, session: Session, form_version: FormVersion) -> None:
    """Publish a version; the version published before it is retired."""
    for other in session.exec(
        select(FormVersion).where(
            FormVersion.slug == form_version.slug, FormVersion.status == FormStatus.PUBLISHED
        )
    ):
        if other.id != form_version.id:
            other.status = FormStatus.RETIRED
            session.add(other)
    form_version.status = FormStatus.PUBLISHED
    form_version.published_at = form_version.published_at or utcnow()
    session.add(form_version)
    session.flush()


def get_published_form(*, session: Session, slug: str) -> FormVersion | None:
    """The published version of a form, or None."""
    query = select(FormVersion).where(
        FormVersion.slug == slug, FormVersion.status == FormStatus.PUBLISHED
    )
    return session.exec(query).first()


def list_form_versions(*, session: Session) -> list[FormVersion]:
    """Every stored form version, by slug then newest first."""
    query = select(FormVersion).order_by(FormVersion.slug, FormVersion.version.desc())  # type: ignore[attr-defined]
    return list(session.exec(query))
