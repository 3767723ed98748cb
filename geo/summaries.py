"""Derived figures shown beside the base layers: sizes, lengths, households."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.crs import to_metric


def areas_m2(gdf: gpd.GeoDataFrame) -> pd.Series:
    return to_metric(gdf).area


def lengths_m(gdf: gpd.GeoDataFrame) -> pd.Series:
    return to_metric(gdf).length


def compound_totals(buildings: gpd.GeoDataFrame) -> pd.DataFrame:
    """Buildings and households per compound id."""
    return buildings.groupby("compound").agg(
        buildings=("id", "size"), households=("households", "sum")
    )
