"""termly surveys: rounds, invitations, imports, and files made by jobs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:32:24.375250
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_round",
        sa.Column("academic_year", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column(
            "term",
            sa.Enum("autumn", "spring", "summer", name="term", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column(
            "anonymity",
            sa.Enum(
                "named", "confidential", "anonymous", name="anonymity", native_enum=False, length=40
            ),
            nullable=False,
        ),
        sa.Column("open_link", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("form_slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("open_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_district_ids", sa.JSON(), nullable=False),
        sa.Column("target_setting_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["form_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "form_slug", "academic_year", "term"),
    )
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_round_form_slug"), ["form_slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_round_open_code"), ["open_code"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_survey_round_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "survey_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_import_round_id"), ["round_id"], unique=False)

    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("setting_id", sa.Integer(), nullable=True),
        sa.Column("draft_response_id", sa.Integer(), nullable=True),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
        ),
        sa.ForeignKeyConstraint(
            ["setting_id"],
            ["setting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_draft_response_id"), ["draft_response_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invitation_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_token_hash"), ["token_hash"], unique=True)

    op.create_table(
        "job_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mimetype", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_file_job_id"), ["job_id"], unique=True)

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "channel",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="online",
            )
        )
        batch_op.add_column(sa.Column("entered_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_round_id"), ["round_id"], unique=False)
        batch_op.create_foreign_key("fk_response_round_id", "survey_round", ["round_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_response_invitation_id", "invitation", ["invitation_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_response_entered_by_user_id", "staff_user", ["entered_by_user_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint("fk_response_invitation_id", type_="foreignkey")
        batch_op.drop_constraint("fk_response_round_id", type_="foreignkey")
        batch_op.drop_constraint("fk_response_entered_by_user_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_response_round_id"))
        batch_op.drop_column("entered_by_user_id")
        batch_op.drop_column("channel")
        batch_op.drop_column("invitation_id")
        batch_op.drop_column("round_id")

    with op.batch_alter_table("job_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_file_job_id"))

    op.drop_table("job_file")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_token_hash"))
        batch_op.drop_index(batch_op.f("ix_invitation_round_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_draft_response_id"))

    op.drop_table("invitation")
    with op.batch_alter_table("survey_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_import_round_id"))

    op.drop_table("survey_import")
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_round_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_survey_round_open_code"))
        batch_op.drop_index(batch_op.f("ix_survey_round_form_slug"))

    op.drop_table("survey_round")
