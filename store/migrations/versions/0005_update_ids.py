"""A client's id for each change to an issue, so a retried update is stored once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: recreating issue_events on SQLite is never needed for it.
    op.add_column("issue_events", sa.Column("client_id", sa.String(36)))
    op.create_index("uq_issue_events_client_id", "issue_events", ["client_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_issue_events_client_id", table_name="issue_events")
    op.drop_column("issue_events", "client_id")
