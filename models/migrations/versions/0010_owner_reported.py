"""owner reported: a report row made only to hold ratings is not the owner's report

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Reports saved before this could not say which were the owner's: keep them counted, as
    # they were, so no scorecard already shown to a board changes.
    op.execute(sa.text("UPDATE action_report SET answered = :yes").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("action_report", schema=None) as batch_op:
        batch_op.drop_column("answered")
