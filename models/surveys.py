"""Termly survey rounds, and the responses sent to each.

A round is one term's run of a survey ("2026/27 Autumn") for one audience. It pins the
form version it asks, so every answer in a round means the same thing. Its invitations are
in models/invitations.py and its spreadsheet imports in models/survey_imports.py; their
names are importable from here too, as they always were.
"""

import re
import secrets
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.invitations import (
    Invitation,
    claim_invitation,
    create_invitations,
    find_invitation,
    invitation_counts,
    list_invitations,
    reissue_token,
)
from models.responses import FormVersion, Response, ResponseStatus
from models.survey_imports import SurveyImport, finish_import, get_import, save_import
from models.tokens import digest
from models.types import UTCDateTime, utcnow, value_enum

__all__ = [
    "ACADEMIC_YEAR",
    "LOCAL_TIME",
    "Anonymity",
    "Channel",
    "Invitation",
    "RoundState",
    "SurveyImport",
    "SurveyRound",
    "SurveyRoundBase",
    "SurveyRoundCreate",
    "Term",
    "claim_invitation",
    "close_round",
    "count_by_channel",
    "count_submitted",
    "create_invitations",
    "create_round",
    "digest",
    "find_invitation",
    "find_round_by_code",
    "finish_import",
    "get_import",
    "get_round",
    "invitation_counts",
    "list_invitations",
    "list_rounds",
    "mark_invitation_responded",
    "reissue_token",
    "round_exists",
    "save_import",
    "submitted_responses",
]

LOCAL_TIME = ZoneInfo("Europe/London")
OPEN_CODE_BYTES = 9
ACADEMIC_YEAR = re.compile(r"^20(\d\d)/(\d\d)$")


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def order(self) -> int:
        return list(Term).index(self)


class Anonymity(StrEnum):
    """How much of who answered a round is kept."""

    NAMED = "named"  # staff who may see responses can see who gave them
    CONFIDENTIAL = "confidential"  # only administrators can see who gave them
    ANONYMOUS = "anonymous"  # nothing links a response to its invitation

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Channel(StrEnum):
    """How a response reached Heard."""

    ONLINE = "online"
    PAPER = "paper"
    IMPORT = "import"


class RoundState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class SurveyRoundBase(SQLModel):
    academic_year: str = Field(max_length=7)
    term: Term = Field(sa_type=value_enum(Term))
    opens_on: date
    closes_on: date
    anonymity: Anonymity = Field(default=Anonymity.CONFIDENTIAL, sa_type=value_enum(Anonymity))
    open_link: bool = True

    @field_validator("academic_year")
    @classmethod
    def _year_shape(cls, value: str) -> str:
        match = ACADEMIC_YEAR.match(value)
        if not match or int(match[2]) != (int(match[1]) + 1) % 100:
            raise ValueError("academic year must look like 2026/27")
        return value


class SurveyRoundCreate(SurveyRoundBase):
    target_district_ids: list[int] = []
    target_setting_ids: list[int] = []


