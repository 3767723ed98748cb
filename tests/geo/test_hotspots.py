"""Gi* hot spots, counts per area and before/after comparison on synthetic data (no files)."""
from __future__ import annotations

import json
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely import affinity

from geo.hotspots import (
    CLASSES,
    compare_windows,
    count_issues,
    filter_issues,
    getis_ord,
    hotspots,
    issue_grid,
    rates_by_area,
)

METRIC = "EPSG:4549"
TZ = "Asia/Shanghai"
# A point inside the real neighbourhood, in EPSG:4549 metres.
X0, Y0 = Transformer.from_crs(4326, 4549, always_xy=True).transform(121.4935, 31.2200)
SPOT = (X0 + 70.0, Y0 + 40.0)
HOT = {"hot99", "hot95", "hot90"}
COLD = {"cold99", "cold95", "cold90"}


def j_polygon(angle: float = 17.0) -> shapely.Polygon:
    """A J about 300 m x 400 m (0.106 km2), turned so its edges cross the grid at an angle."""
    j = shapely.union_all(
        [shapely.box(0, 0, 300, 160), shapely.box(120, 0, 300, 400), shapely.box(0, 0, 130, 280)]
    )
    return affinity.translate(affinity.rotate(j, angle, origin=(150, 200)), X0 - 150, Y0 - 200)


def as_boundary(polygon: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [1]}, geometry=[polygon], crs=METRIC).to_crs(4326)


