"""An issues table (store.exports.issues_table) written as CSV, GeoJSON or GeoPackage bytes. No Flask here."""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from webmap.api.responses import dumps

BOM = "\ufeff"  # makes Excel read the file as UTF-8, so Chinese shows correctly
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GPKG_LAYER = "issues"


def _cell(value) -> str | float | int:
    """A CSV cell: text with a formula start defused by a leading quote; blanks for missing; times ISO 8601."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


def csv_bytes(table: gpd.GeoDataFrame) -> bytes:
    columns = [c for c in table.columns if c != table.geometry.name]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)  # RFC 4180: CRLF line ends, quotes where needed
    writer.writerow(columns)
    for row in table[columns].itertuples(index=False, name=None):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue().encode("utf-8")


def geojson_bytes(table: gpd.GeoDataFrame) -> bytes:
    features = []
    columns = [c for c in table.columns if c != table.geometry.name]
    for row in table[columns].itertuples(index=False, name=None):
        properties = {}
        for name, value in zip(columns, row):
            if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
                properties[name] = None
            elif isinstance(value, pd.Timestamp):
                properties[name] = value.isoformat()
            else:
                properties[name] = value.item() if hasattr(value, "item") else value
        features.append(
            {
                "type": "Feature",
                "id": properties["id"],
                "geometry": {"type": "Point", "coordinates": [properties["lon"], properties["lat"]]},
                "properties": properties,
            }
        )
    return dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def gpkg_bytes(table: gpd.GeoDataFrame) -> bytes:
    """A GeoPackage with one layer, `issues`, in the table's CRS (EPSG:4326); times in UTC, as GeoPackage wants."""
    table = table.copy()
    for name, dtype in table.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            table[name] = table[name].dt.tz_convert("UTC")
    with tempfile.TemporaryDirectory(prefix="issues-export-") as folder:
        path = Path(folder) / "issues.gpkg"
        table.to_file(path, layer=GPKG_LAYER, driver="GPKG", engine="pyogrio")
        return path.read_bytes()
