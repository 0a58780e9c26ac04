"""evidence vault and API tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 20:48:16.998905
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "evidence_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_label", sa.String(length=300), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('current', 'superseded', 'withdrawn')", name=op.f("ck_evidence_item_status")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_evidence_item_size")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_evidence_item_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_item_uploaded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_item_withdrawn_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_item")),
    )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_item_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index("ix_evidence_item_series", ["series_id", "version"], unique=True)
        batch_op.create_index("ix_evidence_item_sha256", ["sha256"], unique=False)
        batch_op.create_index(
            "ix_evidence_item_status_valid_until", ["status", "valid_until"], unique=False
        )

    op.create_table(
        "evidence_control",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"], ["control.id"], name=op.f("fk_evidence_control_control_id_control")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_item.id"],
            name=op.f("fk_evidence_control_evidence_id_evidence_item"),
        ),
        sa.PrimaryKeyConstraint("evidence_id", "control_id", name=op.f("pk_evidence_control")),
    )
    with op.batch_alter_table("evidence_control", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_control_control_id"), ["control_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_control", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_control_control_id"))

    op.drop_table("evidence_control")
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_item_status_valid_until")
        batch_op.drop_index("ix_evidence_item_sha256")
        batch_op.drop_index("ix_evidence_item_series")
        batch_op.drop_index(batch_op.f("ix_evidence_item_inspection_id"))

    op.drop_table("evidence_item")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
