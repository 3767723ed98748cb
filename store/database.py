"""Engines, sessions, transactions and schema migrations for SQLite and PostgreSQL alike.

URLs: `sqlite:///instance/issues.db` (a file), `sqlite://` (in memory, one
connection: tests and demos only), `postgresql+psycopg://user:pass@host/db`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from store.spatial import register_sqlite_functions

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BEGIN = "sqlite_begin"  # execution option: how an SQLite transaction begins

SQLITE_PRAGMAS = {
    "foreign_keys": "ON",
    "busy_timeout": "5000",
    "synchronous": "NORMAL",
}


def make_engine(url: str | URL, **engine_kwargs: Any) -> Engine:
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, **engine_kwargs)
    if backend == "postgresql":
        if url.get_driver_name() != "psycopg":
            raise ValueError(f"use postgresql+psycopg:// for PostgreSQL, not {url.drivername}://")
        return create_engine(url, pool_pre_ping=True, **engine_kwargs)
    raise ValueError(f"unsupported database {url.drivername!r}: use sqlite:// or postgresql+psycopg://")


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_engine(url: URL, **engine_kwargs: Any) -> Engine:
    memory = _is_memory(url)
    if memory:
        engine_kwargs.setdefault("poolclass", StaticPool)
        engine_kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **engine_kwargs)

    @event.listens_for(engine, "connect")
    def configure_connection(dbapi_connection, _record) -> None:
        # sqlite3's own transaction handling skips BEGIN before SELECT and SAVEPOINT,
        # which breaks savepoints; SQLAlchemy emits BEGIN instead (see "begin" below).
        dbapi_connection.isolation_level = None
        pragmas = dict(SQLITE_PRAGMAS) if memory else {"journal_mode": "WAL", **SQLITE_PRAGMAS}
        for name, value in pragmas.items():
            dbapi_connection.execute(f"PRAGMA {name}={value}")
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine, "begin")
    def begin(connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and
        # then writes fails at once with "database is locked" if another writer got in
        # between, whereas IMMEDIATE waits its turn (busy_timeout). Sessions made by
        # read_session_factory begin DEFERRED, so WAL lets them read alongside a writer.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: on SQLite they do not queue behind writers."""
    return sessionmaker(engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}), expire_on_commit=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit, so callers can serialise what they got back.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed as one unit on success, rolled back on any exception."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str | URL | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option(
            "sqlalchemy.url", make_url(url).render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


@contextmanager
def _migration_config(engine_or_url: Engine | str | URL) -> Iterator[Config]:
    engine = make_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            yield config
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    with _migration_config(engine_or_url) as config:
        command.upgrade(config, revision)


def downgrade(engine_or_url: Engine | str | URL, revision: str = "base") -> None:
    with _migration_config(engine_or_url) as config:
        command.downgrade(config, revision)


def current_revision(engine_or_url: Engine | str | URL) -> str | None:
    engine = make_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
