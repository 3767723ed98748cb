"""Reporting test issues through the API, at places in the demo neighbourhood."""
from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from geo.dataset import load_dataset
from tests.accounts import as_user
from tests.conftest import DATA_DIR
from tests.store.helpers import CENTRE_LAT, CENTRE_LON, offset_point

__all__ = ["CENTRE_LAT", "CENTRE_LON", "building_point", "body", "offset_point", "report", "stored_issue"]


def body(**overrides: Any) -> dict[str, Any]:
    """A valid report at the neighbourhood's centre; None drops a field."""
    values = {
        "id": str(uuid.uuid4()),
        "category": "sanitation",
        "title": "弄堂口垃圾堆放",
        "description": "Bags of rubbish left by the lane entrance",
        "lon": CENTRE_LON,
        "lat": CENTRE_LAT,
        "source": "visit",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def report(client, actor: str | None = None, **overrides: Any) -> dict[str, Any]:
    """POST a report that must be stored, as the username `actor` if given; its Feature."""
    headers = as_user(client, actor) if actor else {}
    response = client.post("/api/v1/issues", json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored_issue(app, **overrides: Any) -> dict[str, Any]:
    """An issue put in through the store, as an import or older data could hold it (markup included); its Feature."""
    from store.intake import submit_issue
    from webmap.api.issue_geojson import issue_feature
    from webmap.base_layers import base_layers
    from webmap.database import transaction

    fields = {name: value for name, value in body(**overrides).items() if name != "id"}
    with app.test_request_context(), transaction() as s:
        issue, _ = submit_issue(s, fields, base_layers().locator, "import")
        return issue_feature(issue, "zh")


@cache
def _layers():
    return load_dataset(DATA_DIR).layers


def building_point(address: str) -> tuple[float, float, str]:
    """A point inside the building at `address`, and the building's compound."""
    building = _layers()["buildings"].set_index("address").loc[address]
    point = building.geometry.representative_point()
    return point.x, point.y, building["compound"]
