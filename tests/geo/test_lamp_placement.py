"""geo.lamp_placement: new lamps so that every lane in an area is lit, as few as we can find."""
from __future__ import annotations

import datetime as dt
import json
import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.lamp_placement import plan_lamps
from geo.lighting import lighting_gaps
from tests.conftest import DATA_DIR
from tests.geo.synthetic import METRIC, X0, Y0, at, line
from tests.geo.test_lighting import EVERYWHERE, STRAIGHT, box, lamps, lanes

NO_LAMPS = lamps()


def relit(network, existing, plan, area, **kwargs):
    """The gap report with the proposed lamps added, re-read from their output columns."""
    proposed = plan.lamps[["height", "luminaire", "geometry"]]
    combined = pd.concat([existing.to_crs(4326), proposed], ignore_index=True)
    return lighting_gaps(network, gpd.GeoDataFrame(combined, crs=4326), area, **kwargs)


def test_a_dark_straight_lane_gets_lamps_every_2r():
    plan = plan_lamps(STRAIGHT, NO_LAMPS, EVERYWHERE)
    assert plan.lamps_proposed == 8  # ceil(100 / 14)
    assert plan.lower_bound == 8
    assert plan.naive_count == 8
    assert plan.lit_share_before == 0.0
    assert plan.lit_share_after == 1.0
    assert plan.cost == 8 * 8000
    assert json.loads(json.dumps(plan.summary)) == plan.summary  # plain values only
    assert relit(STRAIGHT, NO_LAMPS, plan, EVERYWHERE).summary["lit_share"] == 1.0


def test_the_proposed_lamps_are_numbered_along_the_lanes_in_wgs84():
    network = lanes(line((0, 0), (58, 0)), line((0, 30), (58, 30)), names=["south", "north"])
    plan = plan_lamps(network, NO_LAMPS, EVERYWHERE, mounting_height=5.0, luminaire="cut-off", unit_cost=9500)
    frame = plan.lamps
    assert frame.crs.to_epsg() == 4326
    assert {"number", "lane", "lon", "lat", "height", "luminaire"} <= set(frame.columns)
    assert frame["number"].tolist() == list(range(1, len(frame) + 1))
    assert frame["lane"].tolist() == ["south"] * 4 + ["north"] * 4  # ceil(58 m / (2 x 7.5 m)) = 4 per lane
    assert frame["at_m"].is_monotonic_increasing is False  # restarts on the second lane
    assert frame.groupby("lane", sort=False)["at_m"].apply(lambda s: s.is_monotonic_increasing).all()
    assert set(frame["height"]) == {5.0} and set(frame["luminaire"]) == {"cut-off"}
    assert frame["lon"].tolist() == pytest.approx(frame.geometry.x.tolist(), abs=1e-7)
    assert plan.summary["lit_radius_m"] == 7.5
    assert plan.cost == 8 * 9500


def test_a_lamp_at_the_junction_of_a_star_lights_every_arm():
    # Arms a little shorter than r = 7: new lamps are planned with 5 cm to spare.
    star = lanes(line((0, 0), (6.9, 0)), line((0, 0), (-6.9, 0)), line((0, 0), (0, 6.9)))
    plan = plan_lamps(star, NO_LAMPS, EVERYWHERE)
    assert plan.lamps_proposed == 1
    assert plan.lower_bound == 1
    assert plan.naive_count == 3  # one per dark stretch
    point = plan.lamps.to_crs(METRIC).geometry.iloc[0]
    assert point.distance(at(0, 0)) < 1e-6


def test_a_fishbone_like_hjl55_is_lit_with_as_few_lamps_as_the_bound():
    # A spine from the street with three pairs of 16.9 m branches, 27 m apart.
    spine = line((0, 0), (0, 6), (0, 33), (0, 60))
    ribs = [line((0, y), (sign * 16.9, y)) for y in (6, 33, 60) for sign in (-1, 1)]
    network = lanes(spine, *ribs)
    plan = plan_lamps(network, NO_LAMPS, EVERYWHERE)
    assert plan.lamps_proposed == plan.lower_bound == 11
    assert plan.naive_count == 17
    assert relit(network, NO_LAMPS, plan, EVERYWHERE).summary["lit_share"] == 1.0


