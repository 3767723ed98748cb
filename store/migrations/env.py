"""Alembic environment: one code path for SQLite and PostgreSQL + PostGIS.

Where the database comes from, first match wins: a connection handed over by
store.database.upgrade(), `alembic -x url=...`, sqlalchemy.url in the config,
the DATABASE_URL environment variable.
"""
from __future__ import annotations

import os
import warnings
from logging.config import fileConfig

from alembic import context
from sqlalchemy.exc import SAWarning

from store.database import make_engine
from store.models import Base, include_in_autogenerate

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
    )
    if not url:
        raise SystemExit("no database: pass -x url=... or set DATABASE_URL (see store/README.md)")
    return url


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_in_autogenerate,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,  # SQLite has it too, since SQLAlchemy emits the BEGIN (store.database)
        compare_type=True,
    )
    with context.begin_transaction(), warnings.catch_warnings():
        # Autogenerate reflects issues.geom, which store.models deliberately leaves unmapped.
        warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", SAWarning)
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: the schema differs per backend")
run_online()