def uniform_xy(n: int, polygon: shapely.Geometry, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = polygon.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        x, y = rng.uniform(minx, maxx, 3 * n), rng.uniform(miny, maxy, 3 * n)
        inside = shapely.contains_xy(polygon, x, y)
        out = np.vstack([out, np.c_[x[inside], y[inside]]])
    return out[:n]


def disc_xy(n: int, centre: tuple[float, float], radius: float, rng: np.random.Generator) -> np.ndarray:
    r = radius * np.sqrt(rng.uniform(0, 1, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.c_[centre[0] + r * np.cos(angle), centre[1] + r * np.sin(angle)]


def as_issues(xy: np.ndarray, category="lighting", reported_at=None) -> gpd.GeoDataFrame:
    if reported_at is None:
        reported_at = pd.Timestamp("2024-05-01 10:00", tz=TZ)
    frame = gpd.GeoDataFrame(
        {"category": category, "reported_at": reported_at},
        index=range(len(xy)),
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=METRIC,
    )
    return frame.to_crs(4326)


def metric(geom_4326: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom_4326], crs=4326).to_crs(METRIC).iloc[0]


@pytest.fixture(scope="module")
def j_shape() -> shapely.Polygon:
    return j_polygon()


@pytest.fixture(scope="module")
def grid(j_shape) -> gpd.GeoDataFrame:
    return issue_grid(as_boundary(j_shape), 20)


def cluster_issues(j_shape, seed=0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    return as_issues(np.vstack([uniform_xy(100, j_shape, rng), disc_xy(60, SPOT, 25, rng)]))


# --------------------------------------------------------------------------
# grid
# --------------------------------------------------------------------------
def test_grid_cells_are_aligned_squares_with_stable_ids(grid):
    assert grid.crs.to_epsg() == 4326
    assert list(grid.columns) == ["id", "row", "col", "x_m", "y_m", "area_m2", "coverage", "geometry"]
    assert grid["id"].is_unique
    assert (grid["id"] == "r" + grid["row"].astype(str) + "c" + grid["col"].astype(str)).all()
    np.testing.assert_allclose(grid["x_m"], (grid["col"] + 0.5) * 20)
    np.testing.assert_allclose(grid["y_m"], (grid["row"] + 0.5) * 20)
    assert (grid["coverage"] >= 0.25).all() and (grid["coverage"] <= 1 + 1e-9).all()
    # Every clipped cell lies in its own full square.
    metric_cells = grid.to_crs(METRIC)
    squares = shapely.box(grid["x_m"] - 10, grid["y_m"] - 10, grid["x_m"] + 10, grid["y_m"] + 10)
    assert shapely.covers(shapely.buffer(squares, 0.01), metric_cells.geometry.values).all()


def test_grid_ids_do_not_depend_on_the_boundary(j_shape, grid):
    part = issue_grid(as_boundary(shapely.box(SPOT[0] - 50, SPOT[1] - 50, SPOT[0] + 50, SPOT[1] + 50)), 20)
    both = part.merge(grid, on="id", suffixes=("_part", "_all"))
    assert len(both) >= 16
    np.testing.assert_allclose(both["x_m_part"], both["x_m_all"])
    np.testing.assert_allclose(both["y_m_part"], both["y_m_all"])


def test_grid_covers_the_boundary(j_shape, grid):
    # Only slivers under a quarter of a cell are dropped, and kept cells are clipped,
    # so the cells cover the J to within a few per cent and never exceed it.
    total = grid.to_crs(METRIC).area.sum()
    assert total <= j_shape.area * (1 + 1e-9)
    assert total == pytest.approx(j_shape.area, rel=0.03)
    np.testing.assert_allclose(grid.to_crs(METRIC).area, grid["area_m2"], rtol=1e-6)


def test_grid_25_percent_rule_on_an_offset_rectangle():
    # x from 4 m to 304 m past a grid line: the first column of cells is only
    # 16/20 inside (kept), the last 4/20 (dropped, a 4 m strip is lost).
    x0 = np.floor(X0 / 20) * 20
    y0 = np.floor(Y0 / 20) * 20
    aligned = issue_grid(as_boundary(shapely.box(x0, y0, x0 + 300, y0 + 400)), 20)
    assert len(aligned) == 15 * 20
    assert aligned.to_crs(METRIC).area.sum() == pytest.approx(300 * 400, rel=1e-6)

    offset = issue_grid(as_boundary(shapely.box(x0 + 4, y0, x0 + 304, y0 + 400)), 20)
    assert len(offset) == 15 * 20
    assert offset["area_m2"].sum() == pytest.approx(296 * 400, rel=1e-6)


# --------------------------------------------------------------------------
# counting
# --------------------------------------------------------------------------
def test_count_issues_matches_a_spatial_join_on_full_cells(j_shape, grid):
    rng = np.random.default_rng(3)
    xy = np.vstack([uniform_xy(2000, j_shape, rng), [[X0 + 5000, Y0]]])  # one far outside
    issues = as_issues(xy)
    counted = count_issues(grid, issues)
    assert counted["count"].dtype == np.int64

    squares = gpd.GeoDataFrame(
        {"id": grid["id"]},
        geometry=shapely.box(grid["x_m"] - 10, grid["y_m"] - 10, grid["x_m"] + 10, grid["y_m"] + 10),
        crs=METRIC,
    )
    joined = gpd.sjoin(issues.to_crs(METRIC), squares, predicate="within")
    expected = joined.groupby("id").size().reindex(grid["id"]).fillna(0).to_numpy()
    np.testing.assert_array_equal(counted["count"].to_numpy(), expected)
    assert counted["count"].sum() < len(issues)  # the far point and edge slivers are not counted


def test_count_issues_accepts_metric_points_and_a_geoseries(j_shape, grid):
    xy = uniform_xy(300, j_shape, np.random.default_rng(4))
    in_4326 = count_issues(grid, as_issues(xy))["count"]
    in_metric = count_issues(grid, gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC))["count"]
    np.testing.assert_array_equal(in_4326, in_metric)


# --------------------------------------------------------------------------
# Gi*
# --------------------------------------------------------------------------
def test_planted_cluster_is_a_hot_spot(j_shape, grid):
    counted = count_issues(grid, cluster_issues(j_shape))
    # 9999 permutations: with 999 the smallest two-sided pseudo p is 0.002, too
    # coarse for Benjamini-Hochberg over 280 cells to reach 99 % or 95 %.
    result, summary = getis_ord(counted, permutations=9999, seed=0)

    assert set(result.columns) >= {"count", "z", "p", "p_fdr", "class"}
    assert summary.warnings == []
    strong = result[result["class"].isin({"hot99", "hot95"})]
    assert len(strong) >= 3
    centres = shapely.points(strong["x_m"], strong["y_m"])
    assert (shapely.distance(centres, shapely.Point(SPOT)) < 45).all()
    assert not result["class"].isin(COLD).any()

    hottest = result.sort_values("z", ascending=False).iloc[0]
    assert metric(hottest.geometry).contains(shapely.Point(SPOT))
    assert hottest["class"] in {"hot99", "hot95"}


def test_planted_cluster_with_999_permutations(j_shape, grid):
    counted = count_issues(grid, cluster_issues(j_shape))
    result, summary = getis_ord(counted)
    assert summary.permutations == 999
    hottest = result.sort_values("z", ascending=False).iloc[0]
    assert metric(hottest.geometry).contains(shapely.Point(SPOT))
    assert hottest["p"] == pytest.approx(0.002)  # the permutation floor, 2 / (999 + 1)
    assert hottest["class"] in HOT
    assert not result["class"].isin(COLD).any()


def test_uniform_noise_gives_no_hot_or_cold_spots(j_shape, grid):
    # Under pure noise every null hypothesis is true, so BH at q = 0.10 allows a
    # false discovery in at most ~10 % of data sets (the Gi* tests are positively
    # dependent, for which BH is still valid). Over 10 data sets we allow one.
    runs_with_any = 0
    for seed in range(10):
        issues = as_issues(uniform_xy(400, j_shape, np.random.default_rng(100 + seed)))
        result, summary = getis_ord(count_issues(grid, issues), seed=seed)
        assert summary.warnings == []
        runs_with_any += int((result["class"] != "ns").any())
        if seed == 0:
            assert (result["class"] == "ns").all()
    assert runs_with_any <= 1


def test_sparse_noise_does_not_make_empty_patches_cold(j_shape, grid):
    # 100 points over 280 cells: ~70 % of cells and many 3x3 windows are empty.
    # esda's default one-sided p_sim gives such windows p = 0.001 (ties count as
    # "larger" then get folded away); the two-sided p must not.
    issues = as_issues(uniform_xy(100, j_shape, np.random.default_rng(7)))
    result, summary = getis_ord(count_issues(grid, issues))
    assert summary.warnings == []
    assert (result["class"] == "ns").all()
    lattice = result.set_index(["row", "col"])["count"]
    empty_window = [
        all(lattice.get((r + dr, c + dc), 0) == 0 for dr in (-1, 0, 1) for dc in (-1, 0, 1))
        for r, c in zip(result["row"], result["col"])
    ]
    assert any(empty_window)
    assert (result.loc[empty_window, "p"] > 0.1).all()


def test_too_few_issues_warns_and_marks_everything_ns(j_shape, grid):
    rng = np.random.default_rng(5)
    few = as_issues(disc_xy(20, SPOT, 15, rng))
    result, summary = getis_ord(count_issues(grid, few))
    assert (result["class"] == "ns").all()
    assert summary.n_issues == 20
    assert summary.classes == {c: (len(grid) if c == "ns" else 0) for c in CLASSES}
    assert len(summary.warnings) >= 1
    for note in summary.warnings:
        assert set(note) == {"zh", "en"} and note["zh"] and note["en"]
    assert any("20" in note["en"] and "30" in note["en"] for note in summary.warnings)


def test_no_issues_at_all_does_not_crash(grid):
    result, summary = getis_ord(count_issues(grid, as_issues(np.empty((0, 2)))))
    assert (result["class"] == "ns").all()
    assert result["z"].isna().all()
    assert summary.n_issues == 0 and len(summary.warnings) == 1


def test_summary_describes_the_method(j_shape, grid):
    counted = count_issues(grid, cluster_issues(j_shape))
    _, summary = getis_ord(counted, permutations=99, fdr=0.05)
    info = summary.as_dict()
    json.dumps(info, ensure_ascii=False)
    assert info["method"].startswith("Getis-Ord Gi*, 99 permutations, Benjamini-Hochberg FDR q=0.05")
    assert info["cell_size_m"] == 20
    assert "30 m" in info["weights"] and "binary" in info["weights"]
    assert info["n_cells"] == len(grid)
    assert info["n_issues"] == counted["count"].sum() > 150  # a few fall in dropped edge slivers
    assert sum(info["classes"].values()) == len(grid)
    assert info["classes"]["hot90"] == 0  # q = 0.05 leaves no 90 % class


def test_same_seed_same_answer_and_global_rng_untouched(j_shape, grid):
    counted = count_issues(grid, cluster_issues(j_shape))
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    first, _ = getis_ord(counted, seed=42)
    assert np.random.random() == before
    second, _ = getis_ord(counted, seed=42)
    pd.testing.assert_frame_equal(first.drop(columns="geometry"), second.drop(columns="geometry"))
    other, _ = getis_ord(counted, seed=43)
    assert not np.array_equal(first["p"], other["p"])


# --------------------------------------------------------------------------
# filters and the pipeline
# --------------------------------------------------------------------------
def test_category_and_time_window_filters(j_shape):
    rng = np.random.default_rng(11)
    xy = uniform_xy(7, j_shape, rng)
    moments = pd.to_datetime(
        [
            "2024-03-01 00:00:00",  # first instant of `since`: in
            "2024-02-29 23:59:00",  # the day before: out
            "2024-03-31 23:59:59",  # last second of the `until` day: in
            "2024-04-01 00:00:00",  # next day: out
            "2024-03-15 12:00:00",  # in, but another category
            "2024-03-15 12:00:00",
            "2024-03-15 12:00:00",
        ]
    ).tz_localize(TZ)
    issues = as_issues(xy, category=["lighting"] * 4 + ["noise", "lighting", "drains"], reported_at=moments)

    by_day = filter_issues(issues, category="lighting", since=date(2024, 3, 1), until=date(2024, 3, 31))
    assert list(by_day.index) == [0, 2, 5]
    assert list(filter_issues(issues, category="lighting", since="2024-03-01", until="2024-03-31").index) == [0, 2, 5]
    assert list(filter_issues(issues, category=["noise", "drains"]).index) == [4, 6]
    # A datetime `until` is inclusive of that instant only; UTC inputs are compared as instants.
    assert list(filter_issues(issues, until=datetime(2024, 3, 1)).index) == [0, 1]
    assert list(filter_issues(issues, until=pd.Timestamp("2024-02-29 16:00", tz="UTC")).index) == [0, 1]
    assert len(filter_issues(issues)) == 7

    grid_counts, summary = hotspots(
        issues, as_boundary(j_shape), category="lighting", since=date(2024, 3, 1), until=date(2024, 3, 31)
    )
    assert summary.n_issues + summary.n_outside_grid == 3
    assert summary.filters == {"category": "lighting", "since": "2024-03-01", "until": "2024-03-31"}
    assert (grid_counts["class"] == "ns").all()  # three issues: too few


def test_hotspots_pipeline_finds_the_cluster_in_its_category(j_shape):
    rng = np.random.default_rng(2)
    cluster = as_issues(np.vstack([uniform_xy(100, j_shape, rng), disc_xy(60, SPOT, 25, rng)]))
    noise = as_issues(uniform_xy(300, j_shape, rng), category="noise")
    issues = pd.concat([cluster, noise], ignore_index=True)
    result, summary = hotspots(issues, as_boundary(j_shape), category="lighting", permutations=9999)
    assert summary.n_issues + summary.n_outside_grid == 160
    hottest = result.sort_values("z", ascending=False).iloc[0]
    assert metric(hottest.geometry).contains(shapely.Point(SPOT))
    assert hottest["class"] in {"hot99", "hot95"}


# --------------------------------------------------------------------------
# rates per building and compound
# --------------------------------------------------------------------------
def test_rates_per_100_households():
    def sq(dx, dy, size):
        return shapely.box(X0 + dx, Y0 + dy, X0 + dx + size, Y0 + dy + size)

    compounds = gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": ["甲小区", "乙小区"], "name_en": ["Compound A", "Compound B"]},
        geometry=[sq(0, 0, 100), sq(200, 0, 100)],
        crs=METRIC,
    ).to_crs(4326)
    buildings = gpd.GeoDataFrame(
        {
            "id": ["B1", "B2"],
            "address": ["甲路1号", "乙路2号"],
            "compound": ["C1", "C2"],
            "households": [40, 10],
        },
        geometry=[sq(10, 10, 20), sq(210, 10, 20)],
        crs=METRIC,
    ).to_crs(4326)
    points = [
        (15, 15), (20, 20), (25, 25),  # in B1
        (35, 20),  # lane, 5 m east of B1 -> B1
        (80, 80),  # in C1, 50 m from any building -> C1 only
        (215, 15), (220, 20),  # in B2
        (150, 50),  # between compounds, far from buildings -> nobody
    ]
    issues = as_issues(np.array([(X0 + dx, Y0 + dy) for dx, dy in points], dtype=float))

    per_building, per_compound = rates_by_area(issues, buildings, compounds)
    assert list(per_building.columns) == ["id", "address", "compound", "households", "count", "per_100_households"]
    assert list(per_building["id"]) == ["B1", "B2"]
    assert list(per_building["count"]) == [4, 2]
    assert list(per_building["per_100_households"]) == pytest.approx([10.0, 20.0])
    assert per_building.attrs["unassigned"] == 2

    assert list(per_compound.columns) == [
        "id", "name", "name_en", "households", "buildings", "count", "per_100_households",
    ]
    assert list(per_compound["id"]) == ["C1", "C2"]
    assert list(per_compound["count"]) == [5, 2]
    assert list(per_compound["households"]) == [40, 10]
    assert list(per_compound["per_100_households"]) == pytest.approx([12.5, 20.0])
    assert per_compound.attrs["unassigned"] == 1


def test_rates_without_households_are_missing_not_infinite():
    building = gpd.GeoDataFrame(
        {"id": ["P1"], "address": ["公建"], "compound": ["C1"], "households": [0]},
        geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10)],
        crs=METRIC,
    )
    compound = gpd.GeoDataFrame(
        {"id": ["C1"], "name": ["甲"], "name_en": ["A"]}, geometry=[shapely.box(X0 - 5, Y0 - 5, X0 + 20, Y0 + 20)], crs=METRIC
    )
    per_building, per_compound = rates_by_area(as_issues(np.array([[X0 + 5, Y0 + 5]])), building, compound)
    assert per_building["count"].iloc[0] == 1 and np.isnan(per_building["per_100_households"].iloc[0])
    assert np.isnan(per_compound["per_100_households"].iloc[0])


