"""A project's place picked from the base layers: compounds and buildings as areas, lanes as lines.

    site = Site(layers)
    site.unknown("lanes", ["64", "999"])             # ["999"]
    site.pick({"compounds": ["hjl55"]})              # the compound's polygon, EPSG:4326
    site.reaches_beyond(geometry, NEAR_BOUNDARY_M)   # False if inside or near the neighbourhood
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS, METRIC_CRS

AREA_LAYERS = ("compounds", "buildings")
LINE_LAYERS = ("lanes",)
PICKABLE = AREA_LAYERS + LINE_LAYERS
# Projects run to the street's far kerb, or just past the boundary where it follows no street.
NEAR_BOUNDARY_M = 30.0
DISPLAY_GRID = 10.0**-DISPLAY_DECIMALS  # degrees, about 1 cm: the precision the API writes coordinates in


class Site:
    """The neighbourhood's boundary and the features a planner can pick, keyed by their ids as text."""

    def __init__(self, layers: Mapping[str, gpd.GeoDataFrame]):
        self.buildings = layers["buildings"].to_crs(DISPLAY_CRS)  # for geo.project_impact
        self._features = {name: _by_id(layers[name]) for name in PICKABLE}
        self._boundary_m = layers["boundary"].to_crs(METRIC_CRS).union_all()
        self._near_boundary = {}  # metres -> the boundary grown by that much, in the metric CRS

    def unknown(self, layer: str, ids: Iterable[str]) -> list[str]:
        """The ids that name no feature of the layer, in the order given."""
        known = self._features[layer].index
        return [i for i in ids if i not in known]

    def pick(self, picks: Mapping[str, Sequence[str]]) -> BaseGeometry:
        """The union of the picked features (EPSG:4326): areas from compounds and buildings, lines from lanes.

        Lanes are merged into as few lines as they make; areas and lines cannot be picked together.
        """
        layers = [name for name in PICKABLE if picks.get(name)]
        if not layers:
            raise ValueError("nothing picked")
        if set(layers) & set(AREA_LAYERS) and set(layers) & set(LINE_LAYERS):
            raise ValueError("areas (compounds, buildings) and lines (lanes) cannot make one geometry")
        parts = [self._features[name].loc[list(picks[name])].geometry for name in layers]
        union = shapely.union_all([geometry for series in parts for geometry in series])
        if layers[0] in LINE_LAYERS:
            union = shapely.line_merge(union)
        return on_display_grid(union)

    def reaches_beyond(self, geometry: BaseGeometry, metres: float = NEAR_BOUNDARY_M) -> bool:
        """Whether any part of an EPSG:4326 geometry lies more than `metres` outside the boundary."""
        if metres not in self._near_boundary:
            grown = self._boundary_m.buffer(metres)
            shapely.prepare(grown)
            self._near_boundary[metres] = grown
        near = self._near_boundary[metres]
        projected = gpd.GeoSeries([geometry], crs=DISPLAY_CRS).to_crs(METRIC_CRS).iloc[0]
        return not near.covers(projected)


def on_display_grid(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry snapped to the 1 cm grid the API writes (still valid), its numbers written short."""
    snapped = shapely.set_precision(geometry, DISPLAY_GRID)
    return shapely.transform(snapped, lambda xy: np.round(xy, DISPLAY_DECIMALS))


def _by_id(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.to_crs(DISPLAY_CRS)
    return gdf.set_index(gdf["id"].astype(str), drop=False)
