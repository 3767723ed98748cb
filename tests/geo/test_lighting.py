"""geo.lighting: what the lamps light along the lane network, and the dark gaps (hand-made networks, then the demo data)."""
from __future__ import annotations

import datetime as dt
import json
import time

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.lighting import SPACING_FACTORS, lighting_gaps, lit_radius
from tests.conftest import DATA_DIR
from tests.geo.synthetic import METRIC, X0, Y0, at, line


def lanes(*lines: shapely.LineString, names=None) -> gpd.GeoDataFrame:
    names = names or [f"lane{i + 1}" for i in range(len(lines))]
    return gpd.GeoDataFrame({"id": range(1, len(lines) + 1), "name": names}, geometry=list(lines), crs=METRIC)


def lamps(*points, height=4.0, luminaire="semi-cut-off", status="working") -> gpd.GeoDataFrame:
    n = len(points)
    as_list = lambda v: v if isinstance(v, list) else [v] * n  # noqa: E731
    return gpd.GeoDataFrame(
        {
            "id": [f"L{i + 1}" for i in range(n)],
            "height": as_list(height),
            "luminaire": as_list(luminaire),
            "status": as_list(status),
        },
        geometry=[at(*p) for p in points],
        crs=METRIC,
    )


def box(x0, y0, x1, y1) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)], crs=METRIC)


EVERYWHERE = box(-500, -500, 500, 500)
STRAIGHT = lanes(line((0, 0), (100, 0)))


def spans(frame: gpd.GeoDataFrame) -> list[tuple[str, float, float]]:
    return sorted((r.lane, round(r.from_m, 6), round(r.to_m, 6)) for r in frame.itertuples())


def test_the_lit_radius_is_half_the_cjj_spacing():
    assert SPACING_FACTORS == {"cut-off": 3.0, "semi-cut-off": 3.5, "non-cut-off": 4.0}
    assert lit_radius(4.0, "semi-cut-off") == 7.0
    assert lit_radius(4.0, "cut-off") == 6.0
    assert lit_radius(4.0, "non-cut-off") == 8.0
    assert lit_radius(4.0, "cut-off", {"cut-off": 5.0}) == 10.0
    with pytest.raises(ValueError, match="sodium"):
        lit_radius(4.0, "sodium")


def test_one_lamp_in_the_middle_of_a_straight_lane_lights_2r_and_leaves_both_ends_dark():
    report = lighting_gaps(STRAIGHT, lamps((50, 1)), EVERYWHERE)
    assert spans(report.lit) == [("lane1", 43, 57)]
    assert spans(report.dark) == [("lane1", 0, 43), ("lane1", 57, 100)]
    assert report.dark["length_m"].tolist() == pytest.approx([43, 43], abs=1e-9)
    summary = report.summary
    assert summary["lit_radius_m"] == 7.0
    assert summary["lane_length_m"] == pytest.approx(100)
    assert summary["lit_length_m"] == pytest.approx(14)
    assert summary["dark_length_m"] == pytest.approx(86)
    assert summary["lit_share"] == pytest.approx(0.14)
    assert summary["dark_stretches"] == 2
    assert summary["lamps_lighting"] == 1
    assert json.loads(json.dumps(summary)) == summary  # plain values only


def test_outputs_are_in_wgs84_with_the_lane_attributes():
    report = lighting_gaps(STRAIGHT, lamps((50, 1)), EVERYWHERE)
    for frame in (report.lit, report.dark, report.lamps):
        assert frame.crs.to_epsg() == 4326
    assert {"layer", "lane_id", "lane", "compound", "from_m", "to_m", "length_m"} <= set(report.dark.columns)
    assert set(report.dark.geom_type) == {"LineString"}
    assert report.dark.to_crs(METRIC).length.tolist() == pytest.approx([43, 43], abs=1e-6)
    assert report.lamps[["lit_radius_m", "snap_m", "role"]].iloc[0].tolist() == [7.0, pytest.approx(1.0), "lighting"]


