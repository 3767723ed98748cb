"""Where a reported point lies: inside the neighbourhood? in or near which building, which compound?"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
from shapely.geometry import Point

from geo.crs import DISPLAY_CRS, METRIC_CRS

# A report made in the lane outside a door belongs to that building.
NEAREST_BUILDING_M = 10.0


@dataclass(frozen=True)
class Location:
    inside_boundary: bool
    distance_to_boundary_m: float  # 0 inside
    building_id: str | None = None
    compound_id: str | None = None
    address: str | None = None
    distance_to_building_m: float | None = None  # 0 inside the footprint


class Locator:
    """Spatial joins of single points against the base layers, in metres."""

    def __init__(self, boundary: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, compounds: gpd.GeoDataFrame):
        self._boundary = boundary.to_crs(METRIC_CRS).union_all()
        self._buildings = buildings.to_crs(METRIC_CRS).reset_index(drop=True)
        self._compounds = compounds.to_crs(METRIC_CRS).reset_index(drop=True)

    def locate(self, lon: float, lat: float) -> Location:
        point = gpd.GeoSeries([Point(lon, lat)], crs=DISPLAY_CRS).to_crs(METRIC_CRS).iloc[0]
        distance = float(self._boundary.distance(point))
        building, building_distance = self._nearest_building(point)
        compound_id = self._compound_of(point)
        if building is not None and compound_id is None:
            compound_id = str(building["compound"])
        return Location(
            inside_boundary=distance == 0.0,
            distance_to_boundary_m=distance,
            building_id=None if building is None else str(building["id"]),
            compound_id=compound_id,
            address=None if building is None else str(building["address"]),
            distance_to_building_m=building_distance,
        )

    def _nearest_building(self, point):
        hits = self._buildings.sindex.query(point.buffer(NEAREST_BUILDING_M), predicate="intersects")
        if len(hits) == 0:
            return None, None
        candidates = self._buildings.iloc[hits]
        distances = candidates.distance(point)
        best = distances.idxmin()
        return self._buildings.loc[best], float(distances[best])

    def _compound_of(self, point) -> str | None:
        hits = self._compounds.sindex.query(point, predicate="within")
        return str(self._compounds.iloc[hits[0]]["id"]) if len(hits) else None
