"""A table as a GeoPackage with one layer, in the table's CRS; dates as DATE; times as DATETIME in UTC, written
YYYY-MM-DDTHH:MM:SS.SSSZ as the GeoPackage standard says (GDAL 3.6 warns "Non-conformant content" on anything
else); GeoPackage 1.3, the newest version GDAL 3.6 (QGIS 3.22) reads without a warning."""
from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio.raw
import shapely

from geo.ogr_fields import crs_text, geometry_type, ogr_fields


GPKG_VERSION = "1.3"


def gpkg_bytes(table: gpd.GeoDataFrame, layer: str, *, geometry: str | None = None,
               types: dict[str, str] | None = None) -> bytes:
    """`geometry` is the layer's type when the table is empty ("Point", …); otherwise it follows the features.
    `types` declares columns' types where the values cannot say (a date column without any date)."""
    geoms = table.geometry.to_numpy()
    kind, promote = geometry_type(geoms, geometry)
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio.raw.write(
            str(path),
            shapely.to_wkb(geoms),
            **ogr_fields(table, table.geometry.name, types).write_options(),
            layer=layer,
            driver="GPKG",
            geometry_type=kind,
            crs=crs_text(table.crs),
            promote_to_multi=promote,
            dataset_options={"VERSION": GPKG_VERSION},
            layer_options={"DATETIME_PRECISION": "MILLISECOND"},
        )
        return path.read_bytes()
