"""Form versions, responses and their uploads.

A published form version is frozen: changing a form makes a new version, and
every response records the version it answered. Answers are keyed by question
id and hold option ids, never labels.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum

RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 12
TOKEN_LENGTH = 28  # 28 characters from 32 symbols: 140 bits
RESPONSE_LIFETIME = timedelta(days=60)


class FormStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    SUBMITTED = "submitted"


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


class Response(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    form_version_id: int = Field(foreign_key="form_version.id", index=True)
    status: ResponseStatus = Field(
        default=ResponseStatus.IN_PROGRESS, sa_type=value_enum(ResponseStatus)
    )
    # Personal data sits in its own column so it can be redacted or erased on its own.
    respondent_name: str | None = Field(default=None, max_length=200)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pages_done: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resume_token_hash: str = Field(max_length=64, unique=True, index=True)
    resume_code_hash: str = Field(max_length=64, unique=True, index=True)
    language: str = Field(default="en", max_length=10)
    # Every save adds one to the version, and each page remembers the version that last
    # saved it: a page shown at an older version than that was changed in another tab.
    version: int = Field(default=1)
    page_versions: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    submitted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Termly surveys: which round, how it arrived, and (unless anonymous) which invitation.
    round_id: int | None = Field(default=None, foreign_key="survey_round.id", index=True)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    channel: str = Field(default="online", max_length=20)
    entered_by_user_id: int | None = Field(default=None, foreign_key="staff_user.id")


class ResponseUpload(SQLModel, table=True):
    __tablename__ = "response_upload"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    question_id: str = Field(max_length=60)
    content_type: str = Field(max_length=40)
    filename: str = Field(default="", max_length=200)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Accept a resume code typed with spaces, dashes or lower case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


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


def start_response(
    *,
    session: Session,
    organisation_id: int,
    form_version: FormVersion,
    language: str = "en",
    round_id: int | None = None,
    channel: str = "online",
    entered_by_user_id: int | None = None,
) -> tuple[Response, str]:
    """Begin a response. Returns it with its secret resume token (shown once, stored hashed).

    The first 12 characters of the token are the resume code an adult can write down.
    """
    token = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(TOKEN_LENGTH))
    response = Response(
        organisation_id=organisation_id,
        form_version_id=form_version.id,  # type: ignore[arg-type]
        resume_token_hash=_digest(token),
        resume_code_hash=_digest(token[:CODE_LENGTH]),
        language=language,
        round_id=round_id,
        channel=channel,
        entered_by_user_id=entered_by_user_id,
    )
    session.add(response)
    session.flush()
    return response, token


def resume_code(token: str) -> str:
    """The short code inside a token, grouped for reading aloud: ABCD-EFGH-JKLM."""
    code = token[:CODE_LENGTH]
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def _live(response: Response | None) -> Response | None:
    if response is None:
        return None
    if (
        response.status == ResponseStatus.IN_PROGRESS
        and utcnow() - response.updated_at > RESPONSE_LIFETIME
    ):
        return None
    return response


def find_response_by_token(*, session: Session, token: str) -> Response | None:
    """The response a resume link or cookie points at, unless it has expired."""
    if len(token) != TOKEN_LENGTH:
        return None
    query = select(Response).where(Response.resume_token_hash == _digest(token))
    return _live(session.exec(query).first())


def find_response_by_code(*, session: Session, code: str) -> Response | None:
    """The in-progress response a typed resume code points at, unless it has expired."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    query = select(Response).where(Response.resume_code_hash == _digest(code))
    return _live(session.exec(query).first())


def find_response(*, session: Session, secret: str) -> Response | None:
    """The response for a resume token or a resume code, whichever was given."""
    if len(secret) == TOKEN_LENGTH:
        return find_response_by_token(session=session, token=secret)
    return find_response_by_code(session=session, code=secret)


SAVE_ATTEMPTS = 10


class SaveConflict(RuntimeError):
    """Other saves kept landing first, so this one could not be stored."""


