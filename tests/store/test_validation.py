"""validate_new_issue needs no database: these run once, not per backend."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest

from store.errors import ValidationError
from store.issues import validate_new_issue
from store.timestamps import utcnow
from tests.store.helpers import CENTRE_LAT, CENTRE_LON, payload


def field_errors(data, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        validate_new_issue(data, **kwargs)
    return raised.value.field_errors


def test_clean_values_come_back_normalised():
    issue = validate_new_issue(
        payload(
            public_id="6F9619FF-8B86-D011-B42D-00C04FC964FF",
            title="  路灯不亮  ",
            description="   ",
            lon=str(CENTRE_LON),
            reported_at="2024-05-01T09:30:00",
            due_date="2024-05-10",
            building_id="B12",
            is_typical_case=True,
            location_note="nearby on purpose: the resident asked not to mark the door",
        )
    )
    assert issue.public_id == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert issue.title == "路灯不亮"
    assert issue.description == ""
    assert issue.lon == CENTRE_LON and issue.lat == CENTRE_LAT
    assert issue.reported_at == datetime(2024, 5, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
    assert issue.reported_at.utcoffset() == timedelta(0)
    assert issue.due_date == date(2024, 5, 10)
    assert issue.priority == "normal" and issue.is_typical_case is True
    assert issue.building_id == "B12" and issue.compound_id is None


def test_a_geojson_point_may_stand_in_for_lon_and_lat():
    data = payload(lon=None, lat=None, geometry={"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]})
    issue = validate_new_issue(data)
    assert (issue.lon, issue.lat) == (CENTRE_LON, CENTRE_LAT)


def test_every_bad_field_is_named_at_once():
    errors = field_errors(
        {
            "category": "",
            "title": "x" * 201,
            "description": "y" * 5001,
            "lon": float("nan"),
            "lat": 91,
            "public_id": "not-a-uuid",
            "source": "email",
            "priority": "asap",
            "reported_at": (utcnow() + timedelta(days=1)).isoformat(),
            "due_date": "next week",
            "is_typical_case": "yes",
            "colour": "red",
        }
    )
    assert set(errors) == {
        "category", "title", "description", "lon", "lat", "public_id", "source", "priority",
        "reported_at", "due_date", "is_typical_case", "colour",
    }
    assert errors["title"].startswith("too long")
    assert "finite" in errors["lon"]
    assert "between" in errors["lat"]
    assert "visit" in errors["source"]
    assert errors["colour"] == "unknown field"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"title": 42}, "title"),
        ({"category": None}, "category"),
        ({"lon": None}, "lon"),
        ({"lat": None}, "lat"),
        ({"lon": True}, "lon"),
        ({"lon": "121.49abc"}, "lon"),
        ({"lon": math.inf}, "lon"),
        ({"lat": -90.5}, "lat"),
        ({"lon": 180.0001}, "lon"),
        ({"public_id": 123}, "public_id"),
        ({"public_id": "6f9619ff-8b86-d011-b42d"}, "public_id"),
        ({"source": None}, "source"),
        ({"source": "Visit"}, "source"),
        ({"reported_at": "yesterday"}, "reported_at"),
        ({"due_date": datetime(2024, 5, 1, 12, 0)}, "due_date"),
        ({"reporter": "r" * 101}, "reporter"),
        ({"address": "a" * 301}, "address"),
        ({"geometry": {"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]}}, "geometry"),  # and lon/lat
        ({"lon": None, "lat": None, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "geometry"),
        ({"lon": None, "lat": None, "geometry": {"type": "Point", "coordinates": [200, 0]}}, "geometry"),
    ],
)
def test_one_bad_field_is_reported_under_its_name(overrides, field):
    assert set(field_errors(payload(**overrides))) == {field}


def test_limits_are_inclusive():
    issue = validate_new_issue(payload(title="t" * 200, description="d" * 5000, lon=-180, lat=90))
    assert len(issue.title) == 200 and len(issue.description) == 5000


def test_category_is_checked_against_the_list_when_given():
    assert validate_new_issue(payload(category="parking"), categories={"parking"}).category == "parking"
    assert set(field_errors(payload(category="parkng"), categories={"parking"})) == {"category"}


def test_not_an_object():
    assert field_errors(["title"]) == {"payload": "must be an object"}
