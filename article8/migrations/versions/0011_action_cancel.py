"""action_cancel: a corrective action can be cancelled with a reason (who, when, why)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BEFORE = "status IN ('open', 'in_progress', 'resolved', 'verified')"
AFTER = "status IN ('open', 'in_progress', 'resolved', 'verified', 'cancelled')"


def upgrade() -> None:
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_corrective_action_cancelled_by_id_user_account"),
            "user_account",
            ["cancelled_by_id"],
            ["id"],
        )
        batch_op.drop_constraint(batch_op.f("ck_corrective_action_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_corrective_action_status"), AFTER)


def downgrade() -> None:
    op.execute("UPDATE corrective_action SET status = 'open' WHERE status = 'cancelled'")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_corrective_action_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_corrective_action_status"), BEFORE)
        batch_op.drop_constraint(
            batch_op.f("fk_corrective_action_cancelled_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancel_reason")
