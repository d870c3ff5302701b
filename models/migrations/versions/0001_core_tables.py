"""core tables

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:00:22.242064
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("brand_colour", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("logo_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_slug"), ["slug"], unique=True)

    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "staff_user",
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "officer",
                "participation-worker",
                "safeguarding-lead",
                name="role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_user_email"), ["email"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_staff_user_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_actor_user_id"), ["actor_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_event_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "setting",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "setting_type",
            sa.Enum(
                "early-years",
                "mainstream",
                "special",
                "pru",
                "post-16",
                "home-educated",
                name="settingtype",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "phase",
            sa.Enum(
                "early-years",
                "primary",
                "secondary",
                "all-through",
                "post-16",
                name="phase",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("urn", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_setting_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_setting_organisation_id"))

    op.drop_table("setting")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_user_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_staff_user_email"))

    op.drop_table("staff_user")
    with op.batch_alter_table("district", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_organisation_id"))

    op.drop_table("district")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_slug"))

    op.drop_table("organisation")
