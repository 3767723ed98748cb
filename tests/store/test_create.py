from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select

import store.issues
from store.database import transaction
from store.errors import NotFound, ValidationError
from store.issues import create_issue, get_issue, validate_new_issue
from store.models import Issue, IssueEvent
from store.timestamps import utcnow
from tests.store.helpers import payload


def counts(factory) -> tuple[int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Issue)),
            session.scalar(select(func.count()).select_from(IssueEvent)),
        )


def test_create_stores_the_issue_and_a_created_event(factory):
    before = utcnow()
    data = validate_new_issue(
        payload(category="lighting", title="路灯不亮", compound_id="C03", building_id="B17", address="金坛路35弄",
                reporter="居民李阿姨", priority="high", is_typical_case=True, location_note="nearby on purpose")
    )
    with transaction(factory) as session:
        issue, created = create_issue(session, data, "社工小王")
    assert created

    with factory() as session:
        stored = get_issue(session, data.public_id)
        assert (stored.category_id, stored.category.name_zh) == ("lighting", "路灯照明")
        assert (stored.title, stored.compound_id, stored.building_id, stored.address) == (
            "路灯不亮", "C03", "B17", "金坛路35弄"
        )
        assert (stored.status, stored.priority, stored.source) == ("reported", "high", "visit")
        assert stored.is_typical_case and stored.location_note == "nearby on purpose"
        assert stored.rejection_reason is None and stored.resolved_at is None
        assert stored.reported_at == data.reported_at
        assert before <= stored.created_at == stored.updated_at <= utcnow()
        [event] = stored.events
        assert (event.kind, event.from_value, event.to_value, event.actor) == ("created", None, "reported", "社工小王")
        assert event.at == stored.created_at


def test_without_a_public_id_one_is_assigned(session):
    issue, created = create_issue(session, validate_new_issue(payload(public_id=None, reported_at=None)), "tester")
    assert created and uuid.UUID(issue.public_id).version == 4
    assert utcnow() - issue.reported_at < timedelta(seconds=5)


def test_the_same_public_id_again_returns_the_stored_issue_and_writes_nothing(factory):
    public_id = str(uuid.uuid4())
    with transaction(factory) as session:
        first, created = create_issue(session, validate_new_issue(payload(public_id=public_id)), "tester")
    assert created

    retry = payload(public_id=public_id.upper(), title="resubmitted")
    with transaction(factory) as session:
        again, created = create_issue(session, validate_new_issue(retry), "tester")
        assert not created
        assert again.id == first.id and again.title == first.title
    assert counts(factory) == (1, 1)


def test_a_duplicate_caught_by_the_unique_constraint_returns_the_stored_issue(session, monkeypatch):
    """The race: another request stores the same id between our look-up and our insert."""
    data = validate_new_issue(payload())
    real_known_category = store.issues._known_category

    def someone_else_inserts_first(session_, category_id):
        values = {**payload(public_id=data.public_id, title="the other request"), "category_id": "sanitation"}
        del values["category"]
        now = utcnow()
        session_.execute(insert(Issue).values(**values, status="reported", priority="normal",
                                              is_typical_case=False, created_at=now, updated_at=now))
        return real_known_category(session_, category_id)

    monkeypatch.setattr(store.issues, "_known_category", someone_else_inserts_first)
    issue, created = create_issue(session, data, "tester")
    assert not created and issue.title == "the other request"
    session.commit()  # the savepoint's rollback left the transaction usable
    assert session.scalar(select(func.count()).select_from(Issue)) == 1
    assert session.scalar(select(func.count()).select_from(IssueEvent)) == 0


def test_concurrent_submissions_of_the_same_id_store_one_issue(factory):
    data = validate_new_issue(payload())
    barrier = threading.Barrier(2)
    results, failures = [], []

    def submit():
        try:
            barrier.wait()
            with transaction(factory) as session:
                issue, created = create_issue(session, data, "tester")
                results.append((issue.id, created))
        except Exception as problem:  # reported below; a thread cannot fail the test itself
            failures.append(problem)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({issue_id for issue_id, _ in results}) == 1
    assert counts(factory) == (1, 1)


def test_a_submission_waiting_on_an_uncommitted_one_returns_it_once_committed(factory):
    data = validate_new_issue(payload())
    first_inserted = threading.Event()
    outcome = {}

    def first():
        with transaction(factory) as session:
            create_issue(session, data, "first")
            first_inserted.set()
            time.sleep(0.3)  # the second request arrives while this one is uncommitted

    def second():
        first_inserted.wait(10)
        try:
            with transaction(factory) as session:
                issue, created = create_issue(session, data, "second")
                outcome["result"] = (created, issue.events[0].actor)
        except Exception as problem:
            outcome["error"] = problem

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"result": (False, "first")}
    assert counts(factory) == (1, 1)


def test_unknown_category_is_a_validation_error_and_writes_nothing(factory):
    with pytest.raises(ValidationError) as raised, transaction(factory) as session:
        create_issue(session, validate_new_issue(payload(category="graffiti")), "tester")
    assert set(raised.value.field_errors) == {"category"}
    assert counts(factory) == (0, 0)


def test_missing_actor_is_a_validation_error(session):
    with pytest.raises(ValidationError) as raised:
        create_issue(session, validate_new_issue(payload()), "  ")
    assert raised.value.field_errors == {"actor": "required"}


def test_a_create_failing_halfway_writes_nothing(factory, monkeypatch):
    def broken_event(**_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.issues, "IssueEvent", broken_event)
    with pytest.raises(RuntimeError), transaction(factory) as session:
        create_issue(session, validate_new_issue(payload()), "tester")
        pytest.fail("create_issue should have raised")
    assert counts(factory) == (0, 0)


def test_get_issue_of_unknown_or_malformed_id_is_not_found(session):
    with pytest.raises(NotFound):
        get_issue(session, str(uuid.uuid4()))
    with pytest.raises(NotFound):
        get_issue(session, "../../etc/passwd")


def test_reported_at_in_another_zone_is_the_same_instant(session):
    shanghai = timezone(timedelta(hours=8))
    issue, _ = create_issue(
        session, validate_new_issue(payload(reported_at=datetime(2024, 5, 1, 10, 0, tzinfo=shanghai))), "tester"
    )
    assert issue.reported_at == datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)


def test_a_record_taken_over_from_paper_keeps_its_entry_time(factory):
    entered = datetime(2019, 4, 12, 10, 0)  # naive: Shanghai time
    with transaction(factory) as session:
        issue, _ = create_issue(session, validate_new_issue(payload()), "社工小王", at=entered)
        public_id = issue.public_id
    with factory() as session:
        issue = get_issue(session, public_id)
        expected = datetime(2019, 4, 12, 2, 0, tzinfo=timezone.utc)
        assert issue.created_at == issue.updated_at == issue.events[0].at == expected
