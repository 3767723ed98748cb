"""The OpenAPI 3.0 description of /api/v1, built from the same constants the endpoints use."""
from __future__ import annotations

from typing import Any

from flask import url_for

from geo.hotspots import CLASSES
from geo.schema import LAYERS
from store.filters import LIMIT_MAX, Q_MAX, SORT_KEYS
from store.intake import NEARBY_FLAG, NEARBY_MAX_M
from store.validation import (
    ADDRESS_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    LOCATION_ACCURACY_MAX_M,
    LOCATION_NOTE_MAX,
    NAME_MAX,
    TITLE_MAX,
)
from store.user_vocabulary import Language, Permission, Role
from store.vocabulary import ACCURACY_FLAG_M, EventKind, LocationSource, Priority, RejectionReason, Source, Status
from webmap.api import density, hotspots, issues, json_body, nearby
from webmap.api.openapi_exports import export_paths
from webmap.api.openapi_lighting import lighting_paths
from webmap.api.openapi_photos import PHOTO_SUMMARY, photo_paths
from webmap.api.openapi_projects import project_paths
from webmap.api.openapi_security import SECURITY, SECURITY_SCHEMES, UNAUTHORIZED, secure

Schema = dict[str, Any]


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name: str) -> Schema:
    return _ref("schemas", name)


def _values(enum) -> list[str]:
    return [member.value for member in enum]


# OpenAPI 3.0.3 has no null type: `nullable` widens only a `type` in the same schema object.
NULL: Schema = {"type": "object", "nullable": True, "enum": [None], "description": "null"}


def _nullable(s: Schema) -> Schema:
    if "$ref" in s:  # nothing may stand beside a $ref
        return {"oneOf": [s, NULL]}
    if "enum" in s:  # OpenAPI 3.0.3: nullable does not widen an enum
        return {**s, "nullable": True, "enum": [*s["enum"], None]}
    return {**s, "nullable": True}


TEXT = {"type": "string"}
INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (Shanghai time, +08:00)"}
DAY_OR_INSTANT = {
    "type": "string",
    "description": "ISO 8601 date (a whole day in Shanghai time) or date-time (without an offset: Shanghai time)",
    "example": "2024-05-01",
}


def _json(s: Schema, description: str, mimetype: str = "application/json") -> Schema:
    return {"description": description, "content": {mimetype: {"schema": s}}}


def _geojson(s: Schema, description: str) -> Schema:
    return _json(s, description, "application/geo+json")


def _query(name: str, s: Schema, description: str, **extra: Any) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": s, "description": description, **extra}