# --------------------------------------------------------------------------
# before / after
# --------------------------------------------------------------------------
def spread_over(days: int, start: str, n: int, rng) -> pd.DatetimeIndex:
    offsets = np.sort(rng.uniform(0, days * 86400, n))
    return pd.Timestamp(start, tz=TZ) + pd.to_timedelta(offsets, unit="s")


def test_compare_windows_detects_a_drop(j_shape):
    rng = np.random.default_rng(21)
    before = as_issues(disc_xy(60, SPOT, 15, rng), reported_at=spread_over(30, "2024-01-01", 60, rng))
    after = as_issues(disc_xy(12, SPOT, 15, rng), reported_at=spread_over(30, "2024-02-01", 12, rng))
    other = as_issues(disc_xy(40, SPOT, 15, rng), category="noise", reported_at=spread_over(30, "2024-02-01", 40, rng))
    issues = pd.concat([before, after, other], ignore_index=True)

    cells, result = compare_windows(
        issues, as_boundary(j_shape), ("2024-01-01", "2024-01-30"), ("2024-02-01", "2024-03-01"), category="lighting"
    )
    assert list(cells.columns) == ["id", "row", "col", "count_a", "count_b", "change", "change_scaled", "geometry"]
    assert (result.total_a, result.total_b) == (60, 12)
    assert cells["count_a"].sum() == 60 and cells["count_b"].sum() == 12
    np.testing.assert_array_equal(cells["change"], cells["count_b"] - cells["count_a"])
    np.testing.assert_allclose(cells["change_scaled"], cells["count_b"] - cells["count_a"] * 30 / 30)
    assert result.window_a["days"] == 30 and result.window_b["days"] == 30
    assert result.rate_ratio == pytest.approx(0.2)
    low, high = result.rate_ratio_ci95
    assert low < 0.2 < high < 1
    assert result.p_value < 1e-6 and result.significant
    assert "fewer" in result.statement["en"] and "significant" in result.statement["en"]
    assert "少" in result.statement["zh"] and "显著" in result.statement["zh"]
    json.dumps(result.as_dict(), ensure_ascii=False)


