"""GET and PATCH /api/v1/issues/{id}: one issue with its history; each change an event with actor and time."""
from __future__ import annotations

from datetime import datetime

from tests.accounts import as_user
from tests.webmap.api.helpers import report


def patch(api, issue_id, changes, actor=None):
    headers = as_user(api, actor) if actor else {}
    return api.patch(f"/api/v1/issues/{issue_id}", json=changes, headers=headers)


def test_each_change_is_an_event_with_actor_and_time_oldest_first(api):
    issue = report(api, actor="xiao.wang")
    acknowledged = patch(api, issue["id"], {"status": "acknowledged", "comment": "已收到"}, actor="xiao.li")
    assert acknowledged.status_code == 200
    assert acknowledged.mimetype == "application/geo+json"
    changed = patch(api, issue["id"], {"assignee": "物业老陈", "priority": "high", "due_date": "2024-06-01"}, "xiao.li")
    properties = changed.get_json()["properties"]
    assert (properties["assignee"], properties["priority"], properties["due_date"]) == ("物业老陈", "high", "2024-06-01")

    events = api.get(f"/api/v1/issues/{issue['id']}").get_json()["properties"]["events"]
    assert [(e["kind"], e["from"], e["to"]) for e in events] == [
        ("created", None, "reported"),
        ("status", "reported", "acknowledged"),
        ("priority", "normal", "high"),
        ("assignment", None, "物业老陈"),
        ("due_date", None, "2024-06-01"),
    ]
    assert [e["actor"] for e in events] == ["xiao.wang"] + ["xiao.li"] * 4
    assert events[1]["comment"] == "已收到" and events[2]["comment"] is None
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert all(t.utcoffset() is not None for t in times) and times == sorted(times)
    assert events == changed.get_json()["properties"]["events"]


def test_a_comment_alone_is_an_event_of_its_own(api):
    issue = report(api)
    response = patch(api, issue["id"], {"comment": "居民又来电话催"}, actor="xiao.wang")
    assert response.status_code == 200
    last = response.get_json()["properties"]["events"][-1]
    assert (last["kind"], last["from"], last["to"], last["comment"]) == ("comment", None, None, "居民又来电话催")
    assert last["actor"] == "xiao.wang"


def test_nothing_to_change_changes_nothing(api):
    issue = report(api)
    response = patch(api, issue["id"], {"status": "reported"})
    assert response.status_code == 200
    assert len(response.get_json()["properties"]["events"]) == 1


def test_resolving_sets_resolved_at(api):
    issue = report(api)
    resolved = patch(api, issue["id"], {"status": "resolved"}).get_json()["properties"]
    assert resolved["resolved_at"] and resolved["resolved_at"].endswith("+08:00")
    reopened = patch(api, issue["id"], {"status": "in_progress"}).get_json()["properties"]
    assert reopened["resolved_at"] is None


def test_bad_changes_are_a_422_naming_each_field_and_change_nothing(api):
    issue = report(api)
    response = patch(api, issue["id"], {"status": "done", "priority": 3, "title": "new", "due_date": "June"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid issue"
    assert set(response.get_json()["fields"]) == {"status", "priority", "title", "due_date"}
    rejected = patch(api, issue["id"], {"status": "rejected"})
    assert rejected.status_code == 422 and set(rejected.get_json()["fields"]) == {"rejection_reason"}
    assert len(api.get(f"/api/v1/issues/{issue['id']}").get_json()["properties"]["events"]) == 1


def test_rejecting_needs_a_reason(api):
    issue = report(api)
    response = patch(api, issue["id"], {"status": "rejected", "rejection_reason": "duplicate"})
    assert response.status_code == 200
    assert response.get_json()["properties"]["rejection_reason"] == "duplicate"


def test_unknown_and_malformed_ids_are_a_json_404(api):
    for path in ("/api/v1/issues/7d1f3a52-5a7c-4b0e-9d61-1c1f0a4f2b9e", "/api/v1/issues/42", "/api/v1/issues/%3Cscript%3E"):
        for response in (api.get(path), api.patch(path, json={"status": "closed"})):
            assert response.status_code == 404
            assert response.mimetype == "application/json"
            assert response.get_json()["error"] == "Not Found"


def test_a_patch_body_that_is_not_a_json_object_is_a_400(api):
    issue = report(api)
    response = api.patch(f"/api/v1/issues/{issue['id']}", data="status=closed", content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_a_nul_character_in_a_change_is_a_422(api):
    issue = report(api)
    response = patch(api, issue["id"], {"comment": "a\x00b", "assignee": "x"})
    assert response.status_code == 422 and response.get_json()["fields"] == {"comment": "contains a NUL character"}


def test_an_update_retried_with_its_update_id_is_stored_once(api):
    issue = report(api)
    change = {"status": "in_progress", "comment": "已上门", "update_id": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    first = patch(api, issue["id"], change)
    again = patch(api, issue["id"], {**change, "status": "resolved"})  # a retry is not applied, whatever it says
    assert first.status_code == again.status_code == 200
    events = again.get_json()["properties"]["events"]
    assert [(e["kind"], e["comment"]) for e in events] == [("created", None), ("status", "已上门")]
    assert again.get_json()["properties"]["status"] == "in_progress"
    note = {"comment": "居民不在家", "update_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}
    for _ in range(2):
        assert patch(api, issue["id"], note).status_code == 200
    assert len(api.get(f"/api/v1/issues/{issue['id']}").get_json()["properties"]["events"]) == 3


def test_an_update_id_is_a_uuid_and_belongs_to_one_issue(api):
    first, second = report(api), report(api)
    update_id = "16fd2706-8baf-433b-82eb-8c7fada847da"
    assert patch(api, first["id"], {"comment": "a", "update_id": update_id}).status_code == 200
    reused = patch(api, second["id"], {"comment": "b", "update_id": update_id})
    assert reused.status_code == 422 and "another issue" in reused.get_json()["fields"]["update_id"]
    bad = patch(api, first["id"], {"comment": "c", "update_id": "tomorrow"})
    assert bad.status_code == 422 and "update_id" in bad.get_json()["fields"]