PARAMETERS: dict[str, Schema] = {
    "bbox": _query(
        "bbox",
        {"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$"},
        "minlon,minlat,maxlon,maxlat in EPSG:4326 degrees; edges included",
        example="121.490,31.217,121.495,31.224",
    ),
    "category": _query("category", TEXT, "category ids, comma-separated (see /categories)", example="sanitation"),
    "status": _query(
        "status", TEXT, f"statuses, comma-separated: {', '.join(_values(Status))}", example="reported,acknowledged"
    ),
    "since": _query("since", DAY_OR_INSTANT, "reported on or after (a date: from the start of that day)"),
    "until": _query("until", DAY_OR_INSTANT, "reported on or before (a date: to the end of that day, inclusive)"),
    "compound": _query("compound", TEXT, "compound id (see /layers/compounds)", example="hjl55"),
    "assignee": _query("assignee", {"type": "string", "maxLength": NAME_MAX},
                       "exactly this assignee, e.g. a username (a field worker's own work)", example="wang.li"),
    "q": _query(
        "q",
        {"type": "string", "maxLength": Q_MAX},
        "case-insensitive text in the title, description or address",
        example="垃圾",
    ),
    "limit": _query(
        "limit", {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": issues.DEFAULT_LIMIT}, "page size"
    ),
    "offset": _query(
        "offset", {"type": "integer", "minimum": 0, "maximum": issues.MAX_OFFSET, "default": 0}, "issues to skip"
    ),
    "after": _query(
        "after",
        {"type": "string", "pattern": r"^\d{8}T\d{6}\.\d{6}Z_\d{1,18}$"},
        "the position of the last issue of the page before, as the `next` link carries it (with sort reported_at "
        "or -reported_at): the page goes on from there, so issues reported meanwhile neither shift nor repeat what "
        "comes next; an offset counts from it",
        example="20240503T020000.000000Z_4",
    ),
    "sort": _query(
        "sort",
        {"type": "string", "default": issues.DEFAULT_SORT},
        f"comma-separated keys of {', '.join(SORT_KEYS)}; prefix - for descending (status and priority sort by "
        "meaning: workflow order, rising urgency)",
        example="-priority,reported_at",
    ),
    "lang": _query(
        "lang", {"type": "string", "enum": ["zh", "en"], "default": "zh"}, "language of names (category_name, places)"
    ),
    "issue_id": {
        "name": "issue_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
        "description": "the issue's public id",
    },
}
FILTERS = ["bbox", "category", "status", "since", "until", "compound", "assignee", "q"]


def _parameters(*names: str) -> list[Schema]:
    return [_ref("parameters", name) for name in (*names, "lang")]


def _fields(description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {"type": "string"},
        "example": {"category": "unknown category 'parking'"},
    }


SCHEMAS: dict[str, Schema] = {
    "Me": {
        "type": "object",
        "required": ["username", "display_name", "role", "role_name", "permissions", "language", "csrf_token"],
        "properties": {
            "username": TEXT,
            "display_name": TEXT,
            "role": {"type": "string", "enum": _values(Role)},
            "role_name": TEXT,
            "permissions": {"type": "array", "items": {"type": "string", "enum": _values(Permission)}},
            "language": {"type": "string", "enum": _values(Language)},
            "csrf_token": TEXT,
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": TEXT, "message": TEXT},
        "example": {"error": "Not Found", "message": "no issue 'b0c7…'"},
    },
    "InvalidRequest": {
        "type": "object",
        "required": ["error", "message", "fields"],
        "properties": {
            "error": {"type": "string", "enum": ["invalid request"]},
            "message": {"type": "string", "description": "every problem in one line"},
            "fields": _fields("one message per query parameter it could not use"),
        },
    },
    "InvalidIssue": {
        "type": "object",
        "required": ["error", "fields"],
        "properties": {
            "error": {"type": "string", "enum": ["invalid issue"]},
            "fields": _fields("one message per field; a location outside the neighbourhood is under `location`"),
        },
    },
    "Point": {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3},
        },
        "example": {"type": "Point", "coordinates": [121.493, 31.222]},
    },
    "Geometry": {
        "type": "object",
        "description": "a GeoJSON geometry in EPSG:4326 (RFC 7946)",
        "required": ["type"],
        "properties": {
            "type": {
                "type": "string",
                "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"],
            },
            "coordinates": {"type": "array", "items": {}},
        },
    },
    "Feature": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": _nullable(schema("Geometry")),
            "properties": {"type": "object", "nullable": True, "additionalProperties": True},
        },
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": schema("Feature")},
        },
    },
    "Link": {
        "type": "object",
        "required": ["rel", "href"],
        "properties": {
            "rel": {"type": "string", "enum": ["self", "next", "prev"]},
            "type": TEXT,
            "href": {"type": "string", "description": "the same filters, another page"},
        },
    },
    "Event": {
        "type": "object",
        "required": ["kind", "actor", "at"],
        "properties": {
            "kind": {"type": "string", "enum": _values(EventKind)},
            "from": _nullable(TEXT),
            "to": _nullable(TEXT),
            "comment": _nullable(TEXT),
            "actor": TEXT,
            "at": INSTANT,
        },
    },
    "IssueProperties": {
        "type": "object",
        "required": ["id", "category", "title", "status", "priority", "source", "reported_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "category": TEXT,
            "category_name": {"type": "string", "description": "in the request's language (lang)"},
            "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "icon": {"type": "string", "description": "a Font Awesome 6 free solid icon name"},
            "title": TEXT,
            "description": TEXT,
            "status": {"type": "string", "enum": _values(Status)},
            "rejection_reason": _nullable({"type": "string", "enum": _values(RejectionReason)}),
            "priority": {"type": "string", "enum": _values(Priority)},
            "source": {"type": "string", "enum": _values(Source)},
            "address": _nullable(TEXT),
            "building": _nullable({"type": "string", "description": "building id, from the location"}),
            "compound": _nullable({"type": "string", "description": "compound id, from the location"}),
            "reported_at": INSTANT,
            "resolved_at": _nullable(INSTANT),
            "updated_at": INSTANT,
            "due_date": _nullable({"type": "string", "format": "date"}),
            "assignee": _nullable(TEXT),
            "typical_case": {"type": "boolean"},
            "location_source": _nullable(
                {"type": "string", "enum": _values(LocationSource), "description": "how the position was found"}
            ),
            "location_accuracy_m": _nullable({"type": "number", "description": "metres, as GPS reported it"}),
            "location_flagged": {
                "type": "boolean",
                "description": f"the accuracy is worse than {ACCURACY_FLAG_M:g} m: check the position",
            },
            "photo_count": {"type": "integer", "minimum": 0, "description": "in lists and single issues"},
        },
    },
    "Issue": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "format": "uuid"},
            "geometry": schema("Point"),
            "properties": schema("IssueProperties"),
        },
    },
    "IssueWithEvents": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "format": "uuid"},
            "geometry": schema("Point"),
            "properties": {
                "allOf": [
                    schema("IssueProperties"),
                    {
                        "type": "object",
                        "required": ["events", "photos"],
                        "properties": {
                            "events": {
                                "type": "array",
                                "items": schema("Event"),
                                "description": "the issue's history, oldest first",
                            },
                            "photos": {"type": "array", "items": PHOTO_SUMMARY, "description": "oldest first"},
                        },
                    },
                ]
            },
        },
    },
    "IssueCollection": {
        "type": "object",
        "required": ["type", "numberMatched", "numberReturned", "timeStamp", "links", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer", "description": "issues matching the filters, on all pages"},
            "numberReturned": {"type": "integer"},
            "timeStamp": INSTANT,
            "links": {"type": "array", "items": schema("Link")},
            "features": {"type": "array", "items": schema("Issue")},
        },
    },
    "NearbyIssue": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "format": "uuid"},
            "geometry": schema("Point"),
            "properties": {
                "allOf": [
                    schema("IssueProperties"),
                    {
                        "type": "object",
                        "required": ["distance_m"],
                        "properties": {"distance_m": {"type": "number", "description": "metres on the ellipsoid"}},
                    },
                ]
            },
        },
    },
    "NearbyIssues": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "radius_m": {"type": "number"},
            "numberReturned": {"type": "integer"},
            "features": {"type": "array", "items": schema("NearbyIssue")},
        },
    },
    "NewIssue": {
        "type": "object",
        "required": ["category", "title"],
        "description": "a report: give lon and lat, or a GeoJSON Point geometry",
        "properties": {
            "id": {
                "type": "string",
                "format": "uuid",
                "description": "chosen by the client; sending the same id again returns the first issue (200) "
                "and stores nothing",
            },
            "category": TEXT,
            "title": {"type": "string", "maxLength": TITLE_MAX},
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "geometry": schema("Point"),
            "source": {"type": "string", "enum": _values(Source), "default": Source.PATROL.value},
            "address": {"type": "string", "maxLength": ADDRESS_MAX, "description": "default: the building's"},
            NEARBY_FLAG: {
                "type": "boolean",
                "default": False,
                "description": f"the place is deliberately just outside the boundary (at most {NEARBY_MAX_M:g} m)",
            },
            "priority": {"type": "string", "enum": _values(Priority), "default": Priority.NORMAL.value},
            "reported_at": {
                "type": "string",
                "format": "date-time",
                "description": "when it was reported, if earlier than now (e.g. recorded offline)",
            },
            "reporter": {"type": "string", "maxLength": NAME_MAX},
            "assignee": {"type": "string", "maxLength": NAME_MAX},
            "due_date": {"type": "string", "format": "date"},
            "is_typical_case": {"type": "boolean", "default": False},
            "location_note": {"type": "string", "maxLength": LOCATION_NOTE_MAX},
            "location_source": {"type": "string", "enum": _values(LocationSource),
                                "description": "gps, a tap on the map, or a building or lane from a list"},
            "location_accuracy_m": {
                "type": "number",
                "minimum": 0,
                "maximum": LOCATION_ACCURACY_MAX_M,
                "description": f"metres, as GPS reported it; worse than {ACCURACY_FLAG_M:g} m is flagged",
            },
        },
        "additionalProperties": False,
        "example": {
            "id": "9b2f7c1e-0d5a-4c3b-8f8e-2a7d6c5b4a39",
            "category": "sanitation",
            "title": "弄堂口垃圾堆放",
            "lon": 121.493,
            "lat": 31.222,
            "source": "visit",
        },
    },
    "IssueChanges": {
        "type": "object",
        "description": "only what changes; each real change becomes an event (a comment alone is one too)",
        "properties": {
            "status": {"type": "string", "enum": _values(Status)},
            "rejection_reason": _nullable(
                {"type": "string", "enum": _values(RejectionReason), "description": "required to reject"}
            ),
            "assignee": _nullable({"type": "string", "maxLength": NAME_MAX}),
            "priority": {"type": "string", "enum": _values(Priority)},
            "due_date": _nullable({"type": "string", "format": "date"}),
            "comment": {"type": "string", "maxLength": COMMENT_MAX},
            "update_id": {
                "type": "string",
                "format": "uuid",
                "description": "the client's id for this update: sent again (a retry), it changes nothing",
            },
        },
        "additionalProperties": False,
        "example": {"status": "in_progress", "assignee": "wang.li", "comment": "已联系物业",
                    "update_id": "5d1c0f7e-9a61-4f1e-8b0e-2f4c6a8d9e10"},
    },
    "Category": {
        "type": "object",
        "required": ["id", "name_zh", "name_en", "colour", "icon"],
        "properties": {
            "id": TEXT,
            "name_zh": TEXT,
            "name_en": TEXT,
            "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            "icon": TEXT,
        },
    },
    "Categories": {
        "type": "object",
        "required": ["categories"],
        "properties": {"categories": {"type": "array", "items": schema("Category")}},
    },
    "DensityCell": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "example": "c12r30"},
            "geometry": {"allOf": [schema("Point")], "description": "the mean position of the cell's issues"},
            "properties": {
                "type": "object",
                "required": ["count", "col", "row"],
                "properties": {
                    "count": {"type": "integer", "minimum": 1},
                    "col": {"type": "integer", "description": "floor((lon - origin lon) / dlon)"},
                    "row": {"type": "integer", "description": "floor((lat - origin lat) / dlat)"},
                },
            },
        },
    },
    "Density": {
        "type": "object",
        "required": ["type", "numberMatched", "grid", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer", "description": "the counts added up"},
            "grid": {
                "type": "object",
                "properties": {
                    "cell_m": {"type": "number"},
                    "origin": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                    "dlon": {"type": "number"},
                    "dlat": {"type": "number"},
                },
            },
            "features": {"type": "array", "items": schema("DensityCell"), "description": "non-empty cells only"},
        },
    },
    "HotspotCell": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "example": "r172225c19843"},
            "geometry": {"allOf": [schema("Geometry")], "description": "the cell, clipped to the boundary"},
            "properties": {
                "type": "object",
                "required": ["id", "count", "z", "p", "class", "compounds", "lanes"],
                "properties": {
                    "id": TEXT,
                    "count": {"type": "integer"},
                    "z": _nullable({"type": "number", "description": "Gi* z-score"}),
                    "p": _nullable({"type": "number", "description": "two-sided permutation pseudo p-value"}),
                    "p_fdr": _nullable({"type": "number", "description": "p after Benjamini-Hochberg"}),
                    "class": {"type": "string", "enum": list(CLASSES)},
                    "compounds": {
                        "type": "array",
                        "items": TEXT,
                        "description": "names of the compounds the cell covers, most covered first",
                    },
                    "lanes": {"type": "array", "items": TEXT, "description": "names of the lanes in the cell"},
                },
            },
        },
    },
    "HotspotSummary": {
        "type": "object",
        "description": "how the map was made, and why it may show nothing (warnings in Chinese and English)",
        "properties": {
            "method": TEXT,
            "cell_size_m": _nullable({"type": "number"}),
            "weights": TEXT,
            "n_cells": {"type": "integer"},
            "n_issues": {"type": "integer"},
            "classes": {"type": "object", "additionalProperties": {"type": "integer"}},
            "warnings": {
                "type": "array",
                "items": {"type": "object", "properties": {"zh": TEXT, "en": TEXT}},
            },
            "permutations": {"type": "integer"},
            "seed": _nullable({"type": "integer"}),
            "fdr_q": _nullable({"type": "number"}),
            "n_outside_grid": {"type": "integer"},
            "filters": {"type": "object", "additionalProperties": _nullable(TEXT)},
        },
    },
    "Hotspots": {
        "type": "object",
        "required": ["type", "features", "summary"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": schema("HotspotCell")},
            "summary": schema("HotspotSummary"),
        },
    },
    "Layers": {
        "type": "object",
        "required": ["layers"],
        "properties": {
            "layers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "enum": list(LAYERS)},
                        "title": TEXT,
                        "title_en": TEXT,
                        "geometry_type": TEXT,
                        "feature_count": {"type": "integer"},
                        "crs": TEXT,
                        "fields": {"type": "array", "items": TEXT},
                        "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                        "href": TEXT,
                    },
                },
            }
        },
    },
}

