"""The floor of the read path: the least a server can do to answer an issue page, as a minimal WSGI app.

    DATABASE_URL=sqlite:///…/jintan.sqlite3 gunicorn --config gunicorn.conf.py "bench.read_floor:application"

bench/bench_read_path.py runs it under the same gunicorn settings as the service, over the same database, and
times the service against it. It answers the two paths the benchmark asks the service for, with the same
parameters (`bbox`, `limit`, `offset`), the same matches in the same order and an exact `numberMatched`:

    /ogcapi/collections/issues/items   oldest first (reported_at, id), as the OGC collection pages
    /api/v1/issues                     newest first (reported_at desc, id desc), the list's default sort

SQLite: the stdlib `sqlite3` module. The count from the R*Tree alone for the points well inside the box, with the
exact lon/lat test only for those on its border; the page, when the box holds many, by walking the issues in page
order (the (reported_at, id) index; before migration 0006 the reported_at index, which SQLite orders by rowid too)
until it is full, else by the R*Tree joined directly and the few matches sorted. Each row's columns as they are
stored (times as SQLite text), encoded by orjson.
PostGIS: psycopg, `geom && ST_MakeEnvelope(…)` on the GiST index, geometry from `ST_AsGeoJSON`, encoded by orjson.
No validation beyond what keeps it safe, no ORM, no time formatting, no compression, no ETag: a floor, not a service.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from urllib.parse import parse_qs

import orjson

PROPERTIES = ("id", "category", "category_name", "colour", "icon", "title", "description", "status",
              "rejection_reason", "priority", "source", "address", "building", "compound", "reported_at",
              "resolved_at", "updated_at", "due_date", "assignee", "typical_case", "location_source",
              "location_accuracy_m")
COLUMNS = ("i.public_id, i.category_id, i.title, i.description, i.status,"
           " i.rejection_reason, i.priority, i.source, i.address, i.building_id, i.compound_id, i.reported_at,"
           " i.resolved_at, i.updated_at, i.due_date, i.assignee, i.is_typical_case, i.location_source,"
           " i.location_accuracy_m")
CATEGORIES = "SELECT id, name_zh, colour, icon FROM categories"  # a dozen rows, read once per worker
ORDERS = {"/ogcapi/collections/issues/items": "i.reported_at, i.id", "/api/v1/issues": "i.reported_at DESC, i.id DESC"}
LIMIT_MAX = 10_000

# The R*Tree's float32 boxes are rounded outwards: a point whose box lies inside the asked box is inside it, so
# only the boxes on its border need the row's exact lon/lat.
SQLITE_OVERLAPS = "r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ?"
SQLITE_INSIDE = "r.min_lon >= ? AND r.max_lon <= ? AND r.min_lat >= ? AND r.max_lat <= ?"
EXACT = "i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?"
POSTGIS_BOX = ("WHERE i.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
               " AND i.lon BETWEEN %s AND %s AND i.lat BETWEEN %s AND %s")




class SQLiteFloor:
    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()  # one connection per gunicorn thread

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self.local.connection = connection
        return connection

    def page(self, path: str, box, limit: int, offset: int) -> tuple[int, list[tuple]]:
        db = self.connection()
        select = f"SELECT i.lon, i.lat, {COLUMNS} FROM issues i"
        if box is None:
            matched = db.execute("SELECT count(*) FROM issues").fetchone()[0]
            rows = db.execute(f"{select} ORDER BY {ORDERS[path]} LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        else:
            minlon, minlat, maxlon, maxlat = box
            overlaps, inside = (minlon, maxlon, minlat, maxlat), (minlon, maxlon, minlat, maxlat)
            exact = (minlon, maxlon, minlat, maxlat)
            matched = db.execute(f"SELECT count(*) FROM issue_rtree r WHERE {SQLITE_INSIDE}", inside).fetchone()[0]
            matched += db.execute(
                f"SELECT count(*) FROM issue_rtree r JOIN issues i ON i.id = r.id WHERE {SQLITE_OVERLAPS}"
                f" AND NOT ({SQLITE_INSIDE}) AND {EXACT}", (*overlaps, *inside, *exact)).fetchone()[0]
            total = db.execute("SELECT max(id) FROM issues").fetchone()[0] or 0
            if matched and (offset + limit) * total / matched < matched:
                # Dense: walk the issues in page order, testing each, and stop when the page is full.
                rows = db.execute(f"{select} WHERE {EXACT} ORDER BY {ORDERS[path]} LIMIT ? OFFSET ?",
                                  (*exact, limit, offset)).fetchall()
            else:  # sparse, or far into the matches: the R*Tree finds them all, then they are sorted
                rows = db.execute(f"{select} JOIN issue_rtree r ON r.id = i.id WHERE {SQLITE_OVERLAPS} AND {EXACT}"
                                  f" ORDER BY {ORDERS[path]} LIMIT ? OFFSET ?",
                                  (*overlaps, *exact, limit, offset)).fetchall()
        return matched, [((lon, lat), rest) for lon, lat, *rest in rows]

    def categories(self) -> dict[str, tuple]:
        return {id_: rest for id_, *rest in self.connection().execute(CATEGORIES).fetchall()}


class PostGISFloor:
    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        self.conninfo = {k: v for k, v in {
            "host": parsed.query.get("host") or parsed.host, "port": parsed.port or parsed.query.get("port"),
            "dbname": parsed.database,
            "user": parsed.username, "password": parsed.password, "options": parsed.query.get("options"),
        }.items() if v}
        self.psycopg = psycopg
        self.local = threading.local()

    def connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.psycopg.connect(**self.conninfo, autocommit=True)
            self.local.connection = connection
        return connection

    def page(self, path: str, box, limit: int, offset: int) -> tuple[int, list[tuple]]:
        if box is None:
            where, parameters = "", ()
        else:
            minlon, minlat, maxlon, maxlat = box
            where, parameters = POSTGIS_BOX, (minlon, minlat, maxlon, maxlat, minlon, maxlon, minlat, maxlat)
        with self.connection().cursor() as cursor:
            matched = cursor.execute(f"SELECT count(*) FROM issues i {where}", parameters).fetchone()[0]
            rows = cursor.execute(
                f"SELECT ST_AsGeoJSON(i.geom), {COLUMNS} FROM issues i"
                f" {where} ORDER BY {ORDERS[path]} LIMIT %s OFFSET %s", (*parameters, limit, offset)).fetchall()
        return matched, [(orjson.Fragment(geometry), rest) for geometry, *rest in rows]

    def categories(self) -> dict[str, tuple]:
        with self.connection().cursor() as cursor:
            return {id_: tuple(rest) for id_, *rest in cursor.execute(CATEGORIES).fetchall()}


def _floor():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return SQLiteFloor(url.removeprefix("sqlite:///"))
    return PostGISFloor(url)


FLOOR = _floor()
_categories: dict[str, tuple] = {}


def _feature(geometry, values) -> dict:
    if isinstance(geometry, tuple):
        geometry = {"type": "Point", "coordinates": geometry}
    public_id, category, *rest = values
    values = (public_id, category, *_categories[category], *rest)
    return {"type": "Feature", "id": public_id, "geometry": geometry, "properties": dict(zip(PROPERTIES, values))}


def _answer(start_response, status: str, body: bytes, content_type: str = "application/geo+json"):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        return _answer(start_response, "200 OK", b"ok", "text/plain")
    if path not in ORDERS:
        return _answer(start_response, "404 Not Found", b"not found", "text/plain")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        limit = min(int(query.get("limit", ["100"])[0]), LIMIT_MAX)
        offset = int(query.get("offset", ["0"])[0])
        box = tuple(float(v) for v in query["bbox"][0].split(",")) if "bbox" in query else None
        if limit < 1 or offset < 0 or (box is not None and len(box) != 4):
            raise ValueError
    except ValueError:
        return _answer(start_response, "400 Bad Request", b"bad parameters", "text/plain")
    matched, rows = FLOOR.page(path, box, limit, offset)
    if not _categories:
        _categories.update(FLOOR.categories())
    body = orjson.dumps({
        "type": "FeatureCollection", "numberMatched": matched, "numberReturned": len(rows),
        "features": [_feature(geometry, values) for geometry, values in rows],
    })
    return _answer(start_response, "200 OK", body)
