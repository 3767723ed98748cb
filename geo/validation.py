"""Check a layer against its schema, repair invalid geometries, report the rest."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import METRIC_CRS
from geo.loader import crs_label
from geo.published_precision import invalid_when_published
from geo.schema import LayerSchema

BOUNDARY_TOLERANCE_M = 1.0
# Roads run on past the neighbourhood and may bound it from across a median
# (复兴东路's far carriageway): they need only come within this distance.
EXTENDS_BEYOND_BOUNDARY = frozenset({"roads"})
ROAD_REACH_M = 60.0
MAX_LISTED = 5

_DIMENSION = {"Point": 0, "LineString": 1, "Polygon": 2}
_MULTI = {0: shapely.multipoints, 1: shapely.multilinestrings, 2: shapely.multipolygons}
_TRUE = {"1", "true", "t", "yes", "y", "是"}
_FALSE = {"0", "false", "f", "no", "n", "否"}


@dataclass
class Problem:
    level: str  # "error" or "warning"
    message: str


@dataclass
class LayerReport:
    name: str
    source: str | None = None
    feature_count: int = 0
    crs: str | None = None
    encoding: str | None = None
    encoding_source: str | None = None
    repairs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems if p.level == "warning"]

    def error(self, message: str) -> None:
        self.problems.append(Problem("error", message))

    def warning(self, message: str) -> None:
        self.problems.append(Problem("warning", message))

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def validate_layer(
    gdf: gpd.GeoDataFrame,
    schema: LayerSchema,
    *,
    boundary: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Return the layer with typed fields and repaired geometries, and what was found.

    Field names are matched case-insensitively and renamed to the schema's;
    absent optional fields are added empty. Nothing is raised: every problem
    is in the report.
    """
    report = LayerReport(
        schema.name,
        feature_count=len(gdf),
        crs=crs_label(gdf.crs) if gdf.crs is not None else None,
    )
    gdf = _rename_fields(gdf, schema).copy()
    if gdf.crs is None:
        report.error("no coordinate reference system")
    if gdf.empty and schema.name == "boundary":
        report.error("the boundary has no features")
    elif gdf.empty:
        report.warning("the layer has no features")

    raw_ids = _blank_to_null(gdf[schema.id_field]) if schema.id_field in gdf else None
    labels = _labels(raw_ids, len(gdf))
    _coerce_fields(gdf, schema, labels, report)
    if raw_ids is not None:
        _check_ids(raw_ids, schema.id_field, labels, report)
    gdf = _check_geometries(gdf, schema, labels, report)
    if gdf.crs is not None:
        _check_published_precision(gdf, schema, labels, report)
    if boundary is not None and schema.name != "boundary":
        _check_boundary(gdf, schema, boundary, labels, report)
    return gdf, report