RESPONSES: dict[str, Schema] = {
    "InvalidRequest": _json(schema("InvalidRequest"), "a query parameter is unknown, repeated or invalid"),
    "NotFound": _json(schema("Error"), "no such issue (or the id is not a UUID)"),
    "BadBody": _json(schema("Error"), "the body is not JSON, or not a JSON object"),
    "TooLarge": _json(schema("Error"), f"the body is over {json_body.MAX_BODY_BYTES // 1024} KiB"),
    "InvalidIssue": _json(schema("InvalidIssue"), "the values break the rules for issues; each field is named"),
}


def _responses(ok: Schema, *errors: str, status: str = "200") -> dict[str, Schema]:
    return {status: ok, **{_ERROR_STATUS[name]: _ref("responses", name) for name in errors}}


_ERROR_STATUS = {"InvalidRequest": "400", "BadBody": "400", "NotFound": "404", "TooLarge": "413",
                 "InvalidIssue": "422"}


def _paths() -> dict[str, Schema]:
    body = lambda name: {"required": True, "content": {"application/json": {"schema": schema(name)}}}  # noqa: E731
    issue_with_events = _geojson(schema("IssueWithEvents"), "the issue with its events, oldest first")
    return {
        "/layers": {
            "get": {
                "tags": ["base layers"],
                "operationId": "listLayers",
                "summary": "the base layers: names, titles, counts, extents",
                "description": "Each base layer with its Chinese and English title, geometry type, feature count, "
                               "fields, extent in EPSG:4326 and the URL of its GeoJSON.",
                "responses": _responses(_json(schema("Layers"), "the layers")),
            }
        },
        "/layers/{name}": {
            "get": {
                "tags": ["base layers"],
                "operationId": "getLayer",
                "summary": "one base layer as GeoJSON in EPSG:4326",
                "description": "The whole layer as an RFC 7946 FeatureCollection. It changes only when the data is "
                               "replaced: the ETag lets a client revalidate (304).",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(LAYERS)}}
                ],
                "responses": {
                    "200": _geojson(schema("FeatureCollection"), "the layer; feature id = the layer's id field"),
                    "404": _json(schema("Error"), "no such layer"),
                },
            }
        },
        "/issues": {
            "get": {
                "tags": ["issues"],
                "operationId": "listIssues",
                "summary": "issues matching the filters, one page at a time",
                "description": "A GeoJSON FeatureCollection of one page with the number matched on all pages and "
                               "`next`/`prev` links that keep the filters and the sort. Sorted by reported_at (the "
                               "default, newest first), the `next` link carries the position of the page's last "
                               "issue (`after`); otherwise, and for `prev`, an offset.",
                "parameters": _parameters(*FILTERS, "limit", "offset", "after", "sort"),
                "responses": _responses(_geojson(schema("IssueCollection"), "one page"), "InvalidRequest"),
            },
            "post": {
                "tags": ["issues"],
                "operationId": "createIssue",
                "summary": "report an issue (placed in its building and compound; refused outside the boundary)",
                "parameters": [_ref("parameters", "lang")],
                "requestBody": body("NewIssue"),
                "responses": {
                    "201": {
                        **issue_with_events,
                        "description": "stored",
                        "headers": {"Location": {"schema": TEXT, "description": "the issue's URL"}},
                    },
                    "200": {**issue_with_events, "description": "already stored under this id: the first issue"},
                    "400": _ref("responses", "BadBody"),
                    "413": _ref("responses", "TooLarge"),
                    "422": _ref("responses", "InvalidIssue"),
                },
            },
        },
        "/issues/{issue_id}": {
            "parameters": [_ref("parameters", "issue_id")],
            "get": {
                "tags": ["issues"],
                "operationId": "getIssue",
                "summary": "one issue with its history",
                "description": "The issue as a GeoJSON Feature whose properties also hold its events (oldest first) "
                               "and its photos.",
                "parameters": [_ref("parameters", "lang")],
                "responses": _responses(issue_with_events, "NotFound"),
            },
            "patch": {
                "tags": ["issues"],
                "operationId": "updateIssue",
                "summary": "change status, rejection reason, assignee, priority or due date, with a comment",
                "parameters": [_ref("parameters", "lang")],
                "requestBody": body("IssueChanges"),
                "responses": _responses(issue_with_events, "BadBody", "NotFound", "TooLarge", "InvalidIssue"),
            },
        },
        "/issues/nearby": {
            "get": {
                "tags": ["issues"],
                "operationId": "listNearbyIssues",
                "summary": "open issues near a point, nearest first: a possible duplicate before reporting",
                "description": "Open issues within `radius` metres of the point, each with its distance, so that a "
                               "reporter can add to an existing issue instead of reporting it twice.",
                "parameters": [
                    {**_query("lon", {"type": "number"}, "longitude (EPSG:4326)"), "required": True},
                    {**_query("lat", {"type": "number"}, "latitude (EPSG:4326)"), "required": True},
                    _query("category", TEXT, "only this category"),
                    _query(
                        "radius",
                        {"type": "number", "minimum": 0, "maximum": nearby.MAX_RADIUS_M,
                         "default": nearby.DEFAULT_RADIUS_M},
                        "metres",
                    ),
                    _query(
                        "limit",
                        {"type": "integer", "minimum": 1, "maximum": nearby.MAX_LIMIT, "default": nearby.DEFAULT_LIMIT},
                        "at most this many",
                    ),
                    _ref("parameters", "lang"),
                ],
                "responses": _responses(_geojson(schema("NearbyIssues"), "open issues with distance_m"),
                                        "InvalidRequest"),
            }
        },
        "/issues/density": {
            "get": {
                "tags": ["maps"],
                "operationId": "getIssueDensity",
                "summary": "issue counts on a grid of about cell_m metres (heat map, clusters), counted in SQL",
                "description": "The issues matching the filters counted per grid cell; each non-empty cell is a "
                               "Point at the mean position of its issues. The issue map uses it when many issues "
                               "are in view.",
                "parameters": [
                    *_parameters(*FILTERS),
                    _query(
                        "cell_m",
                        {"type": "number", "minimum": 5, "maximum": 1000, "default": density.DEFAULT_CELL_M},
                        "cell size in metres",
                    ),
                ],
                "responses": _responses(_geojson(schema("Density"), "non-empty cells"), "InvalidRequest"),
            }
        },
        "/hotspots": {
            "get": {
                "tags": ["maps"],
                "operationId": "getHotspots",
                "summary": f"Getis-Ord Gi* hot and cold spots ({hotspots.PERMUTATIONS} permutations, FDR-corrected)",
                "description": "Every cell of a grid over the neighbourhood with its issue count, Gi* z-score, "
                               "p-values and class, and a summary of how the map was made (with warnings when "
                               "there are too few issues to find anything).",
                "parameters": [
                    *_parameters("category", "status", "since", "until"),
                    _query(
                        "cell_m",
                        {"type": "number", "minimum": hotspots.MIN_CELL_M, "maximum": hotspots.MAX_CELL_M,
                         "default": hotspots.DEFAULT_CELL_M},
                        "cell size in metres",
                    ),
                ],
                "responses": _responses(_geojson(schema("Hotspots"), "every cell of the grid, and a summary"),
                                        "InvalidRequest"),
            }
        },
        "/categories": {
            "get": {
                "tags": ["issues"],
                "operationId": "listCategories",
                "summary": "the issue categories, in display order",
                "description": "Each category's id (what `category` takes), Chinese and English name, colour and "
                               "icon.",
                "responses": _responses(_json(schema("Categories"), "the categories")),
            }
        },
        "/openapi.json": {
            "get": {
                "tags": ["documentation"],
                "operationId": "getOpenApiDocument",
                "summary": "this document",
                "description": "The OpenAPI 3.0 description of /api/v1, built from the constants the endpoints use.",
                "responses": _responses(_json({"type": "object"}, "OpenAPI 3.0")),
            }
        },
        "/docs": {
            "get": {
                "tags": ["documentation"],
                "operationId": "getApiDocs",
                "summary": "this document, browsable (Swagger UI, served from here)",
                "description": "An HTML page that loads nothing from other hosts.",
                "responses": _responses({"description": "an HTML page", "content": {"text/html": {"schema": TEXT}}}),
            }
        },
    }


