"""Categories (seeded), issues with a per-backend spatial index, issue events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

The value lists and seed rows are frozen here on purpose: this file must keep
producing the same schema whatever store/vocabulary.py says later.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SOURCES = ("visit", "questionnaire", "forum", "onsite_meeting", "hotline_12345", "patrol")
STATUSES = ("reported", "acknowledged", "in_progress", "resolved", "closed", "rejected")
REJECTION_REASONS = ("duplicate", "not_ours")
PRIORITIES = ("low", "normal", "high", "urgent")

# Colours: all distinct, each with at least 4.5:1 contrast behind a white icon (WCAG AA).
# Icons: Font Awesome 6 free, solid style.
CATEGORIES = [
    # id, name_zh, name_en, colour, icon
    ("sanitation", "环境卫生", "Sanitation", "#00796b", "broom"),
    ("garbage-sorting", "垃圾分类", "Garbage sorting", "#2e7d32", "recycle"),
    ("parking", "停车", "Parking", "#1565c0", "square-parking"),
    ("clutter", "堆物", "Clutter in public space", "#b45309", "boxes-stacked"),
    ("illegal-structures", "违建", "Illegal structures", "#c62828", "building-circle-exclamation"),
    ("lighting", "路灯照明", "Street lighting", "#8a6d00", "lightbulb"),
    ("property", "物业管理", "Property management", "#6a1b9a", "building-user"),
    ("old-housing", "旧房修缮", "Old housing repair", "#5d4037", "house-chimney-crack"),
    ("greenery", "绿化", "Greenery", "#4d7c0f", "tree"),
    ("safety", "治安", "Public safety", "#283593", "shield-halved"),
    ("welfare", "民生救助", "Welfare and assistance", "#ad1457", "hand-holding-heart"),
    ("other", "其他", "Other", "#616161", "ellipsis"),
]


def one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_issues_{column}_allowed"))


def upgrade() -> None:
    categories = op.create_table(
        "categories",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name_zh", sa.String(40), nullable=False),
        sa.Column("name_en", sa.String(60), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("icon", sa.String(40), nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_categories"),
    )
    op.bulk_insert(
        categories,
        [
            {"id": id_, "name_zh": zh, "name_en": en, "colour": colour, "icon": icon, "sort_order": 10 * (n + 1)}
            for n, (id_, zh, en, colour, icon) in enumerate(CATEGORIES)
        ],
    )

    op.create_table(
        "issues",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("public_id", sa.String(36), nullable=False),
        sa.Column("category_id", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("building_id", sa.String(64)),
        sa.Column("compound_id", sa.String(64)),
        sa.Column("address", sa.String(300)),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rejection_reason", sa.String(20)),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reporter", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("due_date", sa.Date),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("is_typical_case", sa.Boolean, nullable=False),
        sa.Column("location_note", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issues"),
        sa.UniqueConstraint("public_id", name="uq_issues_public_id"),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name="fk_issues_category_id_categories"),
        one_of("source", SOURCES),
        one_of("status", STATUSES),
        one_of("priority", PRIORITIES),
        one_of("rejection_reason", REJECTION_REASONS),
        sa.CheckConstraint(
            "lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name=op.f("ck_issues_lon_lat_range")
        ),
        sa.CheckConstraint(
            "(status = 'rejected' AND rejection_reason IS NOT NULL)"
            " OR (status <> 'rejected' AND rejection_reason IS NULL)",
            name=op.f("ck_issues_rejection_reason_iff_rejected"),
        ),
    )
    op.create_index("ix_issues_category_id", "issues", ["category_id"])
    op.create_index("ix_issues_compound_id", "issues", ["compound_id"])
    op.create_index("ix_issues_status", "issues", ["status"])
    op.create_index("ix_issues_reported_at", "issues", ["reported_at"])

    op.create_table(
        "issue_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_value", sa.String(200)),
        sa.Column("to_value", sa.String(200)),
        sa.Column("comment", sa.Text),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issue_events"),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issues.id"], name="fk_issue_events_issue_id_issues", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_issue_events_issue_id_at", "issue_events", ["issue_id", "at"])

    if op.get_bind().dialect.name == "postgresql":
        create_postgis_index()
    else:
        create_sqlite_rtree()


def create_postgis_index() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        "ALTER TABLE issues ADD COLUMN geom geometry(Point, 4326)"
        " GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
    )
    op.execute("CREATE INDEX ix_issues_geom ON issues USING gist (geom)")


def create_sqlite_rtree() -> None:
    # A batch ("move and copy") migration of `issues` drops these triggers: recreate them after it.
    op.execute("CREATE VIRTUAL TABLE issue_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)")
    op.execute("INSERT INTO issue_rtree SELECT id, lon, lon, lat, lat FROM issues")
    op.execute(
        "CREATE TRIGGER issues_rtree_insert AFTER INSERT ON issues BEGIN"
        " INSERT INTO issue_rtree (id, min_lon, max_lon, min_lat, max_lat)"
        " VALUES (NEW.id, NEW.lon, NEW.lon, NEW.lat, NEW.lat);"
        " END"
    )
    op.execute(
        "CREATE TRIGGER issues_rtree_update AFTER UPDATE OF id, lon, lat ON issues BEGIN"
        " DELETE FROM issue_rtree WHERE id = OLD.id;"
        " INSERT INTO issue_rtree (id, min_lon, max_lon, min_lat, max_lat)"
        " VALUES (NEW.id, NEW.lon, NEW.lon, NEW.lat, NEW.lat);"
        " END"
    )
    op.execute(
        "CREATE TRIGGER issues_rtree_delete AFTER DELETE ON issues BEGIN"
        " DELETE FROM issue_rtree WHERE id = OLD.id;"
        " END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("issues_rtree_insert", "issues_rtree_update", "issues_rtree_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS issue_rtree")
    # On PostGIS the geom column and its index go with the table; the extension stays (others may use it).
    op.drop_table("issue_events")
    op.drop_table("issues")
    op.drop_table("categories")
