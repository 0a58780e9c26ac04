"""handler register, access events, anomalies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:23:01.151318
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handler",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("employed_from", sa.Date(), nullable=False),
        sa.Column("employed_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handler")),
        sa.UniqueConstraint("employee_id", name=op.f("uq_handler_employee_id")),
    )
    op.create_table(
        "access_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_by_label", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('system', 'entry')", name=op.f("ck_access_batch_kind")),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user_account.id"],
            name=op.f("fk_access_batch_imported_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_batch")),
        sa.UniqueConstraint("sha256", name=op.f("uq_access_batch_sha256")),
    )
    op.create_table(
        "handler_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["handler.id"], name=op.f("fk_handler_alias_handler_id_handler")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handler_alias")),
        sa.UniqueConstraint("alias", name=op.f("uq_handler_alias_alias")),
    )
    with op.batch_alter_table("handler_alias", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handler_alias_handler_id"), ["handler_id"], unique=False
        )

    op.create_table(
        "handler_authorisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("actions", sa.String(length=200), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind = 'system' OR actions IS NULL", name=op.f("ck_handler_authorisation_actions")
        ),
        sa.CheckConstraint(
            "kind IN ('system', 'area')", name=op.f("ck_handler_authorisation_kind")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["handler.id"], name=op.f("fk_handler_authorisation_handler_id_handler")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handler_authorisation")),
        sa.UniqueConstraint(
            "handler_id",
            "kind",
            "target",
            name=op.f("uq_handler_authorisation_handler_id_kind_target"),
        ),
    )
    op.create_table(
        "access_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_minute", sa.SmallInteger(), nullable=False),
        sa.Column("business_day", sa.Boolean(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("person_key", sa.String(length=202), nullable=False),
        sa.Column("system", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=True),
        sa.Column("records", sa.Integer(), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("door", sa.String(length=200), nullable=True),
        sa.Column("direction", sa.String(length=3), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.CheckConstraint("kind IN ('system', 'entry')", name=op.f("ck_access_event_kind")),
        sa.CheckConstraint(
            "result = 'ok' OR result = 'granted' OR result = 'denied'",
            name=op.f("ck_access_event_result"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["access_batch.id"], name=op.f("fk_access_event_batch_id_access_batch")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["handler.id"], name=op.f("fk_access_event_handler_id_handler")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_event")),
    )
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_event_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_access_event_kind_date", ["kind", "local_date"], unique=False)

    op.create_table(
        "anomaly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("person_key", sa.String(length=202), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("triaged_by_id", sa.Integer(), nullable=True),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("run_token", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high')", name=op.f("ck_anomaly_severity")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'acknowledged', 'dismissed', 'escalated')",
            name=op.f("ck_anomaly_status"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_anomaly_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["handler.id"], name=op.f("fk_anomaly_handler_id_handler")
        ),
        sa.ForeignKeyConstraint(
            ["triaged_by_id"],
            ["user_account.id"],
            name=op.f("fk_anomaly_triaged_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomaly")),
        sa.UniqueConstraint(
            "rule",
            "person_key",
            "local_date",
            "area",
            name=op.f("uq_anomaly_rule_person_key_local_date_area"),
        ),
    )
    with op.batch_alter_table("anomaly", schema=None) as batch_op:
        batch_op.create_index("ix_anomaly_local_date", ["local_date"], unique=False)
        batch_op.create_index("ix_anomaly_status_date", ["status", "local_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anomaly", schema=None) as batch_op:
        batch_op.drop_index("ix_anomaly_status_date")
        batch_op.drop_index("ix_anomaly_local_date")

    op.drop_table("anomaly")
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.drop_index("ix_access_event_kind_date")
        batch_op.drop_index(batch_op.f("ix_access_event_batch_id"))

    op.drop_table("access_event")
    op.drop_table("handler_authorisation")
    with op.batch_alter_table("handler_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handler_alias_handler_id"))

    op.drop_table("handler_alias")
    op.drop_table("access_batch")
    op.drop_table("handler")
