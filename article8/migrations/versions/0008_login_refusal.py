"""login_refusal: sign-ins refused during a lockout, counted once per key and lock window

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_refusal",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_seq"],
            ["audit_event.seq"],
            name=op.f("fk_login_refusal_audit_seq_audit_event"),
        ),
        sa.PrimaryKeyConstraint("key", "locked_until", name=op.f("pk_login_refusal")),
        sa.UniqueConstraint("audit_seq", name=op.f("uq_login_refusal_audit_seq")),
    )


def downgrade() -> None:
    op.drop_table("login_refusal")
