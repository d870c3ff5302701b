"""Evidence linked to plan actions, and plan files waiting for an officer to confirm them.

A link points at evidence that already lives in Heard (a codebook theme, a survey
indicator, a coded comment) or holds it (a KPI value typed in, an uploaded document). A
quote can be linked only if the person who wrote it agreed to it being quoted, and the
link keeps the redacted words as they were when linked.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import Comment
from models.plans import Plan, PlanAction
from models.types import UTCDateTime, utcnow, value_enum


class EvidenceKind(StrEnum):
    THEME = "theme"
    INDICATOR = "indicator"
    KPI = "kpi"
    DOCUMENT = "document"
    QUOTE = "quote"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EvidenceKind.THEME: "Theme",
    EvidenceKind.INDICATOR: "Survey indicator",
    EvidenceKind.KPI: "KPI",
    EvidenceKind.DOCUMENT: "Document",
    EvidenceKind.QUOTE: "Quote",
}


class QuoteConsentError(ValueError):
    """The comment's writer has not agreed to it being quoted."""


class EvidenceLink(SQLModel, table=True):
    __tablename__ = "evidence_link"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="plan_action.id", index=True)
    kind: EvidenceKind = Field(sa_type=value_enum(EvidenceKind))
    label: str = Field(default="", max_length=200)
    # a theme, and which way the action should move it
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    direction: str = Field(default="", max_length=20)
    # a survey indicator, by form and indicator id
    form_slug: str = Field(default="", max_length=80)
    indicator_id: str = Field(default="", max_length=60)
    # a figure, for indicators and KPIs (percentages for indicators)
    baseline: float | None = None
    target: float | None = None
    value: float | None = None
    higher_is_better: bool = True
    measured_on: date | None = None
    # a quote
    comment_id: int | None = Field(default=None, foreign_key="comment.id")
    quote: str = Field(default="", sa_column=Column(Text, nullable=False))
    # a document
    filename: str = Field(default="", max_length=200)
    mimetype: str = Field(default="", max_length=100)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def add_evidence(
    *, session: Session, action: PlanAction, kind: EvidenceKind, user_id: int | None, **fields: Any
) -> EvidenceLink:
    """Link evidence to an action. A quote needs its writer's consent, or this refuses."""
    if kind is EvidenceKind.QUOTE:
        comment = session.get(Comment, fields.get("comment_id"))
        plan = session.get(Plan, action.plan_id)
        if (
            comment is None
            or plan is None
            or comment.organisation_id != plan.organisation_id
            or not comment.quotable  # no consent, or it raised a safeguarding concern
        ):
            raise QuoteConsentError("The person who wrote this comment did not agree to be quoted")
        fields["quote"] = comment.text_redacted
    link = EvidenceLink(action_id=action.id, kind=kind, created_by_id=user_id, **fields)  # type: ignore[arg-type]
    session.add(link)
    session.flush()
    return link


def list_evidence(*, session: Session, action: PlanAction) -> list[EvidenceLink]:
    return list(
        session.exec(
            select(EvidenceLink)
            .where(EvidenceLink.action_id == action.id)
            .order_by(col(EvidenceLink.created_at), col(EvidenceLink.id))
        )
    )


def get_evidence(*, session: Session, action: PlanAction, link_id: int) -> EvidenceLink | None:
    link = session.get(EvidenceLink, link_id)
    return link if link is not None and link.action_id == action.id else None


def remove_evidence(*, session: Session, link: EvidenceLink) -> None:
    session.delete(link)
    session.flush()


class PlanImport(SQLModel, table=True):
    """A plan file read and waiting for an officer to confirm its warnings."""

    __tablename__ = "plan_import"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_name: str = Field(max_length=80)
    title: str = Field(max_length=200)
    schemes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    filename: str = Field(max_length=200)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    actions: int = 0
    done: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def get_plan_import(*, session: Session, organisation_id: int, import_id: int) -> PlanImport | None:
    """One plan file waiting to be confirmed, only within the given organisation."""
    pending = session.get(PlanImport, import_id)
    return pending if pending is not None and pending.organisation_id == organisation_id else None
