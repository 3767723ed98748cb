"""GET /api/v1/issues.csv, .geojson and .gpkg: every issue matching the list's filters, as a file to download."""
from __future__ import annotations

from flask import Response

from store.exports import issues_table
from store.timestamps import LOCAL_TZ, utcnow
from webmap.api import bp
from webmap.api.export_formats import csv_bytes, geojson_bytes, gpkg_bytes
from webmap.api.query import FILTERS, issue_filters, parameters, refusals
from webmap.database import session

PARAMETERS = (*FILTERS, "sort")
DEFAULT_SORT = "-reported_at"


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    name = f"issues-{utcnow().astimezone(LOCAL_TZ):%Y%m%d-%H%M}.{extension}"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _table():
    args, errors = parameters(PARAMETERS)
    with refusals(errors):
        table = issues_table(session(), issue_filters(args, errors), sort=args.get("sort", DEFAULT_SORT))
    return table


@bp.get("/issues.csv")
def export_csv():
    return _download(csv_bytes(_table()), "text/csv", "csv")  # Flask adds "; charset=utf-8"


@bp.get("/issues.geojson")
def export_geojson():
    return _download(geojson_bytes(_table()), "application/geo+json", "geojson")


@bp.get("/issues.gpkg")
def export_gpkg():
    return _download(gpkg_bytes(_table()), "application/geopackage+sqlite3", "gpkg")
