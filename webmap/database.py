"""The store inside the Flask app: one engine per app, one session per request."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from store.database import (
    current_revision,
    head_revision,
    make_engine,
    read_session_factory,
    session_factory,
    upgrade,
)
from webmap.backup_commands import backup_command, restore_command


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self.read_sessions: sessionmaker[Session] = read_session_factory(self.engine)


def init_app(app: Flask) -> None:
    store = Store(app.config["DATABASE_URL"])
    app.extensions["store"] = store
    if app.config["AUTO_MIGRATE"]:
        upgrade(store.engine)
    app.teardown_appcontext(_close_session)
    app.cli.add_command(db_cli)


def store() -> Store:
    return current_app.extensions["store"]


def session() -> Session:
    """This request's session for reading."""
    if "db_session" not in g:
        g.db_session = store().read_sessions()
    return g.db_session


@contextmanager
def transaction() -> Iterator[Session]:
    """All of a request's writes as one unit: committed together or not at all."""
    if "db_write_session" not in g:
        g.db_write_session = store().sessions()
    s = g.db_write_session
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise


def _close_session(_exc) -> None:
    for name in ("db_session", "db_write_session"):
        s = g.pop(name, None)
        if s is not None:
            s.close()


db_cli = AppGroup("db", help="The database of issues and projects.")
db_cli.add_command(backup_command)
db_cli.add_command(restore_command)


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Migrate the database (DATABASE_URL) to the newest schema."""
    upgrade(store().engine)
    click.echo(f"database at revision {current_revision(store().engine)}")


@db_cli.command("current")
def current_command() -> None:
    """Print the database's schema revision and the newest one."""
    click.echo(f"current {current_revision(store().engine)}, head {head_revision()}")
