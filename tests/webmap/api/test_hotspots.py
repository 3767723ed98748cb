"""GET /api/v1/hotspots: Gi* on the boundary's grid finds a planted cluster, and says so when data are too few."""
from __future__ import annotations

import random

import pytest
from shapely.geometry import Point, shape

from geo.dataset import load_dataset
from geo.hotspots import CLASSES, issue_grid
from tests.conftest import DATA_DIR
from tests.webmap.api.helpers import offset_point, report


@pytest.fixture(scope="module")
def grid():
    return issue_grid(load_dataset(DATA_DIR).layers["boundary"], 20)


def interior_cells(grid):
    """Whole cells whose eight neighbours are whole cells too."""
    whole = grid[grid["coverage"] > 0.999]
    cells = set(zip(whole["row"], whole["col"]))
    inner = [
        all((r + dr, c + dc) in cells for dr in (-1, 0, 1) for dc in (-1, 0, 1)) for r, c in zip(whole["row"], whole["col"])
    ]
    return whole[inner]


def test_a_planted_cluster_is_a_hot_spot_named_by_its_compound(api, grid):
    """60 issues over one cell and its neighbours, 40 spread thin: the cell in the middle is hot.

    (Gi* looks at a cell with its neighbours, and the permutations keep the cell's own count: a spike
    in a single cell makes its neighbours hot, not itself. So the cluster covers the neighbours too.)
    """
    inner = interior_cells(grid)
    spot = inner.iloc[len(inner) // 2]
    centre = spot.geometry.centroid
    rng = random.Random(3)
    for _ in range(60):
        lon, lat = offset_point(centre.x, centre.y, rng.uniform(0, 360), 25 * rng.random() ** 0.5)
        report(api, lon=lon, lat=lat, reported_at="2024-05-01T10:00:00+08:00")
    elsewhere = grid[grid["coverage"] > 0.999].sample(n=40, random_state=5)
    for cell in elsewhere.geometry:
        point = cell.centroid
        report(api, lon=point.x, lat=point.y, category="lighting", reported_at="2024-05-01T10:00:00+08:00")

    response = api.get("/api/v1/hotspots")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.get_json()
    cells = {f["id"]: f for f in collection["features"]}
    assert len(cells) == len(grid)
    hot = cells[spot["id"]]["properties"]
    assert hot["class"] in ("hot99", "hot95"), hot
    assert hot["count"] >= 3 and hot["z"] == max(f["properties"]["z"] for f in collection["features"])
    assert hot["p"] <= 0.001
    assert shape(cells[spot["id"]]["geometry"]).contains(Point(centre.x, centre.y))
    assert hot["compounds"] or hot["lanes"]
    assert set(hot) == {"id", "count", "z", "p", "p_fdr", "class", "compounds", "lanes"}

    summary = collection["summary"]
    assert summary["permutations"] == 9999 and summary["cell_size_m"] == 20
    assert summary["n_issues"] == 100 and summary["warnings"] == []
    assert set(summary["classes"]) == set(CLASSES) and sum(summary["classes"].values()) == len(grid)
    assert summary["classes"]["hot99"] + summary["classes"]["hot95"] >= 1
    assert "Getis-Ord" in summary["method"]

    only_lighting = api.get("/api/v1/hotspots?category=lighting").get_json()
    assert only_lighting["summary"]["n_issues"] == 40
    assert only_lighting["summary"]["filters"]["category"] == "lighting"
    assert api.get("/api/v1/hotspots?until=2024-04-30").get_json()["summary"]["n_issues"] == 0

    again = api.get("/api/v1/hotspots").get_json()  # the same data: the answer remembered, and the same
    assert again == collection
    report(api, category="lighting")
    assert api.get("/api/v1/hotspots").get_json()["summary"]["n_issues"] == 100  # within HOTSPOT_MAX_AGE: as it was
    api.application.config["HOTSPOT_MAX_AGE"] = 0
    assert api.get("/api/v1/hotspots").get_json()["summary"]["n_issues"] == 101  # new data: worked out afresh


def test_few_issues_are_all_not_significant_with_a_warning_in_both_languages(api, grid):
    for cell in interior_cells(grid).geometry[:5]:
        report(api, lon=cell.centroid.x, lat=cell.centroid.y)
    collection = api.get("/api/v1/hotspots?lang=en").get_json()
    assert {f["properties"]["class"] for f in collection["features"]} == {"ns"}
    warnings = collection["summary"]["warnings"]
    assert any("fewer than 30" in warning["en"] for warning in warnings)
    assert all(warning["zh"] and warning["en"] for warning in warnings)
    assert collection["summary"]["classes"]["ns"] == len(grid)


def test_no_issues_at_all_is_still_a_map(api, grid):
    collection = api.get("/api/v1/hotspots").get_json()
    assert len(collection["features"]) == len(grid)
    assert all(f["properties"]["z"] is None and f["properties"]["class"] == "ns" for f in collection["features"])
    assert collection["summary"]["warnings"]


def test_place_names_follow_the_language(api, grid):
    chinese = api.get("/api/v1/hotspots?lang=zh").get_json()["features"]
    english = api.get("/api/v1/hotspots?lang=en").get_json()["features"]
    names_zh = {name for f in chinese for name in f["properties"]["compounds"]}
    names_en = {name for f in english for name in f["properties"]["compounds"]}
    assert "黄家路55弄" in names_zh and "Lane 55, Huangjia Road" in names_en


def test_bad_hotspot_parameters_are_named(api):
    response = api.get("/api/v1/hotspots?cell_m=2&category=parking-lots&since=soon&bbox=1,2,3,4")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"cell_m", "category", "since", "bbox"}
