"""A table as a GeoPackage with one layer, in the table's CRS; times in UTC, as GeoPackage wants; dates as DATE."""
from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio.raw
import shapely

from geo.ogr_fields import crs_text, geometry_type, ogr_fields


def gpkg_bytes(table: gpd.GeoDataFrame, layer: str, *, geometry: str | None = None) -> bytes:
    """`geometry` is the layer's type when the table is empty ("Point", …); otherwise it follows the features."""
    geoms = table.geometry.to_numpy()
    kind, promote = geometry_type(geoms, geometry)
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio.raw.write(
            str(path),
            shapely.to_wkb(geoms),
            **ogr_fields(table, table.geometry.name).write_options(),
            layer=layer,
            driver="GPKG",
            geometry_type=kind,
            crs=crs_text(table.crs),
            promote_to_multi=promote,
        )
        return path.read_bytes()
