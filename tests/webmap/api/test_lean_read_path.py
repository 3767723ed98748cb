"""The lean read path (rows, not ORM objects; orjson; `after` in next links) answers what the ORM path answered.

/api/v1/issues and /ogcapi/collections/issues/items against a reference built the old way from ORM objects
(webmap.api.issue_geojson.issue_feature; store.exports.issues_rows through geo.geojson.geojson_features), the same
query on the same data; ETags and 304s on repeated reads; walking the `next` links while issues are added.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.geojson import geojson_features
from store import issues as store_issues
from store.exports import issues_rows
from store.filters import IssueFilters
from store.photos import photo_counts
from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, building_point, offset_point, report, stored_issue
from webmap.api.issue_geojson import issue_feature
from webmap.database import session

HOSTILE = '<script>alert("x")</script> & </title>'
AROUND_CENTRE = "121.40,31.15,121.55,31.30"


@pytest.fixture()
def varied(api, api_app):
    """Issues with every kind of value: nulls, markup, accuracy either side of the flag, a due date, an assignee,
    a typical case, a decimal place beyond the published precision."""
    hjl55 = building_point("黄家路55弄3号")[:2]
    east = offset_point(CENTRE_LON, CENTRE_LAT, 90, 40)
    made = [
        stored_issue(api_app, title=HOSTILE, description=HOSTILE, reported_at="2024-05-01T08:00:00+08:00"),
        report(api, title="深夜噪音", category="lighting", lon=hjl55[0], lat=hjl55[1], location_source="gps",
               location_accuracy_m=45.5, reported_at="2024-05-01T23:30:00.250000+08:00"),
        report(api, title="路灯不亮", lon=east[0] + 1.23e-9, lat=east[1], location_source="map",
               location_accuracy_m=12, is_typical_case=True, address="黄家路 <55> 弄 & 3号",
               reported_at="2024-05-02T00:10:00+08:00"),
        report(api, title="无时间"),
    ]
    changed = api.patch(f"/api/v1/issues/{made[1]['id']}",
                        json={"status": "in_progress", "assignee": "王 & 李 > 3", "due_date": "2024-06-30",
                              "priority": "high"})
    assert changed.status_code == 200, changed.get_json()
    return [feature["id"] for feature in made]


def reference_list(app, lang: str, **query) -> list[dict]:
    """/api/v1/issues's features as they were made before the lean path: ORM objects and issue_feature."""
    with app.test_request_context():
        issues, _ = store_issues.list_issues(session(), **query)
        counts = photo_counts(session(), [issue.id for issue in issues])
        return [issue_feature(issue, lang, photo_count=counts.get(issue.id, 0)) for issue in issues]


def reference_items(app, boxes=(), limit=100, offset=0) -> list[dict]:
    """/ogcapi issues as they were made before the lean path: ORM objects, oldest first, through the export's
    table, row by row."""
    with app.test_request_context():
        filters = IssueFilters(bbox=boxes[0] if boxes else None)
        issues, _ = store_issues.list_issues(session(), filters, sort="reported_at", limit=limit, offset=offset)
        return geojson_features(issues_rows(session(), issues))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_list_gives_the_features_the_orm_path_gave(api, api_app, varied, lang):
    for asked, query in (("", {}), ("sort=reported_at&limit=2", {"sort": "reported_at", "limit": 2}),
                         ("limit=2&offset=1", {"limit": 2, "offset": 1})):
        response = api.get(f"/api/v1/issues?lang={lang}&{asked}")
        assert response.status_code == 200
        assert response.get_json()["features"] == reference_list(api_app, lang, **query), asked
    raw = api.get("/api/v1/issues").data
    assert b"<" not in raw and b">" not in raw and b"&" not in raw  # markup escaped as \u003c, \u003e, \u0026
    assert json.loads(raw)["features"][-1]["properties"]["title"] == HOSTILE


