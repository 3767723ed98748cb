"""Hostile input, by kind, against every write: each gets a clear 4xx naming what is wrong, and nothing is left
behind — no issue, event, project or photo row, no photo file. On SQLite and PostGIS."""
from __future__ import annotations

import json
import uuid
from io import BytesIO
from pathlib import Path

import pytest

from tests.store.photo_samples import jpeg
from tests.webmap.api.helpers import body, report

MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea>", "<!--", "<?php"]
ISSUE_TEXT = ["title", "description", "address"]
PROJECT_TEXT = ["name", "description", "contractor"]
PROJECT = {"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"]}


@pytest.fixture()
def photo_dir(api_app, tmp_path) -> Path:
    api_app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    return tmp_path / "photos"


@pytest.fixture()
def issue(api):
    return report(api)


def footprint(api, photo_dir: Path, issue_id: str) -> tuple:
    """What a refused write must not change."""
    issues = api.get("/api/v1/issues?limit=1").get_json()["numberMatched"]
    projects = api.get("/api/v1/projects?limit=1").get_json()["numberMatched"]
    record = api.get(f"/api/v1/issues/{issue_id}").get_json()["properties"]
    files = sorted(p.name for p in photo_dir.rglob("*")) if photo_dir.exists() else []
    return issues, projects, len(record["events"]), record["status"], len(record["photos"]), files


@pytest.fixture()
def unchanged(api, photo_dir, issue):
    before = footprint(api, photo_dir, issue["id"])
    yield
    assert footprint(api, photo_dir, issue["id"]) == before


def upload(api, issue_id, data: bytes, name="IMG_0001.jpg", **fields):
    form = {"photo": (BytesIO(data), name, "image/jpeg"), **fields}
    return api.post(f"/api/v1/issues/{issue_id}/photos", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_any_text_field_is_refused(api, issue, unchanged, markup):
    for field in ISSUE_TEXT:
        response = api.post("/api/v1/issues", json=body(**{field: f"楼道堆物 {markup}"}))
        assert response.status_code == 422 and "markup" in response.get_json()["fields"][field]
    for change in ({"comment": markup}, {"assignee": markup}):
        response = api.patch(f"/api/v1/issues/{issue['id']}", json=change)
        assert response.status_code == 422 and "markup" in response.get_json()["fields"][next(iter(change))]
    for field in PROJECT_TEXT:
        response = api.post("/api/v1/projects", json={**PROJECT, field: markup})
        assert response.status_code == 422 and "markup" in response.get_json()["fields"][field]
    response = upload(api, issue["id"], jpeg(), comment=markup)
    assert response.status_code == 422 and "markup" in response.get_json()["fields"]["comment"]


def test_huge_bodies_are_refused_before_they_are_read(api, issue, unchanged):
    padding = "弄" * (1024 * 1024)
    for method, path in (("post", "/api/v1/issues"), ("patch", f"/api/v1/issues/{issue['id']}"),
                         ("post", "/api/v1/projects"), ("post", "/api/v1/lighting/plan")):
        response = getattr(api, method)(path, json={**body(), "description": padding})
        assert response.status_code == 413 and "larger than" in response.get_json()["message"], path
    response = upload(api, issue["id"], b"\xff\xd8" + b"\0" * (12 * 1024 * 1024))
    assert response.status_code == 413 and response.is_json


def test_deeply_nested_json_is_refused(api, issue, unchanged):
    for nested in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
                   json.dumps({**body(), "description": None})[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"):
        response = api.post("/api/v1/issues", data=nested, content_type="application/json")
        assert response.status_code in (400, 422), response.get_json()
        assert response.is_json


@pytest.mark.parametrize("lon, lat, field", [
    ("NaN", "31.222", None), ("Infinity", "31.222", None), ("-Infinity", "31.222", None),
    ("1e999", "31.222", "lon"), ("-1e999", "31.222", "lon"), ("121.493", "91", "lat"), ("200", "31.222", "lon"),
    ("121.493", "-90.0000001", "lat"), ("1" + "0" * 400, "31.222", "lon"), ('"east"', "31.222", "lon"),
    ("0", "0", "location"),
])
def test_impossible_numbers_and_places_are_refused(api, issue, unchanged, lon, lat, field):
    raw = json.dumps(body(lon=1.5, lat=2.5)).replace("1.5", lon).replace("2.5", lat)
    response = api.post("/api/v1/issues", data=raw, content_type="application/json")
    if field is None:  # not JSON at all
        assert response.status_code == 400 and "not a JSON number" in response.get_json()["message"]
    else:
        assert response.status_code == 422, response.get_json()
        fields = response.get_json()["fields"]
        assert field in fields or (field == "location" and fields), fields


def test_invalid_utf8_is_refused(api, issue, unchanged):
    raw = json.dumps(body(title="TITLE")).encode().replace(b"TITLE", b"\xff\xfe\xc3\x28")
    response = api.post("/api/v1/issues", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["message"] == "the body is not UTF-8 text"
    lone = '{"title": "\\ud800", "category": "sanitation", "lon": 121.493, "lat": 31.222}'
    response = api.post("/api/v1/issues", data=lone, content_type="application/json")
    assert response.status_code == 422 and "surrogate" in response.get_json()["fields"]["title"]


def test_sql_in_parameters_is_refused_and_in_text_is_only_text(api, issue):
    for query in ("category=sanitation'%20OR%201=1--", "status=reported;DROP%20TABLE%20issues",
                  "sort=reported_at;DELETE%20FROM%20issues", "bbox=1,2,3,4)%20OR%20(1=1", "limit=1%20OR%201=1"):
        response = api.get(f"/api/v1/issues?{query}")
        assert response.status_code == 400 and response.get_json()["fields"], query
    text = "'; DROP TABLE issues; -- \" OR 1=1 %_\\"
    stored = report(api, title=text, description=text)
    assert api.get(f"/api/v1/issues/{stored['id']}").get_json()["properties"]["title"] == text
    assert api.get("/api/v1/issues").get_json()["numberMatched"] == 2
    found = api.get("/api/v1/issues", query_string={"q": "%_"}).get_json()  # LIKE wildcards match themselves
    assert [f["id"] for f in found["features"]] == [stored["id"]]


def test_path_traversal_reaches_no_file(api, issue, photo_dir):
    for path in ("/api/v1/layers/..%2F..%2Fetc%2Fpasswd", "/api/v1/layers/../../app.py",
                 "/api/v1/photos/..%2F..%2Finstance%2Fsecret_key", f"/api/v1/photos/{uuid.uuid4()}/..%2F..",
                 "/static/..%2Fapp.py", "/static/../../app.py", "/field/..%2F..%2Fapp.py"):
        response = api.get(path)
        assert response.status_code in (400, 404), path
        assert b"create_app" not in response.data and b"SECRET" not in response.data
    response = upload(api, issue["id"], jpeg(), name="../../../../etc/passwd")
    assert response.status_code == 201
    files = [p for p in photo_dir.rglob("*") if p.is_file()]
    assert len(files) == 2 and all(p.parent == photo_dir for p in files)  # the photo and its thumbnail, here
    assert "passwd" not in response.headers.get("Content-Disposition", "") + json.dumps(response.get_json())


def test_numbers_of_thousands_of_digits_are_refused_not_a_crash(api):
    for query in ("limit=" + "9" * 5000, "offset=" + "1" * 5000, "limit=" + "0" * 5000 + "5"):
        response = api.get(f"/api/v1/issues?{query}")
        assert response.status_code in (200, 400) and response.is_json, query
    assert api.get("/api/v1/issues?limit=" + "9" * 5000).status_code == 400
