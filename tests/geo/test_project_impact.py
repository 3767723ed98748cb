"""geo.project_impact and geo.picking on small hand-made geometries, in metres (EPSG:4549)."""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.picking import Site
from geo.project_impact import (
    affected_buildings,
    conflicts,
    households_affected,
    issues_inside,
    periods_overlap,
    project_periods,
)

X, Y = 641_000.0, 3_461_000.0  # about the neighbourhood, in the metric CRS


def at(dx: float, dy: float) -> Point:
    return Point(X + dx, Y + dy)


def square(dx: float, dy: float, size: float = 10.0) -> Polygon:
    return box(X + dx, Y + dy, X + dx + size, Y + dy + size)


@pytest.fixture()
def buildings() -> gpd.GeoDataFrame:
    """Four 10 m squares in a row along y = 0…10, with 5 m gaps: A at x 0, B at 15, C at 30, D at 45."""
    return gpd.GeoDataFrame(
        {"id": ["A", "B", "C", "D"], "households": [10, 20, 30, 40]},
        geometry=[square(0, 0), square(15, 0), square(30, 0), square(45, 0)],
        crs=METRIC_CRS,
    )


def projects(**geometries) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geometries.values()), index=list(geometries), crs=METRIC_CRS)


def affected(frame, buildings) -> dict[str, list[str]]:
    rows = affected_buildings(frame, buildings)
    return {project: list(group["id"]) for project, group in rows.groupby("project", sort=False)}


def test_an_area_affects_the_buildings_it_overlaps_not_those_it_only_touches(buildings):
    frame = projects(overlaps=box(X + 5, Y + 2, X + 20, Y + 8), touches=box(X + 25, Y, X + 30, Y + 10))
    assert affected(frame, buildings) == {"overlaps": ["A", "B"]}


def test_a_line_affects_the_buildings_within_5_m(buildings):
    frame = projects(
        lane=LineString([(X, Y - 4.9), (X + 20, Y - 4.9)]),  # 4.9 m south of A and B
        far=LineString([(X + 30, Y - 5.1), (X + 55, Y - 5.1)]),  # 5.1 m south of C and D
    )
    assert affected(frame, buildings) == {"lane": ["A", "B"]}


def test_a_point_affects_the_building_it_stands_in_or_else_the_nearest_within_5_m(buildings):
    frame = projects(
        inside=at(32, 5),  # in C
        between=at(12, 5),  # 2 m from A, 3 m from B
        nowhere=at(20, 20),  # 10 m from B
    )
    assert affected(frame, buildings) == {"inside": ["C"], "between": ["A"]}


def test_each_point_of_a_multipoint_counts_and_a_building_counts_once(buildings):
    frame = projects(points=MultiPoint([at(2, 2), at(8, 8), at(47, 2)]))
    assert affected(frame, buildings) == {"points": ["A", "D"]}
    assert households_affected(frame, buildings).to_dict() == {"points": 50}


def test_households_are_summed_per_project_and_zero_where_none(buildings):
    frame = projects(two=box(X + 5, Y + 2, X + 20, Y + 8), none=at(100, 100), all=box(X - 1, Y - 1, X + 60, Y + 11))
    assert households_affected(frame, buildings).to_dict() == {"two": 30, "none": 0, "all": 100}


def test_the_answer_carries_the_buildings_columns_in_their_crs(buildings):
    frame = projects(one=at(2, 2)).to_crs(DISPLAY_CRS)
    rows = affected_buildings(frame, buildings.to_crs(DISPLAY_CRS))
    assert list(rows.columns) == ["project", "id", "households", "geometry"]
    assert rows.crs == buildings.to_crs(DISPLAY_CRS).crs and rows["id"].tolist() == ["A"]


def test_issues_inside_are_the_points_within_5_m_of_the_geometry():
    issues = gpd.GeoDataFrame(
        {"title": ["in", "edge", "4.9 m out", "5.1 m out"]},
        geometry=[at(5, 5), at(10, 5), at(14.9, 5), at(15.1, 5)],
        index=["i1", "i2", "i3", "i4"],
        crs=METRIC_CRS,
    )
    rows = issues_inside(projects(area=square(0, 0), lane=LineString([(X + 5, Y + 30), (X + 5, Y + 40)])), issues)
    assert rows.index.tolist() == ["i1", "i2", "i3"]
    assert set(rows["project"]) == {"area"}


def with_dates(geometries: dict, planned: dict, actual: dict | None = None) -> gpd.GeoDataFrame:
    frame = projects(**geometries)
    frame["planned_start"] = [planned.get(n, (None, None))[0] for n in frame.index]
    frame["planned_end"] = [planned.get(n, (None, None))[1] for n in frame.index]
    if actual:
        frame["actual_start"] = [actual.get(n, (None, None))[0] for n in frame.index]
        frame["actual_end"] = [actual.get(n, (None, None))[1] for n in frame.index]
    return frame


SPRING_2020 = (date(2020, 3, 1), date(2020, 5, 31))
SUMMER_2020 = (date(2020, 6, 1), date(2020, 8, 31))
ALL_2020 = (date(2020, 1, 1), date(2020, 12, 31))


