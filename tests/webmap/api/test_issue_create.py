"""POST /api/v1/issues: checked field by field, refused outside the boundary, stored once per client id."""
from __future__ import annotations

import io
import json
import threading
import uuid

import pytest

from tests.accounts import as_user, bearer
from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, body, building_point, offset_point, report


def stored(api) -> int:
    return api.get("/api/v1/issues").get_json()["numberMatched"]


def test_a_report_is_stored_with_its_place_and_first_event(api):
    lon, lat, compound = building_point("黄家路55弄3号")
    response = api.post("/api/v1/issues", json=body(lon=lon, lat=lat), headers=as_user(api, "xiao.wang", "field_staff"))
    assert response.status_code == 201
    assert response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert response.headers["Location"] == f"/api/v1/issues/{feature['id']}"
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    properties = feature["properties"]
    assert properties["id"] == feature["id"]
    assert (properties["address"], properties["compound"]) == ("黄家路55弄3号", compound)
    assert properties["building"]
    assert properties["status"] == "reported" and properties["category_name"] == "环境卫生"
    assert properties["reported_at"].endswith("+08:00")
    [created] = properties["events"]
    assert created["kind"] == "created" and created["actor"] == "xiao.wang" and created["to"] == "reported"
    assert api.get(response.headers["Location"]).get_json() == feature