def test_light_turns_the_corner_at_a_junction_along_the_network():
    network = lanes(line((0, 0), (50, 0), (100, 0)), line((50, 0), (50, 40)), names=["main", "branch"])
    report = lighting_gaps(network, lamps((45, 0)), EVERYWHERE)
    # 7 m each way along the main lane, and the 2 m left after the 5 m to the junction up the branch.
    assert spans(report.lit) == [("branch", 0, 2), ("main", 38, 52)]
    assert report.summary["lit_length_m"] == pytest.approx(16)


def test_light_does_not_jump_to_a_lane_that_is_near_in_a_straight_line_but_far_along_the_network():
    # A U: two parallel lanes 5 m apart, joined 60 m away.
    network = lanes(line((0, 0), (60, 0), (60, 5), (0, 5)))
    report = lighting_gaps(network, lamps((2, 0)), EVERYWHERE)
    assert spans(report.lit) == [("lane1", 0, 9)]


def test_light_around_a_loop_meets_itself():
    square = lanes(line((0, 0), (10, 0), (10, 10), (0, 10), (0, 0)))
    report = lighting_gaps(square, lamps((5, 0), height=8.0), EVERYWHERE)  # r = 14 of a 40 m loop
    assert report.summary["lit_length_m"] == pytest.approx(28)
    spread = lighting_gaps(square, lamps((5, 0), height=12.0), EVERYWHERE)  # r = 21: all of it
    assert spread.summary["lit_share"] == 1.0
    assert len(spread.dark) == 0


def test_light_stops_at_a_dead_end():
    report = lighting_gaps(STRAIGHT, lamps((3, 0)), EVERYWHERE)
    assert spans(report.lit) == [("lane1", 0, 10)]


def test_a_broken_lamp_lights_nothing():
    report = lighting_gaps(STRAIGHT, lamps((50, 0), status="broken"), EVERYWHERE)
    assert report.summary["lit_share"] == 0.0
    assert report.summary["lamps_broken"] == 1
    assert report.summary["lamps_lighting"] == 0
    assert report.lamps["role"].tolist() == ["broken"]


def test_a_lamp_just_outside_the_area_lights_the_lane_inside():
    report = lighting_gaps(STRAIGHT, lamps((53, 0)), box(-5, -5, 50, 5))
    assert report.summary["lane_length_m"] == pytest.approx(50.5)  # the area's edge is widened by 0.5 m
    assert spans(report.lit) == [("lane1", 46, 50.5)]
    assert spans(report.dark) == [("lane1", 0, 46)]


def test_a_lamp_ten_metres_off_the_network_is_ignored_and_reported():
    report = lighting_gaps(STRAIGHT, lamps((20, 10), (80, 2.9)), EVERYWHERE)
    assert report.summary["lamps_ignored"] == 1
    assert report.summary["lamps_lighting"] == 1
    assert report.lamps.set_index("id")["role"].to_dict() == {"L1": "off-network", "L2": "lighting"}
    assert report.lamps.set_index("id")["snap_m"]["L1"] == pytest.approx(10)
    assert spans(report.lit) == [("lane1", 73, 87)]


def test_the_luminaire_sets_the_spacing_factor():
    cut_off = lighting_gaps(STRAIGHT, lamps((50, 0), luminaire="cut-off"), EVERYWHERE)
    non_cut_off = lighting_gaps(STRAIGHT, lamps((50, 0), luminaire="non-cut-off"), EVERYWHERE)
    assert cut_off.summary["lit_length_m"] == pytest.approx(12)  # S = 3H = 12
    assert non_cut_off.summary["lit_length_m"] == pytest.approx(16)  # S = 4H = 16
    assert cut_off.lamps["lit_radius_m"].tolist() == [6.0]
    custom = lighting_gaps(STRAIGHT, lamps((50, 0), luminaire="cut-off"), EVERYWHERE, factors={"cut-off": 5.0})
    assert custom.summary["lit_length_m"] == pytest.approx(20)
    with pytest.raises(ValueError, match="sodium"):
        lighting_gaps(STRAIGHT, lamps((50, 0), luminaire="sodium"), EVERYWHERE)


