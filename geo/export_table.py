"""What an export is made of: a named table of features with one kind of geometry (or any), in a chosen CRS."""
from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geo.crs import DISPLAY_DECIMALS, rounded
from geo.record_fields import RecordField, layer_fields
from geo.schema import LayerSchema

METRIC_DECIMALS = 3  # millimetres


@dataclass(frozen=True)
class ExportTable:
    name: str  # ASCII: the layer's name inside a GeoPackage, the shapefiles' names in a zip
    frame: gpd.GeoDataFrame
    geometry: str | None = None  # "Point", "LineString" or "Polygon" (Multi* included); None: kinds may mix
    coordinate_columns: bool = False  # the frame already holds its points' coordinates as columns (issues: lon, lat)
    fields: tuple[RecordField, ...] = ()  # the declaration of the frame's columns (geo.record_fields), in order

    @property
    def types(self) -> dict[str, str]:
        """Each declared column's type ("str", "int", "float", "bool", "date", "datetime")."""
        return {f.name: f.type for f in self.fields}

    def in_crs(self, crs: str | int | CRS) -> ExportTable:
        """Reprojected, coordinates rounded to 1e-7 degree (about 1 cm) or to the millimetre."""
        frame = self.frame.to_crs(crs)
        decimals = DISPLAY_DECIMALS if frame.crs.is_geographic else METRIC_DECIMALS
        return replace(self, frame=rounded(frame, decimals))


def layer_table(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> ExportTable:
    """A validated base layer (geo.dataset) with its schema's fields in order; dates as datetime.date."""
    frame = gdf[[f.name for f in schema.fields] + [gdf.geometry.name]].copy()
    for f in schema.fields:
        if f.type == "date":
            frame[f.name] = pd.Series(
                [None if pd.isna(v) else v.date() for v in frame[f.name]], index=frame.index, dtype=object
            )
    return ExportTable(schema.name, frame, schema.geometry, fields=layer_fields(schema))


def csv_frame(table: ExportTable) -> pd.DataFrame:
    """The columns of a CSV: the attributes, then the geometry as lon, lat (x, y in a projected CRS) for points
    or as WKT for anything else (a point layer holding a multipoint included)."""
    frame = table.frame
    geoms = frame.geometry
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if table.coordinate_columns:
        return out
    if table.geometry == "Point" and (geoms.geom_type == "Point").all():
        x, y = ("lon", "lat") if frame.crs is None or frame.crs.is_geographic else ("x", "y")
        out[x] = geoms.x.to_numpy()
        out[y] = geoms.y.to_numpy()
    else:
        out["wkt"] = geoms.to_wkt(rounding_precision=-1).to_numpy()
    return out
