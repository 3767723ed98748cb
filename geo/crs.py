"""Coordinate reference systems: what we store and show in, what we measure in."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

DISPLAY_CRS = "EPSG:4326"
# CGCS2000 / 3-degree Gauss-Kruger CM 120E: the shipped data's CRS, in metres.
METRIC_CRS = "EPSG:4549"


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(DISPLAY_CRS)


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(METRIC_CRS)


def area_m2(gdf: gpd.GeoDataFrame) -> float:
    return float(to_metric(gdf).area.sum())


def length_m(gdf: gpd.GeoDataFrame) -> float:
    return float(to_metric(gdf).length.sum())


DISPLAY_DECIMALS = 7  # 1e-7 degree is about 1 cm here


def rounded(gdf: gpd.GeoDataFrame, decimals: int = DISPLAY_DECIMALS) -> gpd.GeoDataFrame:
    """A copy with coordinates rounded for output: smaller pages, no false precision."""
    out = gdf.copy()
    out.geometry = shapely.transform(out.geometry.values, lambda xy: np.round(xy, decimals))
    return out
METRIC_DECIMALS = 3  # millimetres: the shapefiles and the metric exports
PUBLISHED_DECIMALS = {DISPLAY_CRS: DISPLAY_DECIMALS, METRIC_CRS: METRIC_DECIMALS}
