"""The local area (organisation), its districts and its settings."""

import re
from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow, value_enum

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_CONTRAST_WITH_WHITE = 4.5


class SettingType(StrEnum):
    """What kind of place a child learns in."""

    EARLY_YEARS = "early-years"
    MAINSTREAM = "mainstream"
    SPECIAL = "special"
    PRU = "pru"
    POST_16 = "post-16"
    HOME_EDUCATED = "home-educated"


class Phase(StrEnum):
    """The education phase a setting serves."""

    EARLY_YEARS = "early-years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all-through"
    POST_16 = "post-16"


def contrast_with_white(hex_colour: str) -> float:
    """Return the WCAG contrast ratio of white text on `hex_colour`."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


class OrganisationBase(SQLModel):
    slug: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=200)
    brand_colour: str = Field(default="#1d4f76", max_length=7)
    logo_url: str | None = Field(default=None, max_length=500)

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("slug must be lowercase letters, numbers and hyphens")
        return value

    @field_validator("brand_colour")
    @classmethod
    def _readable_brand_colour(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError("brand colour must look like #1d4f76")
        # The header puts white text on this colour, so it must stay readable.
        if contrast_with_white(value) < MIN_CONTRAST_WITH_WHITE:
            raise ValueError("brand colour is too light for white text (needs 4.5:1 contrast)")
        return value.lower()


class OrganisationCreate(OrganisationBase):
    pass


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class District(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)


class SettingBase(SQLModel):
    name: str = Field(max_length=200)
    setting_type: SettingType = Field(sa_type=value_enum(SettingType))
    phase: Phase = Field(sa_type=value_enum(Phase))
    district_id: int | None = Field(default=None, foreign_key="district.id")
    urn: str | None = Field(default=None, max_length=20)


class SettingCreate(SettingBase):
    pass


class Setting(SettingBase, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)


def create_organisation(*, session: Session, data: OrganisationCreate) -> Organisation:
    """Add an organisation."""
    organisation = Organisation.model_validate(OrganisationCreate.model_validate(data))
    session.add(organisation)
    session.flush()
    return organisation


def get_organisation_by_slug(*, session: Session, slug: str) -> Organisation | None:
    """Find an organisation by its slug."""
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def get_default_organisation(*, session: Session) -> Organisation | None:
    """Return the first organisation, used for public pages on a single-area install."""
    return session.exec(select(Organisation).order_by(Organisation.id)).first()  # type: ignore[arg-type]


def create_district(*, session: Session, organisation: Organisation, name: str) -> District:
    """Add a district to an organisation."""
    district = District(organisation_id=organisation.id, name=name)  # type: ignore[arg-type]
    session.add(district)
    session.flush()
    return district


def list_districts(*, session: Session, organisation: Organisation) -> list[District]:
    """Return an organisation's districts in alphabetical order."""
    query = select(District).where(District.organisation_id == organisation.id)
    return list(session.exec(query.order_by(District.name)))


def create_setting(*, session: Session, organisation: Organisation, data: SettingCreate) -> Setting:
    """Add a school or other setting to an organisation."""
    setting = Setting.model_validate(
        SettingCreate.model_validate(data), update={"organisation_id": organisation.id}
    )
    session.add(setting)
    session.flush()
    return setting


def list_settings(*, session: Session, organisation: Organisation) -> list[Setting]:
    """Return an organisation's settings in alphabetical order."""
    query = select(Setting).where(Setting.organisation_id == organisation.id)
    return list(session.exec(query.order_by(Setting.name)))
