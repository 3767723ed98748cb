"""WGS84 <-> GCJ-02 ("Mars coordinates") for drawing on Chinese web-map tiles.

Gaode/Amap and Tencent tiles are drawn in GCJ-02, an obfuscated offset from
WGS84 mandated for maps published in China. Around the Jintan Road
neighbourhood the offset is about +0.00446 deg lon / -0.00200 deg lat (roughly
+425 m east, -220 m north, ~480 m in all), so anything we draw over those
tiles must be shifted with :func:`wgs84_to_gcj02` first. The offset is not a
constant: 5 km further west it is already +0.00461 deg lon (15 m more), so
never shift by a fixed (dlon, dlat). Tianditu tiles are
CGCS2000 (within 1 m of WGS84 here) and need no shift.

Algorithm
---------
This is the widely circulated WGS84 -> GCJ-02 formula from the leaked
reference implementation (Krasovsky 1940 ellipsoid a = 6378245.0,
ee = 0.00669342162296594323, the ``transformLat`` / ``transformLon``
polynomials around (105 E, 35 N), and the rough "out of China" bounding box
lon 72.004-137.8347, lat 0.8293-55.8271). Sources consulted:

- wandergis/coordtransform, https://github.com/wandergis/coordtransform
  (``wgs84togcj02`` / ``transformlat`` / ``transformlng``; uses a = 6378245.0)
- googollee/eviltransform, https://github.com/googollee/eviltransform
  (same polynomials; its algorithm sources are the on4wp7 and emq
  ``Converter.java`` leaks). Note: eviltransform's current Python/JS versions
  use ``earthR = 6378137.0`` (the WGS84 semi-major axis) instead of
  6378245.0; that changes the shift by a factor 1.7e-5, i.e. under 1 cm here.
  We follow the original a = 6378245.0.

This module is a vectorised numpy re-implementation, not a copy of either.

Accuracy
--------
- :func:`wgs84_to_gcj02` is the formula itself; measured against the project's
  reference point (WGS 121.440464, 31.219467 -> GCJ 121.445076, 31.217594,
  given to 6 decimals) it agrees to 0.07 m, i.e. within the rounding of the
  published values (1e-6 deg is ~0.1 m). It reproduces eviltransform's
  published test vectors (Shanghai, Shenzhen, Beijing) to < 1e-9 deg.
- :func:`gcj02_to_wgs84` inverts it by fixed-point iteration
  ``w <- g - delta(w)``. The shift varies slowly (the row sums of its
  Jacobian are below 0.0071 over the whole box and 0.0038 around Shanghai),
  so each step shrinks the error by that factor. We stop when a step changes
  no coordinate by more than 1e-10 deg (at most 20 steps; 4-5 in practice),
  which leaves an error below 1e-12 deg (~1e-7 m), far inside the required
  1e-7 deg (~1 cm). Measured round trips over Shanghai: < 1e-13 deg. The
  quick one-step inverse that many libraries call ``gcj2wgs`` is only good to
  ~2 m; do not use it.

Out of China
------------
Points outside the rough bounding box are returned unchanged, as in the
reference implementations. The box is *not* China's border: Seoul, Hanoi,
Taipei or Ulaanbaatar are inside it and get shifted too. NaN coordinates are
returned unchanged. For the inverse the box test is applied to the GCJ-02
input; within ~500 m of the box edge (open sea, Siberia, Central Asia) the
forward and inverse can disagree, which does not matter for Shanghai.

Geometries
----------
:func:`shift_geometries_to_gcj02` accepts a GeoDataFrame or GeoSeries in
**any** defined CRS and reprojects it to EPSG:4326 first (a CRS of ``None`` is
rejected with ``ValueError``: we cannot guess what the numbers mean). The
result is labelled EPSG:4326 because that is what Leaflet/folium expect, but
its coordinates are GCJ-02: use it only for display on GCJ-02 tiles, never for
measuring, joining or saving. To help catch double shifting, the result
carries ``attrs["gcj02"] = True`` and passing such an object in again raises
``ValueError`` (pandas propagates ``attrs`` through copy/to_crs/most ops, but
this is a safety net, not a guarantee).
"""
from __future__ import annotations

