"""Trained machine coders, kept in the database with the codebook version they learnt."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, Session, SQLModel, col, select

from models.codebooks import Codebook
from models.types import UTCDateTime, utcnow


class CoderModel(SQLModel, table=True):
    __tablename__ = "coder_model"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    codebook_version: int
    trained_on: int
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The joblib file itself, so that every web worker and job worker sees the same model.
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def save_coder_model(
    *,
    session: Session,
    organisation_id: int,
    codebook: Codebook,
    trained_on: int,
    details: dict[str, Any],
    data: bytes,
) -> CoderModel:
    """Store a trained coder for a codebook."""
    model = CoderModel(
        organisation_id=organisation_id,
        codebook_id=codebook.id,  # type: ignore[arg-type]
        codebook_version=codebook.version,
        trained_on=trained_on,
        details=details,
        data=data,
    )
    session.add(model)
    session.flush()
    return model


def latest_coder_model(*, session: Session, codebook: Codebook) -> CoderModel | None:
    """The newest coder trained on this codebook, on this or an earlier version.

    Renaming or merging themes makes a new version but need not stop the coder: it knows
    themes by key, and merged themes are followed to where they went.
    """
    query = (
        select(CoderModel)
        .where(CoderModel.codebook_id == codebook.id)
        .order_by(col(CoderModel.id).desc())
    )
    return session.exec(query).first()
