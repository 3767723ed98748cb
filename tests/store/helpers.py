"""Building test issues: a valid submission near the neighbourhood's centre, changed as needed."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from pyproj import Geod

from store.issues import create_issue, validate_new_issue

CENTRE_LON, CENTRE_LAT = 121.4930, 31.2220
WGS84 = Geod(ellps="WGS84")


def payload(**overrides: Any) -> dict[str, Any]:
    values = {
        "public_id": str(uuid.uuid4()),
        "category": "sanitation",
        "title": "弄堂口垃圾堆放",
        "description": "Bags of rubbish left by the lane entrance",
        "lon": CENTRE_LON,
        "lat": CENTRE_LAT,
        "source": "visit",
        "reported_at": datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc),
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def add_issue(session, actor: str = "社工小王", **overrides: Any):
    issue, created = create_issue(session, validate_new_issue(payload(**overrides)), actor)
    assert created
    return issue


def offset_point(lon: float, lat: float, azimuth_deg: float, metres: float) -> tuple[float, float]:
    end_lon, end_lat, _ = WGS84.fwd(lon, lat, azimuth_deg, metres)
    return float(end_lon), float(end_lat)
