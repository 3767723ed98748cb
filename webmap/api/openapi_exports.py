"""The OpenAPI 3.0 description of the exports (issues, projects, base layers), merged into webmap.api.openapi's document.

Self-contained (shared parts by $ref) so that webmap.api.openapi can import it first.
"""
from __future__ import annotations

from typing import Any

from geo.export import FORMATS
from geo.schema import LAYERS
from geo.shapefile_zip import TEXT_MAX_BYTES
from store.exports import FIELD_NAMES as ISSUE_COLUMNS
from store.exports import EXPORT_MAX_ROWS
from store.project_exports import COLUMNS as PROJECT_COLUMNS
from webmap.api import projects
from webmap.api.layer_exports import CRS_CHOICES
from webmap.api.openapi_projects import project_paths

Schema = dict[str, Any]

TEXT = {"type": "string"}
ISSUE_FILTERS = ["bbox", "category", "status", "since", "until", "compound", "assignee", "q"]

WHAT = {
    "gpkg": "a GeoPackage with one layer named like the file's subject (issues, projects, buildings, …); "
            "dates as DATE, times as DATETIME in UTC (YYYY-MM-DDTHH:MM:SS.SSSZ)",
    "shp.zip": "a zip of Shapefiles (.shp .shx .dbf .prj .cpg; text UTF-8, the .cpg says so) with README.txt and "
               "fields.csv (each column's shapefile field name: at most 10 characters, unique, always the same); "
               "one kind of geometry per shapefile; dates as DBF dates, times as ISO 8601 text, yes/no as integers 1/0; "
               "text cut at "
               f"{TEXT_MAX_BYTES} bytes on a character boundary (the README says which)",
    "geojson": "GeoJSON (RFC 7946, EPSG:4326, polygons wound right); feature id = the id column",
    "csv": "CSV: UTF-8 with a byte order mark for Excel; cells starting = + - @ get a leading '; "
           "dates and times ISO 8601; geometry as lon, lat columns for points (x, y in EPSG:4549), "
           "as a wkt column for anything else",
    "xlsx": "an Excel workbook: Chinese headers, real date and time cells (Shanghai time), frozen header row, text "
            "always as text; geometry as in the CSV; a second sheet, 字段, names each column's field and type",
}


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _file(extension: str) -> Schema:
    fmt = FORMATS[extension]
    body = _ref("schemas", "FeatureCollection") if extension == "geojson" else (
        TEXT if extension == "csv" else {"type": "string", "format": "binary"})
    return {
        "description": f"{WHAT[extension]}, as an attachment",
        "headers": {"Content-Disposition": {
            "schema": TEXT,
            "description": "attachment with an ASCII filename and an RFC 5987 filename* (UTF-8, with the Chinese name)",
            "example": "attachment; filename=\"issues-20250101-0930.csv\"; filename*=UTF-8''%E9%87%91…csv",
        }},
        "content": {fmt.mimetype.split(";")[0]: {"schema": body}},
    }


def operation_id(verb: str, subject: str, extension: str) -> str:
    """e.g. exportIssuesShpZip: the verb, the subject and each part of the file extension, in camelCase."""
    return verb + subject + "".join(part.capitalize() for part in extension.split("."))


def _operation(summary: str, extension: str, parameters: list[Schema], *errors: str, subject: str,
               description: str) -> Schema:
    responses: dict[str, Schema] = {"200": _file(extension), "400": _ref("responses", "InvalidRequest")}
    if "404" in errors:
        responses["404"] = {"description": "no such layer", "content": {"application/json": {
            "schema": _ref("schemas", "Error")}}}
    return {"get": {"tags": ["exports"], "operationId": operation_id("export", subject, extension), "summary": summary,
                    "description": description, "parameters": [*parameters, _ref("parameters", "lang")],
                    "responses": responses}}


def export_paths() -> dict[str, Schema]:
    issue_filters = [_ref("parameters", name) for name in (*ISSUE_FILTERS, "sort")]
    project_filters = [p for p in project_paths()["/projects"]["get"]["parameters"]
                       if p.get("name") in projects.FILTERS]
    layer_name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(LAYERS)},
                  "description": "the base layer"}
    crs = {"name": "crs", "in": "query", "required": False, "schema": {"type": "string", "enum": ["4326", "4549"],
           "default": "4326"}, "description": f"the coordinates' CRS: {CRS_CHOICES}; EPSG:4326 also works"}
    only_4326 = {**crs, "schema": {"type": "string", "enum": ["4326"], "default": "4326"},
                 "description": "GeoJSON is EPSG:4326 by definition (RFC 7946)"}
    paths: dict[str, Schema] = {}
    for extension, fmt in FORMATS.items():
        paths[f"/issues.{extension}"] = _operation(
            f"every matching issue as {fmt.title} (at most {EXPORT_MAX_ROWS:,}; more is refused, not cut); "
            f"columns: {', '.join(ISSUE_COLUMNS)}",
            extension, issue_filters,
            subject="Issues", description="Takes the issue list's filters and sort; a read, open to whoever may view.",
        )
        paths[f"/projects.{extension}"] = _operation(
            f"every matching project as {fmt.title}, newest entered first, each an area (EPSG:4326): a line or "
            f"point project is its works corridor, its own geometry in works_kind and works_geometry_wkt; "
            f"columns: {', '.join(PROJECT_COLUMNS)}",
            extension, project_filters,
            subject="Projects", description="Takes the project list's filters; a read, open to whoever may view.",
        )
        paths[f"/layers/{{name}}.{extension}"] = _operation(
            f"a base layer as {fmt.title}, its fields as in GET /layers"
            + (", in EPSG:4326 or (crs=4549) the metric CRS of the survey" if fmt.any_crs else ", in EPSG:4326"),
            extension, [layer_name, crs if fmt.any_crs else only_4326], "404",
            subject="Layer", description="The whole layer; a read, open to whoever may view.",
        )
    return paths