def test_ogc_items_give_the_features_the_orm_path_gave(api, api_app, varied):
    for asked, query in (("", {}), (f"bbox={AROUND_CENTRE}", {"boxes": [(121.40, 31.15, 121.55, 31.30)]}),
                         ("limit=2&offset=1", {"limit": 2, "offset": 1})):
        response = api.get(f"/ogcapi/collections/issues/items?{asked}")
        assert response.status_code == 200
        expected = reference_items(api_app, **query)
        assert response.get_json()["features"] == expected and expected, asked
    for feature in reference_items(api_app):
        served = api.get(f"/ogcapi/collections/issues/items/{feature['id']}").get_json()
        assert {name: served[name] for name in ("type", "id", "geometry", "properties")} == feature
    raw = api.get("/ogcapi/collections/issues/items").data
    assert b"<" not in raw and b">" not in raw and b"&" not in raw


@pytest.mark.parametrize("path", ["/ogcapi/collections/issues/items?limit=2",
                                  "/ogcapi/collections/issues/items?limit=2&offset=1",
                                  "/ogcapi/collections/issues/items?limit=2&after=20240501T000000.000000Z_1"])
def test_repeated_reads_of_a_page_have_one_etag_and_answer_304(api, varied, path):
    first = api.get(path, headers={"Accept-Encoding": "identity"})
    again = api.get(path, headers={"Accept-Encoding": "identity"})
    assert first.status_code == again.status_code == 200
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.get_json()["features"] == again.get_json()["features"]
    assert first.get_json()["timeStamp"]  # answered when asked, yet the ETag holds
    unchanged = api.get(path, headers={"Accept-Encoding": "identity", "If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    report(api, title="新的一条")
    changed = api.get(path, headers={"Accept-Encoding": "identity", "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200  # numberMatched grew: a new answer, whatever the page


def _next(page: dict) -> str | None:
    return next((link["href"] for link in page["links"] if link["rel"] == "next"), None)


@pytest.mark.parametrize("start", ["/api/v1/issues?limit=3", "/api/v1/issues?limit=3&sort=reported_at",
                                   "/ogcapi/collections/issues/items?limit=3"])
def test_walking_the_next_links_sees_every_issue_once_while_issues_are_added(api, start):
    hours = iter(range(10, 24))
    for day in (1, 2, 3, 4, 5, 6, 7):
        report(api, title=f"旧 {day}", reported_at=f"2024-05-0{day}T{next(hours)}:00:00+08:00")
    before = {f["id"] for f in api.get("/api/v1/issues?limit=100").get_json()["features"]}
    seen: list[str] = []
    added: list[dict] = []
    href: str | None = start
    while href is not None:
        page = api.get(href).get_json()
        seen += [feature["id"] for feature in page["features"]]
        assert page["numberMatched"] == len(before) + len(added)  # exact, whatever was added
        if (href := _next(page)) is not None:
            assert "offset" not in parse_qs(urlsplit(href).query) and parse_qs(urlsplit(href).query)["after"]
        # Between pages: one issue now (first in the newest-first walk, last in the oldest-first), one in the past
        # both before and after the walk's position.
        added.append(report(api, title="刚刚"))
        added.append(report(api, title="以前", reported_at=f"2024-04-{len(added):02d}T10:00:00+08:00"))
    assert len(seen) == len(set(seen)), "an issue came twice"
    assert before <= set(seen), "an issue was skipped"
    ascending = "sort=reported_at" in start or "ogcapi" in start
    every = {feature["id"]: feature["properties"]["reported_at"]
             for feature in api.get("/api/v1/issues?limit=1000").get_json()["features"]}
    assert [every[i] for i in seen] == sorted((every[i] for i in seen), reverse=not ascending)


def test_a_position_not_given_by_the_service_is_a_400_naming_after(api, varied):
    for path in ("/api/v1/issues?after=yesterday", "/api/v1/issues?sort=title&after=20240501T000000.000000Z_1",
                 "/ogcapi/collections/issues/items?after=20241301T000000.000000Z_1",
                 "/ogcapi/collections/buildings/items?after=20240501T000000.000000Z_1"):
        response = api.get(path)
        assert response.status_code == 400 and "after" in response.get_json()["fields"], path
