"""access_event_partitions: on PostgreSQL, access events are partitioned by local month

Ten million events and more: each month's events live in a partition of their own
(access_event_pYYYYMM), created by the import when a file first reaches that month, so the rules
and the anomaly queries read only the months they ask for, and retention drops a whole month as
one table instead of deleting millions of rows. SQLite keeps one plain table.

A partitioned table's primary key must hold the partition key: it becomes (id, local_date); id
still comes from the one sequence, so it stays unique on its own.

On both back ends access_event loses its foreign keys (to access_batch and handler): the import
writes both ids from rows it has just written or read in the same transaction, nothing deletes a
batch or a person, and the checks (one trigger and index probe per key per row on PostgreSQL)
were 23 of the 56 seconds a million-line import took there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:30:00.000000
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "access_event"
OLD = "access_event_unpartitioned"
COLUMNS = (
    "id, batch_id, line, kind, occurred_at, epoch, local_date, local_minute, business_day, "
    "person, handler_id, person_key, system, action, records, source_ip, area, door, direction, "
    "result"
)


def _columns(id_default: str | None) -> list[sa.Column[object]]:
    return [
        sa.Column(
            "id",
            sa.BigInteger(),
            nullable=False,
            autoincrement=False,
            server_default=sa.text(id_default) if id_default else None,
        ),
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
    ]


def _constraints() -> list[sa.Constraint]:
    return [
        sa.CheckConstraint("kind IN ('system', 'entry')", name="ck_access_event_kind"),
        sa.CheckConstraint(
            "result = 'ok' OR result = 'granted' OR result = 'denied'",
            name="ck_access_event_result",
        ),
    ]


def _foreign_keys() -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["batch_id"], ["access_batch.id"], name="fk_access_event_batch_id_access_batch"
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["handler.id"], name="fk_access_event_handler_id_handler"
        ),
    ]


def _set_aside() -> None:
    """Rename the table and free the names its indexes and sequence hold."""
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    op.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT pk_access_event TO pk_{OLD}")
    op.drop_index("ix_access_event_batch_id", table_name=OLD)
    op.drop_index("ix_access_event_kind_date", table_name=OLD)
    op.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP DEFAULT")
    op.execute("ALTER SEQUENCE access_event_id_seq OWNED BY NONE")


def _indexes_and_sequence() -> None:
    op.execute("ALTER SEQUENCE access_event_id_seq OWNED BY access_event.id")
    op.create_index("ix_access_event_batch_id", TABLE, ["batch_id"], unique=False)
    op.create_index("ix_access_event_kind_date", TABLE, ["kind", "local_date"], unique=False)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table(TABLE, schema=None) as batch_op:
            batch_op.drop_constraint("fk_access_event_batch_id_access_batch", type_="foreignkey")
            batch_op.drop_constraint("fk_access_event_handler_id_handler", type_="foreignkey")
        return
    _set_aside()
    op.create_table(
        TABLE,
        *_columns("nextval('access_event_id_seq'::regclass)"),
        *_constraints(),
        sa.PrimaryKeyConstraint("id", "local_date", name="pk_access_event"),
        postgresql_partition_by="RANGE (local_date)",
    )
    _indexes_and_sequence()
    months = op.get_bind().execute(
        sa.text(f"SELECT DISTINCT date_trunc('month', local_date)::date FROM {OLD}")  # noqa: S608
    )
    for (month,) in months.all():
        op.execute(
            f"CREATE TABLE access_event_p{month:%Y%m} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
        )
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")  # noqa: S608
    op.drop_table(OLD)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table(TABLE, schema=None) as batch_op:
            batch_op.create_foreign_key(
                "fk_access_event_batch_id_access_batch", "access_batch", ["batch_id"], ["id"]
            )
            batch_op.create_foreign_key(
                "fk_access_event_handler_id_handler", "handler", ["handler_id"], ["id"]
            )
        return
    _set_aside()
    op.create_table(
        TABLE,
        *_columns("nextval('access_event_id_seq'::regclass)"),
        *_constraints(),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("id", name="pk_access_event"),
    )
    _indexes_and_sequence()
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")  # noqa: S608
    # Dropping the partitioned table drops its partitions.
    op.drop_table(OLD)