def conflicting(frame: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    rows = conflicts(frame, frame)
    return {(project, other) for project, other in zip(rows["project"], rows.index)}


def test_projects_conflict_when_they_meet_in_space_and_in_time():
    frame = with_dates(
        {"home": square(0, 0), "lights": LineString([(X + 5, Y - 5), (X + 5, Y + 5)]), "park": square(100, 0)},
        {"home": ALL_2020, "lights": SPRING_2020, "park": SPRING_2020},
    )
    assert conflicting(frame) == {("home", "lights"), ("lights", "home")}


def test_meeting_in_space_only_or_in_time_only_is_no_conflict():
    frame = with_dates(
        {"spring": square(0, 0), "summer": square(5, 5), "far": square(50, 0)},
        {"spring": SPRING_2020, "summer": SUMMER_2020, "far": SPRING_2020},
    )
    assert conflicting(frame) == set()


def test_within_2_m_is_close_enough_and_2_5_m_is_not():
    frame = with_dates(
        {"a": square(0, 0), "b": square(11.9, 0), "c": square(-12.5, 0)},
        {"a": ALL_2020, "b": ALL_2020, "c": ALL_2020},
    )
    assert conflicting(frame) == {("a", "b"), ("b", "a")}


def test_a_project_without_dates_conflicts_with_nothing():
    frame = with_dates({"undated": square(0, 0), "dated": square(0, 0)}, {"dated": ALL_2020})
    assert conflicting(frame) == set()


def test_the_actual_period_counts_as_well_as_the_planned_one():
    frame = with_dates(
        {"late": square(0, 0), "summer": square(0, 0)},
        {"late": SPRING_2020, "summer": SUMMER_2020},
        actual={"late": (date(2020, 4, 1), date(2020, 7, 15))},
    )
    assert conflicting(frame) == {("late", "summer"), ("summer", "late")}


def test_periods_with_one_known_end_last_that_day():
    assert project_periods({"planned_start": date(2020, 3, 1)}) == [(date(2020, 3, 1), date(2020, 3, 1))]
    assert project_periods({"actual_end": pd.Timestamp("2020-05-28")}) == [(date(2020, 5, 28), date(2020, 5, 28))]
    assert project_periods({"planned_start": None, "planned_end": pd.NaT}) == []
    assert periods_overlap([SPRING_2020], [(date(2020, 5, 31), date(2020, 5, 31))])
    assert not periods_overlap([SPRING_2020], [SUMMER_2020])
    assert not periods_overlap([], [SPRING_2020])


# --- geo.picking ------------------------------------------------------------------------------


@pytest.fixture()
def site(buildings) -> Site:
    layers = {
        "boundary": gpd.GeoDataFrame({"id": [1]}, geometry=[box(X - 20, Y - 20, X + 80, Y + 40)], crs=METRIC_CRS),
        "compounds": gpd.GeoDataFrame(
            {"id": ["west", "east"]}, geometry=[box(X - 2, Y - 2, X + 27, Y + 12), box(X + 28, Y - 2, X + 57, Y + 12)],
            crs=METRIC_CRS,
        ),
        "buildings": buildings,
        "lanes": gpd.GeoDataFrame(
            {"id": [1, 2, 3]},
            geometry=[
                LineString([(X, Y - 5), (X + 30, Y - 5)]),
                LineString([(X + 30, Y - 5), (X + 60, Y - 5)]),
                LineString([(X + 30, Y - 5), (X + 30, Y - 15)]),
            ],
            crs=METRIC_CRS,
        ),
    }
    return Site(layers)


def test_unknown_ids_are_named_in_the_order_given(site):
    assert site.unknown("compounds", ["nowhere", "west", "x"]) == ["nowhere", "x"]
    assert site.unknown("lanes", ["1", "9"]) == ["9"]  # lane ids are numbers, picked as text


def test_picked_areas_are_unioned_in_wgs84(site):
    both = gpd.GeoSeries([site.pick({"compounds": ["west"], "buildings": ["C"]})], crs=DISPLAY_CRS).to_crs(METRIC_CRS)
    assert both.iloc[0].geom_type == "MultiPolygon"
    assert both.area.iloc[0] == pytest.approx(29 * 14 + 100, abs=0.5)  # on the 1 cm grid
    inside = gpd.GeoSeries([site.pick({"buildings": ["A", "B"], "compounds": ["west"]})], crs=DISPLAY_CRS)
    assert inside.iloc[0].geom_type == "Polygon"  # the buildings lie in the compound


def test_picked_lanes_are_merged_into_as_few_lines_as_they_make(site):
    straight = site.pick({"lanes": ["1", "2"]})
    assert straight.geom_type == "LineString"
    branching = site.pick({"lanes": ["1", "2", "3"]})
    assert branching.geom_type == "MultiLineString" and len(branching.geoms) == 3


def test_areas_and_lanes_cannot_be_picked_together(site):
    with pytest.raises(ValueError):
        site.pick({"compounds": ["west"], "lanes": ["1"]})


def test_reaching_beyond_the_boundary(site):
    def wgs84(geometry):
        return gpd.GeoSeries([geometry], crs=METRIC_CRS).to_crs(DISPLAY_CRS).iloc[0]

    assert not site.reaches_beyond(wgs84(square(0, 0)), 30)
    assert not site.reaches_beyond(wgs84(LineString([(X, Y), (X + 105, Y)])), 30)  # 25 m past the east edge
    assert site.reaches_beyond(wgs84(LineString([(X, Y), (X + 115, Y)])), 30)  # 35 m past it