import copy
import math
import numbers
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

__all__ = [
    "GCJ02_ATTR",
    "gcj02_to_wgs84",
    "in_china_box",
    "shift_geojson_to_gcj02",
    "shift_geometries_to_gcj02",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid, as used by the reference implementation.
_A = 6378245.0
_EE = 0.00669342162296594323

# The conventional rough bounding box of "China" (degrees).
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

_INVERSE_TOL_DEG = 1e-10
_INVERSE_MAX_ITER = 20

#: ``attrs`` key set on GeoDataFrames/GeoSeries returned by
#: :func:`shift_geometries_to_gcj02`.
GCJ02_ATTR = "gcj02"

_DISPLAY_CRS = pyproj.CRS.from_epsg(4326)


# --------------------------------------------------------------------------
# point transform
# --------------------------------------------------------------------------
def in_china_box(lon: Any, lat: Any) -> np.ndarray | bool:
    """True where (lon, lat) lies inside the rough GCJ-02 bounding box.

    NaN is outside. Scalars give a bool, arrays a boolean array.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    inside = (
        (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)
    )
    return bool(inside) if inside.ndim == 0 else inside


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pi = math.pi
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pi = math.pi
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return ret


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS84 (dlon, dlat) in degrees, evaluated at (lon, lat).

    No bounding-box test here.
    """
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    return dlon, dlat


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    # broadcast_arrays returns read-only views; take writable copies
    return lon.copy(), lat.copy()


def _out(lon: np.ndarray, lat: np.ndarray):
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: Any, lat: Any):
    """Shift WGS84 longitude/latitude (degrees) to GCJ-02.

    ``lon`` and ``lat`` may be scalars or array-likes (broadcast together).
    Scalars give a ``(float, float)`` tuple, arrays a tuple of new float
    arrays of the broadcast shape. Points outside the rough China box, and
    NaNs, are returned unchanged.
    """
    lon, lat = _as_arrays(lon, lat)
    inside = np.asarray(in_china_box(lon, lat))
    if inside.any():
        dlon, dlat = _delta(lon[inside], lat[inside])
        lon[inside] += dlon
        lat[inside] += dlat
    return _out(lon, lat)


