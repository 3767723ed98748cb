"""GET /api/v1/issues/density: counts per cell of about cell_m metres, counted by the database."""
from __future__ import annotations

import math
import random
import time
import uuid

import pytest

from tests.conftest import make_app
from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, offset_point, report


@pytest.fixture()
def spread(api):
    rng = random.Random(7)
    for n in range(24):
        lon, lat = offset_point(CENTRE_LON, CENTRE_LAT, rng.uniform(0, 360), rng.uniform(0, 60))
        report(api, lon=lon, lat=lat, category="lighting" if n % 3 == 0 else "sanitation", nearby_on_purpose=True)


def test_counts_add_up_to_the_number_matched(api, spread):
    for query in ("", "category=lighting", "cell_m=5", "cell_m=100&category=sanitation", "q=垃圾&cell_m=7.5"):
        response = api.get(f"/api/v1/issues/density?{query}")
        assert response.status_code == 200 and response.mimetype == "application/geo+json"
        collection = response.get_json()
        listed = api.get(f"/api/v1/issues?{_without_cell(query)}").get_json()["numberMatched"]
        assert sum(f["properties"]["count"] for f in collection["features"]) == collection["numberMatched"] == listed


def _without_cell(query: str) -> str:
    return "&".join(part for part in query.split("&") if part and not part.startswith("cell_m="))


def test_each_issue_is_counted_in_its_own_cell(api, spread):
    collection = api.get("/api/v1/issues/density?cell_m=25").get_json()
    grid = collection["grid"]
    assert grid["cell_m"] == 25
    # About 25 m: a cell's sides measured on the ground.
    assert math.isclose(grid["dlat"] * 110_860, 25, rel_tol=0.01)
    assert math.isclose(grid["dlon"] * 110_860 * math.cos(math.radians(grid["origin"][1])), 25, rel_tol=0.01)
    expected: dict[tuple[int, int], int] = {}
    for feature in api.get("/api/v1/issues?limit=100").get_json()["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        cell = (math.floor((lon - grid["origin"][0]) / grid["dlon"]), math.floor((lat - grid["origin"][1]) / grid["dlat"]))
        expected[cell] = expected.get(cell, 0) + 1
    counted = {(f["properties"]["col"], f["properties"]["row"]): f["properties"]["count"] for f in collection["features"]}
    assert counted == expected
    for feature in collection["features"]:  # the mean position lies in its cell
        lon, lat = feature["geometry"]["coordinates"]
        assert math.floor((lon - grid["origin"][0]) / grid["dlon"] + 1e-9) == feature["properties"]["col"]


def test_cells_below_the_origin_count_too(api):
    """Issues west or south of the grid's origin have negative columns and rows (floor, not truncation)."""
    collection = api.get("/api/v1/issues/density").get_json()
    minlon, minlat = collection["grid"]["origin"]
    lon, lat = offset_point(minlon, minlat, 225, 20)
    report(api, lon=lon, lat=lat, nearby_on_purpose=True)
    [cell] = api.get("/api/v1/issues/density").get_json()["features"]
    assert cell["properties"]["col"] < 0 and cell["properties"]["row"] < 0
    assert cell["properties"]["col"] == math.floor((lon - minlon) / collection["grid"]["dlon"])


def test_bad_density_parameters_are_named(api):
    response = api.get("/api/v1/issues/density?cell_m=1&category=parking-lots&limit=5")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"cell_m", "category", "limit"}


def test_100000_issues_are_counted_in_well_under_a_second_on_sqlite(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'many.db'}")
    engine = app.extensions["store"].engine
    rng = random.Random(1)
    when = "2024-05-01 02:00:00.000000"  # UTC, as the store writes it on SQLite
    rows = [
        (str(uuid.UUID(int=rng.getrandbits(128))), 121.4903 + rng.random() * 0.0043, 31.2173 + rng.random() * 0.0059)
        for _ in range(100_000)
    ]
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO issues (public_id, category_id, title, description, lon, lat, source, status, priority,"
            " reported_at, is_typical_case, created_at, updated_at)"
            f" VALUES (?, 'sanitation', 't', '', ?, ?, 'visit', 'reported', 'normal', '{when}', 0, '{when}', '{when}')",
            rows,
        )
    client = app.test_client()
    client.get("/api/v1/issues/density?cell_m=50")  # warm up: connection, first query

    started = time.perf_counter()
    response = client.get("/api/v1/issues/density")
    elapsed = time.perf_counter() - started
    assert response.get_json()["numberMatched"] == 100_000
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    engine.dispose()