def test_existing_lamps_are_kept_clear_of():
    existing = lamps((20, 0.5), (44, 0.5), (75, 0.5), height=3.0, luminaire="cut-off")  # r = 4.5
    plan = plan_lamps(STRAIGHT, existing, EVERYWHERE)
    new = plan.lamps.to_crs(METRIC).geometry
    old = existing.geometry
    assert plan.summary["min_distance_m"] == 3.5
    assert plan.summary["lamps_near_existing"] == 0
    assert min(p.distance(q) for p in new for q in old) >= 3.5
    wider = plan_lamps(STRAIGHT, existing, EVERYWHERE, min_distance_from_existing_m=6.0)
    assert min(p.distance(q) for p in wider.lamps.to_crs(METRIC).geometry for q in old) >= 6.0
    assert relit(STRAIGHT, existing, wider, EVERYWHERE).summary["lit_share"] == 1.0


def test_a_lamp_goes_nearer_than_the_minimum_distance_only_where_nothing_else_lights_the_dark():
    existing = lamps((0, 0), (17, 3.2), height=3.0, luminaire="cut-off")  # the second, off the lane, lights nothing
    plan = plan_lamps(lanes(line((0, 0), (20, 0))), existing, EVERYWHERE, min_distance_from_existing_m=8.0)
    assert plan.lit_share_after == 1.0
    assert plan.summary["lamps_near_existing"] == 1
    assert plan.lamps_proposed == 2


def test_a_fully_lit_area_needs_nothing():
    existing = lamps(*[(x, 0) for x in (7, 21, 35, 49, 63, 77, 91, 100)])
    plan = plan_lamps(STRAIGHT, existing, EVERYWHERE)
    assert plan.lit_share_before == 1.0
    assert plan.lamps_proposed == plan.lower_bound == plan.naive_count == 0
    assert plan.cost == 0 and plan.households_served == 0
    assert len(plan.lamps) == 0 and len(plan.dark_before) == 0


def test_only_the_area_must_be_lit():
    plan = plan_lamps(STRAIGHT, NO_LAMPS, box(-5, -5, 30, 5))
    assert plan.summary["lane_length_m"] == pytest.approx(30.5)
    assert plan.lamps_proposed == 3  # ceil(30.5 / 14)
    assert relit(STRAIGHT, NO_LAMPS, plan, box(-5, -5, 30, 5)).summary["lit_share"] == 1.0


def test_households_served_are_the_buildings_at_newly_lit_lanes():
    network = lanes(line((0, 0), (100, 0)), line((0, 40), (100, 40)), names=["dark", "lit"])
    existing = lamps(*[(x, 40) for x in (7, 21, 35, 49, 63, 77, 91, 100)])
    buildings = gpd.GeoDataFrame(
        {"id": ["B1", "B2", "B3"], "address": ["甲1号", "甲2号", "乙1号"], "compound": "c", "households": [30, 20, 50]},
        geometry=[
            shapely.box(X0 + 10, Y0 + 2, X0 + 30, Y0 + 11),  # entrance 2 m from the dark lane
            shapely.box(X0 + 50, Y0 - 13, X0 + 70, Y0 - 3),
            shapely.box(X0 + 10, Y0 + 29, X0 + 30, Y0 + 38),  # at the lit lane
        ],
        crs=METRIC,
    )
    plan = plan_lamps(network, existing, EVERYWHERE, buildings=buildings)
    assert plan.households_served == 50
    assert plan.buildings_served["address"].tolist() == ["甲1号", "甲2号"]
    assert plan.buildings_served.crs.to_epsg() == 4326


def test_lighting_issues_near_the_dark_stretches_are_listed():
    issues = gpd.GeoDataFrame(
        {"category": ["lighting", "lighting", "sanitation"]},
        geometry=[at(50, 8), at(50, 30), at(40, 2)],
        crs=METRIC,
    ).to_crs(4326)
    plan = plan_lamps(STRAIGHT, NO_LAMPS, EVERYWHERE, issues=issues)
    assert len(plan.issues) == 1
    assert plan.issues["distance_m"].iloc[0] == pytest.approx(8, abs=1e-6)
    assert plan.issues["lane"].iloc[0] == "lane1"
    assert plan.summary["lighting_issues_near_dark"] == 1


