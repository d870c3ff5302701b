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


def test_comments_people_coded_before_reviews_existed_count_as_reviewed(database_url):
    from datetime import UTC, datetime

    from sqlalchemy import text

    migrate.downgrade(database_url, "0006")
    engine = make_engine(database_url)
    coded_at = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (slug, name, brand_colour, created_at) VALUES "
                "('o', 'O', '#1d4f76', :t)"
            ),
            {"t": coded_at},
        )
        org = connection.execute(text("SELECT id FROM organisation")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO codebook (organisation_id, name, version, status, source, created_at)"
                " VALUES (:o, 'C', 1, 'active', '', :t)"
            ),
            {"o": org, "t": coded_at},
        )
        book = connection.execute(text("SELECT id FROM codebook")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO theme (codebook_id, key, name, description, position)"
                " VALUES (:b, 'k', 'K', '', 0)"
            ),
            {"b": book},
        )
        theme = connection.execute(text("SELECT id FROM theme")).scalar_one()
        for body in ("coded by a person", "coded by the machine"):
            connection.execute(
                text(
                    "INSERT INTO comment (organisation_id, question_id, text_redacted,"
                    " sentiment, flagged, quote_consent, created_at)"
                    " VALUES (:o, 'q', :b, '', false, false, :t)"
                ),
                {"o": org, "b": body, "t": coded_at},
            )
        human, machine = connection.execute(text("SELECT id FROM comment ORDER BY id")).scalars()
        for comment, source in ((human, "human"), (machine, "machine")):
            connection.execute(
                text(
                    "INSERT INTO comment_theme (comment_id, theme_id, source, created_at)"
                    " VALUES (:c, :t, :s, :at)"
                ),
                {"c": comment, "t": theme, "s": source, "at": coded_at},
            )
    migrate.upgrade(database_url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, reviewed_at FROM comment")).all())
    engine.dispose()
    assert rows[machine] is None
    assert rows[human] is not None and str(rows[human]).startswith("2026-03-04 10:00")


def test_comments_from_a_response_take_its_language_and_others_stay_english(database_url):
    from datetime import UTC, datetime

    from sqlalchemy import text

    migrate.downgrade(database_url, "0007")
    engine = make_engine(database_url)
    at = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (slug, name, brand_colour, created_at) VALUES "
                "('o', 'O', '#1d4f76', :t)"
            ),
            {"t": at},
        )
        org = connection.execute(text("SELECT id FROM organisation")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO form_version (slug, version, title, definition, checksum, status,"
                " source, created_at) VALUES ('f', 1, 'F', '{}', 'c', 'published', '', :t)"
            ),
            {"t": at},
        )
        version = connection.execute(text("SELECT id FROM form_version")).scalar_one()
        for number, language in enumerate(("ar", "easy")):
            connection.execute(
                text(
                    "INSERT INTO response (organisation_id, form_version_id, status, answers,"
                    " pages_done, resume_token_hash, resume_code_hash, language, created_at,"
                    " updated_at) VALUES (:o, :v, 'submitted', '{}', '[]', :h, :h, :l, :t, :t)"
                ),
                {"o": org, "v": version, "h": f"hash-{number}", "l": language, "t": at},
            )
        arabic, easy = connection.execute(text("SELECT id FROM response ORDER BY id")).scalars()
        for response, body in ((arabic, "بالعربية"), (easy, "In easy read"), (None, "Demo")):
            connection.execute(
                text(
                    "INSERT INTO comment (organisation_id, response_id, question_id,"
                    " text_redacted, sentiment, flagged, quote_consent, created_at)"
                    " VALUES (:o, :r, 'q', :b, '', false, false, :t)"
                ),
                {"o": org, "r": response, "b": body, "t": at},
            )
    migrate.upgrade(database_url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT text_redacted, language FROM comment")).all())
    engine.dispose()
    assert rows == {"بالعربية": "ar", "In easy read": "easy", "Demo": "en"}