def save_answers(
    *,
    session: Session,
    response: Response,
    page_id: str,
    answers: dict[str, Any],
    respondent_name: str | None = None,
    name_given: bool = False,
    seen_version: int | None = None,
) -> bool:
    """Store one page's answers and mark the page as done; False if it changed elsewhere.

    `seen_version` is the response's version when the page was shown. If this page was saved
    after that (in another tab, say), nothing is stored and the answer is False, unless the
    saved answers are already these. Saves of other pages are kept: the page merges into the
    newest answers, written with a compare-and-set on the version, so no save is lost.
    """
    for _attempt in range(SAVE_ATTEMPTS):
        merged = _merge(response.answers, answers)
        if seen_version is not None and response.page_versions.get(page_id, 0) > seen_version:
            return merged == response.answers
        values: dict[str, Any] = {
            "answers": merged,
            "pages_done": list(dict.fromkeys([*response.pages_done, page_id])),
            "page_versions": {**response.page_versions, page_id: response.version + 1},
            "version": response.version + 1,
            "updated_at": utcnow(),
        }
        if name_given:
            values["respondent_name"] = respondent_name or None
        # The row's new values go onto `response` below, so SQLAlchemy need not search the
        # session for objects to update (a search that grows with every response loaded).
        result = session.execute(
            update(Response)
            .where(col(Response.id) == response.id, col(Response.version) == response.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            for key, value in values.items():  # what the row now holds, without reading it
                set_committed_value(response, key, value)
            return True
        session.refresh(response)  # another save landed first: merge into what it stored
    raise SaveConflict(f"response {response.id} changed {SAVE_ATTEMPTS} times during one save")


def _merge(saved: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    merged = dict(saved)
    for key, value in answers.items():
        if value in (None, "", [], {}):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def save_upload(
    *,
    session: Session,
    response: Response,
    question_id: str,
    data: bytes,
    content_type: str,
    filename: str,
) -> ResponseUpload:
    """Store (or replace) the picture for a question."""
    upload = session.exec(
        select(ResponseUpload).where(
            ResponseUpload.response_id == response.id, ResponseUpload.question_id == question_id
        )
    ).first() or ResponseUpload(
        response_id=response.id,  # type: ignore[arg-type]
        question_id=question_id,
        content_type=content_type,
        data=b"",
    )
    upload.data, upload.content_type, upload.filename = data, content_type, filename
    session.add(upload)
    session.flush()
    return upload


def get_upload(*, session: Session, response: Response, question_id: str) -> ResponseUpload | None:
    """The picture stored for a question, if any."""
    query = select(ResponseUpload).where(
        ResponseUpload.response_id == response.id, ResponseUpload.question_id == question_id
    )
    return session.exec(query).first()


def submit_response(
    *, session: Session, response: Response, seen_version: int | None = None
) -> bool:
    """Mark a response as submitted; its answers are then final.

    Returns False when it had already been sent (a double click, or a second tab): the
    status changes in one conditional UPDATE, so only one request can ever send it. Given
    `seen_version` (the version the person checked), it also returns False, sending
    nothing, when the answers changed after that; the response is then still in progress.
    """
    now = utcnow()
    conditions = [
        col(Response.id) == response.id,
        col(Response.status) == ResponseStatus.IN_PROGRESS,
    ]
    if seen_version is not None:
        conditions.append(col(Response.version) == seen_version)
    # Refreshed below, so SQLAlchemy need not search the session for objects to update.
    result = session.execute(
        update(Response)
        .where(*conditions)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(response)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_responses(*, session: Session, form_version: FormVersion) -> int:
    """How many responses a form version has."""
    query = (
        select(func.count())
        .select_from(Response)
        .where(Response.form_version_id == form_version.id)
    )
    return int(session.exec(query).one())


def renew_resume_token(*, session: Session, response: Response) -> str:
    """Give a response a new resume token and code (the old ones stop working).

    Used when someone opens their invitation link again on another device: the link is
    the proof, and the new device needs a token of its own.
    """
    token = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(TOKEN_LENGTH))
    response.resume_token_hash = _digest(token)
    response.resume_code_hash = _digest(token[:CODE_LENGTH])
    session.add(response)
    session.flush()
    return token


def is_live(response: Response) -> bool:
    """True for an unfinished response that has not expired."""
    return response.status == ResponseStatus.IN_PROGRESS and _live(response) is not None
