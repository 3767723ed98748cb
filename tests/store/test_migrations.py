from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, SAWarning

from store.database import current_revision, downgrade, head_revision, make_engine, session_factory, upgrade
from store.issues import list_categories
from store.models import Base, Issue, include_in_autogenerate
from store.spatial import within_bbox
from tests.store.helpers import add_issue

ROOT = Path(__file__).resolve().parents[2]
STORE_TABLES = {
    "categories", "issues", "issue_events", "projects", "project_events", "project_issues", "users", "api_tokens",
    "photos",
}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_downgrade_to_base_and_back(empty_url):
    assert current_revision(empty_url) is None

    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision() is not None
    assert STORE_TABLES <= table_names(empty_url)

    downgrade(empty_url, "base")
    assert current_revision(empty_url) is None
    assert table_names(empty_url) & (STORE_TABLES | {"issue_rtree"}) == set()

    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()


def test_spatial_index_is_created_per_backend(backend, engine):
    with engine.connect() as connection:
        if backend.name == "sqlite":
            triggers = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            assert triggers == {"issues_rtree_insert", "issues_rtree_update", "issues_rtree_delete"}
            assert "USING rtree" in connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'issue_rtree'")
            )
        else:
            generated = connection.execute(
                text(
                    "SELECT is_generated, generation_expression FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = 'issues' AND column_name = 'geom'"
                )
            ).one()
            assert generated.is_generated == "ALWAYS"
            assert "st_makepoint(lon, lat)" in generated.generation_expression.lower()
            index = connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'ix_issues_geom'")
            )
            assert "USING gist (geom)" in index


def test_models_agree_with_migrated_schema(engine):
    with engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", SAWarning)
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_autogenerate, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_categories_are_seeded_in_order(session):
    categories = list_categories(session)
    assert [c.id for c in categories] == [
        "sanitation", "garbage-sorting", "parking", "clutter", "illegal-structures", "lighting",
        "property", "old-housing", "greenery", "safety", "welfare", "other",
    ]
    assert {c.id: c.name_zh for c in categories}["garbage-sorting"] == "垃圾分类"
    assert {c.id: c.name_zh for c in categories}["lighting"] == "路灯照明"
    assert all(c.name_en and c.icon for c in categories)
    colours = [c.colour for c in categories]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
    assert len(set(colours)) == len(colours)
    assert len({c.icon for c in categories}) == len(categories)
    assert min(contrast_with_white(colour) for colour in colours) >= 4.5


def contrast_with_white(colour: str) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@pytest.mark.parametrize(
    "column, value",
    [("status", "lost"), ("priority", "whenever"), ("source", "email"), ("rejection_reason", "duplicate"), ("lat", 95.0),
     ("location_source", "wifi"), ("location_accuracy_m", -1.0), ("location_accuracy_m", 10001.0)],
)
def test_constraints_refuse_what_the_code_would_never_write(session, column, value):
    issue = add_issue(session)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text(f"UPDATE issues SET {column} = :value WHERE id = :id"), {"value": value, "id": issue.id})
    session.rollback()


def test_photos_migration_keeps_every_issue_event_and_the_spatial_index_both_ways(backend, empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with session_factory(engine)() as session:
            issue = add_issue(session, location_source="gps", location_accuracy_m=12.5)
            session.commit()
            issue_id = issue.id

        def counts():
            with engine.connect() as connection:
                return tuple(
                    connection.scalar(text(query), {"id": issue_id})
                    for query in (
                        "SELECT count(*) FROM issues WHERE id = :id",
                        "SELECT count(*) FROM issue_events WHERE issue_id = :id",
                    )
                )

        downgrade(engine, "0003")
        assert counts() == (1, 1)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", SAWarning)
            assert "location_source" not in {c["name"] for c in inspect(engine).get_columns("issues")}
        upgrade(engine)
        assert counts() == (1, 1)
        with session_factory(engine)() as session:
            again = session.get(Issue, issue_id)
            assert (again.location_source, again.location_accuracy_m) == (None, None)
            found = session.scalars(select(Issue.id).where(within_bbox(121.49, 31.22, 121.50, 31.23))).all()
            assert found == [issue_id]
    finally:
        engine.dispose()
    if backend.name == "sqlite":
        with make_engine(empty_url).connect() as connection:
            triggers = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert triggers == {"issues_rtree_insert", "issues_rtree_update", "issues_rtree_delete"}


def test_alembic_command_line_reads_x_url_and_database_url(empty_url):
    alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run([*alembic, "-x", f"url={empty_url}", "upgrade", "head"], check=True, capture_output=True,
                   env=environment, cwd="/")
    current = subprocess.run([*alembic, "current"], check=True, capture_output=True, text=True,
                             env={**environment, "DATABASE_URL": empty_url}, cwd="/")
    assert f"{head_revision()} (head)" in current.stdout