def _house_rules(paths: dict[str, Schema], parameters: dict[str, Schema]) -> dict[str, Schema]:
    """What holds for every operation: it reads `lang`, so it may answer 400 when that is not zh or en or given
    twice; and an optional query parameter given empty (`bbox=`) is the same as leaving it out."""
    for operations in paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("400", _ref("responses", "InvalidRequest"))
                for parameter in operation.get("parameters", []):
                    _empty_means_absent(parameter)
    for parameter in parameters.values():
        _empty_means_absent(parameter)
    return paths


def _empty_means_absent(parameter: Schema) -> None:
    if parameter.get("in") == "query" and not parameter.get("required") and parameter.get("name") != "lang":
        parameter["allowEmptyValue"] = True


def account_paths() -> dict[str, Schema]:
    return {
        "/me": {
            "get": {
                "tags": ["accounts"],
                "operationId": "getCurrentUser",
                "summary": "who is signed in, what their role may do, and the CSRF token their scripts send with writes",
                "description": "The signed-in user (by session or API token): name, role and its permissions, "
                               "language, and the CSRF token a page's scripts send as `X-CSRFToken`.",
                "security": SECURITY,
                "responses": {
                    "200": _json(schema("Me"), "the signed-in user"),
                    "401": UNAUTHORIZED,
                },
            }
        }
    }