def random_tree(rng: np.random.Generator, n_lanes: int) -> gpd.GeoDataFrame:
    """Lanes of 1-3 segments (4-35 m each), each starting on a vertex of an earlier one."""
    vertices = [(0.0, 0.0)]
    lines = []
    for _ in range(n_lanes):
        x, y = vertices[rng.integers(len(vertices))]
        heading = rng.uniform(0, 2 * math.pi)
        coords = [(x, y)]
        for _ in range(rng.integers(1, 4)):
            heading += rng.uniform(-0.6, 0.6)
            step = rng.uniform(4, 35)
            x, y = x + step * math.cos(heading), y + step * math.sin(heading)
            coords.append((x, y))
        vertices += coords[1:]
        lines.append(line(*coords))
    return lanes(*lines)


def random_lamps(rng: np.random.Generator, network: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    spots = network.geometry.sample_points(n, rng=rng).explode(ignore_index=True)
    jitter = rng.uniform(-1.5, 1.5, (len(spots), 2))
    jitter[: max(1, len(spots) // 10)] *= 8  # some stand too far off to count
    return gpd.GeoDataFrame(
        {
            "height": rng.choice([3.0, 3.5, 4.0, 4.5, 6.0], len(spots)),
            "luminaire": rng.choice(["cut-off", "semi-cut-off", "non-cut-off"], len(spots)),
            "status": rng.choice(["working", "broken"], len(spots), p=[0.9, 0.1]),
        },
        geometry=gpd.points_from_xy(spots.x + jitter[:, 0], spots.y + jitter[:, 1]),
        crs=METRIC,
    )


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    network = random_tree(rng, int(rng.integers(3, 20)))
    existing = random_lamps(rng, network, int(rng.integers(0, 25)))
    hull = shapely.convex_hull(network.union_all())
    around = shapely.buffer(hull, 5) if seed % 2 else shapely.buffer(shapely.centroid(hull), rng.uniform(20, 80))
    height = float(rng.choice([3.0, 3.5, 4.0, 4.5, 6.0]))
    luminaire = ["cut-off", "semi-cut-off", "non-cut-off"][seed % 3]
    return network, existing, gpd.GeoSeries([around], crs=METRIC), height, luminaire


@pytest.mark.parametrize("seed", range(12))
def test_every_plan_lights_the_whole_area_between_the_bounds(seed):
    network, existing, area, height, luminaire = random_case(seed)
    plan = plan_lamps(network, existing, area, mounting_height=height, luminaire=luminaire)

    assert plan.lit_share_after == pytest.approx(1.0, abs=1e-6)
    assert relit(network, existing, plan, area).summary["lit_share"] == pytest.approx(1.0, abs=1e-6)
    assert plan.lower_bound <= plan.lamps_proposed
    if plan.summary["naive_keeps_min_distance"]:
        assert plan.lamps_proposed <= plan.naive_count
    # Only where nothing else can light a piece may a new lamp stand nearer a working one, and it says so.
    working = existing[existing["status"] == "working"].geometry
    nearest = [min((p.distance(q) for q in working), default=np.inf) for p in plan.lamps.to_crs(METRIC).geometry]
    too_near = sum(d < plan.summary["min_distance_m"] - 1e-9 for d in nearest)
    assert too_near == plan.summary["lamps_near_existing"]


@pytest.mark.parametrize("seed", range(12, 20))
def test_without_a_minimum_distance_no_plan_needs_more_lamps_than_fixed_spacing(seed):
    network, existing, area, height, luminaire = random_case(seed)
    plan = plan_lamps(
        network, existing, area, mounting_height=height, luminaire=luminaire, min_distance_from_existing_m=0
    )
    assert plan.lower_bound <= plan.lamps_proposed <= plan.naive_count
    assert relit(network, existing, plan, area).summary["lit_share"] == pytest.approx(1.0, abs=1e-6)


def test_keeping_clear_of_a_lamp_on_a_neighbouring_lane_can_cost_a_lamp():
    # A 14 m dark lane; the lamp of a parallel lane 3 m away stands where fixed spacing would put one.
    network = lanes(line((0, 0), (13.8, 0)), line((0, 3), (14, 3)), names=["dark", "lit"])
    existing = lamps((6.9, 3), height=6.0)
    plan = plan_lamps(network, existing, box(-5, -1, 20, 1))
    assert plan.naive_count == 1
    assert plan.summary["naive_keeps_min_distance"] is False
    assert plan.lamps_proposed == 2
    assert min(plan.lamps.to_crs(METRIC).distance(existing.geometry.iloc[0])) >= 3.5
    squeezed = plan_lamps(network, existing, box(-5, -1, 20, 1), min_distance_from_existing_m=0)
    assert squeezed.lamps_proposed == 1


def test_rounded_output_coordinates_still_light_everything():
    rng = np.random.default_rng(42)
    network = random_tree(rng, 12)
    plan = plan_lamps(network, NO_LAMPS, EVERYWHERE)
    rounded = gpd.GeoDataFrame(
        plan.lamps[["height", "luminaire"]], geometry=gpd.points_from_xy(plan.lamps["lon"], plan.lamps["lat"]), crs=4326
    )
    assert lighting_gaps(network, rounded, EVERYWHERE).summary["lit_share"] == pytest.approx(1.0, abs=1e-6)


# --------------------------------------------------------------------------
# the demo data
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    if not (DATA_DIR / "lanes.shp").exists():
        pytest.skip("no demo data in data/shapefiles")
    from geo.dataset import load_dataset

    return load_dataset(DATA_DIR).layers


BEFORE_THE_WORKS = dt.date(2019, 6, 1)  # 黄家路55弄路灯实事工程 lit 55弄 on 2020-05-28


def test_demo_hjl55_is_lit_end_to_end_for_its_230_households(demo):
    hjl55 = demo["compounds"][demo["compounds"]["id"] == "hjl55"]
    plan = plan_lamps(
        demo["lanes"], demo["streetlights"], hjl55, roads=demo["roads"], buildings=demo["buildings"],
        as_of=BEFORE_THE_WORKS,
    )
    assert plan.lit_share_before == 0.0
    assert plan.lit_share_after == 1.0
    assert plan.lower_bound <= plan.lamps_proposed <= plan.naive_count
    assert plan.lamps_proposed == 11
    assert plan.cost == plan.lamps_proposed * 8000
    assert set(plan.lamps["lane"]) == {"黄家路55弄"}
    assert plan.households_served == 230
    assert sorted(plan.buildings_served["address"]) == [f"黄家路55弄{i}号" for i in range(1, 7)]
    after = relit(demo["lanes"], demo["streetlights"], plan, hjl55, roads=demo["roads"], as_of=BEFORE_THE_WORKS)
    assert after.summary["lit_share"] == 1.0


def test_demo_plan_for_hjl55_before_the_works_is_what_the_works_built(demo):
    hjl55 = demo["compounds"][demo["compounds"]["id"] == "hjl55"]
    plan = plan_lamps(demo["lanes"], demo["streetlights"], hjl55, roads=demo["roads"], as_of=BEFORE_THE_WORKS)
    lamps = demo["streetlights"].to_crs(METRIC)
    works = lamps[pd.to_datetime(lamps["installed"]) == pd.Timestamp("2020-05-28")]
    proposed = plan.lamps.to_crs(METRIC)
    assert len(works) == len(proposed) == 11
    assert max(min(p.distance(q) for q in works.geometry) for p in proposed.geometry) < 0.05


def test_demo_hjl55_today_needs_no_new_lamp(demo):
    hjl55 = demo["compounds"][demo["compounds"]["id"] == "hjl55"]
    plan = plan_lamps(demo["lanes"], demo["streetlights"], hjl55, roads=demo["roads"])
    assert plan.lit_share_before == 1.0 and plan.lamps_proposed == 0


def test_demo_neighbourhood_plan_is_fast_and_complete(demo):
    started = time.perf_counter()
    plan = plan_lamps(
        demo["lanes"], demo["streetlights"], demo["boundary"], roads=demo["roads"], buildings=demo["buildings"]
    )
    assert time.perf_counter() - started < 2.0
    assert plan.lit_share_after == 1.0
    assert plan.lower_bound <= plan.lamps_proposed < plan.naive_count
    assert plan.summary["broken_lamps_on_dark"] >= 1
    assert plan.households_served > 230
