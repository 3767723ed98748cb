"""A table as a zipped Shapefile: UTF-8 text with a .cpg, a .prj, one kind of geometry per shapefile,
field names of at most 10 characters mapped in fields.csv, and a README.txt saying all that."""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio.raw
import shapely

from geo.export_csv import csv_bytes
from geo.export_table import ExportTable
from geo.export_values import is_date_column
from geo.loader import crs_label
from geo.ogr_fields import crs_text, geometry_type, ogr_fields
from geo.shapefile_names import shapefile_names

TEXT_MAX_BYTES = 254  # the longest DBF text field
KIND_FILES = {"Point": "points", "LineString": "lines", "Polygon": "polygons"}
KIND_WORDS = {"Point": "points", "LineString": "lines", "Polygon": "areas (polygons)"}
KIND_WORD = {"Point": "a point", "LineString": "a line", "Polygon": "an area (polygon)"}
PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SAFE_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same bytes


class MixedGeometry(ValueError):
    """A table declared to hold one kind of geometry holds another."""


def shapefile_zip(table: ExportTable) -> bytes:
    if not SAFE_NAME.fullmatch(table.name):
        raise ValueError(f"{table.name!r} is not a safe file name")
    omitted = [f.name for f in table.fields if not f.in_shapefile and f.name in table.frame.columns]
    source = table.frame.drop(columns=omitted)
    geometry = source.geometry.name
    names = shapefile_names(c for c in source.columns if c != geometry)
    frame, cut = _dbf_ready(source, names)
    files: dict[str, bytes] = {}
    counts: dict[str, tuple[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        types = {names[c]: kind for c, kind in table.types.items() if c in names}
        for stem, kind, part in _by_kind(table, frame):
            _write(Path(folder) / f"{stem}.shp", part, kind, types)
            counts[stem] = (kind, len(part))
        for stem in counts:
            for suffix in PARTS:
                path = Path(folder) / f"{stem}{suffix}"
                if not path.is_file():
                    raise RuntimeError(f"GDAL wrote no {path.name}")
                files[path.name] = path.read_bytes()
    files["fields.csv"] = csv_bytes(_field_map(source, names))
    files["README.txt"] = _readme(table, counts, cut, omitted).encode("utf-8")
    return _zip(files)


def _family(frame: gpd.GeoDataFrame) -> pd.Series:
    """Point, LineString or Polygon (Multi* with their single kind); None where there is no geometry."""
    types = frame.geom_type
    return types.str.removeprefix("Multi").where(types.notna(), None)


def _by_kind(table: ExportTable, frame: gpd.GeoDataFrame):
    families = _family(frame)
    if table.geometry is not None:
        other = families.notna() & (families != table.geometry)
        if other.any():
            found = ", ".join(sorted(set(frame.geom_type[other])))
            raise MixedGeometry(f"{table.name} holds {table.geometry} features only, but some are {found}")
        yield table.name, table.geometry, frame
        return
    if families.isna().any():
        raise MixedGeometry(f"{table.name}: a feature without geometry has no shapefile to go in")
    for kind, suffix in KIND_FILES.items():
        yield f"{table.name}_{suffix}", kind, frame[families == kind]


def _cut_text(text: str) -> tuple[str, bool]:
    encoded = text.encode("utf-8")
    if len(encoded) <= TEXT_MAX_BYTES:
        return text, False
    return encoded[:TEXT_MAX_BYTES].decode("utf-8", errors="ignore"), True


def _dbf_ready(frame: gpd.GeoDataFrame, names: dict[str, str]) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Renamed; yes/no as integers 1/0 (GDAL 3.6 reads a DBF logical as text T/F); times of day as ISO 8601 text
    (a DBF has no time type); text cut to 254 bytes, counted by column."""
    out = frame.copy()
    cut: dict[str, int] = {}
    for column in names:
        values = out[column]
        if pd.api.types.is_bool_dtype(values):
            out[column] = values.astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[column] = pd.Series(
                [None if pd.isna(t) else t.isoformat(timespec="seconds") for t in values], index=out.index, dtype=object
            )
        elif (values.dtype == object or pd.api.types.is_string_dtype(values)) and not is_date_column(values):
            texts, count = [], 0
            for value in values:
                if isinstance(value, str):
                    value, was_cut = _cut_text(value)
                    count += was_cut
                texts.append(value)
            out[column] = pd.Series(texts, index=out.index, dtype=object)
            if count:
                cut[column] = count
    return out.rename(columns=names), cut


def _write(path: Path, frame: gpd.GeoDataFrame, kind: str, types: dict[str, str]) -> None:
    geoms = frame.geometry.to_numpy()
    # Singles and Multi* of a kind share a shapefile (a point file holding a multipoint becomes all multipoints).
    ogr_type, promote = geometry_type(geoms, kind)
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(geoms),
        **ogr_fields(frame, frame.geometry.name, types).write_options(),
        driver="ESRI Shapefile",
        geometry_type=ogr_type,
        crs=crs_text(frame.crs),
        encoding="UTF-8",  # GDAL writes the .cpg saying so
        promote_to_multi=promote,
        layer_options={"RESIZE": "YES", "SPATIAL_INDEX": "NO"},
    )


def _type_word(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "integer yes/no (1 = yes, 0 = no)"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "text: ISO 8601 time"
    if is_date_column(values):
        return "date"
    return "text"


def _field_map(frame: gpd.GeoDataFrame, names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(column, field, _type_word(frame[column])) for column, field in names.items()],
        columns=["column", "field", "type"],
    )


def _readme(table: ExportTable, counts: dict[str, tuple[str, int]], cut: dict[str, int], omitted: list[str]) -> str:
    crs = crs_label(table.frame.crs) if table.frame.crs is not None else "unknown"
    files = [f"  {stem}.shp .shx .dbf .prj .cpg  {n} {KIND_WORDS[kind]}" for stem, (kind, n) in counts.items()]
    if table.geometry is None:
        geometry = (f"Features of {table.name} may be points, lines or areas, and a shapefile holds one kind of "
                    f"geometry, so there is one shapefile per kind, each always present (empty if need be).")
    else:
        geometry = f"Every feature is {KIND_WORD[table.geometry]} (a shapefile holds one kind of geometry)."
    cut_text = ("Nothing was cut." if not cut else
                "Cut: " + "; ".join(f"{column} ({n} value{'s' if n != 1 else ''})" for column, n in cut.items()) + ".")
    return "\r\n".join([
        f"{table.name} — 金坛路居民区地图 (Jintan Road neighbourhood map), zipped Shapefile",
        "",
        "文本为 UTF-8（见 .cpg 文件）；字段名不超过 10 个字符，完整列名见 fields.csv；",
        "超过 254 字节的文本在字符边界处截断；日期为日期字段，时间为带时区的 ISO 8601 文本；是/否为整数 1/0。",
        "",
        "Files",
        *files,
        "  fields.csv  each column's full name, its shapefile field name and type",
        "",
        f"Coordinates  {crs} (written in each .prj)",
        "Text         UTF-8; each .cpg says so, so QGIS, ArcGIS and GDAL read the Chinese without being told.",
        "Field names  at most 10 characters (the DBF limit). Longer column names are abbreviated",
        "             (category_name_zh -> cat_name) or cut, and a name taken already ends in _2, _3, ...;",
        "             the same columns always get the same names. fields.csv lists them.",
        "Dates        DBF date fields. A time of day (reported_at, created_at, ...) is ISO 8601 text with",
        "             its UTC offset (Shanghai time, +08:00), since a DBF has no time type.",
        "Yes/no       integer fields: 1 = yes, 0 = no, blank = unknown (a DBF logical field reads as text T/F",
        "             in GDAL 3.6 and QGIS 3.22).",
        "Long text    A DBF text field holds at most 254 bytes: longer text is cut at 254 bytes, never inside",
        f"             a character. {cut_text} The GeoPackage, GeoJSON and CSV exports keep the whole text.",
        f"Geometry     {geometry}",
        *([f"Left out     {', '.join(omitted)}: too long for a DBF text field; the GeoPackage, GeoJSON, CSV and",
           "             .xlsx exports have it."] if omitted else []),
        "",
    ])


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()
