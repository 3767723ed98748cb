"""Renovation projects, their events, and the issues each project addresses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The value lists are frozen here on purpose: this file must keep producing the
same schema whatever store/project_vocabulary.py says later. Issue events
take a project's link as a `comment` event, a kind 0001 already allows.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KINDS = (
    "beautiful_home",
    "lane_renovation",
    "historic_repair",
    "lighting_works",
    "pocket_park",
    "garbage_facilities",
    "lift_retrofit",
    "other",
)
STATUSES = ("proposed", "approved", "in_construction", "completed", "accepted")
EVENT_KINDS = (
    "created",
    "name",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget",
    "contractor",
    "description",
    "geometry",
    "linked",
    "unlinked",
    "comment",
)


def one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}_allowed"))


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("planned_start", sa.Date),
        sa.Column("planned_end", sa.Date),
        sa.Column("actual_start", sa.Date),
        sa.Column("actual_end", sa.Date),
        sa.Column("budget", sa.Numeric(14, 2)),
        sa.Column("contractor", sa.String(200)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("geometry", sa.Text, nullable=False),
        sa.Column("min_lon", sa.Double, nullable=False),
        sa.Column("min_lat", sa.Double, nullable=False),
        sa.Column("max_lon", sa.Double, nullable=False),
        sa.Column("max_lat", sa.Double, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("public_id", name="uq_projects_public_id"),
        one_of("projects", "kind", KINDS),
        one_of("projects", "status", STATUSES),
        sa.CheckConstraint("min_lon <= max_lon AND min_lat <= max_lat", name=op.f("ck_projects_bbox_ordered")),
        sa.CheckConstraint(
            "planned_start IS NULL OR planned_end IS NULL OR planned_start <= planned_end",
            name=op.f("ck_projects_planned_in_order"),
        ),
        sa.CheckConstraint(
            "actual_start IS NULL OR actual_end IS NULL OR actual_start <= actual_end",
            name=op.f("ck_projects_actual_in_order"),
        ),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_projects_budget_not_negative")),
    )
    op.create_index("ix_projects_kind", "projects", ["kind"])
    op.create_index("ix_projects_status", "projects", ["status"])

    op.create_table(
        "project_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_value", sa.Text),
        sa.Column("to_value", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_project_events"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_events_project_id_projects", ondelete="CASCADE"
        ),
        one_of("project_events", "kind", EVENT_KINDS),
    )
    op.create_index("ix_project_events_project_id_at", "project_events", ["project_id", "at"])

    op.create_table(
        "project_issues",
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "issue_id", name="pk_project_issues"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_project_issues_project_id_projects", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_project_issues_issue_id_issues", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_project_issues_issue_id", "project_issues", ["issue_id"])


def downgrade() -> None:
    op.drop_table("project_issues")
    op.drop_table("project_events")
    op.drop_table("projects")
