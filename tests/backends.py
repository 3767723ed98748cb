"""The database backends every test that needs a database runs on: SQLite and PostgreSQL + PostGIS.

A pytest plugin (registered in tests/conftest.py), so the store tests and the
API tests share one `backend` fixture and one PostgreSQL cluster per session.

PostGIS: TEST_DATABASE_URL if set (its role needs CREATE on the database;
PostGIS must be installed or installable), otherwise a throwaway cluster
started once per session (tests/store/postgres_cluster.py). Each test gets
its own schema there, dropped afterwards.

STORE_BACKENDS=sqlite runs only the SQLite half, for a quick local run on a
machine without PostgreSQL.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from store.database import make_engine
from tests.store.postgres_cluster import INSTALL_HINT, ClusterUnavailable, start_cluster

KNOWN_BACKENDS = ("sqlite", "postgis")
BACKENDS = [name.strip() for name in os.environ.get("STORE_BACKENDS", ",".join(KNOWN_BACKENDS)).split(",") if name.strip()]
if not BACKENDS or set(BACKENDS) - set(KNOWN_BACKENDS):
    raise pytest.UsageError(f"STORE_BACKENDS={os.environ.get('STORE_BACKENDS')!r}: use a subset of {','.join(KNOWN_BACKENDS)}")


class SQLiteBackend:
    name = "sqlite"

    def new_database(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'issues.db'}"

    def drop_database(self, url: str) -> None:
        pass


class PostGISBackend:
    name = "postgis"

    def __init__(self, url: str, admin: Engine) -> None:
        self.url = url
        self.admin = admin
        with admin.connect() as connection:
            self.postgis_schema = connection.scalar(
                text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                    " WHERE e.extname = 'postgis'"
                )
            )

    def new_database(self, tmp_path: Path) -> str:
        schema = f"store_test_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        options = f"-csearch_path={schema},{self.postgis_schema}"
        return make_url(self.url).update_query_dict({"options": options}).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        schema = make_url(url).query["options"].split("=", 1)[1].split(",")[0]
        with self.admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def _postgis_admin(url: str) -> Engine:
    admin = make_engine(url)
    problem = None
    try:
        with admin.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except Exception as error:
        problem = f"PostGIS is not available in {url}: {error}\n{INSTALL_HINT}"
    if problem:
        admin.dispose()
        pytest.fail(problem, pytrace=False)
    return admin


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    if request.param == "sqlite":
        yield SQLiteBackend()
        return
    cluster = None
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        problem = None
        try:
            cluster = start_cluster()
        except ClusterUnavailable as unavailable:
            problem = str(unavailable)
        if problem:
            pytest.fail(problem, pytrace=False)
        url = cluster.url
    admin = _postgis_admin(url)
    try:
        yield PostGISBackend(url, admin)
    finally:
        admin.dispose()
        if cluster is not None:
            cluster.stop()


@pytest.fixture()
def empty_url(backend, tmp_path):
    """A database with nothing in it yet."""
    url = backend.new_database(tmp_path)
    yield url
    backend.drop_database(url)
