"""The OpenAPI 3.0 description of /api/v1/projects, merged into webmap.api.openapi's document.

Self-contained (schemas inline, shared ones by $ref) so that webmap.api.openapi can import it first.
"""
from __future__ import annotations

from typing import Any

from geo.picking import NEAR_BOUNDARY_M, PICKABLE
from geo.project_impact import CONFLICT_MARGIN_M, NEAR_M
from store.filters import LIMIT_MAX
from store.project_vocabulary import ProjectEventKind, ProjectKind, ProjectStatus
from store.projects import (
    BUDGET_MAX,
    CONTRACTOR_MAX,
    FIRST_DAY,
    IDS_MAX,
    LAST_DAY,
    LINKS_MAX,
    PROJECT_NAME_MAX,
    resolved_comment,
)
from store.validation import COMMENT_MAX, DESCRIPTION_MAX
from webmap.api import projects

Schema = dict[str, Any]

TEXT = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
DAY = {"type": "string", "format": "date", "description": f"YYYY-MM-DD, {FIRST_DAY} … {LAST_DAY}"}
INSTANT = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset (Shanghai time, +08:00)"}
KINDS = [kind.value for kind in ProjectKind]
STATUSES = [status.value for status in ProjectStatus]


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(s: Schema) -> Schema:
    if "enum" in s:  # OpenAPI 3.0.3: nullable does not widen an enum
        return {**s, "nullable": True, "enum": [*s["enum"], None]}
    return {**s, "nullable": True}


