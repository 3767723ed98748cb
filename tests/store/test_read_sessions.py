"""Reading sessions do not queue behind a writer on SQLite (WAL), and see committed data."""
from __future__ import annotations

from sqlalchemy import func, select

from store.database import make_engine, read_session_factory, session_factory, upgrade
from store.models import Issue
from tests.store.helpers import add_issue


def test_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}", connect_args={"timeout": 0.2})
    upgrade(engine)
    writes, reads = session_factory(engine), read_session_factory(engine)
    with writes() as writer:
        add_issue(writer)
        writer.flush()  # the write lock is held until commit
        with reads() as reader:
            assert reader.scalar(select(func.count()).select_from(Issue)) == 0
        writer.commit()
    with reads() as reader:
        assert reader.scalar(select(func.count()).select_from(Issue)) == 1
