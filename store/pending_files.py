"""Files written for rows not yet committed: kept if their transaction commits, deleted if it does not.

So a failed write leaves neither a row without its files nor files without their row.
A file belongs to the innermost transaction (or savepoint) it was written in; a
savepoint's commit hands it to the enclosing one; a transaction that ends any
other way (rollback, close) deletes it.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

PENDING = "pending_files"  # session.info key: [(path, owning transaction)]


def keep_if_committed(session: Session, *paths: Path) -> None:
    owner = session.get_nested_transaction() or session.get_transaction()
    if owner is None:
        raise RuntimeError("files for rows are written inside a transaction")
    session.info.setdefault(PENDING, []).extend((Path(path), owner) for path in paths)


def delete_files(*paths: Path) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    committed = session.get_nested_transaction()
    if committed is None:  # the whole transaction: the files stay
        session.info.pop(PENDING, None)
        return
    pending = session.info.get(PENDING, [])
    session.info[PENDING] = [(path, committed.parent if owner is committed else owner) for path, owner in pending]


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted(session: Session, ended: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if pending:
        delete_files(*(path for path, owner in pending if owner is ended))
        session.info[PENDING] = [(path, owner) for path, owner in pending if owner is not ended]
