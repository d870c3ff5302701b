"""Spreadsheets of answers from another tool, to be imported into a survey round."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, LargeBinary, update
from sqlmodel import Field, Session, SQLModel, col

from models.types import UTCDateTime, utcnow

if TYPE_CHECKING:  # models.surveys imports this module, to export these names too
    from models.surveys import SurveyRound


class SurveyImport(SQLModel, table=True):
    """A spreadsheet of answers from another tool, kept while its columns are matched."""

    __tablename__ = "survey_import"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="survey_round.id", index=True)
    uploaded_by_user_id: int = Field(foreign_key="staff_user.id")
    filename: str = Field(max_length=200)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    mapping: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_count: int | None = Field(default=None)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    imported_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


def save_import(
    *, session: Session, survey_round: "SurveyRound", user_id: int, filename: str, data: bytes
) -> SurveyImport:
    """Keep an uploaded spreadsheet until its columns are matched and it is imported."""
    upload = SurveyImport(
        round_id=survey_round.id,  # type: ignore[arg-type]
        uploaded_by_user_id=user_id,
        filename=filename[:200],
        data=data,
    )
    session.add(upload)
    session.flush()
    return upload


def get_import(
    *, session: Session, survey_round: "SurveyRound", import_id: int
) -> SurveyImport | None:
    """One of a round's uploaded spreadsheets, or None."""
    found = session.get(SurveyImport, import_id)
    return found if found is not None and found.round_id == survey_round.id else None


def finish_import(*, session: Session, upload: SurveyImport, count: int) -> bool:
    """Record that a spreadsheet was imported, and drop its raw contents.

    One conditional UPDATE: False means another job imported it first, and the caller
    must roll back its own rows.
    """
    result = session.execute(
        update(SurveyImport)
        .where(col(SurveyImport.id) == upload.id, col(SurveyImport.imported_at).is_(None))
        .values(imported_count=count, imported_at=utcnow(), data=b"")
    )
    session.refresh(upload)
    return bool(result.rowcount)  # type: ignore[attr-defined]
