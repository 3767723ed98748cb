"""Markup is refused at the door, and text already stored (imported, or from before) comes back as JSON text,
never as markup; every API answer says it is JSON."""
from __future__ import annotations

import json

from tests.webmap.api.helpers import body, report, stored_issue

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & 弄堂'


def test_markup_is_refused_in_every_text_field_and_nothing_is_stored(api):
    for field in ("title", "description", "address"):
        response = api.post("/api/v1/issues", json=body(**{field: "<b>堆物</b>"}))
        assert response.status_code == 422 and "markup" in response.get_json()["fields"][field]
    issue = report(api, title="温度<5度 & a < b")  # a lone '<' is text
    for change in ({"comment": "<img src=x onerror=alert(1)>"}, {"assignee": "</script>"}):
        assert api.patch(f"/api/v1/issues/{issue['id']}", json=change).status_code == 422
    assert api.get("/api/v1/issues").get_json()["numberMatched"] == 1
    assert len(api.get(f"/api/v1/issues/{issue['id']}").get_json()["properties"]["events"]) == 1


def test_markup_in_a_title_comes_back_as_escaped_json_text(api_app, api):
    issue = stored_issue(api_app, title=HOSTILE, description=HOSTILE, address=HOSTILE)
    for path in (
        "/api/v1/issues",
        f"/api/v1/issues/{issue['id']}",
        "/api/v1/issues/nearby?lon=121.493&lat=31.222",
        "/api/v1/issues.geojson",
    ):
        response = api.get(path)
        assert response.mimetype in ("application/json", "application/geo+json"), path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        raw = response.get_data(as_text=True)
        assert "<" not in raw and ">" not in raw, path  # escaped as \u003c \u003e
        body = json.loads(raw)
        [feature] = body["features"] if "features" in body else [body]
        assert feature["properties"]["title"] == feature["properties"]["description"] == HOSTILE, path
    assert issue["properties"]["title"] == HOSTILE


def test_every_api_answer_and_error_is_json(api):
    issue = report(api)
    paths = [
        "/api/v1/issues",
        "/api/v1/issues?limit=0",
        f"/api/v1/issues/{issue['id']}",
        "/api/v1/issues/nope",
        "/api/v1/issues/nearby?lon=121.493&lat=31.222",
        "/api/v1/issues/nearby",
        "/api/v1/issues/density",
        "/api/v1/hotspots?cell_m=1",
        "/api/v1/categories",
        "/api/v1/openapi.json",
        "/api/v1/layers",
        "/api/v1/no-such-thing",
    ]
    for path in paths:
        response = api.get(path)
        assert response.mimetype in ("application/json", "application/geo+json"), (path, response.mimetype)
        assert isinstance(response.get_json(), dict), path
    wrong_method = api.delete(f"/api/v1/issues/{issue['id']}")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/json"
