from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from store.database import make_engine, session_factory, transaction, upgrade
from store.issues import list_issues
from store.models import Issue
from tests.store.helpers import add_issue


def pragmas(engine) -> dict[str, object]:
    with engine.connect() as connection:
        return {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }


def test_sqlite_file_connections_get_the_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        assert pragmas(engine) == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_database_works_end_to_end():
    engine = make_engine("sqlite://")
    try:
        assert pragmas(engine) == {"journal_mode": "memory", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}
        upgrade(engine)
        factory = session_factory(engine)
        with transaction(factory) as session:
            add_issue(session)
        with factory() as session:
            assert list_issues(session)[1] == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "postgresql+asyncpg://u@h/db"])
def test_unsupported_urls_are_refused(url):
    with pytest.raises(ValueError):
        make_engine(url)


def test_plain_postgresql_urls_mean_psycopg_3():
    engine = make_engine("postgresql://u@h/db")  # connects lazily, so no server needed
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def count(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Issue))


def test_transaction_commits_on_success_and_rolls_back_on_error(factory):
    with transaction(factory) as session:
        add_issue(session)
    with pytest.raises(ZeroDivisionError), transaction(factory) as session:
        add_issue(session)
        session.flush()
        1 / 0
    assert count(factory) == 1


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(factory):
    with transaction(factory) as session:
        add_issue(session, title="kept")
        nested = session.begin_nested()
        add_issue(session, title="undone")
        session.flush()
        nested.rollback()
    with factory() as session:
        assert list(session.scalars(select(Issue.title))) == ["kept"]


def test_foreign_keys_are_enforced(session):
    add_issue(session)
    session.commit()
    with pytest.raises(Exception, match="(?i)foreign key"):
        session.execute(text("UPDATE issues SET category_id = 'no-such-category'"))
    session.rollback()