def _object(required: list[str], properties: dict[str, Schema], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


def _query(name: str, s: Schema, description: str, **extra: Any) -> Schema:
    return {"name": name, "in": "query", "required": False, "schema": s, "description": description, **extra}


def _content(s: Schema, description: str, mimetype: str = "application/geo+json") -> Schema:
    return {"description": description, "content": {mimetype: {"schema": s}}}


BUDGET = {"type": "number", "minimum": 0, "maximum": float(BUDGET_MAX), "description": "yuan, to the fen at most"}
GEOMETRY = {
    "allOf": [_ref("schemas", "Geometry")],
    "description": "GeoJSON in EPSG:4326: areas (Polygon, MultiPolygon), lines or points; valid, and nowhere more "
    f"than {NEAR_BOUNDARY_M:g} m outside the neighbourhood",
}
IDS = {"type": "array", "minItems": 1, "maxItems": IDS_MAX, "items": {"oneOf": [TEXT, {"type": "integer"}]}}

PROPERTIES = _object(
    ["id", "name", "kind", "kind_name", "status", "households_affected"],
    {
        "id": UUID,
        "name": TEXT,
        "kind": {"type": "string", "enum": KINDS},
        "kind_name": {"type": "string", "description": "in the request's language (lang)"},
        "status": {"type": "string", "enum": STATUSES},
        "planned_start": _nullable(DAY),
        "planned_end": _nullable(DAY),
        "actual_start": _nullable(DAY),
        "actual_end": _nullable(DAY),
        "budget": _nullable(BUDGET),
        "contractor": _nullable(TEXT),
        "households_affected": {"type": "integer", "description": "households in the buildings it affects"},
    },
)
PROJECT = _object(
    ["type", "id", "geometry", "properties"],
    {"type": {"type": "string", "enum": ["Feature"]}, "id": UUID, "geometry": GEOMETRY, "properties": PROPERTIES},
)
ISSUE_SUMMARY = {
    "id": UUID,
    "title": TEXT,
    "category": TEXT,
    "status": {"type": "string", "description": "the issue's status (see /issues)"},
}
DERIVED = _object(
    ["buildings_affected", "households_affected", "open_issues_inside", "linked_issues", "conflicts"],
    {
        "buildings_affected": {
            "type": "array",
            "description": f"those an area overlaps; those within {NEAR_M:g} m of a line; for a point, the building "
            f"it stands in, else the nearest within {NEAR_M:g} m",
            "items": _object(["id", "address", "households"],
                             {"id": TEXT, "address": TEXT, "households": {"type": "integer"}}),
        },
        "households_affected": {"type": "integer"},
        "open_issues_inside": {
            "type": "array",
            "description": f"open issues within {NEAR_M:g} m of the geometry, not linked yet: offered for linking",
            "items": _object(list(ISSUE_SUMMARY), ISSUE_SUMMARY),
        },
        "linked_issues": {
            "type": "array",
            "items": _object([*ISSUE_SUMMARY, "linked_by", "linked_at"],
                             {**ISSUE_SUMMARY, "linked_by": TEXT, "linked_at": INSTANT}),
        },
        "conflicts": {
            "type": "array",
            "description": f"other projects within {CONFLICT_MARGIN_M:g} m whose planned or actual period overlaps "
            "this one's (a project without dates conflicts with nothing)",
            "items": _object(
                ["id", "name", "status"],
                {"id": UUID, "name": TEXT, "status": {"type": "string", "enum": STATUSES},
                 "planned_start": _nullable(DAY), "planned_end": _nullable(DAY),
                 "actual_start": _nullable(DAY), "actual_end": _nullable(DAY)},
            ),
        },
    },
)
EVENT = _object(
    ["kind", "actor", "at"],
    {
        "kind": {"type": "string", "enum": [kind.value for kind in ProjectEventKind]},
        "from": _nullable({"type": "string", "description": "the old value as text (a geometry as GeoJSON)"}),
        "to": _nullable({"type": "string", "description": "the new value; for linked and unlinked, the issue's id"}),
        "comment": _nullable(TEXT),
        "actor": TEXT,
        "at": INSTANT,
    },
)
RECORD = _object(
    ["type", "id", "geometry", "properties", "derived", "events"],
    {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": UUID,
        "geometry": GEOMETRY,
        "properties": {
            "allOf": [
                PROPERTIES,
                _object(["description", "created_by", "created_at", "updated_at"],
                        {"description": TEXT, "created_by": TEXT, "created_at": INSTANT, "updated_at": INSTANT}),
            ]
        },
        "derived": DERIVED,
        "events": {"type": "array", "items": EVENT, "description": "the project's history, oldest first"},
    },
)
COLLECTION = _object(
    ["type", "numberMatched", "numberReturned", "timeStamp", "links", "features"],
    {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "numberMatched": {"type": "integer", "description": "projects matching the filters, on all pages"},
        "numberReturned": {"type": "integer"},
        "timeStamp": INSTANT,
        "links": {"type": "array", "items": _ref("schemas", "Link")},
        "features": {"type": "array", "items": PROJECT},
    },
)
WHERE = {
    "geometry": GEOMETRY,
    "compounds": {**IDS, "description": "compound ids to pick (areas); see /layers/compounds"},
    "buildings": {**IDS, "description": "building ids to pick (areas); see /layers/buildings"},
    "lanes": {**IDS, "description": "lane ids to pick (lines), not with compounds or buildings; see /layers/lanes"},
}
FIELDS = {
    "name": {"type": "string", "maxLength": PROJECT_NAME_MAX},
    "status": {"type": "string", "enum": STATUSES},
    "planned_start": _nullable(DAY),
    "planned_end": _nullable(DAY),
    "actual_start": _nullable(DAY),
    "actual_end": _nullable(DAY),
    "budget": _nullable({**BUDGET, "description": "yuan, a number or its text, to the fen at most"}),
    "contractor": _nullable({"type": "string", "maxLength": CONTRACTOR_MAX}),
    "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
}
NEW_PROJECT = {
    "type": "object",
    "required": ["name", "kind"],
    "description": f"where: a GeoJSON geometry, or ids to pick from the base layers ({', '.join(PICKABLE)}); one is "
    "required",
    "properties": {
        "id": {**UUID, "description": "chosen by the client; sending the same id again returns the first project "
                                      "(200) and stores nothing"},
        "kind": {"type": "string", "enum": KINDS},
        **FIELDS,
        "status": {**FIELDS["status"], "default": ProjectStatus.PROPOSED.value},
        **WHERE,
        "link_issues": {"type": "array", "maxItems": LINKS_MAX, "items": UUID, "description": "issues it addresses"},
    },
    "additionalProperties": False,
    "example": {
        "name": "黄家路55弄路灯实事工程",
        "kind": "lighting_works",
        "lanes": [64, 65, 66],
        "planned_start": "2020-03-01",
        "planned_end": "2020-05-31",
        "budget": 386000,
    },
}
CHANGES = {
    "type": "object",
    "description": "only what changes; each real change becomes an event (a comment alone is one too)",
    "properties": {
        **FIELDS,
        **WHERE,
        "comment": {"type": "string", "maxLength": COMMENT_MAX},
        projects.RESOLVE: {
            "type": "boolean",
            "default": False,
            "description": "with status completed: resolve every linked open issue too, commented "
            f"「{resolved_comment('…')}」; all of it or nothing",
        },
    },
    "additionalProperties": False,
    "example": {"status": "completed", "actual_end": "2020-05-28", projects.RESOLVE: True, "comment": "当晚亮灯"},
}
LINKS = {
    "type": "object",
    "required": ["issues"],
    "properties": {
        "issues": {"type": "array", "maxItems": LINKS_MAX, "items": UUID},
        "comment": {"type": "string", "maxLength": COMMENT_MAX},
    },
    "additionalProperties": False,
}
INVALID_PROJECT = _object(
    ["error", "fields"],
    {
        "error": {"type": "string", "enum": ["invalid project"]},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "one message per field", "example": {"compounds": "unknown compound id: atlantis"}},
    },
)


