"""keys and indexes: finding.inspection_id indexed, evidence_item.series_id a foreign key

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_inspection_id"), ["inspection_id"])

    # A series is named by the id of its first version. Versions are never deleted, so no series
    # should point at a missing row; should one, its versions are regrouped under their oldest
    # surviving version (they stay one series, and (series_id, version) stays unique).
    # (Series by series: one UPDATE with a correlated subquery sees its own earlier changes on
    # SQLite and would split a series.)
    connection = op.get_bind()
    orphaned = connection.execute(
        sa.text(
            "SELECT series_id, MIN(id) FROM evidence_item"
            " WHERE series_id IS NOT NULL AND series_id NOT IN (SELECT id FROM evidence_item)"
            " GROUP BY series_id"
        )
    ).all()
    for series_id, oldest_id in orphaned:
        connection.execute(
            sa.text("UPDATE evidence_item SET series_id = :oldest WHERE series_id = :series"),
            {"oldest": oldest_id, "series": series_id},
        )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_item_series_id_evidence_item"),
            "evidence_item",
            ["series_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_item_series_id_evidence_item"), type_="foreignkey"
        )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_inspection_id"))
