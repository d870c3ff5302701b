"""forms and responses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:28:09.875439
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("checksum", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "published", "retired", name="formstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", "version"),
    )
    with op.batch_alter_table("form_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_version_slug"), ["slug"], unique=False)

    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in-progress", "submitted", name="responsestatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("respondent_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("pages_done", sa.JSON(), nullable=False),
        sa.Column("resume_token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("resume_code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["form_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_form_version_id"), ["form_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_response_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_response_resume_code_hash"), ["resume_code_hash"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_response_resume_token_hash"), ["resume_token_hash"], unique=True
        )

    op.create_table(
        "response_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id", "question_id"),
    )
    with op.batch_alter_table("response_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_upload_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("response_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_upload_response_id"))

    op.drop_table("response_upload")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_resume_token_hash"))
        batch_op.drop_index(batch_op.f("ix_response_resume_code_hash"))
        batch_op.drop_index(batch_op.f("ix_response_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_response_form_version_id"))

    op.drop_table("response")
    with op.batch_alter_table("form_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_version_slug"))

    op.drop_table("form_version")