def project_paths() -> dict[str, Schema]:
    project_id = {"name": "project_id", "in": "path", "required": True, "schema": UUID,
                  "description": "the project's public id"}
    lang = _ref("parameters", "lang")
    record = _content(RECORD, "the project with its derived facts and its events, oldest first")
    invalid = _content(INVALID_PROJECT, "the values break the rules for projects; each field is named",
                       "application/json")
    not_found = _content(_ref("schemas", "Error"), "no such project (or the id is not a UUID)", "application/json")

    def body(s: Schema) -> Schema:
        return {"required": True, "content": {"application/json": {"schema": s}}}

    def changing(operation_id: str, summary: str, s: Schema | None) -> Schema:
        operation = {
            "tags": ["projects"],
            "operationId": operation_id,
            "summary": summary,
            "parameters": [lang],
            "responses": {"200": record, "404": not_found, "422": invalid},
        }
        if s is not None:
            operation["requestBody"] = body(s)
            operation["responses"].update({"400": _ref("responses", "BadBody"), "413": _ref("responses", "TooLarge")})
        return operation

    return {
        "/projects": {
            "get": {
                "tags": ["projects"],
                "operationId": "listProjects",
                "summary": "renovation projects matching the filters, newest entered first, one page at a time",
                "description": "A GeoJSON FeatureCollection of one page, with the number matched on all pages and "
                               "links to the next and previous pages.",
                "parameters": [
                    _query("status", TEXT, f"statuses, comma-separated: {', '.join(STATUSES)}", example="completed"),
                    _query("kind", TEXT, f"kinds, comma-separated: {', '.join(KINDS)}", example="lighting_works"),
                    _query("year", {"type": "integer", "minimum": FIRST_DAY.year, "maximum": LAST_DAY.year},
                           "its planned or actual period overlaps this year (a period with one known end lasts "
                           "that day)", example=2020),
                    _query("bbox", {"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$"},
                           "minlon,minlat,maxlon,maxlat in EPSG:4326 degrees: its geometry meets the box",
                           example="121.490,31.217,121.495,31.224"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX,
                                     "default": projects.DEFAULT_LIMIT}, "page size"),
                    _query("offset", {"type": "integer", "minimum": 0, "maximum": projects.MAX_OFFSET, "default": 0},
                           "projects to skip"),
                    lang,
                ],
                "responses": {
                    "200": _content(COLLECTION, "one page"),
                    "400": _ref("responses", "InvalidRequest"),
                },
            },
            "post": {
                "tags": ["projects"],
                "operationId": "createProject",
                "summary": "record a project: drawn as GeoJSON or picked from compounds, buildings or lanes",
                "parameters": [lang],
                "requestBody": body(NEW_PROJECT),
                "responses": {
                    "201": {**record, "description": "stored",
                            "headers": {"Location": {"schema": TEXT, "description": "the project's URL"}}},
                    "200": {**record, "description": "already stored under this id: the first project"},
                    "400": _ref("responses", "BadBody"),
                    "413": _ref("responses", "TooLarge"),
                    "422": invalid,
                },
            },
        },
        "/projects/{project_id}": {
            "parameters": [project_id],
            "get": {
                "tags": ["projects"],
                "operationId": "getProject",
                "summary": "one project with what it affects, its links, its conflicts and its history",
                "description": "The project as a GeoJSON Feature with the buildings and households it affects, the "
                               "issues linked to it, the projects it conflicts with and its events, oldest first.",
                "parameters": [lang],
                "responses": {"200": record, "404": not_found},
            },
            "patch": changing(
                "updateProject",
                "change name, status, dates, budget, contractor, description or where it lies, with a comment; "
                f"completing it with {projects.RESOLVE} resolves its linked open issues",
                CHANGES,
            ),
        },
        "/projects/{project_id}/issues": {
            "parameters": [project_id],
            "post": changing("linkProjectIssues",
                             "link issues to the project (events on the project and on each issue); "
                             "ones already linked are left as they are", LINKS),
        },
        "/projects/{project_id}/issues/{issue_id}": {
            "parameters": [project_id, _ref("parameters", "issue_id")],
            "delete": changing("unlinkProjectIssue",
                               "unlink an issue (events on the project and on the issue); 404 if it is not linked",
                               None),
        },
    }