def test_each_lamp_uses_its_own_height_and_overlaps_count_once():
    report = lighting_gaps(STRAIGHT, lamps((20, 0), (28, 0), (70, 0), height=[3.0, 4.0, 6.0]), EVERYWHERE)
    # r = 5.25, 7, 10.5: [14.75, 35] and [59.5, 80.5]
    assert spans(report.lit) == [("lane1", 14.75, 35), ("lane1", 59.5, 80.5)]


def test_street_lamps_light_the_lane_mouths_when_roads_are_given():
    network = lanes(line((0, 0), (0, 30)))
    road = gpd.GeoDataFrame({"id": [1], "name": ["黄家路"]}, geometry=[line((-50, 0), (0, 0), (50, 0))], crs=METRIC)
    street_lamp = lamps((4, -1.2), height=6.0, luminaire="cut-off")  # r = 9, 4 m along the street from the mouth
    without = lighting_gaps(network, street_lamp, EVERYWHERE)
    with_roads = lighting_gaps(network, street_lamp, EVERYWHERE, roads=road)
    assert without.summary["lamps_ignored"] == 1
    assert without.summary["lit_share"] == 0.0
    assert spans(with_roads.lit) == [("lane1", 0, 5)]
    measured = lighting_gaps(network, street_lamp, EVERYWHERE, roads=road, include_roads=True)
    assert measured.summary["lane_length_m"] == pytest.approx(130)
    assert measured.summary["lit_length_m"] == pytest.approx(18 + 5)
    assert set(measured.dark["layer"]) == {"lanes", "roads"}


def test_an_area_with_no_lanes_has_no_lit_share():
    report = lighting_gaps(STRAIGHT, lamps((50, 0)), box(200, 200, 300, 300))
    assert report.summary["lane_length_m"] == 0
    assert report.summary["lit_share"] is None


def test_an_area_can_be_a_bare_polygon_in_wgs84_but_not_in_metres():
    polygon = EVERYWHERE.to_crs(4326).iloc[0]
    assert lighting_gaps(STRAIGHT, lamps((50, 0)), polygon).summary["lit_share"] == pytest.approx(0.14)
    with pytest.raises(ValueError, match="EPSG:4326"):
        lighting_gaps(STRAIGHT, lamps((50, 0)), EVERYWHERE.iloc[0])


# --------------------------------------------------------------------------
# the demo data
# --------------------------------------------------------------------------
INVENTORY_STREETS = ("巡道街", "乔家路", "黄家路", "永泰街", "金坛路")  # 中华路 and 复兴东路 are lit by the city


@pytest.fixture(scope="module")
def demo():
    if not (DATA_DIR / "lanes.shp").exists():
        pytest.skip("no demo data in data/shapefiles")
    from geo.dataset import load_dataset

    return load_dataset(DATA_DIR).layers


BEFORE_THE_WORKS = dt.date(2019, 6, 1)  # 黄家路55弄路灯实事工程 lit 55弄 on 2020-05-28


def test_demo_hjl55_had_no_light_at_all_before_the_works(demo):
    hjl55 = demo["compounds"][demo["compounds"]["id"] == "hjl55"]
    report = lighting_gaps(demo["lanes"], demo["streetlights"], hjl55, roads=demo["roads"], as_of=BEFORE_THE_WORKS)
    assert report.summary["lit_share"] == 0.0
    assert report.summary["lane_length_m"] == pytest.approx(161.8, abs=0.5)
    assert set(report.dark["lane"]) == {"黄家路55弄"}
    assert set(report.dark["lane_id"]) == {64, 65, 66, 67, 68, 69, 70}
    assert report.summary["lamps_lighting"] == 229  # the 234 before the works, less 5 broken


