"""geo.locate: which building and compound a point belongs to, and whether it is inside."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.locate import Locator
from tests.geo.synthetic import at, layers


@pytest.fixture(scope="module")
def locator():
    base = layers()
    return Locator(base["boundary"], base["buildings"], base["compounds"])


def lonlat(point: Point) -> tuple[float, float]:
    p = gpd.GeoSeries([point], crs=METRIC_CRS).to_crs(DISPLAY_CRS).iloc[0]
    return p.x, p.y


def test_point_in_a_building_takes_its_address_and_compound(locator):
    building = layers()["buildings"].iloc[0]
    location = locator.locate(*lonlat(building.geometry.centroid))
    assert location.inside_boundary
    assert location.building_id == building["id"]
    assert location.address == building["address"]
    assert location.compound_id == building["compound"]
    assert location.distance_to_building_m == 0


def test_point_in_the_lane_takes_the_nearest_building_within_10_m(locator):
    building = layers()["buildings"].iloc[0]
    minx, miny, maxx, maxy = building.geometry.bounds
    location = locator.locate(*lonlat(Point(maxx + 4, (miny + maxy) / 2)))
    assert location.building_id == building["id"]
    assert 3.9 < location.distance_to_building_m < 4.1


def test_point_far_outside_is_flagged_with_its_distance(locator):
    boundary = layers()["boundary"].geometry.iloc[0]
    minx, miny, maxx, maxy = boundary.bounds
    location = locator.locate(*lonlat(Point(maxx + 100, (miny + maxy) / 2)))
    assert not location.inside_boundary
    assert 99 < location.distance_to_boundary_m < 101
    assert location.building_id is None and location.compound_id is None
