from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from store.issues import get_issue
from store.models import IssueEvent
from tests.store.helpers import add_issue

SHANGHAI = timezone(timedelta(hours=8))
REPORTED = datetime(2024, 5, 1, 23, 30, 15, 123456, tzinfo=SHANGHAI)


def test_an_instant_round_trips_as_utc_to_the_microsecond(factory):
    with factory() as session:
        public_id = add_issue(session, reported_at=REPORTED).public_id
        session.commit()

    with factory() as session:  # a new session: the value comes from the database, not the identity map
        reported_at = get_issue(session, public_id).reported_at
    assert reported_at == REPORTED
    assert reported_at.tzinfo is timezone.utc
    assert reported_at == datetime(2024, 5, 1, 15, 30, 15, 123456, tzinfo=timezone.utc)


def test_instants_are_stored_as_utc(factory, backend):
    with factory() as session:
        add_issue(session, reported_at=REPORTED)
        session.commit()
        if backend.name == "sqlite":
            assert session.scalar(text("SELECT reported_at FROM issues")) == "2024-05-01 15:30:15.123456"
        else:
            assert session.scalar(
                text("SELECT reported_at = timestamptz '2024-05-01 15:30:15.123456+00' FROM issues")
            )


def test_the_connection_time_zone_does_not_leak_into_values(factory, backend):
    if backend.name != "postgis":
        pytest.skip("SQLite has no session time zone")
    with factory() as session:
        public_id = add_issue(session, reported_at=REPORTED).public_id
        session.commit()
        session.execute(text("SET TIME ZONE 'America/New_York'"))
        session.expire_all()
        reported_at = get_issue(session, public_id).reported_at
    assert reported_at == REPORTED and reported_at.tzinfo is timezone.utc


def test_a_naive_datetime_is_refused_rather_than_guessed(session):
    issue = add_issue(session)
    session.add(IssueEvent(issue=issue, kind="comment", actor="a", at=datetime(2024, 5, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
    session.rollback()
