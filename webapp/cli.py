"""The `heard` command: a Flask CLI group for the database, demo data and users."""

import os
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from analysis.cli.coder import coder
from analysis.cli.discover import discover
from analysis.cli.safeguarding import safeguarding
from forms.schema import DefinitionError
from models import (
    Organisation,
    Role,
    UserCreate,
    create_user,
    list_form_versions,
    migrate,
)
from models.demo import load_demo
from models.surveys import list_rounds
from webapp import create_app, db, demo_data, demo_plans, demo_yswd, form_loading, settings
from webapp.backup_cli import BACKUP_COMMANDS
from webapp.codebook_cli import codebook_group
from webapp.command_organisation import organisation_for
from webapp.plans_cli import plans_group
from webapp.privacy_cli import retention_group, sar_group
from webapp.redaction_cli import redaction_group
from webapp.yswd_cli import yswd_group


def _create_app() -> Flask:
    # Unsafe settings (production without Redis, say) are a message for whoever runs the
    # command, not a traceback.
    try:
        return create_app()
    except settings.ConfigurationError as error:
        raise click.ClickException(f"Heard will not start: {error}.") from None


@click.group(cls=FlaskGroup, create_app=_create_app)
@click.pass_context
def cli(context: click.Context) -> None:
    """Heard: hear children, young people and families, and show what changed."""
    context.call_on_close(lambda: _close_database(context))


def _close_database(context: click.Context) -> None:
    # Close pooled connections when a command ends, rather than at interpreter exit.
    app = getattr(context.find_object(ScriptInfo), "_loaded_app", None)
    if app is not None:
        app.extensions["heard.engine"].dispose()


