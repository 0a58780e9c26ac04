"""catalogue: controls, mappings, checklist revisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:36:02.960457
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "control",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_ja", sa.String(length=300), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("description_ja", sa.Text(), nullable=False),
        sa.Column("article8_explicit", sa.Boolean(), nullable=False),
        sa.Column("ppc_ref", sa.String(length=300), nullable=False),
        sa.Column("evidence_expected", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("in_catalogue", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('basic_policy', 'organisational', 'human', 'physical', 'technical', 'external_environment')",
            name=op.f("ck_control_category"),
        ),
        sa.CheckConstraint(
            "frequency IN ('monthly', 'quarterly', 'semiannual', 'annual')",
            name=op.f("ck_control_frequency"),
        ),
        sa.CheckConstraint("source IN ('catalogue', 'custom')", name=op.f("ck_control_source")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_control_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control")),
        sa.UniqueConstraint("code", name=op.f("uq_control_code")),
    )
    op.create_table(
        "checklist_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"], ["control.id"], name=op.f("fk_checklist_revision_control_id_control")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_revision")),
    )
    with op.batch_alter_table("checklist_revision", schema=None) as batch_op:
        batch_op.create_index(
            "uq_checklist_revision_control_number", ["control_id", "number"], unique=True
        )

    op.create_table(
        "control_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('article8', 'ppc', 'iso27001')", name=op.f("ck_control_mapping_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["control_id"], ["control.id"], name=op.f("fk_control_mapping_control_id_control")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_mapping")),
    )
    with op.batch_alter_table("control_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_control_mapping_control_id"), ["control_id"], unique=False
        )
        batch_op.create_index("ix_control_mapping_scheme_ref", ["scheme", "ref"], unique=False)

    op.create_table(
        "checklist_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ja", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["checklist_revision.id"],
            name=op.f("fk_checklist_item_revision_id_checklist_revision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_item")),
    )
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_item_revision_id"), ["revision_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_item_revision_id"))

    op.drop_table("checklist_item")
    with op.batch_alter_table("control_mapping", schema=None) as batch_op:
        batch_op.drop_index("ix_control_mapping_scheme_ref")
        batch_op.drop_index(batch_op.f("ix_control_mapping_control_id"))

    op.drop_table("control_mapping")
    with op.batch_alter_table("checklist_revision", schema=None) as batch_op:
        batch_op.drop_index("uq_checklist_revision_control_number")

    op.drop_table("checklist_revision")
    op.drop_table("control")