def test_a_geojson_geometry_works_as_well_as_lon_lat(api):
    feature = report(api, lon=None, lat=None, geometry={"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]})
    assert feature["geometry"]["coordinates"] == [CENTRE_LON, CENTRE_LAT]


def test_the_signed_in_user_is_the_actor_and_source_defaults_to_patrol(api):
    feature = report(api, source=None)
    assert feature["properties"]["source"] == "patrol"
    assert feature["properties"]["events"][0]["actor"] == "admin"


def test_the_same_id_again_returns_the_first_issue_and_stores_nothing(api):
    first = api.post("/api/v1/issues", json=body(id="9B2F7C1E-0D5A-4C3B-8F8E-2A7D6C5B4A39"))
    again = api.post("/api/v1/issues", json=body(id="9b2f7c1e-0d5a-4c3b-8f8e-2a7d6c5b4a39", title="重发"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert again.get_json()["properties"]["title"] == "弄堂口垃圾堆放"
    assert again.headers["Location"] == first.headers["Location"]
    assert stored(api) == 1
    assert len(api.get(first.headers["Location"]).get_json()["properties"]["events"]) == 1


def test_two_simultaneous_submissions_of_one_report_store_it_once(api_app):
    payload = body()
    start = threading.Barrier(2)
    statuses: list[int] = []
    headers = bearer(api_app, "admin")

    def submit():
        client = api_app.test_client()
        start.wait()
        statuses.append(client.post("/api/v1/issues", json=payload, headers=headers).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 201]
    client = api_app.test_client()
    assert stored(client) == 1
    assert len(client.get(f"/api/v1/issues/{payload['id']}").get_json()["properties"]["events"]) == 1


def test_every_bad_field_is_named_and_nothing_is_stored(api):
    response = api.post(
        "/api/v1/issues",
        json={
            "id": "not-a-uuid",
            "category": "parking-lots",
            "title": "x" * 201,
            "lon": 200,
            "lat": "north",
            "source": "rumour",
            "colour": "red",
            "nearby_on_purpose": "yes",
            "compound_id": "hjl55",
        },
    )
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    result = response.get_json()
    assert result["error"] == "invalid issue"
    fields = result["fields"]
    assert set(fields) == {"id", "category", "title", "lon", "lat", "source", "colour", "nearby_on_purpose", "compound_id"}
    assert "UUID" in fields["id"] and "too long" in fields["title"]
    assert fields["category"] == "unknown category 'parking-lots'"
    assert "between" in fields["lon"] and "number" in fields["lat"]
    assert fields["colour"] == "unknown field" and "derived" in fields["compound_id"]
    assert all(isinstance(message, str) and message for message in fields.values())
    assert stored(api) == 0


def test_missing_fields_are_named(api):
    response = api.post("/api/v1/issues", json={})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"category", "title", "lon", "lat"}


def test_an_unknown_category_is_refused_without_a_write(api):
    response = api.post("/api/v1/issues", json=body(category="parking-lots"))
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"category": "unknown category 'parking-lots'"}
    outside = api.post("/api/v1/issues", json=body(category="parking-lots", lon=121.47, lat=31.23))
    assert set(outside.get_json()["fields"]) == {"category", "location"}
    assert stored(api) == 0


def test_the_store_name_for_the_client_id_is_refused(api):
    response = api.post("/api/v1/issues", json=body(id=None, public_id=str(uuid.uuid4())))
    assert response.status_code == 422
    assert "'id'" in response.get_json()["fields"]["public_id"]


def test_geometry_and_lon_lat_together_are_refused(api):
    response = api.post("/api/v1/issues", json=body(geometry={"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]}))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"geometry"}


@pytest.mark.parametrize(
    "data, content_type, message",
    [
        ("{not json", "application/json", "not valid JSON"),
        ("[1, 2]", "application/json", "JSON object, not an array"),
        ('"title"', "application/json", "JSON object, not a string"),
        ("null", "application/json", "JSON object, not null"),
        ('{"lon": NaN}', "application/json", "not valid JSON"),
        ("category=sanitation", "application/x-www-form-urlencoded", "Content-Type: application/json"),
        ('{"category": "sanitation"}', "text/plain", "Content-Type: application/json"),
        (b'{"title": "\xff"}', "application/json", "not UTF-8"),
        ("", "application/json", "not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_saying_why(api, data, content_type, message):
    response = api.post("/api/v1/issues", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert message in response.get_json()["message"]
    assert stored(api) == 0


def test_a_body_over_a_megabyte_is_a_413(api):
    response = api.post("/api/v1/issues", json=body(description="很" * 400_000))  # 1.2 MB of UTF-8
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert "larger than" in response.get_json()["message"]
    assert stored(api) == 0


def test_a_chunked_body_over_a_megabyte_is_a_413_too(api):
    stream = io.BytesIO(b'{"description": "' + b"x" * 1_200_000 + b'"}')
    response = api.post(
        "/api/v1/issues",
        input_stream=stream,
        content_type="application/json",
        # No Content-Length: the server tells the app the stream ends by itself (chunked encoding).
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert stored(api) == 0


def test_outside_the_boundary_is_refused_under_location_unless_nearby_on_purpose(api):
    lon, lat = offset_point(121.4941, 31.2200, 90, 60)  # 60 m east of 中华路's centreline
    refused = api.post("/api/v1/issues", json=body(lon=lon, lat=lat))
    assert refused.status_code == 422
    assert set(refused.get_json()["fields"]) == {"location"}
    assert "nearby_on_purpose" in refused.get_json()["fields"]["location"]
    assert stored(api) == 0

    accepted = api.post("/api/v1/issues", json=body(lon=lon, lat=lat, nearby_on_purpose=True))
    assert accepted.status_code == 201


def test_far_away_is_refused_even_when_nearby_on_purpose(api):
    refused = api.post("/api/v1/issues", json=body(lon=121.47, lat=31.23, nearby_on_purpose=True))
    assert refused.status_code == 422
    assert "at most 300 m" in refused.get_json()["fields"]["location"]


def test_values_the_database_cannot_store_are_a_422_not_a_crash(api):
    response = api.post(
        "/api/v1/issues",
        data=json.dumps(body(title="弄堂\x00口", reported_at="0001-01-01T00:00:00", lon=10**400, description="\ud800")),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.get_json()["fields"] == {
        "title": "contains a NUL character",
        "reported_at": "out of range",
        "lon": "number too large",
        "description": "contains an unpaired surrogate: not Unicode text",
    }
    assert stored(api) == 0
