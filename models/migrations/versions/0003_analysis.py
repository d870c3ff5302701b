"""analysis: codebooks, comments, alerts and jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:32:58
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "codebook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "active", "retired", name="codebookstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("codebook", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_codebook_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "coder_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("codebook_id", sa.Integer(), nullable=False),
        sa.Column("codebook_version", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["codebook_id"],
            ["codebook.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("coder_model", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coder_model_codebook_id"), ["codebook_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coder_model_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("text_redacted", sa.Text(), nullable=False),
        sa.Column("sentiment", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id", "question_id"),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_comment_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comment_response_id"), ["response_id"], unique=False)

    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="jobstatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "safeguarding_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "acknowledged", "closed", name="alertstatus", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safeguarding_alert", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_alert_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_alert_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_alert_response_id"), ["response_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_alert_severity"), ["severity"], unique=False
        )

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("codebook_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["codebook_id"],
            ["codebook.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("codebook_id", "key"),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_codebook_id"), ["codebook_id"], unique=False)

    op.create_table(
        "comment_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("machine", "human", name="codingsource", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("coder_model_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_model_id"],
            ["coder_model.id"],
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "theme_id", "source"),
    )
    with op.batch_alter_table("comment_theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_theme_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comment_theme_theme_id"), ["theme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_theme_theme_id"))
        batch_op.drop_index(batch_op.f("ix_comment_theme_comment_id"))

    op.drop_table("comment_theme")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_codebook_id"))

    op.drop_table("theme")
    with op.batch_alter_table("safeguarding_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_alert_severity"))
        batch_op.drop_index(batch_op.f("ix_safeguarding_alert_response_id"))
        batch_op.drop_index(batch_op.f("ix_safeguarding_alert_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_safeguarding_alert_created_at"))

    op.drop_table("safeguarding_alert")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_job_kind"))

    op.drop_table("job")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_response_id"))
        batch_op.drop_index(batch_op.f("ix_comment_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_comment_created_at"))

    op.drop_table("comment")
    with op.batch_alter_table("coder_model", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coder_model_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_coder_model_codebook_id"))

    op.drop_table("coder_model")
    with op.batch_alter_table("codebook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_codebook_organisation_id"))

    op.drop_table("codebook")
