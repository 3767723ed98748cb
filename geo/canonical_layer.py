"""A validated layer written the way the shipped dataset is (data/shapefiles/README.md): one Shapefile,
EPSG:4549, UTF-8 text with a .cpg, the schema's fields in order, ints and 0/1 booleans as DBF integers,
dates as DBF dates."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.raw
import shapely

from geo.crs import METRIC_CRS
from geo.ogr_fields import OgrFields, geometry_type
from geo.schema import LayerSchema

PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
INT32 = np.iinfo("int32")


def _fields(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> OgrFields:
    fields = OgrFields()
    for f in schema.fields:
        values = gdf[f.name]
        missing = values.isna().to_numpy()
        if f.type in ("int", "bool"):
            numbers = values.astype("Int64").fillna(0).to_numpy(dtype="int64")
            fits = INT32.min <= numbers.min(initial=0) and numbers.max(initial=0) <= INT32.max
            fields.add(f.name, numbers.astype("int32") if fits else numbers, missing)
        elif f.type == "float":
            fields.add(f.name, values.to_numpy(dtype="float64", na_value=np.nan))
        elif f.type == "date":
            fields.add(f.name, pd.to_datetime(values).to_numpy(dtype="datetime64[D]"))
        else:
            fields.add(f.name, np.array([None if m else str(v) for v, m in zip(values, missing)], dtype=object))
    return fields


def write_canonical(gdf: gpd.GeoDataFrame, schema: LayerSchema, folder: Path) -> list[Path]:
    """Write `gdf` (validated: typed fields, valid geometry) as <layer>.shp and its parts in `folder`; their paths."""
    gdf = gdf.to_crs(METRIC_CRS)
    geoms = gdf.geometry.to_numpy()
    kind, promote = geometry_type(geoms, schema.geometry)
    pyogrio.raw.write(
        str(folder / f"{schema.name}.shp"),
        shapely.to_wkb(geoms),
        **_fields(gdf, schema).write_options(),
        driver="ESRI Shapefile",
        geometry_type=kind,
        crs=METRIC_CRS,
        encoding="UTF-8",
        promote_to_multi=promote,
        layer_options={"RESIZE": "YES", "SPATIAL_INDEX": "NO"},
    )
    paths = [folder / f"{schema.name}{suffix}" for suffix in PARTS]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise OSError(f"GDAL did not write {', '.join(missing)}")
    return paths
