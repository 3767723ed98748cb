"""Instants are timezone-aware UTC in Python and stored as UTC on every backend.

PostgreSQL keeps them in `timestamptz`; SQLite has no such type, so they are
stored as naive UTC text, which also sorts chronologically. Times given
without an offset, and calendar days, are read in the neighbourhood's own
zone: a worker's "1 May" is the day in Shanghai, not in Greenwich.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is taken to be Shanghai local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(timezone.utc)


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(timezone.utc)


def local_day_end(day: date) -> datetime:
    """The first instant after `day`, so `< local_day_end(day)` includes all of it."""
    return local_day_start(day + timedelta(days=1))


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a timezone (store.timestamps.as_utc)")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
