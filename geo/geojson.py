"""GeoJSON as RFC 7946 wants it, made in one place: polygons wound right (§3.1.6), features with their id.

Every GeoJSON geometry the service publishes goes through geometry_json: exterior
rings counter-clockwise, holes clockwise, no vertex twice in a row. Coordinates are
rounded by the caller (geo.crs.rounded) before, as orienting never moves a vertex.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.export_values import plain


def oriented(geom: BaseGeometry) -> BaseGeometry:
    """Exterior rings counter-clockwise, holes clockwise, without a vertex repeated (as rounding can leave
    one); other geometries as they are."""
    return shapely.orient_polygons(shapely.remove_repeated_points(geom, 0.0), exterior_cw=False)


def geometry_json(geom: BaseGeometry | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A shapely geometry, or a GeoJSON geometry object, as an RFC 7946 geometry object (None if empty)."""
    if geom is None:
        return None
    if isinstance(geom, Mapping):
        geom = shapely.geometry.shape(geom)
    if geom.is_empty:
        return None
    return json.loads(shapely.to_geojson(oriented(geom)))


def geojson_features(table: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Each row as a Feature: its columns but the geometry as properties (plain values), id = its `id` column."""
    geometry = table.geometry.name
    columns = [c for c in table.columns if c != geometry]
    features = []
    for row, geom in zip(table[columns].itertuples(index=False, name=None), table.geometry.to_numpy()):
        properties = {name: plain(value) for name, value in zip(columns, row)}
        feature: dict[str, Any] = {"type": "Feature"}
        if "id" in properties:
            feature["id"] = properties["id"]
        feature["geometry"] = geometry_json(geom)
        feature["properties"] = properties
        features.append(feature)
    return features
