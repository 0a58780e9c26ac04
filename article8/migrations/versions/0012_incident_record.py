"""incident_record: the leak-report record (issue 15): awareness confirmed at triage, occurrence,
kinds, media, personal data, the encryption exemption, 本人の数, entrustment, notification of the
individuals; versioned report items (規則8条1項), the reports filed, and the generated documents

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHECKS = {
    "certainty": "certainty IN ('occurred', 'suspected')",
    "media": "media IN ('electronic', 'paper', 'both')",
    "personal_data": "personal_data IN ('yes', 'no', 'unknown')",
    "entrustment": "entrustment IN ('none', 'entrusting', 'contractor')",
    "notification": "notification IN ('notified', 'alternative')",
}


def upgrade() -> None:
    false, empty = sa.false(), sa.text("''")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preliminary_target_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("aware_confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("aware_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
        for flag in ("occurred_unknown", "kind_leak", "kind_loss", "kind_damage"):
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=False, server_default=false))
        batch_op.add_column(sa.Column("certainty", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("media", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("personal_data", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("personal_data_reason", sa.Text(), nullable=False, server_default=empty)
        )
        batch_op.add_column(
            sa.Column("encrypted_exempt", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(
            sa.Column("encryption_note", sa.Text(), nullable=False, server_default=empty)
        )
        batch_op.add_column(sa.Column("individuals", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("individuals_estimated", sa.Boolean(), nullable=False, server_default=false)
        )
        batch_op.add_column(sa.Column("individuals_low", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("individuals_high", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("entrustment", sa.String(length=20), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("principal_notified_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "principal_recipient", sa.String(length=300), nullable=False, server_default=empty
            )
        )
        batch_op.add_column(sa.Column("notification", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("notified_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "notification_method", sa.String(length=300), nullable=False, server_default=empty
            )
        )
        batch_op.add_column(
            sa.Column("notification_content", sa.Text(), nullable=False, server_default=empty)
        )
        batch_op.add_column(sa.Column("alternative_published_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("alternative_where", sa.Text(), nullable=False, server_default=empty)
        )
        batch_op.add_column(
            sa.Column("inquiry_desk", sa.Text(), nullable=False, server_default=empty)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_incident_aware_confirmed_by_id_user_account"),
            "user_account",
            ["aware_confirmed_by_id"],
            ["id"],
        )
        for name, sql in CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_incident_{name}"), sql)

    op.create_table(
        "incident_filing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("destination", sa.String(length=20), nullable=False),
        sa.Column("authority", sa.String(length=300), nullable=False),
        sa.Column("receipt_number", sa.String(length=100), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("voluntary", sa.Boolean(), nullable=False),
        sa.Column("voluntary_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "destination IN ('ppc', 'ministry')", name=op.f("ck_incident_filing_destination")
        ),
        sa.CheckConstraint(
            "kind IN ('preliminary', 'final', 'combined', 'supplement')",
            name=op.f("ck_incident_filing_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_filing_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_incident_filing_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_filing")),
    )
    with op.batch_alter_table("incident_filing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_filing_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_item_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "item IN ('summary', 'data_items', 'individuals', 'cause', 'secondary_damage', "
            "'individual_response', 'publication', 'prevention', 'other')",
            name=op.f("ck_incident_item_version_item"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_item_version_incident_id_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["user_account.id"],
            name=op.f("fk_incident_item_version_written_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_item_version")),
        sa.UniqueConstraint(
            "incident_id",
            "item",
            "version",
            name=op.f("uq_incident_item_version_incident_id_item_version"),
        ),
    )
    with op.batch_alter_table("incident_item_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_item_version_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_item.id"],
            name=op.f("fk_incident_document_evidence_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_document_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_document")),
        sa.UniqueConstraint(
            "incident_id", "version", name=op.f("uq_incident_document_incident_id_version")
        ),
    )
    with op.batch_alter_table("incident_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_document_incident_id"), ["incident_id"], unique=False
        )

    # Incidents assessed before this revision were triaged then: their awareness stands
    # confirmed, and the report dates they carry become filings with the PPC.
    op.execute(
        "UPDATE incident SET aware_confirmed_at = assessed_at, "
        "aware_confirmed_by_id = assessed_by_id WHERE assessed_at IS NOT NULL"
    )
    op.execute(
        "INSERT INTO incident_filing (incident_id, kind, destination, authority, "
        "receipt_number, filed_on, voluntary, voluntary_reason, recorded_by_id, recorded_at) "
        "SELECT id, 'preliminary', 'ppc', '', '', preliminary_reported_on, false, '', "
        "assessed_by_id, updated_at FROM incident WHERE preliminary_reported_on IS NOT NULL"
    )
    op.execute(
        "INSERT INTO incident_filing (incident_id, kind, destination, authority, "
        "receipt_number, filed_on, voluntary, voluntary_reason, recorded_by_id, recorded_at) "
        "SELECT id, 'final', 'ppc', '', '', final_reported_on, false, '', "
        "assessed_by_id, updated_at FROM incident WHERE final_reported_on IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("incident_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_document_incident_id"))
    op.drop_table("incident_document")
    with op.batch_alter_table("incident_item_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_item_version_incident_id"))
    op.drop_table("incident_item_version")
    with op.batch_alter_table("incident_filing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_filing_incident_id"))
    op.drop_table("incident_filing")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(batch_op.f(f"ck_incident_{name}"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_incident_aware_confirmed_by_id_user_account"), type_="foreignkey"
        )
        for column in (
            "inquiry_desk",
            "alternative_where",
            "alternative_published_on",
            "notification_content",
            "notification_method",
            "notified_on",
            "notification",
            "principal_recipient",
            "principal_notified_on",
            "entrustment",
            "individuals_high",
            "individuals_low",
            "individuals_estimated",
            "individuals",
            "encryption_note",
            "encrypted_exempt",
            "personal_data_reason",
            "personal_data",
            "media",
            "certainty",
            "kind_damage",
            "kind_loss",
            "kind_leak",
            "occurred_unknown",
            "occurred_at",
            "aware_confirmed_at",
            "aware_confirmed_by_id",
            "preliminary_target_on",
        ):
            batch_op.drop_column(column)
