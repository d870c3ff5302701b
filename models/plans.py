"""Improvement plans: their areas (a tree), actions, and the rating schemes they are judged by.

Rating schemes are data. Each value has a label, its definition word for word, a colour
(always shown beside the label, never alone) and an order, best first. The schemes Heard
ships are in `rating_schemes.yaml`; a plan takes a copy of the ones it uses, so editing a
shipped scheme never rewrites a plan's history.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum

SCHEMES_FILE = Path(__file__).with_name("rating_schemes.yaml")


class SchemeKind(StrEnum):
    PROGRESS = "progress"
    IMPACT = "impact"
    STATUS = "status"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Plan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=80)  # the short name commands use, such as kent-app
    title: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class PlanArea(SQLModel, table=True):
    """An area of a plan, or a sub-theme under one; tags such as AFI2 are areas too."""

    __tablename__ = "plan_area"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="plan_area.id")
    key: str = Field(max_length=200)  # "1", "1.E", or a tag such as "AFI2" (tags can be words)
    name: str = Field(default="", sa_column=Column(Text, nullable=False))
    is_tag: bool = False
    position: int = 0

    @property
    def title(self) -> str:
        """How the area is named in lists: "1 Parental Confidence"."""
        shown = self.key.split(".")[-1]
        return f"{shown} {self.name}".strip() if self.name else shown


class PlanAction(SQLModel, table=True):
    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    area_id: int = Field(foreign_key="plan_area.id", index=True)
    sub_theme_id: int | None = Field(default=None, foreign_key="plan_area.id")
    code: str = Field(max_length=40)
    description: str = Field(sa_column=Column(Text, nullable=False))
    intended_outcomes: str = Field(default="", sa_column=Column(Text, nullable=False))
    impact_measures: str = Field(default="", sa_column=Column(Text, nullable=False))
    lead: str = Field(default="", max_length=300)
    # Dates are kept as written ("TBC", "March 2023 Pilot") and as read, when they could be.
    start_raw: str = Field(default="", max_length=100)
    start_on: date | None = None
    due_raw: str = Field(default="", max_length=100)
    due_on: date | None = None
    revised_raw: str = Field(default="", max_length=100)
    revised_on: date | None = None
    date_notes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="", max_length=40)  # a value of the plan's status scheme
    position: int = 0

    @property
    def has_measure(self) -> bool:
        return bool(self.impact_measures.strip())

    @property
    def due_by(self) -> date | None:
        """The date the action is now due: the revised one if there is one."""
        return self.revised_on or self.due_on


class RatingScheme(SQLModel, table=True):
    __tablename__ = "rating_scheme"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    key: str = Field(max_length=40)
    name: str = Field(max_length=100)
    kind: SchemeKind = Field(sa_type=value_enum(SchemeKind))
    position: int = 0


class RatingValue(SQLModel, table=True):
    __tablename__ = "rating_value"
    __table_args__ = (UniqueConstraint("scheme_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="rating_scheme.id", index=True)
    key: str = Field(max_length=40)
    label: str = Field(max_length=100)
    definition: str = Field(default="", sa_column=Column(Text, nullable=False))
    colour: str = Field(max_length=7)
    position: int  # 0 is the best
    # Which step of a suggested impact rating this value stands for ("early", …), if any.
    suggests: str = Field(default="", max_length=20)
    worst: bool = False  # the value that means delayed, or impact not delivered


@cache
def shipped_schemes() -> dict[str, dict[str, Any]]:
    """The rating schemes Heard ships, by key, as written in rating_schemes.yaml."""
    data = yaml.safe_load(SCHEMES_FILE.read_text(encoding="utf-8"))
    return {scheme["key"]: scheme for scheme in data["schemes"]}


def create_plan(
    *, session: Session, organisation_id: int, name: str, title: str, schemes: list[str]
) -> Plan:
    """Create a plan with copies of the named shipped rating schemes."""
    plan = Plan(organisation_id=organisation_id, name=name, title=title)
    session.add(plan)
    session.flush()
    for position, key in enumerate(schemes):
        source = shipped_schemes()[key]
        scheme = RatingScheme(
            plan_id=plan.id,  # type: ignore[arg-type]
            key=key,
            name=source["name"],
            kind=SchemeKind(source["kind"]),
            position=position,
        )
        session.add(scheme)
        session.flush()
        for order, value in enumerate(source["values"]):
            session.add(
                RatingValue(
                    scheme_id=scheme.id,  # type: ignore[arg-type]
                    key=value["key"],
                    label=value["label"],
                    definition=value.get("definition", ""),
                    colour=value["colour"],
                    position=order,
                    suggests=value.get("suggests", ""),
                    worst=bool(value.get("worst", False)),
                )
            )
    session.flush()
    return plan


def get_plan(*, session: Session, organisation_id: int, name: str) -> Plan | None:
    return session.exec(
        select(Plan).where(Plan.organisation_id == organisation_id, Plan.name == name)
    ).first()


def get_plan_by_id(*, session: Session, organisation_id: int, plan_id: int) -> Plan | None:
    plan = session.get(Plan, plan_id)
    return plan if plan is not None and plan.organisation_id == organisation_id else None


def list_plans(*, session: Session, organisation_id: int) -> list[Plan]:
    return list(
        session.exec(
            select(Plan).where(Plan.organisation_id == organisation_id).order_by(col(Plan.name))
        )
    )


def list_areas(*, session: Session, plan: Plan) -> list[PlanArea]:
    return list(
        session.exec(
            select(PlanArea)
            .where(PlanArea.plan_id == plan.id)
            .order_by(col(PlanArea.position), col(PlanArea.id))
        )
    )


def list_actions(*, session: Session, plan: Plan) -> list[PlanAction]:
    return list(
        session.exec(
            select(PlanAction)
            .where(PlanAction.plan_id == plan.id)
            .order_by(col(PlanAction.position), col(PlanAction.id))
        )
    )


def get_action(*, session: Session, plan: Plan, code: str) -> PlanAction | None:
    return session.exec(
        select(PlanAction).where(PlanAction.plan_id == plan.id, PlanAction.code == code)
    ).first()


@dataclass(frozen=True)
class Scheme:
    """A scheme with its values, best first."""

    scheme: RatingScheme
    values: list[RatingValue]

    @property
    def key(self) -> str:
        return self.scheme.key

    def value(self, key: str | None) -> RatingValue | None:
        return next((v for v in self.values if v.key == key), None)

    def suggesting(self, level: str | None) -> RatingValue | None:
        return next((v for v in self.values if level and v.suggests == level), None)


def list_schemes(*, session: Session, plan: Plan) -> list[Scheme]:
    schemes = session.exec(
        select(RatingScheme)
        .where(RatingScheme.plan_id == plan.id)
        .order_by(col(RatingScheme.position))
    ).all()
    found = []
    for scheme in schemes:
        values = session.exec(
            select(RatingValue)
            .where(RatingValue.scheme_id == scheme.id)
            .order_by(col(RatingValue.position))
        ).all()
        found.append(Scheme(scheme, list(values)))
    return found


def save_area(
    *,
    session: Session,
    plan: Plan,
    key: str,
    name: str,
    parent: PlanArea | None = None,
    is_tag: bool = False,
    position: int = 0,
) -> PlanArea:
    """Add an area or update its name (a blank name never replaces one already there)."""
    area = session.exec(
        select(PlanArea).where(PlanArea.plan_id == plan.id, PlanArea.key == key)
    ).first()
    if area is None:
        area = PlanArea(
            plan_id=plan.id,  # type: ignore[arg-type]
            key=key,
            name=name,
            parent_id=parent.id if parent else None,
            is_tag=is_tag,
            position=position,
        )
    elif name:
        area.name = name
    session.add(area)
    session.flush()
    return area


def save_action(*, session: Session, plan: Plan, code: str, fields: dict[str, Any]) -> PlanAction:
    """Add an action, or update the one with this code (its reports and evidence stay)."""
    action = get_action(session=session, plan=plan, code=code)
    if action is None:
        action = PlanAction(plan_id=plan.id, code=code, **fields)  # type: ignore[arg-type]
    else:
        for name, value in fields.items():
            setattr(action, name, value)
    session.add(action)
    session.flush()
    return action
