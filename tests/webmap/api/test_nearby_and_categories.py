"""GET /api/v1/issues/nearby (open issues near a point, nearest first) and GET /api/v1/categories."""
from __future__ import annotations

from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, offset_point, report


def nearby(api, query: str):
    return api.get(f"/api/v1/issues/nearby?lon={CENTRE_LON}&lat={CENTRE_LAT}&{query}")


def test_open_issues_within_the_radius_nearest_first_with_their_distance(api):
    def at(metres, **overrides):
        lon, lat = offset_point(CENTRE_LON, CENTRE_LAT, 45, metres)
        return report(api, lon=lon, lat=lat, **overrides)["id"]

    far, near, middle, outside = at(28), at(5), at(15), at(45)
    resolved = at(8)
    api.patch(f"/api/v1/issues/{resolved}", json={"status": "resolved"})
    other_category = at(10, category="lighting")

    response = nearby(api, "")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    assert [f["id"] for f in features] == [near, other_category, middle, far]
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)
    assert abs(distances[0] - 5) < 0.2 and abs(distances[-1] - 28) < 0.2
    assert response.get_json()["radius_m"] == 30

    assert [f["id"] for f in nearby(api, "category=sanitation&radius=50").get_json()["features"]] == [
        near, middle, far, outside,
    ]
    assert [f["id"] for f in nearby(api, "radius=12&limit=1").get_json()["features"]] == [near]
    assert resolved not in str(nearby(api, "radius=200").get_json())


def test_bad_nearby_parameters_are_named(api):
    response = api.get("/api/v1/issues/nearby?lat=91&radius=500&limit=0&category=parking-lots")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"lon", "lat", "radius", "limit"}
    assert response.get_json()["fields"]["lon"] == "required"
    unknown = nearby(api, "category=parking-lots")
    assert unknown.status_code == 400 and set(unknown.get_json()["fields"]) == {"category"}


def test_categories_in_display_order(api):
    response = api.get("/api/v1/categories")
    assert response.status_code == 200 and response.mimetype == "application/json"
    categories = response.get_json()["categories"]
    assert len(categories) == 12
    assert categories[0] == {
        "id": "sanitation", "name_zh": "环境卫生", "name_en": "Sanitation", "colour": "#00796b", "icon": "broom",
    }
    assert categories[-1]["id"] == "other"
    assert api.get("/api/v1/categories?all=1").status_code == 400