@cli.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate to this revision.")
def db_upgrade(revision: str) -> None:
    """Run the migrations."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at revision {revision}.")


@db_group.command("current")
def db_current() -> None:
    """Show which revision the database is at."""
    click.echo(migrate.current_revision(db.engine()) or "not migrated")


def _demo_links() -> list[tuple[str, str]]:
    base = current_app.config.get("HEARD_BASE_URL", "http://127.0.0.1:5000")
    forms = [
        (f"Form: {v.title}", f"{base}/f/{v.slug}")
        for v in list_form_versions(session=db.session())
        if v.status == "published"
    ]
    rounds = [
        (f"Survey open now: {r.name}", f"{base}/r/{r.open_code}")
        for organisation_id in db.session().scalars(select(col(Organisation.id)))
        for r in list_rounds(session=db.session(), organisation_id=organisation_id)  # type: ignore[arg-type]
        if r.is_open() and r.open_link
    ]
    return [("Home page", f"{base}/"), ("Staff sign in", f"{base}/sign-in"), *forms, *rounds]


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if any organisation already exists.")
def demo(if_empty: bool) -> None:
    """Load the demo organisation, districts, settings and staff (safe to repeat)."""
    session = db.session()
    if if_empty and session.scalar(select(func.count()).select_from(Organisation)):
        click.echo("The database already has data, so no demo data was loaded.")
    else:
        given = os.environ.get("HEARD_DEMO_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        result = load_demo(session=session, password=password, reset_passwords=bool(given))
        form_loading.load_shipped(session=session, publish=True)
        added = demo_data.load_comments(session=session, organisation=result.organisation)
        surveyed = demo_data.load_surveys(session=session, organisation=result.organisation)
        planned = demo_plans.load_plans(session=session, organisation=result.organisation)
        demo_yswd.code_survey_comments(session=session, organisation=result.organisation)
        published = demo_yswd.load_entry(session=session, organisation=result.organisation)
        session.commit()
        if added:
            click.echo(f"Demo comments: {added}, coded by people against the demo codebook")
        if surveyed:
            click.echo(f"Demo survey responses: {surveyed}, in two past rounds and an open one")
        for name, actions, warnings in planned:
            click.echo(
                f"Demo plan: {name}, {actions} actions ({warnings} import warnings to check)"
            )
        if published:
            click.echo("Demo “You said, we did”: one published entry, for 2025/26 Summer")
        click.echo(f"Demo organisation: {result.organisation.name}")
        click.echo("Demo staff logins:")
        for email, role in result.logins:
            click.echo(f"  {email:<28} {role}")
        if result.created and not given:
            click.echo(f"Password for the new demo users (shown once): {password}")
        elif given:
            click.echo("Password: the value of HEARD_DEMO_PASSWORD.")
        else:
            click.echo("Passwords are unchanged. To reset them, set HEARD_DEMO_PASSWORD and")
            click.echo("run `heard demo` again.")
    click.echo("Demo links:")
    for label, url in _demo_links():
        click.echo(f"  {label:<28} {url}")


@cli.group("users")
def users_group() -> None:
    """Manage staff accounts."""


@users_group.command("create")
@click.option("--email", required=True, help="The person's email address; they sign in with it.")
@click.option("--name", "full_name", required=True, help="The person's full name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--organisation", "slug", help="The organisation's slug (needed if there are several)."
)
@click.password_option(help="At least 12 characters; asked for if not given.")
def users_create(email: str, full_name: str, role: str, slug: str | None, password: str) -> None:
    """Create a staff account."""
    session = db.session()
    organisation = organisation_for(slug)
    try:
        data = UserCreate(email=email, full_name=full_name, role=Role(role), password=password)
        user = create_user(session=session, organisation_id=organisation.id, data=data)  # type: ignore[arg-type]
        session.commit()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise click.UsageError(problems) from None
    except IntegrityError:
        session.rollback()
        raise click.UsageError(f"a user with the email address {email} already exists") from None
    click.echo(f"Created {user.email} ({user.role.label}) in {organisation.name}.")


@cli.group("forms")
def forms_group() -> None:
    """Manage form definitions."""


@forms_group.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish each form, so its open link answers.")
def forms_load(paths: tuple[Path, ...], publish: bool) -> None:
    """Check and load form definitions (YAML files, or folders of them)."""
    session = db.session()
    try:
        loaded = form_loading.load_paths(
            session=session, paths=form_loading.expand(list(paths)), publish=publish
        )
    except DefinitionError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    for version, changed in loaded:
        state = "loaded" if changed else "unchanged"
        click.echo(f"{version.slug} version {version.version} ({version.status}): {state}")


@cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs to run at once.")
def worker(workers: int) -> None:
    """Run the background job worker (retraining, theme discovery)."""
    from huey.consumer import Consumer

    queue = current_app.extensions["heard.queue"]
    storage = "Redis" if queue.huey.__class__.__name__ == "RedisHuey" else "SQLite"
    if storage == "Redis":
        _check_redis(queue.huey)
    click.echo(f"Heard's job worker is running on {storage} storage (press Ctrl+C to stop).")
    Consumer(queue.huey, workers=workers, worker_type="thread").run()


def _check_redis(huey) -> None:
    """Stop at once, saying why, when the queue's Redis does not answer."""
    import redis

    try:
        huey.storage.conn.ping()
    except redis.RedisError as error:
        address = huey.storage.conn.connection_pool.connection_kwargs
        where = address.get("path") or f"{address.get('host')}:{address.get('port')}"
        reason = str(error).rstrip(".")
        raise click.ClickException(
            f"The job queue's Redis at {where} does not answer ({reason}). Check REDIS_URL "
            "(or HEARD_QUEUE_REDIS_URL): every worker and web server must use the same one."
        ) from None


# Analysis on files needs no app or database; the commands live with the analysis code.
cli.add_command(safeguarding)
cli.add_command(coder)
cli.add_command(discover)
cli.add_command(plans_group)
cli.add_command(yswd_group)
cli.add_command(codebook_group)
cli.add_command(retention_group)
cli.add_command(sar_group)
cli.add_command(redaction_group)
for command in BACKUP_COMMANDS:
    cli.add_command(command)
