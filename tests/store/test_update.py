from __future__ import annotations

import threading
import uuid
from datetime import date, datetime, timezone

import pytest

from store.database import transaction
from store.errors import NotFound, ValidationError
from store.issues import get_issue, update_issue
from store.timestamps import utcnow
from tests.store.helpers import add_issue


@pytest.fixture()
def public_id(factory):
    with transaction(factory) as session:
        return add_issue(session, actor="社工小王").public_id


def history(factory, public_id) -> list[tuple]:
    with factory() as session:
        return [(e.kind, e.from_value, e.to_value, e.comment, e.actor) for e in get_issue(session, public_id).events]


def test_each_changed_field_is_its_own_event_with_actor_and_time(factory, public_id):
    before = utcnow()
    with transaction(factory) as session:
        issue = update_issue(
            session, public_id,
            {"status": "in_progress", "priority": "urgent", "assignee": "物业张师傅", "due_date": "2024-05-10"},
            actor="主任老陈", comment="已派物业处理",
        )
        assert issue.status == "in_progress" and issue.priority == "urgent"
        assert issue.assignee == "物业张师傅" and issue.due_date == date(2024, 5, 10)

    assert history(factory, public_id) == [
        ("created", None, "reported", None, "社工小王"),
        ("status", "reported", "in_progress", "已派物业处理", "主任老陈"),
        ("priority", "normal", "urgent", None, "主任老陈"),
        ("assignment", None, "物业张师傅", None, "主任老陈"),
        ("due_date", None, "2024-05-10", None, "主任老陈"),
    ]
    with factory() as session:
        issue = get_issue(session, public_id)
        change_times = {e.at for e in issue.events[1:]}
        assert len(change_times) == 1 and before <= change_times.pop() == issue.updated_at <= utcnow()
        assert issue.updated_at > issue.created_at


def test_a_past_change_is_recorded_at_its_own_time(factory, public_id):
    resolved = datetime(2024, 5, 3, 16, 30)  # naive: Shanghai time
    with transaction(factory) as session:
        update_issue(session, public_id, {"status": "acknowledged"}, actor="社工小王",
                     at=datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc))
        update_issue(session, public_id, {"status": "resolved"}, actor="社工小王", comment="已清运", at=resolved)
    with factory() as session:
        issue = get_issue(session, public_id)
        assert [e.at for e in issue.events if e.kind == "status"] == [
            datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc),
            datetime(2024, 5, 3, 8, 30, tzinfo=timezone.utc),
        ]
        assert issue.resolved_at == issue.updated_at == datetime(2024, 5, 3, 8, 30, tzinfo=timezone.utc)


def test_unchanged_values_leave_no_trace(factory, public_id):
    with transaction(factory) as session:
        update_issue(session, public_id, {"status": "reported", "priority": "normal"}, actor="someone")
    assert [kind for kind, *_ in history(factory, public_id)] == ["created"]


def test_a_comment_alone_is_a_comment_event(factory, public_id):
    with transaction(factory) as session:
        update_issue(session, public_id, {}, actor="社工小王", comment="居民电话催办")
    assert history(factory, public_id)[-1] == ("comment", None, None, "居民电话催办", "社工小王")


def test_reassigning_and_unassigning_keep_the_previous_assignee(factory, public_id):
    for assignee in ("张师傅", "李师傅", None):
        with transaction(factory) as session:
            update_issue(session, public_id, {"assignee": assignee}, actor="主任老陈")
    assert [(f, t) for kind, f, t, *_ in history(factory, public_id) if kind == "assignment"] == [
        (None, "张师傅"), ("张师傅", "李师傅"), ("李师傅", None)
    ]


def test_resolving_sets_resolved_at_and_reopening_clears_it(factory, public_id):
    with transaction(factory) as session:
        issue = update_issue(session, public_id, {"status": "resolved"}, actor="a")
        resolved_at = issue.resolved_at
        assert resolved_at is not None and resolved_at.utcoffset().total_seconds() == 0
    with transaction(factory) as session:
        assert update_issue(session, public_id, {"status": "closed"}, actor="a").resolved_at == resolved_at
    with transaction(factory) as session:
        assert update_issue(session, public_id, {"status": "in_progress"}, actor="a").resolved_at is None


def test_rejecting_needs_a_reason_and_reopening_clears_it_with_a_trace(factory, public_id):
    with pytest.raises(ValidationError) as raised, transaction(factory) as session:
        update_issue(session, public_id, {"status": "rejected"}, actor="a")
    assert set(raised.value.field_errors) == {"rejection_reason"}

    with pytest.raises(ValidationError) as raised, transaction(factory) as session:
        update_issue(session, public_id, {"rejection_reason": "duplicate"}, actor="a")
    assert set(raised.value.field_errors) == {"rejection_reason"}

    with transaction(factory) as session:
        issue = update_issue(session, public_id, {"status": "rejected", "rejection_reason": "not_ours"}, actor="a",
                             comment="属于街道城管")
        assert (issue.status, issue.rejection_reason) == ("rejected", "not_ours")
    with transaction(factory) as session:
        issue = update_issue(session, public_id, {"status": "acknowledged"}, actor="b")
        assert issue.rejection_reason is None

    assert history(factory, public_id)[1:] == [
        ("status", "reported", "rejected", "属于街道城管", "a"),
        ("rejection_reason", None, "not_ours", None, "a"),
        ("status", "rejected", "acknowledged", None, "b"),
        ("rejection_reason", "not_ours", None, None, "b"),
    ]


@pytest.mark.parametrize(
    "changes, fields",
    [
        ({"status": "done"}, {"status"}),
        ({"priority": "asap"}, {"priority"}),
        ({"status": "done", "priority": "asap"}, {"status", "priority"}),
        ({"rejection_reason": "boring", "status": "rejected"}, {"rejection_reason"}),
        ({"due_date": "soon"}, {"due_date"}),
        ({"title": "renamed"}, {"title"}),
        ({"assignee": 7}, {"assignee"}),
    ],
)
def test_bad_changes_name_the_field_and_change_nothing(factory, public_id, changes, fields):
    with pytest.raises(ValidationError) as raised, transaction(factory) as session:
        update_issue(session, public_id, changes, actor="a")
    assert set(raised.value.field_errors) == fields
    assert [kind for kind, *_ in history(factory, public_id)] == ["created"]


def test_actor_and_comment_are_checked(session, public_id):
    with pytest.raises(ValidationError) as raised:
        update_issue(session, public_id, {}, actor="", comment="x")
    assert set(raised.value.field_errors) == {"actor"}
    with pytest.raises(ValidationError) as raised:
        update_issue(session, public_id, {}, actor="a", comment="x" * 5001)
    assert set(raised.value.field_errors) == {"comment"}


def test_updating_an_unknown_issue_is_not_found(session):
    with pytest.raises(NotFound):
        update_issue(session, str(uuid.uuid4()), {"status": "closed"}, actor="a")


def test_concurrent_updates_chain_their_from_values(factory, public_id):
    barrier = threading.Barrier(2)
    failures = []

    def set_status(status):
        try:
            barrier.wait()
            with transaction(factory) as session:
                update_issue(session, public_id, {"status": status}, actor=status)
        except Exception as problem:
            failures.append(problem)

    threads = [threading.Thread(target=set_status, args=(s,)) for s in ("acknowledged", "in_progress")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    first, second = [(f, t) for kind, f, t, *_ in history(factory, public_id) if kind == "status"]
    assert first[0] == "reported" and second[0] == first[1]
