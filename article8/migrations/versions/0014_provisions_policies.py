"""provisions_policies: third-party provision and receipt records, privacy-policy versions (issue 17)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:20:50.507066
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "policy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("publication_method", sa.String(length=300), nullable=False),
        sa.Column("matters", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_policy_version_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_version")),
        sa.UniqueConstraint("label", name=op.f("uq_policy_version_label")),
    )
    op.create_table(
        "provision_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("record_form", sa.String(length=20), nullable=True),
        sa.Column("party_name", sa.String(length=300), nullable=False),
        sa.Column("party_address", sa.Text(), nullable=False),
        sa.Column("party_representative", sa.String(length=300), nullable=False),
        sa.Column("individuals_description", sa.Text(), nullable=False),
        sa.Column("individuals_count", sa.Integer(), nullable=True),
        sa.Column("individuals_list_evidence_id", sa.Integer(), nullable=True),
        sa.Column("individuals_list", sa.Text(), nullable=False),
        sa.Column("data_items", sa.Text(), nullable=False),
        sa.Column("consent_evidence", sa.Text(), nullable=False),
        sa.Column("provided_on", sa.Date(), nullable=True),
        sa.Column("last_provided_on", sa.Date(), nullable=True),
        sa.Column("foreign_country", sa.String(length=100), nullable=False),
        sa.Column("foreign_information", sa.Text(), nullable=False),
        sa.Column("foreign_consent", sa.Boolean(), nullable=False),
        sa.Column("provider_acquisition", sa.Text(), nullable=False),
        sa.Column("related_information", sa.Boolean(), nullable=False),
        sa.Column("related_consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "basis IN ('consent', 'opt_out', 'law', 'entrustment', 'succession', 'joint_use')",
            name=op.f("ck_provision_record_basis"),
        ),
        sa.CheckConstraint(
            "direction IN ('provision', 'receipt')", name=op.f("ck_provision_record_direction")
        ),
        sa.CheckConstraint(
            "record_form IS NULL OR record_form IN ('per_provision', 'bulk', 'contract')",
            name=op.f("ck_provision_record_record_form"),
        ),
        sa.CheckConstraint(
            "individuals_count IS NULL OR individuals_count >= 0",
            name=op.f("ck_provision_record_count"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_provision_record_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provision_record")),
    )
    with op.batch_alter_table("provision_record", schema=None) as batch_op:
        batch_op.create_index("ix_provision_record_provided_on", ["provided_on"], unique=False)
        batch_op.create_index("ix_provision_record_retention", ["retention_until"], unique=False)

    op.create_table(
        "policy_purpose_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("within_relation", sa.Boolean(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("notification_method", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_version.id"],
            name=op.f("fk_policy_purpose_change_version_id_policy_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_purpose_change")),
    )
    with op.batch_alter_table("policy_purpose_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_purpose_change_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("policy_purpose_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_purpose_change_version_id"))

    op.drop_table("policy_purpose_change")
    with op.batch_alter_table("provision_record", schema=None) as batch_op:
        batch_op.drop_index("ix_provision_record_retention")
        batch_op.drop_index("ix_provision_record_provided_on")

    op.drop_table("provision_record")
    op.drop_table("policy_version")
