"""Issues in reading order: an index on (reported_at, id), the order pages are walked in, replacing the one on reported_at.

A page then reads its rows in index order and stops when it is full, and a position (the last row's
reported_at and id) seeks straight to the next page. It also serves every since/until filter the old
index served.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_issues_reported_at_id", "issues", ["reported_at", "id"])
    op.drop_index("ix_issues_reported_at", table_name="issues")


def downgrade() -> None:
    op.create_index("ix_issues_reported_at", "issues", ["reported_at"])
    op.drop_index("ix_issues_reported_at_id", table_name="issues")
