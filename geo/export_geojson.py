"""A table as GeoJSON bytes (RFC 7946: EPSG:4326, polygons wound right), feature id = its `id` column, no text
that could read as markup."""
from __future__ import annotations

import json

import geopandas as gpd

from geo.geojson import geojson_features


def geojson_bytes(table: gpd.GeoDataFrame) -> bytes:
    if table.crs is not None and table.crs.to_epsg() != 4326:
        raise ValueError(f"GeoJSON is EPSG:4326 (RFC 7946), not {table.crs.to_string()}")
    text = json.dumps({"type": "FeatureCollection", "features": geojson_features(table)}, ensure_ascii=False,
                      allow_nan=False, separators=(",", ":"))
    # Escaped so that no browser sniffing the file can ever take text in it for markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")
