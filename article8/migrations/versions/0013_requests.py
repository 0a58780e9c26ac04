"""requests from individuals and inquiries (issue 16)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("reply_due_on", sa.Date(), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_evidence_id", sa.Integer(), nullable=True),
        sa.Column("reply_sha256", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web_form', 'mail', 'letter', 'phone', 'in_person')",
            name=op.f("ck_inquiry_channel"),
        ),
        sa.CheckConstraint(
            "kind IN ('inquiry', 'complaint', 'request')", name=op.f("ck_inquiry_kind")
        ),
        sa.CheckConstraint(
            "state IN ('received', 'in_progress', 'responded', 'closed')",
            name=op.f("ck_inquiry_state"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_inquiry_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_inquiry_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["reply_evidence_id"],
            ["evidence_item.id"],
            name=op.f("fk_inquiry_reply_evidence_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_inquiry_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry")),
    )
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_inquiry_state", ["state", "reply_due_on"], unique=False)

    op.create_table(
        "privacy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("requester_contact", sa.String(length=300), nullable=False),
        sa.Column("agent_kind", sa.String(length=30), nullable=True),
        sa.Column("agent_name", sa.String(length=200), nullable=True),
        sa.Column("data_concerned", sa.Text(), nullable=False),
        sa.Column("disclosure_method", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("statutory_on", sa.Date(), nullable=False),
        sa.Column("verification_method", sa.String(length=300), nullable=True),
        sa.Column("verification_result", sa.String(length=20), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fee_yen", sa.Integer(), nullable=True),
        sa.Column("fee_state", sa.String(length=20), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("refusal_ground", sa.String(length=20), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("response_method", sa.String(length=20), nullable=True),
        sa.Column("response_evidence_id", sa.Integer(), nullable=True),
        sa.Column("response_sha256", sa.String(length=64), nullable=True),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web_form', 'mail', 'letter', 'phone', 'in_person')",
            name=op.f("ck_privacy_request_channel"),
        ),
        sa.CheckConstraint(
            "kind IN ('purpose_notice', 'disclosure', 'provision_record_disclosure', 'correction', 'suspension', 'provision_stop', 'suspension_35_5', 'provision_stop_35_5')",
            name=op.f("ck_privacy_request_kind"),
        ),
        sa.CheckConstraint(
            "state IN ('received', 'verifying', 'in_progress', 'decided', 'responded', 'closed')",
            name=op.f("ck_privacy_request_state"),
        ),
        sa.CheckConstraint(
            "fee_yen IS NULL OR fee_yen >= 0", name=op.f("ck_privacy_request_fee_yen")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_privacy_request_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiry.id"], name=op.f("fk_privacy_request_inquiry_id_inquiry")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_privacy_request_owner_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["response_evidence_id"],
            ["evidence_item.id"],
            name=op.f("fk_privacy_request_response_evidence_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user_account.id"],
            name=op.f("fk_privacy_request_verified_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_request")),
    )
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_request_inquiry_id"), ["inquiry_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_privacy_request_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_privacy_request_state", ["state", "target_on"], unique=False)

    op.create_table(
        "privacy_request_system",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
            name=op.f("fk_privacy_request_system_request_id_privacy_request"),
        ),
        sa.PrimaryKeyConstraint("request_id", "system", name=op.f("pk_privacy_request_system")),
    )

    op.create_table(
        "privacy_request_identity",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_item.id"],
            name=op.f("fk_privacy_request_identity_evidence_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
            name=op.f("fk_privacy_request_identity_request_id_privacy_request"),
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "evidence_id", name=op.f("pk_privacy_request_identity")
        ),
    )


def downgrade() -> None:
    op.drop_table("privacy_request_identity")
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_column("restricted")

    op.drop_table("privacy_request_system")
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_request_state")
        batch_op.drop_index(batch_op.f("ix_privacy_request_owner_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_request_inquiry_id"))

    op.drop_table("privacy_request")
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_state")
        batch_op.drop_index(batch_op.f("ix_inquiry_owner_id"))

    op.drop_table("inquiry")
