"""Migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401
from models import make_engine, migrate


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_database_is_at_head_and_can_go_down_and_up(database_url):
    assert migrate.is_up_to_date(database_url)
    migrate.downgrade(database_url, "base")
    assert not migrate.is_up_to_date(database_url)
    migrate.upgrade(database_url)
    assert migrate.is_up_to_date(database_url)
