"""Storing a record once under a client-chosen id, even when the same submission races itself."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def add_once(session: Session, record: T, existing: Select) -> tuple[T, bool]:
    """Add `record`; if the unique constraint says it is already stored, return that one: (record, added)."""
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        stored = session.scalar(existing)
        if stored is None:
            raise
        return stored, False
    return record, True
