"""Every store test runs on both backends: SQLite (a file per test) and PostgreSQL + PostGIS.

The `backend` and `empty_url` fixtures come from tests/backends.py (shared
with the API tests; see there for TEST_DATABASE_URL and STORE_BACKENDS).
Here each test gets a database migrated to head, and SQLAlchemy warnings
fail the store's tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import SAWarning

from store.database import make_engine, session_factory, upgrade

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("error", category=SAWarning))


@pytest.fixture()
def engine(empty_url):
    """An engine on a database migrated to head."""
    engine = make_engine(empty_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def factory(engine):
    return session_factory(engine)


@pytest.fixture()
def session(factory):
    with factory() as session:
        yield session
