"""Whose data a `heard sar` command is about: its options, their checks, and the lookup.

The person is found in one organisation, by invitation or follow-up email, by name as
invited or given, or by response id; `--respondent` takes an email address or a name.
"""

from typing import Any, NamedTuple

import click
from flask import current_app

from models import Organisation
from models import privacy as held
from webapp import db
from webapp.command_organisation import organisation_for

LARGEST_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
ORGANISATION_HELP = (
    "The organisation's slug (default: HEARD_ORGANISATION, or the only one there is)."
)


class Sought(NamedTuple):
    """Whose data was asked for, how, in which organisation, and what is held about them."""

    kind: str
    value: str
    organisation: Organisation
    subject: held.Subject


def selector_options(command: Any) -> Any:
    """Add the options that say whose data, and in which organisation, to a command."""
    options = [
        click.option("--email", help="The email address they were invited with or left."),
        click.option("--name", help="Their name, as invited or given (case is ignored)."),
        click.option("--response", "response_id", type=int, help="A response's id."),
        click.option("--respondent", help="An email address or a name."),
        click.option("--organisation", "slug", help=ORGANISATION_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def sought(
    email: str | None,
    name: str | None,
    response_id: int | None,
    respondent: str | None,
    slug: str | None,
) -> Sought:
    """The person the options name, and what is held about them; a click error if nothing."""
    kind, value = _selector(email, name, response_id, respondent)
    organisation = _organisation(slug)
    return Sought(kind, value, organisation, _find(kind, value, organisation))


def _selector(
    email: str | None, name: str | None, response_id: int | None, respondent: str | None
) -> tuple[str, str]:
    given = [
        (kind, value)
        for kind, value in (
            ("email", email),
            ("name", name),
            ("response", None if response_id is None else str(response_id)),
            ("respondent", respondent),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise click.UsageError(
            "say whose data with one of --email, --name, --response or --respondent"
        )
    kind, value = given[0]
    value = value.strip()
    if kind == "respondent":
        kind = "email" if "@" in value else "name"
    if not value:
        raise click.BadParameter("give an email address, a name or a response id")
    if kind == "email" and ("@" not in value or len(value) > 320):
        raise click.BadParameter(f"{value!r} is not an email address", param_hint="--email")
    if kind == "name" and len(value) > 200:
        raise click.BadParameter("a name is at most 200 characters", param_hint="--name")
    if kind == "response" and not 1 <= int(value) <= LARGEST_ID:
        raise click.BadParameter("that is not a response id", param_hint="--response")
    return kind, value


def _organisation(slug: str | None) -> Organisation:
    """The one named, else the one HEARD_ORGANISATION names, else the only one there is."""
    return organisation_for(slug or current_app.config.get("HEARD_ORGANISATION"))


def _find(kind: str, value: str, organisation: Organisation) -> held.Subject:
    subject = held.find_subject(
        session=db.session(),
        organisation_id=organisation.id,  # type: ignore[arg-type]
        email=value if kind == "email" else None,
        name=value if kind == "name" else None,
        response_id=int(value) if kind == "response" else None,
    )
    if not subject.found:
        described = {"email": "that email address", "name": "that name"}.get(kind, "that response")
        raise click.ClickException(f"Nothing is held about {described} in {organisation.name}.")
    return subject
