"""Spatial predicates on issues that compile to each backend's own index.

    select(Issue).where(within_bbox(121.47, 31.22, 121.48, 31.23))
    select(Issue, distance_metres(lon, lat)).where(within_metres(lon, lat, 30))

PostGIS: `issues.geom && ST_MakeEnvelope(...)` uses the GiST index.
SQLite:  `issues.id IN (SELECT id FROM issue_rtree WHERE ...)` uses the R*Tree.

Pages of issues join the R*Tree instead, and count what lies well inside a box from
the R*Tree alone (store/issue_pages.py): `ISSUE_RTREE`, `rtree_overlaps`, `rtree_inside`
and `exact_bbox` are the parts for that.

Both indexes hold float32 boxes rounded outwards, so they find a slightly
larger set; the exact test on the lon/lat doubles then decides, and both
backends agree to the last bit on which points lie inside a box.
"""
from __future__ import annotations

import math

from pyproj import Geod
from sqlalchemy import Boolean, Double, and_, cast, column, func, literal, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import UserDefinedType

from store.models import Issue

WGS84 = Geod(ellps="WGS84")
SRID = 4326
# Shortest length of a degree of latitude (at the equator), shrunk a little more for safety.
METRES_PER_DEGREE_MIN = 110_000.0

_issues = Issue.__table__
_geom = ColumnClause("geom", _selectable=_issues)  # exists on PostGIS only, so it is not mapped
_rtree = table("issue_rtree", column("id"), column("min_lon"), column("max_lon"), column("min_lat"), column("max_lat"))


class _Geography(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "geography"


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance on the WGS 84 ellipsoid, as PostGIS measures geography."""
    return float(WGS84.inv(lon1, lat1, lon2, lat2)[2])


def register_sqlite_functions(dbapi_connection) -> None:
    def distance(lon1, lat1, lon2, lat2):
        if None in (lon1, lat1, lon2, lat2):
            return None
        return geodesic_distance_m(lon1, lat1, lon2, lat2)

    dbapi_connection.create_function("geodesic_distance_m", 4, distance, deterministic=True)


def bbox_around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box certain to contain every point within radius_m of (lon, lat)."""
    dlat = radius_m / METRES_PER_DEGREE_MIN
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 90.0)))
    dlon = 180.0 if cos_lat < 1e-6 else min(radius_m / (METRES_PER_DEGREE_MIN * cos_lat), 180.0)
    return (max(lon - dlon, -180.0), max(lat - dlat, -90.0), min(lon + dlon, 180.0), min(lat + dlat, 90.0))


def _point(lon, lat):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)


def _exact_bbox(minlon, minlat, maxlon, maxlat):
    return and_(_issues.c.lon.between(minlon, maxlon), _issues.c.lat.between(minlat, maxlat))


ISSUE_RTREE = _rtree  # SQLite only: (id, min_lon, max_lon, min_lat, max_lat), float32 boxes rounded outwards


def exact_bbox(minlon: float, minlat: float, maxlon: float, maxlat: float):
    """The issue's own lon/lat lies in the box, edges included: the test that decides, on every backend."""
    return _exact_bbox(*(_bound(v) for v in (minlon, minlat, maxlon, maxlat)))


def rtree_overlaps(minlon: float, minlat: float, maxlon: float, maxlat: float):
    """SQLite: the R*Tree box meets the asked box; every issue in the box is among these (and a few just outside)."""
    minlon, minlat, maxlon, maxlat = (_bound(v) for v in (minlon, minlat, maxlon, maxlat))
    return and_(_rtree.c.max_lon >= minlon, _rtree.c.min_lon <= maxlon, _rtree.c.max_lat >= minlat,
                _rtree.c.min_lat <= maxlat)


def rtree_inside(minlon: float, minlat: float, maxlon: float, maxlat: float):
    """SQLite: the R*Tree box lies inside the asked box, so the point it holds does too, without reading the row."""
    minlon, minlat, maxlon, maxlat = (_bound(v) for v in (minlon, minlat, maxlon, maxlat))
    return and_(_rtree.c.min_lon >= minlon, _rtree.c.max_lon <= maxlon, _rtree.c.min_lat >= minlat,
                _rtree.c.max_lat <= maxlat)


def _index_bbox(dialect: str, minlon, minlat, maxlon, maxlat):
    if dialect == "postgresql":
        return _geom.op("&&")(func.ST_MakeEnvelope(minlon, minlat, maxlon, maxlat, SRID))
    if dialect == "sqlite":
        # Overlap, not containment: the stored float32 box of a point just inside an edge may poke out.
        overlapping = select(_rtree.c.id).where(
            _rtree.c.max_lon >= minlon,
            _rtree.c.min_lon <= maxlon,
            _rtree.c.max_lat >= minlat,
            _rtree.c.min_lat <= maxlat,
        )
        return _issues.c.id.in_(overlapping)
    raise NotImplementedError(f"no spatial index on {dialect}; use SQLite or PostgreSQL + PostGIS")


class within_bbox(FunctionElement[bool]):
    """Issues whose point lies in the box, edges included (EPSG:4326 degrees)."""

    type = Boolean()
    _is_implicitly_boolean = True
    inherit_cache = True
    name = "within_bbox"

    def __init__(self, minlon: float, minlat: float, maxlon: float, maxlat: float) -> None:
        super().__init__(*(_bound(v) for v in (minlon, minlat, maxlon, maxlat)))


class within_metres(FunctionElement[bool]):
    """Issues within radius_m metres (on the WGS 84 ellipsoid) of a point."""

    type = Boolean()
    _is_implicitly_boolean = True
    inherit_cache = True
    name = "within_metres"

    def __init__(self, lon: float, lat: float, radius_m: float) -> None:
        box = bbox_around(float(lon), float(lat), float(radius_m))
        super().__init__(*(_bound(v) for v in (lon, lat, radius_m, *box)))


class distance_metres(FunctionElement[float]):
    """Each issue's distance in metres (on the WGS 84 ellipsoid) from a point."""

    type = Double()
    inherit_cache = True
    name = "distance_metres"

    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(_bound(lon), _bound(lat))


def _bound(value: float):
    return literal(float(value), Double())


def _args(element: FunctionElement) -> list:
    return list(element.clauses)


@compiles(within_bbox)
def _compile_within_bbox(element: within_bbox, compiler: SQLCompiler, **kw) -> str:
    box = _args(element)
    predicate = and_(_index_bbox(compiler.dialect.name, *box), _exact_bbox(*box))
    return f"({compiler.process(predicate, **kw)})"


@compiles(within_metres)
def _compile_within_metres(element: within_metres, compiler: SQLCompiler, **kw) -> str:
    lon, lat, radius, *box = _args(element)
    dialect = compiler.dialect.name
    if dialect == "postgresql":
        exact = func.ST_DWithin(cast(_geom, _Geography), cast(_point(lon, lat), _Geography), radius)
    else:
        exact = func.geodesic_distance_m(_issues.c.lon, _issues.c.lat, lon, lat) <= radius
    return f"({compiler.process(and_(_index_bbox(dialect, *box), exact), **kw)})"


@compiles(distance_metres)
def _compile_distance_metres(element: distance_metres, compiler: SQLCompiler, **kw) -> str:
    lon, lat = _args(element)
    if compiler.dialect.name == "postgresql":
        distance = func.ST_Distance(cast(_geom, _Geography), cast(_point(lon, lat), _Geography))
    else:
        distance = func.geodesic_distance_m(_issues.c.lon, _issues.c.lat, lon, lat)
    return compiler.process(distance, **kw)
