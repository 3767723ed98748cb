"""A table's columns as the typed arrays pyogrio writes, so each becomes the right OGR field type.

pyogrio's raw writer is used rather than GeoDataFrame.to_file because only it
writes a real Date field (numpy datetime64[D]; pandas cannot hold day-precision
datetimes) and lets nullable integers and booleans stay integers and booleans.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.export_values import is_date_column

UTC_OFFSET_FLAG = 100  # GDAL's "this time is UTC" timezone flag


@dataclass
class OgrFields:
    names: list[str] = field(default_factory=list)
    arrays: list[np.ndarray] = field(default_factory=list)
    masks: list[np.ndarray | None] = field(default_factory=list)  # True where the value is null
    tz_offsets: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, name: str, values: np.ndarray, mask: np.ndarray | None = None) -> None:
        self.names.append(name)
        self.arrays.append(values)
        self.masks.append(mask if mask is not None and mask.any() else None)

    def write_options(self) -> dict:
        """Keyword arguments for pyogrio.raw.write."""
        return {
            "field_data": self.arrays,
            "fields": self.names,
            "field_mask": self.masks if any(m is not None for m in self.masks) else None,
            "gdal_tz_offsets": self.tz_offsets or None,
        }


def ogr_fields(table: pd.DataFrame, geometry: str | None = "geometry", types: dict[str, str] | None = None) -> OgrFields:
    """Booleans, integers (nullable), floats, dates (datetime.date columns, or declared "date" in `types`),
    times (UTC if time-zoned) and text."""
    fields = OgrFields()
    types = types or {}
    for name in table.columns:
        if name == geometry:
            continue
        values = table[name]
        missing = values.isna().to_numpy()
        if pd.api.types.is_bool_dtype(values):
            fields.add(name, values.fillna(False).to_numpy(dtype=bool), missing)
        elif pd.api.types.is_integer_dtype(values):
            fields.add(name, values.fillna(0).to_numpy(dtype="int64"), missing)
        elif pd.api.types.is_float_dtype(values):
            fields.add(name, values.to_numpy(dtype="float64", na_value=np.nan))
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            utc = values.dt.tz_convert("UTC").dt.tz_localize(None)
            fields.add(name, utc.to_numpy(dtype="datetime64[ms]"))
            fields.tz_offsets[name] = np.full(len(values), UTC_OFFSET_FLAG, dtype="int32")
        elif pd.api.types.is_datetime64_dtype(values):
            fields.add(name, values.to_numpy(dtype="datetime64[ms]"))
        elif types.get(name) == "date" or is_date_column(values):
            fields.add(name, np.array([None if m else v for v, m in zip(values, missing)], dtype="datetime64[D]"))
        else:
            fields.add(name, np.array([None if m else str(v) for v, m in zip(values, missing)], dtype=object))
    return fields


def geometry_type(geoms: np.ndarray, declared: str | None = None) -> tuple[str, bool]:
    """The layer's OGR geometry type and whether single parts must be promoted to Multi*.

    One type stays as it is; Polygon mixed with MultiPolygon (and so on) becomes
    Multi*; different kinds make an "Unknown" (any geometry) layer. Without any
    geometry it is `declared`, else "Unknown".
    """
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    names = {_NAMES[t] for t in shapely.get_type_id(present).tolist()}
    if not names:
        return declared or "Unknown", False
    if len(names) == 1:
        return names.pop(), False
    kinds = {name.removeprefix("Multi") for name in names}
    if len(kinds) == 1:
        return f"Multi{kinds.pop()}", True
    return "Unknown", False


def crs_text(crs: CRS | None) -> str | None:
    """"EPSG:4549" where it has a code (so GDAL writes the authority into the file), else its WKT."""
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
          6: "MultiPolygon", 7: "GeometryCollection"}