TAGS = [
    {"name": "issues", "description": "residents' problems: report, list, read and change them, and their categories"},
    {"name": "photos", "description": "photos of an issue, stored upright as JPEG without metadata"},
    {"name": "maps", "description": "issue counts on a grid and Getis-Ord Gi* hot spots"},
    {"name": "exports",
     "description": "issues, projects and base layers as files (GeoPackage, Shapefile, GeoJSON, CSV)"},
    {"name": "base layers", "description": "the neighbourhood's boundary, compounds, buildings, roads, lanes, "
                                           "streetlights and facilities as GeoJSON"},
    {"name": "planning", "description": "streetlight coverage, dark stretches and lamp plans"},
    {"name": "projects", "description": "renovation projects: where they lie, what they affect, their linked issues"},
    {"name": "documentation", "description": "this description of the API"},
    {"name": "accounts", "description": "who is signed in and what they may do"},
]


def contact() -> Schema:
    """Whoever runs this service, reached through its home page."""
    return {"name": "金坛路居民区地图", "url": url_for("pages.index", _external=True)}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The whole document; `server_url` is where /api/v1 is served, e.g. "/api/v1"."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "金坛路居民区 issues API",
            "version": "1",
            "description": (
                "Residents' problems (issues) in 金坛路居民区, Shanghai, as GeoJSON in EPSG:4326, with the "
                "base layers of the neighbourhood. Times are ISO 8601; a date or a time without an offset is "
                "Shanghai time. Errors are JSON: `{\"error\", \"message\"}`, or `{\"error\", \"fields\"}` naming "
                "each bad parameter (400) or field (422). Reading may be open to anyone (the ANONYMOUS_VIEW setting); "
                "writing needs a signed-in user whose role allows it: see each operation."
            ),
            "contact": contact(),
        },
        "servers": [{"url": server_url}],
        "tags": TAGS,
        "paths": _house_rules(
            secure({**_paths(), **export_paths(), **lighting_paths(), **photo_paths(), **project_paths(),
                    **account_paths()}),
            PARAMETERS,
        ),
        "components": {"schemas": SCHEMAS, "parameters": PARAMETERS, "responses": RESPONSES,
                       "securitySchemes": SECURITY_SCHEMES},
    }
