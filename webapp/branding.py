"""The council's own name, logo and colour, taken from the organisation record."""

import logging
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from models import Organisation, get_default_organisation, get_organisation_by_slug
from webapp import db

log = logging.getLogger("heard.branding")


@dataclass(frozen=True)
class Brand:
    """What the header and footer show."""

    name: str
    colour: str
    logo_url: str | None = None
    organisation_id: int | None = None


FALLBACK = Brand(name="Heard", colour="#1d4f76")


def _from_record(organisation: Organisation | None) -> Brand:
    if organisation is None:
        return FALLBACK
    return Brand(
        name=organisation.name,
        colour=organisation.brand_colour,
        logo_url=organisation.logo_url,
        organisation_id=organisation.id,
    )


def current_organisation() -> Organisation | None:
    """The signed-in user's organisation, else the configured or first one."""
    session = db.session()
    if current_user.is_authenticated:
        return session.get(Organisation, current_user.organisation_id)
    slug = current_app.config.get("HEARD_ORGANISATION")
    if slug:
        return get_organisation_by_slug(session=session, slug=slug)
    return get_default_organisation(session=session)


def use_organisation(organisation: Organisation) -> None:
    """Brand this request as `organisation`: for its own public pages, whoever is signed in."""
    g.brand = _from_record(organisation)


def current_brand() -> Brand:
    """Return the brand for this request; error pages still render if the database is down."""
    if "brand" not in g:
        try:
            g.brand = _from_record(current_organisation())
        except SQLAlchemyError:
            log.warning("branding unavailable: database error")
            db.session().rollback()
            g.brand = FALLBACK
    return g.brand


def init_app(app: Flask) -> None:
    """Make `brand` available to every template."""
    app.context_processor(lambda: {"brand": current_brand()})