def test_compare_windows_scales_by_window_length(j_shape):
    # 20 issues in 10 days, then 60 in 30 days: the same rate, so no evidence of change.
    rng = np.random.default_rng(22)
    a = as_issues(disc_xy(20, SPOT, 15, rng), reported_at=spread_over(10, "2024-01-01", 20, rng))
    b = as_issues(disc_xy(60, SPOT, 15, rng), reported_at=spread_over(30, "2024-02-01", 60, rng))
    cells, result = compare_windows(
        pd.concat([a, b], ignore_index=True), as_boundary(j_shape),
        (date(2024, 1, 1), date(2024, 1, 10)), (date(2024, 2, 1), date(2024, 3, 1)),
    )
    assert (result.total_a, result.total_b) == (20, 60)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.p_value > 0.5 and not result.significant
    assert "cannot show" in result.statement["en"]
    assert cells["change_scaled"].sum() == pytest.approx(60 - 20 * 3)


def test_compare_windows_rejects_overlapping_or_open_windows(j_shape):
    issues = as_issues(np.array([SPOT]))
    with pytest.raises(ValueError, match="overlap"):
        compare_windows(issues, as_boundary(j_shape), ("2024-01-01", "2024-01-31"), ("2024-01-31", "2024-02-28"))
    with pytest.raises(ValueError, match="start and an end"):
        compare_windows(issues, as_boundary(j_shape), (None, "2024-01-31"), ("2024-02-01", "2024-02-28"))

