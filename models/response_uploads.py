"""Pictures uploaded as answers: one per question of a response, kept in the database."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow

if TYPE_CHECKING:  # models.responses imports this module, to export these names too
    from models.responses import Response


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


def save_upload(
    *,
    session: Session,
    response: "Response",
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


def get_upload(
    *, session: Session, response: "Response", question_id: str
) -> ResponseUpload | None:
    """The picture stored for a question, if any."""
    query = select(ResponseUpload).where(
        ResponseUpload.response_id == response.id, ResponseUpload.question_id == question_id
    )
    return session.exec(query).first()
