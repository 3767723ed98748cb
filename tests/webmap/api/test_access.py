"""Roles on the API: signed out 401, a role without the permission 403, field staff change only what is theirs."""
from __future__ import annotations

from tests.accounts import bearer, client_as
from tests.webmap.api.helpers import body, report


def test_a_signed_out_write_is_a_401_that_says_how_to_authenticate(anonymous):
    response = anonymous.post("/api/v1/issues", json=body())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jintan"'
    assert "Authorization: Bearer" in response.get_json()["message"]
    assert anonymous.get("/api/v1/issues").get_json()["numberMatched"] == 0


def test_an_unknown_or_revoked_token_is_a_401_invalid_token(api_app, anonymous):
    from store.users import get_user, revoke_token

    headers = bearer(api_app, "field_staff")
    assert anonymous.post("/api/v1/issues", json=body(), headers=headers).status_code == 201
    with api_app.extensions["store"].sessions() as s:
        for token in get_user(s, "wang.li").tokens:
            revoke_token(s, token)
        s.commit()
    for headers in (headers, {"Authorization": "Bearer jt_" + "x" * 43}, {"Authorization": "Bearer nonsense"}):
        response = anonymous.post("/api/v1/issues", json=body(), headers=headers)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_viewer_may_read_but_every_write_is_a_403(api_app, api):
    issue = report(api)
    viewer = client_as(api_app, "viewer")
    assert viewer.get(f"/api/v1/issues/{issue['id']}").status_code == 200
    writes = [
        viewer.post("/api/v1/issues", json=body()),
        viewer.patch(f"/api/v1/issues/{issue['id']}", json={"comment": "看过了"}),
        viewer.post("/api/v1/projects", json={"name": "x", "kind": "lighting_works", "compounds": ["hjl55"]}),
    ]
    for response in writes:
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert len(viewer.get(f"/api/v1/issues/{issue['id']}").get_json()["properties"]["events"]) == 1


def test_field_staff_report_and_note_anywhere_but_change_only_what_is_assigned_to_them(api_app, api):
    worker = client_as(api_app, "field_staff")
    theirs = report(worker)
    assert theirs["properties"]["events"][0]["actor"] == "wang.li"
    others = report(api)

    refused = worker.patch(f"/api/v1/issues/{others['id']}", json={"status": "in_progress"})
    assert refused.status_code == 403 and "assignee" in refused.get_json()["fields"]["status"]
    assert worker.patch(f"/api/v1/issues/{others['id']}", json={"comment": "已上门查看"}).status_code == 200
    for change in ({"priority": "high"}, {"assignee": "wang.li"}, {"due_date": "2027-01-01"}):
        assert worker.patch(f"/api/v1/issues/{others['id']}", json=change).status_code == 403, change

    assert api.patch(f"/api/v1/issues/{others['id']}", json={"assignee": "wang.li"}).status_code == 200
    done = worker.patch(f"/api/v1/issues/{others['id']}", json={"status": "resolved", "comment": "已清理"})
    assert done.status_code == 200 and done.get_json()["properties"]["status"] == "resolved"
    assert worker.post("/api/v1/projects", json={"name": "x"}).status_code == 403


def test_the_assignee_filter_finds_my_work(api_app, api):
    mine = report(api)
    report(api)
    api.patch(f"/api/v1/issues/{mine['id']}", json={"assignee": "wang.li"})
    found = api.get("/api/v1/issues?assignee=wang.li").get_json()
    assert [f["id"] for f in found["features"]] == [mine["id"]]
    assert api.get("/api/v1/issues?assignee=nobody").get_json()["numberMatched"] == 0


def test_me_says_who_is_asking(api_app, anonymous):
    assert anonymous.get("/api/v1/me").status_code == 401
    me = client_as(api_app, "planner").get("/api/v1/me")
    assert me.headers["Cache-Control"] == "no-store"
    assert me.get_json()["permissions"] == ["plan", "report", "view"]