def gcj02_to_wgs84(lon: Any, lat: Any):
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration.

    Same input/output conventions as :func:`wgs84_to_gcj02`. Iterates
    ``w <- g - delta(w)`` until no coordinate moves by more than 1e-10 deg
    (error < 1e-12 deg, i.e. sub-micrometre; see the module docstring).
    Points whose GCJ-02 input is outside the China box are returned unchanged.
    """
    g_lon, g_lat = _as_arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    inside = np.asarray(in_china_box(g_lon, g_lat))
    if inside.any():
        gx, gy = g_lon[inside], g_lat[inside]
        dx, dy = _delta(gx, gy)
        x, y = gx - dx, gy - dy
        for _ in range(_INVERSE_MAX_ITER):
            dx, dy = _delta(x, y)
            nx, ny = gx - dx, gy - dy
            step = max(float(np.max(np.abs(nx - x))), float(np.max(np.abs(ny - y))))
            x, y = nx, ny
            if step < _INVERSE_TOL_DEG:
                break
        w_lon[inside] = x
        w_lat[inside] = y
    return _out(w_lon, w_lat)


# --------------------------------------------------------------------------
# GeoPandas
# --------------------------------------------------------------------------
def _shift_xyz(x: np.ndarray, y: np.ndarray, z: np.ndarray):
    nx, ny = wgs84_to_gcj02(x, y)
    return nx, ny, z


def _shift_series(gs: gpd.GeoSeries, name: str) -> gpd.GeoSeries:
    if gs.crs is None:
        raise ValueError(
            f"geometry column {name!r} has no CRS; set it (e.g. EPSG:4326) "
            "before shifting to GCJ-02"
        )
    if not gs.crs.equals(_DISPLAY_CRS):
        gs = gs.to_crs(_DISPLAY_CRS)
    # include_z=True keeps 2D geometries 2D and 3D ones 3D (z untouched);
    # one vectorised call covers every coordinate of every geometry.
    shifted = shapely.transform(
        np.asarray(gs.array, dtype=object), _shift_xyz, include_z=True, interleaved=False
    )
    return gpd.GeoSeries(shifted, index=gs.index, crs=_DISPLAY_CRS, name=gs.name)


def shift_geometries_to_gcj02(data: gpd.GeoDataFrame | gpd.GeoSeries):
    """Return a copy of ``data`` with every coordinate shifted WGS84 -> GCJ-02.

    ``data`` is a GeoDataFrame or GeoSeries in any defined CRS; it is
    reprojected to EPSG:4326 first. Every geometry column of a GeoDataFrame is
    shifted (each reprojected from its own CRS). Attributes, index, column
    order and the active geometry column are kept; geometry types (points,
    lines, polygons with holes, multi-geometries, collections) and Z values
    are preserved; None and empty geometries pass through.

    The result is labelled EPSG:4326 but holds GCJ-02 coordinates (display
    only) and has ``attrs["gcj02"] = True``.

    Raises ``TypeError`` for other inputs and ``ValueError`` if a geometry
    column has no CRS or ``data`` is already marked as shifted.
    """
    if not isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(
            f"expected a GeoDataFrame or GeoSeries, got {type(data).__name__}"
        )
    if data.attrs.get(GCJ02_ATTR):
        raise ValueError("input is already shifted to GCJ-02 (attrs['gcj02'] is set)")

    if isinstance(data, gpd.GeoSeries):
        out = _shift_series(data, str(data.name))
    else:
        out = data.copy()
        geom_cols = [c for c in data.columns if isinstance(data[c].dtype, gpd.array.GeometryDtype)]
        for col in geom_cols:
            out[col] = _shift_series(data[col], str(col))
        # make sure the active geometry column's CRS is the display CRS
        if out.crs is None or not out.crs.equals(_DISPLAY_CRS):  # pragma: no cover
            out = out.set_crs(_DISPLAY_CRS, allow_override=True)
    out.attrs = dict(data.attrs)
    out.attrs[GCJ02_ATTR] = True
    return out


# --------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------
_COORD_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
}


def _is_position(obj: Any) -> bool:
    return (
        isinstance(obj, (list, tuple))
        and len(obj) > 0
        and isinstance(obj[0], numbers.Real)
        and not isinstance(obj[0], bool)
    )


class _Collector:
    """Deep-copies GeoJSON coordinates, registering each new position list."""

    def __init__(self) -> None:
        self.positions: list[list] = []
        # (object dict, first position index, end position index) for bboxes
        self.bboxes: list[tuple[dict, int, int]] = []

    def coords(self, obj: Any) -> list:
        if _is_position(obj):
            if len(obj) < 2:
                raise ValueError(f"GeoJSON position needs at least 2 numbers: {obj!r}")
            pos = [float(v) for v in obj]
            self.positions.append(pos)
            return pos
        if not isinstance(obj, (list, tuple)):
            raise ValueError(f"invalid GeoJSON coordinates: {obj!r}")
        return [self.coords(c) for c in obj]

    def _copy_members(self, obj: dict, skip: tuple[str, ...]) -> dict:
        return {k: copy.deepcopy(v) for k, v in obj.items() if k not in skip}

    def _bbox(self, src: dict, out: dict, start: int) -> None:
        if "bbox" in src:
            out["bbox"] = list(src["bbox"])
            self.bboxes.append((out, start, len(self.positions)))

    def geometry(self, geom: Any) -> Any:
        if geom is None:
            return None
        if not isinstance(geom, dict):
            raise ValueError(f"invalid GeoJSON geometry: {geom!r}")
        gtype = geom.get("type")
        start = len(self.positions)
        if gtype in _COORD_TYPES:
            out = self._copy_members(geom, ("coordinates", "bbox"))
            out["coordinates"] = self.coords(geom.get("coordinates", []))
        elif gtype == "GeometryCollection":
            out = self._copy_members(geom, ("geometries", "bbox"))
            out["geometries"] = [self.geometry(g) for g in geom.get("geometries", [])]
        else:
            raise ValueError(f"unsupported GeoJSON geometry type: {gtype!r}")
        self._bbox(geom, out, start)
        return out

    def feature(self, feat: dict) -> dict:
        start = len(self.positions)
        out = self._copy_members(feat, ("geometry", "bbox"))
        out["geometry"] = self.geometry(feat.get("geometry"))
        self._bbox(feat, out, start)
        return out

    def any(self, obj: Any) -> dict:
        if not isinstance(obj, dict):
            raise ValueError(f"expected a GeoJSON dict, got {type(obj).__name__}")
        _check_geojson_crs(obj)
        otype = obj.get("type")
        if otype == "FeatureCollection":
            start = len(self.positions)
            out = self._copy_members(obj, ("features", "bbox"))
            out["features"] = [self.feature(f) for f in obj.get("features", [])]
            self._bbox(obj, out, start)
            return out
        if otype == "Feature":
            return self.feature(obj)
        return self.geometry(obj)


def _check_geojson_crs(obj: dict) -> None:
    """Reject the legacy (GeoJSON 2008) ``crs`` member unless it is WGS84 lon/lat."""
    crs = obj.get("crs")
    if crs is None:
        return
    name = None
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name")
    try:
        ok = name is not None and pyproj.CRS.from_user_input(name).equals(
            "OGC:CRS84", ignore_axis_order=True
        )
    except pyproj.exceptions.CRSError:
        ok = False
    if not ok:
        raise ValueError(
            f"GeoJSON 'crs' member {crs!r} is not WGS84; reproject to EPSG:4326 first"
        )


def shift_geojson_to_gcj02(mapping: dict) -> dict:
    """Return a new GeoJSON dict with every position shifted WGS84 -> GCJ-02.

    ``mapping`` is a FeatureCollection, a Feature or a bare geometry
    (including GeometryCollection), with WGS84 lon/lat positions as RFC 7946
    requires. The input is not modified; properties and foreign members are
    deep-copied, positions become lists of floats (a third value, altitude, is
    kept as is), and any ``bbox`` member is recomputed from the shifted
    positions. A legacy ``crs`` member naming anything but WGS84 raises
    ``ValueError``, as do unknown types and malformed coordinates.
    """
    col = _Collector()
    out = col.any(mapping)
    if col.positions:
        lon = np.fromiter((p[0] for p in col.positions), float, len(col.positions))
        lat = np.fromiter((p[1] for p in col.positions), float, len(col.positions))
        lon, lat = wgs84_to_gcj02(lon, lat)
        for pos, x, y in zip(col.positions, lon.tolist(), lat.tolist()):
            pos[0] = x
            pos[1] = y
    for obj, start, end in col.bboxes:
        pts = col.positions[start:end]
        if not pts:
            del obj["bbox"]
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        bbox = obj["bbox"]
        if len(bbox) == 6:  # [minx, miny, minz, maxx, maxy, maxz]: z unchanged
            obj["bbox"] = [min(xs), min(ys), bbox[2], max(xs), max(ys), bbox[5]]
        else:
            obj["bbox"] = [min(xs), min(ys), max(xs), max(ys)]
    return out
