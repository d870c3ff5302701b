"""Responses: starting one, finding it again, saving its answers and sending it.

Every response records the form version it answered. Answers are keyed by question id
and hold option ids, never labels. Form versions are in models/form_versions.py, uploaded
pictures in models/response_uploads.py and resume codes in models/tokens.py; their names
are importable from here too, as they always were.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col, select

from models.form_versions import (
    FormStatus,
    FormVersion,
    get_published_form,
    list_form_versions,
    publish_form_version,
    save_form_version,
)
from models.response_uploads import ResponseUpload, get_upload, save_upload
from models.tokens import (
    CODE_LENGTH,
    TOKEN_LENGTH,
    digest,
    new_resume_token,
    normalise_code,
    resume_code,
)
from models.types import UTCDateTime, utcnow, value_enum

__all__ = [
    "FormStatus",
    "FormVersion",
    "Response",
    "ResponseStatus",
    "ResponseUpload",
    "SaveConflict",
    "count_responses",
    "find_response",
    "find_response_by_code",
    "find_response_by_token",
    "get_published_form",
    "get_upload",
    "is_live",
    "list_form_versions",
    "normalise_code",
    "publish_form_version",
    "renew_resume_token",
    "resume_code",
    "save_answers",
    "save_form_version",
    "save_upload",
    "start_response",
    "submit_response",
]

RESPONSE_LIFETIME = timedelta(days=60)
#: How long after sending the browser that sent a response may still open its confirmation
#: and its answers as a PDF. Its resume code and link stop at once: someone who saw the
#: code on the screen, or the adult who helped, must not read a child's answers later.
RECEIPT_LIFETIME = timedelta(hours=1)


class ResponseStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    SUBMITTED = "submitted"


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
    token = new_resume_token()
    response = Response(
        organisation_id=organisation_id,
        form_version_id=form_version.id,  # type: ignore[arg-type]
        resume_token_hash=digest(token),
        resume_code_hash=digest(token[:CODE_LENGTH]),
        language=language,
        round_id=round_id,
        channel=channel,
        entered_by_user_id=entered_by_user_id,
    )
    session.add(response)
    session.flush()
    return response, token


def _live(response: Response | None) -> Response | None:
    if response is None:
        return None
    if (
        response.status == ResponseStatus.IN_PROGRESS
        and utcnow() - response.updated_at > RESPONSE_LIFETIME
    ):
        return None
    if response.status == ResponseStatus.SUBMITTED and (
        response.submitted_at is None or utcnow() - response.submitted_at > RECEIPT_LIFETIME
    ):
        return None
    return response


def find_response_by_token(*, session: Session, token: str) -> Response | None:
    """The response a resume link or cookie points at, unless it has expired."""
    if len(token) != TOKEN_LENGTH:
        return None
    query = select(Response).where(Response.resume_token_hash == digest(token))
    return _live(session.exec(query).first())


def find_response_by_code(*, session: Session, code: str) -> Response | None:
    """The in-progress response a typed resume code points at, unless it has expired."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    query = select(Response).where(Response.resume_code_hash == digest(code))
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
        if _write_if_unchanged(session, response, values):
            return True
        session.refresh(response)  # another save landed first: merge into what it stored
    raise SaveConflict(f"response {response.id} changed {SAVE_ATTEMPTS} times during one save")


def _write_if_unchanged(session: Session, response: Response, values: dict[str, Any]) -> bool:
    """Write `values` unless another save changed the response's version first."""
    # The row's new values go onto `response` below, so SQLAlchemy need not search the
    # session for objects to update (a search that grows with every response loaded).
    result = session.execute(
        update(Response)
        .where(col(Response.id) == response.id, col(Response.version) == response.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    for key, value in values.items():  # what the row now holds, without reading it
        set_committed_value(response, key, value)
    return True


def _merge(saved: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    merged = dict(saved)
    for key, value in answers.items():
        if value in (None, "", [], {}):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


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
    token = new_resume_token()
    response.resume_token_hash = digest(token)
    response.resume_code_hash = digest(token[:CODE_LENGTH])
    session.add(response)
    session.flush()
    return token


def is_live(response: Response) -> bool:
    """True for an unfinished response that has not expired."""
    return response.status == ResponseStatus.IN_PROGRESS and _live(response) is not None
