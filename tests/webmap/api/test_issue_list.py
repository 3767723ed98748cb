"""GET /api/v1/issues: filters (combinable), paging with links, sorting, and bad parameters named."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, building_point, offset_point, report


@pytest.fixture()
def planted(api):
    """Five issues: two categories, two compounds, two days either side of a Shanghai midnight."""
    hjl55 = building_point("黄家路55弄3号")[:2]
    east = offset_point(CENTRE_LON, CENTRE_LAT, 90, 40)
    issues = {
        "rubbish": report(api, title="弄堂口垃圾堆放", reported_at="2024-05-01T08:00:00+08:00"),
        "late": report(api, title="深夜噪音", category="lighting", reported_at="2024-05-01T23:30:00+08:00"),
        "early": report(api, title="清晨垃圾车噪音", category="lighting", reported_at="2024-05-02T00:10:00+08:00"),
        "hjl55": report(api, title="楼道堆物", lon=hjl55[0], lat=hjl55[1], reported_at="2024-05-03T10:00:00+08:00"),
        "east": report(api, title="路灯不亮", lon=east[0], lat=east[1], reported_at="2024-05-04T10:00:00+08:00"),
    }
    api.patch(f"/api/v1/issues/{issues['east']['id']}", json={"status": "in_progress"})
    return {name: feature["id"] for name, feature in issues.items()}


def ids(api, query: str) -> list[str]:
    response = api.get(f"/api/v1/issues?{query}")
    assert response.status_code == 200, response.get_json()
    return [feature["id"] for feature in response.get_json()["features"]]


def names(planted, found: list[str]) -> list[str]:
    by_id = {issue_id: name for name, issue_id in planted.items()}
    return [by_id[issue_id] for issue_id in found]


def test_the_list_is_a_feature_collection_newest_first(api, planted):
    response = api.get("/api/v1/issues")
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    assert (collection["numberMatched"], collection["numberReturned"]) == (5, 5)
    assert collection["timeStamp"].endswith("+08:00")
    assert names(planted, [f["id"] for f in collection["features"]]) == ["east", "hjl55", "early", "late", "rubbish"]
    properties = collection["features"][0]["properties"]
    assert set(properties) >= {
        "id", "category", "category_name", "colour", "icon", "title", "description", "status", "priority",
        "source", "address", "building", "compound", "reported_at", "resolved_at", "updated_at", "assignee",
        "typical_case",
    }
    assert "events" not in properties


def test_category_names_follow_the_language(api, planted):
    english = api.get("/api/v1/issues?lang=en&category=lighting").get_json()["features"][0]["properties"]
    assert english["category_name"] == "Street lighting"
    chinese = api.get("/api/v1/issues?lang=zh&category=lighting").get_json()["features"][0]["properties"]
    assert chinese["category_name"] == "路灯照明"


def test_bbox(api, planted):
    lon, lat = offset_point(CENTRE_LON, CENTRE_LAT, 90, 40)
    box = f"{lon - 0.0001},{lat - 0.0001},{lon + 0.0001},{lat + 0.0001}"
    assert names(planted, ids(api, f"bbox={box}")) == ["east"]


def test_category_list_status_and_compound(api, planted):
    assert names(planted, ids(api, "category=lighting")) == ["early", "late"]
    assert len(ids(api, "category=lighting,sanitation")) == 5
    assert len(ids(api, "category=lighting&category=sanitation")) == 5
    assert names(planted, ids(api, "status=in_progress")) == ["east"]
    assert len(ids(api, "status=reported,in_progress")) == 5
    assert names(planted, ids(api, "compound=hjl55")) == ["hjl55"]
    assert names(planted, ids(api, "category=sanitation&status=reported")) == ["hjl55", "rubbish"]


def test_since_and_until_days_are_whole_shanghai_days(api, planted):
    assert names(planted, ids(api, "until=2024-05-01")) == ["late", "rubbish"]
    assert names(planted, ids(api, "since=2024-05-02&until=2024-05-02")) == ["early"]
    assert names(planted, ids(api, "since=2024-05-02T00:00:00%2B08:00&until=2024-05-03T10:00:00%2B08:00")) == [
        "hjl55",
        "early",
    ]
    assert names(planted, ids(api, "since=2024-05-01T15:00:00Z")) == ["east", "hjl55", "early", "late"]


def test_q_finds_chinese_text_in_the_title(api, planted):
    assert names(planted, ids(api, "q=噪音")) == ["early", "late"]
    assert names(planted, ids(api, "q=垃圾")) == ["early", "rubbish"]
    assert names(planted, ids(api, "q=垃圾&category=sanitation")) == ["rubbish"]
    assert ids(api, "q=100%25") == []  # % is a character, not a wildcard


def test_paging_links_keep_the_filters(api, planted):
    first = api.get("/api/v1/issues?category=sanitation,lighting&limit=2&lang=en").get_json()
    assert (first["numberMatched"], first["numberReturned"]) == (5, 2)
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert set(links) == {"self", "next"}
    assert all(link["type"] == "application/geo+json" for link in first["links"])
    query = parse_qs(urlsplit(links["next"]).query)
    # The next page goes on after the position of this page's last issue (store.issue_pages), not by offset.
    assert query.pop("after") and query == {"category": ["sanitation,lighting"], "limit": ["2"], "lang": ["en"]}

    seen = [f["id"] for f in first["features"]]
    page = first
    while "next" in {link["rel"] for link in page["links"]}:
        href = next(link["href"] for link in page["links"] if link["rel"] == "next")
        page = api.get(href).get_json()
        assert page["numberMatched"] == 5
        seen += [f["id"] for f in page["features"]]
    assert seen == ids(api, "")
    assert page["numberReturned"] == 1

    # offset still pages, and steps back
    second = api.get("/api/v1/issues?category=sanitation,lighting&limit=2&offset=2&lang=en").get_json()
    assert [f["id"] for f in second["features"]] == seen[2:4]
    prev = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    assert [f["id"] for f in api.get(prev).get_json()["features"]] == seen[:2]


def test_sort(api, planted):
    assert names(planted, ids(api, "sort=reported_at")) == ["rubbish", "late", "early", "hjl55", "east"]
    assert names(planted, ids(api, "sort=-status,reported_at"))[0] == "east"
    assert names(planted, ids(api, "sort=-updated_at"))[0] == "east"


def test_bad_parameters_are_a_400_naming_each(api, planted):
    response = api.get(
        "/api/v1/issues?bbox=1,2,3&category=parking-lots&status=done&since=yesterday&until=2024-13-01"
        "&limit=0&offset=-1&sort=title&colour=red"
    )
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    result = response.get_json()
    assert result["error"] == "invalid request"
    assert set(result["fields"]) == {
        "bbox", "category", "status", "since", "until", "limit", "offset", "sort", "colour"
    }
    assert "unknown parameter" in result["fields"]["colour"]


def test_limit_has_a_ceiling_and_parameters_are_given_once(api):
    assert api.get("/api/v1/issues?limit=10000").status_code == 200
    too_many = api.get("/api/v1/issues?limit=10001")
    assert too_many.status_code == 400 and set(too_many.get_json()["fields"]) == {"limit"}
    twice = api.get("/api/v1/issues?limit=5&limit=6")
    assert twice.status_code == 400 and twice.get_json()["fields"] == {"limit": "given more than once"}


def test_values_the_database_cannot_take_are_a_400_not_a_crash(api, planted):
    response = api.get(f"/api/v1/issues?offset={'9' * 30}&since=0001-01-01&until=9999-12-31&q=%00&compound=a%00b&limit=²")
    assert response.status_code == 400
    fields = response.get_json()["fields"]
    assert set(fields) == {"offset", "since", "until", "q", "compound", "limit"}
    assert fields["since"] == fields["until"] == "out of range" and "NUL" in fields["q"]
    for path in ("/api/v1/issues/density", "/api/v1/hotspots", "/api/v1/issues.csv"):
        assert set(api.get(f"{path}?since=0001-01-01T00:00:00&category=%00").get_json()["fields"]) == {"since", "category"}