class SurveyRound(SurveyRoundBase, table=True):
    __tablename__ = "survey_round"
    __table_args__ = (UniqueConstraint("organisation_id", "form_slug", "academic_year", "term"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    form_slug: str = Field(max_length=80, index=True)
    form_version_id: int = Field(foreign_key="form_version.id")
    audience: str = Field(max_length=20)
    # The open link is meant to be shared on posters and QR codes, so it is not a secret.
    open_code: str = Field(max_length=20, unique=True, index=True)
    target_district_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    target_setting_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # The team checked its coding: two coders agreed well enough (kappa) on a sample.
    coding_agreed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    coding_agreed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    coding_kappa: float | None = Field(default=None)

    @property
    def name(self) -> str:
        """For example "2026/27 Autumn"."""
        return f"{self.academic_year} {Term(self.term).label}"

    @property
    def sort_key(self) -> tuple[str, int]:
        return self.academic_year, Term(self.term).order

    def opens_at(self) -> datetime:
        """The first moment of the opening day, in UK time."""
        return datetime.combine(self.opens_on, time.min, LOCAL_TIME)

    def closes_at(self) -> datetime:
        """The last moment of the closing day, in UK time."""
        return datetime.combine(self.closes_on, time.max, LOCAL_TIME)

    def state(self, now: datetime | None = None) -> RoundState:
        """Upcoming, open or closed, from the dates alone."""
        now = now or utcnow()
        if now < self.opens_at():
            return RoundState.UPCOMING
        if now > self.closes_at():
            return RoundState.CLOSED
        return RoundState.OPEN

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == RoundState.OPEN


def create_round(
    *,
    session: Session,
    organisation_id: int,
    form_version: FormVersion,
    data: SurveyRoundCreate,
) -> SurveyRound:
    """Add a round of a survey; it asks `form_version` for as long as it runs."""
    checked = SurveyRoundCreate.model_validate(data)
    if checked.closes_on < checked.opens_on:
        raise ValueError("a round must close on or after the day it opens")
    survey_round = SurveyRound.model_validate(
        checked,
        update={
            "organisation_id": organisation_id,
            "form_slug": form_version.slug,
            "form_version_id": form_version.id,
            "audience": str(form_version.definition.get("audience", "parents")),
            "open_code": secrets.token_urlsafe(OPEN_CODE_BYTES),
        },
    )
    session.add(survey_round)
    session.flush()
    return survey_round


def round_exists(
    *, session: Session, organisation_id: int, form_slug: str, academic_year: str, term: Term
) -> bool:
    """True when the organisation already has this term's round of the survey."""
    query = select(SurveyRound.id).where(
        SurveyRound.organisation_id == organisation_id,
        SurveyRound.form_slug == form_slug,
        SurveyRound.academic_year == academic_year,
        SurveyRound.term == term,
    )
    return session.exec(query).first() is not None


def get_round(*, session: Session, organisation_id: int, round_id: int) -> SurveyRound | None:
    """One of the organisation's rounds, or None (another organisation's is None too)."""
    found = session.get(SurveyRound, round_id)
    return found if found is not None and found.organisation_id == organisation_id else None


def find_round_by_code(*, session: Session, code: str) -> SurveyRound | None:
    """The round an open link points at."""
    if not code or len(code) > 20:
        return None
    return session.exec(select(SurveyRound).where(SurveyRound.open_code == code)).first()


def list_rounds(
    *, session: Session, organisation_id: int, form_slug: str | None = None
) -> list[SurveyRound]:
    """The organisation's rounds, oldest first."""
    query = select(SurveyRound).where(SurveyRound.organisation_id == organisation_id)
    if form_slug is not None:
        query = query.where(SurveyRound.form_slug == form_slug)
    return sorted(session.exec(query), key=lambda r: (r.form_slug, r.sort_key))


def close_round(*, session: Session, survey_round: SurveyRound) -> None:
    """Close a round at the end of yesterday (UK time), so it takes no more answers."""
    today = utcnow().astimezone(LOCAL_TIME).date()
    survey_round.closes_on = min(survey_round.closes_on, date.fromordinal(today.toordinal() - 1))
    survey_round.opens_on = min(survey_round.opens_on, survey_round.closes_on)
    session.add(survey_round)
    session.flush()


def mark_invitation_responded(
    *, session: Session, survey_round: SurveyRound, response: Response
) -> None:
    """Record that the invitation behind a sent response has been used.

    In an anonymous round the link from the invitation to the response is removed, so
    nothing in the database says who gave which answers.
    """
    invitation = session.exec(
        select(Invitation).where(Invitation.draft_response_id == response.id)
    ).first()
    if invitation is None:
        return
    invitation.responded = True
    if survey_round.anonymity == Anonymity.ANONYMOUS:
        invitation.draft_response_id = None
        response.invitation_id = None
    else:
        response.invitation_id = invitation.id
    session.add(invitation)
    session.add(response)
    session.flush()


def submitted_responses(*, session: Session, survey_round: SurveyRound) -> list[Response]:
    """Every sent response in a round, oldest first."""
    query = select(Response).where(
        Response.round_id == survey_round.id, Response.status == ResponseStatus.SUBMITTED
    )
    return list(session.exec(query.order_by(Response.id)))  # type: ignore[arg-type]


def count_submitted(*, session: Session, round_ids: list[int]) -> dict[int, int]:
    """How many sent responses each of these rounds has (rounds with none are left out)."""
    if not round_ids:
        return {}
    query = (
        select(Response.round_id, func.count())
        .where(col(Response.round_id).in_(round_ids), Response.status == ResponseStatus.SUBMITTED)
        .group_by(col(Response.round_id))
    )
    rows = session.exec(query).all()
    return {round_id: int(count) for round_id, count in rows if round_id is not None}


def count_by_channel(*, session: Session, survey_round: SurveyRound) -> dict[str, int]:
    """How many sent responses a round has from each channel (online, paper, import)."""
    query = (
        select(Response.channel, func.count())
        .where(Response.round_id == survey_round.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Response.channel)
    )
    found = dict(session.exec(query).all())
    return {channel.value: int(found.get(channel.value, 0)) for channel in Channel}