def test_demo_hjl55_is_lit_since_the_works_day(demo):
    hjl55 = demo["compounds"][demo["compounds"]["id"] == "hjl55"]

    def share(day):
        return lighting_gaps(demo["lanes"], demo["streetlights"], hjl55, roads=demo["roads"], as_of=day).lit_share

    assert share(dt.date(2020, 5, 27)) == 0.0
    assert share(dt.date(2020, 5, 28)) == pytest.approx(1.0)
    assert share(None) == pytest.approx(1.0)  # today


def test_only_lamps_standing_on_the_day_light():
    dated = lamps((20, 1), (50, 1), (80, 1))
    dated["installed"] = pd.to_datetime(["2010-01-01", "2020-05-28", None])
    dated["removed"] = pd.to_datetime([None, None, "2021-01-01"])

    def standing(day):
        return lighting_gaps(STRAIGHT, dated, EVERYWHERE, as_of=day).summary["lamps_lighting"]

    assert standing(dt.date(2009, 12, 31)) == 1  # only the undated one, before its removal
    assert standing(dt.date(2020, 5, 27)) == 2
    assert standing(dt.date(2020, 5, 28)) == 3  # installed that day
    assert standing(dt.date(2021, 1, 1)) == 2  # removed that day


def test_demo_neighbourhood_is_mostly_lit_and_the_deliberate_dark_stretches_show(demo):
    streets = demo["roads"][demo["roads"]["name"].isin(INVENTORY_STREETS)]
    started = time.perf_counter()
    report = lighting_gaps(demo["lanes"], demo["streetlights"], demo["boundary"], roads=streets, include_roads=True)
    assert time.perf_counter() - started < 1.0
    summary = report.summary
    assert 0.7 < summary["lit_share"] < 0.99
    assert summary["lamps_ignored"] == 0
    assert summary["lamps_broken"] == 5
    dark = report.dark

    def longest(layer, name, compound=None):
        rows = dark[(dark["layer"] == layer) & (dark["lane"] == name)]
        if compound:
            rows = rows[rows["compound"] == compound]
        return rows.sort_values("length_m").iloc[-1]

    assert longest("roads", "乔家路").length_m > 30
    assert longest("roads", "永泰街").length_m > 30
    # 黄家小区's northern lanes (the two halves of its top row) are dark in the middle.
    huangjia = demo["lanes"].to_crs(METRIC)
    huangjia = huangjia[huangjia["compound"] == "huangjia"]
    y = huangjia.geometry.centroid.y
    northern = set(huangjia.loc[y > y.max() - 5, "id"])
    middle = dark[dark["lane_id"].isin(northern) & (dark["layer"] == "lanes") & (dark["from_m"] > 10)]
    assert middle["length_m"].max() > 25
    assert dark["length_m"].iloc[:2].tolist() == sorted(dark["length_m"].iloc[:2], reverse=True)
    # hjl55's lanes are lit since the 2020 works, but for the 3.5 m of its main lane's mouth across 黄家路's pavement.
    assert dark.loc[dark["compound"] == "hjl55", "length_m"].sum() < 4


def test_demo_lanes_alone_with_light_from_all_streets(demo):
    report = lighting_gaps(demo["lanes"], demo["streetlights"], demo["boundary"], roads=demo["roads"])
    summary = report.summary
    assert summary["lane_length_m"] == pytest.approx(3029.5, abs=1)
    assert summary["lamps_lighting"] == 240  # 229 older working lamps and the works' 11 in 55弄
    # Low lamps (3-3.5 m) stand about 14 m apart, more than CJJ 45-2015 allows them: short gaps in between.
    assert 0.6 < summary["lit_share"] < 0.7
    assert pd.Series(report.dark["length_m"]).median() < 5
