"""Which organisation a `heard` command acts for: the one named, or the only one there is."""

import click
from sqlalchemy import select

from models import Organisation, get_organisation_by_slug
from webapp import db


def organisation_for(slug: str | None) -> Organisation:
    """The organisation with this slug; with none given, the only one, or a usage error."""
    session = db.session()
    if slug:
        found = get_organisation_by_slug(session=session, slug=slug)
        if found is None:
            raise click.BadParameter(
                f"there is no organisation called {slug!r}", param_hint="--organisation"
            )
        return found
    organisations = session.scalars(select(Organisation).limit(2)).all()
    if len(organisations) != 1:
        raise click.BadParameter(
            "say which organisation with --organisation", param_hint="--organisation"
        )
    return organisations[0]
