"""Photos of issues; how a report's position was found and how accurate it is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

The value list is frozen here on purpose: this file must keep producing the
same schema whatever store/vocabulary.py says later. Issue events take a
photo as the new kind `photo`; 0001 put no CHECK on event kinds.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LOCATION_SOURCES = ("gps", "map", "list")
ACCURACY_MAX_M = 10000


def add_issue_column(name: str, type_: sa.types.TypeEngine, check_name: str, check: str) -> None:
    # The CHECK goes inline, which SQLite accepts in ADD COLUMN; a batch "move and copy"
    # of issues would drop its R*Tree triggers and, foreign keys being on, delete every event.
    spelled = type_.compile(dialect=op.get_bind().dialect)
    op.execute(f"ALTER TABLE issues ADD COLUMN {name} {spelled} CONSTRAINT {check_name} CHECK ({check})")


def upgrade() -> None:
    sources = ", ".join(f"'{v}'" for v in LOCATION_SOURCES)
    add_issue_column(
        "location_source", sa.String(10), "ck_issues_location_source_allowed", f"location_source IN ({sources})"
    )
    add_issue_column(
        "location_accuracy_m",
        sa.Double(),
        "ck_issues_location_accuracy_m_range",
        f"location_accuracy_m >= 0 AND location_accuracy_m <= {ACCURACY_MAX_M}",
    )

    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("issue_event_id", sa.Integer),
        sa.Column("file_name", sa.String(64), nullable=False),
        sa.Column("thumbnail_name", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_photos"),
        sa.UniqueConstraint("public_id", name="uq_photos_public_id"),
        sa.ForeignKeyConstraint(["issue_id"], ["issues.id"], name="fk_photos_issue_id_issues", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["issue_event_id"], ["issue_events.id"], name="fk_photos_issue_event_id_issue_events", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_photos_issue_id", "photos", ["issue_id"])


def downgrade() -> None:
    op.drop_table("photos")
    # SQLite (3.35+) drops a column whose only CHECK is its own in place, without recreating issues.
    op.drop_column("issues", "location_accuracy_m")
    op.drop_column("issues", "location_source")
