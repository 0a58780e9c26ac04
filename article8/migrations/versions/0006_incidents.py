"""incidents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 21:36:17.414725
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aware_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sensitive_data", sa.Boolean(), nullable=True),
        sa.Column("financial_harm", sa.Boolean(), nullable=True),
        sa.Column("unlawful_purpose", sa.Boolean(), nullable=True),
        sa.Column("over_1000_people", sa.Boolean(), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("preliminary_due_on", sa.Date(), nullable=True),
        sa.Column("final_due_on", sa.Date(), nullable=True),
        sa.Column("preliminary_reported_on", sa.Date(), nullable=True),
        sa.Column("final_reported_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('reported', 'investigating', 'closed')", name=op.f("ck_incident_status")
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by_id"],
            ["user_account.id"],
            name=op.f("fk_incident_assessed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["control_id"], ["control.id"], name=op.f("fk_incident_control_id_control")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["user_account.id"],
            name=op.f("fk_incident_reported_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_status", ["status", "final_due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_status")

    op.drop_table("incident")