def _rename_fields(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> gpd.GeoDataFrame:
    by_lower = {str(c).lower(): c for c in gdf.columns}
    renames = {
        by_lower[f.name.lower()]: f.name
        for f in schema.fields
        if f.name not in gdf.columns and f.name.lower() in by_lower
    }
    return gdf.rename(columns=renames)


def _coerce_fields(
    gdf: gpd.GeoDataFrame, schema: LayerSchema, labels: np.ndarray, report: LayerReport
) -> None:
    for f in schema.fields:
        if f.name not in gdf:
            if f.required:
                report.error(f"missing required field '{f.name}'")
            else:
                gdf[f.name] = _COERCE[f.type](pd.Series(pd.NA, index=gdf.index, dtype=object))
            continue
        raw = _blank_to_null(gdf[f.name])
        typed = _COERCE[f.type](raw)
        gdf[f.name] = typed
        bad = (raw.notna() & typed.isna()).to_numpy()
        if bad.any():
            report.error(
                f"field '{f.name}': {bad.sum()} value(s) are not {f.type}, "
                f"e.g. {raw[bad].iloc[0]!r} ({_list(labels[bad])})"
            )
        empty = raw.isna().to_numpy()
        if f.required and f.name != schema.id_field and empty.any():
            report.warning(
                f"field '{f.name}': {empty.sum()} feature(s) have no value ({_list(labels[empty])})"
            )
        if f.choices:
            wrong = (typed.notna() & ~typed.isin(f.choices)).to_numpy()
            if wrong.any():
                values = _join(map(repr, dict.fromkeys(typed[wrong])))
                report.error(
                    f"field '{f.name}': {values} not allowed (allowed: {', '.join(f.choices)}; "
                    f"{_list(labels[wrong])})"
                )


def _blank_to_null(values: pd.Series) -> pd.Series:
    return values.replace(r"^\s*$", np.nan, regex=True)


def _as_str(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")  # 12.0 read from a DBF numeric field means "12"
    return values.astype("str")


def _as_int(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.where(numbers % 1 == 0).astype("Int64")


def _as_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _as_bool(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values):
        return values.map({1: True, 0: False}).astype("boolean")
    text = values.astype("str").str.strip().str.lower()
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[text.isin(_TRUE)] = True
    result[text.isin(_FALSE)] = False
    return result


def _as_date(values: pd.Series) -> pd.Series:
    """Midnight-normalised datetimes from dates, datetimes or ISO-like text."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        return values.dt.normalize()
    # Only the leading date is read: "2020-01-02", "2020/01/02 00:00:00", "20200102".
    parts = values.astype("str").str.extract(r"^\s*(\d{4})[-/]?(\d{2})[-/]?(\d{2})(?!\d)")
    parts.columns = ["year", "month", "day"]
    return pd.to_datetime(parts.astype("float64"), errors="coerce")


_COERCE = {"str": _as_str, "int": _as_int, "float": _as_float, "bool": _as_bool, "date": _as_date}


def _labels(ids: pd.Series | None, count: int) -> np.ndarray:
    """How each feature is named in messages: its id, else its 1-based row."""
    rows = np.array([f"row {i + 1}" for i in range(count)], dtype=object)
    if ids is None:
        return rows
    return np.where(ids.notna().to_numpy(), _as_str(ids).to_numpy(dtype=object), rows)


def _list(labels: np.ndarray) -> str:
    return f"features: {_join(labels)}"


def _join(items) -> str:
    items = list(items)
    shown = ", ".join(map(str, items[:MAX_LISTED]))
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _check_ids(ids: pd.Series, id_field: str, labels: np.ndarray, report: LayerReport) -> None:
    is_null = ids.isna().to_numpy()
    if is_null.any():
        report.error(f"{is_null.sum()} feature(s) have no {id_field} ({_list(labels[is_null])})")
    duplicated = (ids.duplicated(keep=False) & ~is_null).to_numpy()
    if duplicated.any():
        report.error(f"duplicate {id_field} values: {_join(np.unique(labels[duplicated]))}")


def _check_geometries(
    gdf: gpd.GeoDataFrame, schema: LayerSchema, labels: np.ndarray, report: LayerReport
) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.to_numpy().copy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        report.error(f"{missing.sum()} feature(s) have no geometry ({_list(labels[missing])})")

    allowed = (schema.geometry, f"Multi{schema.geometry}")
    types = gdf.geom_type.to_numpy()
    wrong = ~missing & ~np.isin(types, allowed)
    if wrong.any():
        found = ", ".join(sorted(set(types[wrong])))
        report.error(
            f"geometry must be {' or '.join(allowed)}, but {wrong.sum()} feature(s) "
            f"are {found} ({_list(labels[wrong])})"
        )

    invalid = ~missing & ~wrong & ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        repaired = _make_valid(geoms[invalid], _DIMENSION[schema.geometry])
        for label, reason, geom in zip(labels[invalid], reasons, repaired):
            if geom is None:
                report.error(
                    f"{label}: invalid geometry ({reason}); "
                    f"nothing of type {schema.geometry} is left once made valid"
                )
            else:
                parts = shapely.get_num_geometries(geom)
                report.repairs.append(
                    f"{label}: {reason}; made valid as {geom.geom_type}"
                    + (f" of {parts} parts" if parts > 1 else "")
                )
        geoms[invalid] = repaired
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return gdf


def _check_published_precision(
    gdf: gpd.GeoDataFrame, schema: LayerSchema, labels: np.ndarray, report: LayerReport
) -> None:
    """Refuse what turns invalid once rounded as we publish it (geo.published_precision)."""
    for problem in invalid_when_published(gdf.geometry):
        report.error(problem.describe(schema.name, labels[problem.position]))


def _make_valid(geoms: np.ndarray, dimension: int) -> np.ndarray:
    """make_valid, keeping only the parts of the layer's dimension (None if none are left)."""
    # "structure" unions overlapping polygon parts; the default "linework" would cut holes.
    options = {"method": "structure", "keep_collapsed": False} if dimension == 2 else {}
    valid = shapely.make_valid(geoms, **options)
    parts, index = shapely.get_parts(valid, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # collections may hold Multi* parts
    index = index[inner]
    keep = (shapely.get_dimensions(parts) == dimension) & ~shapely.is_empty(parts)
    result = np.full(len(geoms), None, dtype=object)
    if not keep.any():
        return result
    owners, grouped = np.unique(index[keep], return_inverse=True)
    multi = _MULTI[dimension](parts[keep], indices=grouped)
    single = shapely.get_num_geometries(multi) == 1
    multi[single] = shapely.get_geometry(multi[single], 0)
    result[owners] = multi
    return result


def _check_boundary(
    gdf: gpd.GeoDataFrame,
    schema: LayerSchema,
    boundary: gpd.GeoDataFrame,
    labels: np.ndarray,
    report: LayerReport,
) -> None:
    if gdf.crs is None or boundary.crs is None:
        report.warning("not checked against the boundary: a coordinate reference system is missing")
        return
    area = boundary.to_crs(METRIC_CRS).union_all().buffer(BOUNDARY_TOLERANCE_M)
    geoms = gdf.geometry.to_crs(METRIC_CRS)
    present = ~(geoms.isna() | geoms.is_empty)
    if schema.name in EXTENDS_BEYOND_BOUNDARY:
        outside = (present & ~geoms.intersects(area.buffer(ROAD_REACH_M))).to_numpy()
        what = f"do not come within {ROAD_REACH_M:g} m of the boundary"
    else:
        outside = (present & ~geoms.within(area)).to_numpy()
        what = f"lie outside the boundary (by more than {BOUNDARY_TOLERANCE_M:g} m)"
    if outside.any():
        report.warning(f"{outside.sum()} feature(s) {what} ({_list(labels[outside])})")
