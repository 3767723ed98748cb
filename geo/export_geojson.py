"""A table as GeoJSON bytes (RFC 7946: EPSG:4326), feature id = its `id` column, no text that could read as markup."""
from __future__ import annotations

import json

import geopandas as gpd
import shapely

from geo.export_values import plain


def geojson_bytes(table: gpd.GeoDataFrame) -> bytes:
    if table.crs is not None and table.crs.to_epsg() != 4326:
        raise ValueError(f"GeoJSON is EPSG:4326 (RFC 7946), not {table.crs.to_string()}")
    geometry = table.geometry.name
    columns = [c for c in table.columns if c != geometry]
    features = []
    for row, geom in zip(table[columns].itertuples(index=False, name=None), table.geometry.to_numpy()):
        properties = {name: plain(value) for name, value in zip(columns, row)}
        feature = {"type": "Feature"}
        if "id" in properties:
            feature["id"] = properties["id"]
        feature["geometry"] = None if geom is None or geom.is_empty else json.loads(shapely.to_geojson(geom))
        feature["properties"] = properties
        features.append(feature)
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
    # Escaped so that no browser sniffing the file can ever take text in it for markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")
