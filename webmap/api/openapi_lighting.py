"""The OpenAPI 3.0 description of /api/v1/lighting, merged into webmap.api.openapi's document.

Self-contained (schemas inline, shared ones by $ref) so that webmap.api.openapi can import it first.
"""
from __future__ import annotations

from typing import Any

from geo.lamp_placement import DEFAULT_UNIT_COST
from geo.lighting import NEW_LAMP_HEIGHT_M, NEW_LAMP_LUMINAIRE, SPACING_FACTORS
from webmap.api import lighting

Schema = dict[str, Any]

TEXT = {"type": "string"}
NUMBER = {"type": "number"}
INTEGER = {"type": "integer"}
METRES = {"type": "number", "description": "metres, to the centimetre"}
LUMINAIRE = {
    "type": "string",
    "enum": list(SPACING_FACTORS),
    "description": "CJJ 45-2015 light distribution: pole spacing up to 3, 3.5 or 4 x the mounting height",
}


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(s: Schema) -> Schema:
    return {**s, "nullable": True}


def _object(required: list[str], properties: dict[str, Schema], **extra: Any) -> Schema:
    return {"type": "object", "required": required, "properties": properties, **extra}


def _feature(geometry: Schema, properties: Schema) -> Schema:
    return _object(
        ["type", "id", "geometry", "properties"],
        {"type": {"type": "string", "enum": ["Feature"]}, "id": {"oneOf": [TEXT, INTEGER]},
         "geometry": geometry, "properties": properties},
    )


def _geometry(*kinds: str) -> Schema:
    return {"allOf": [_ref("schemas", "Geometry")], "description": f"GeoJSON {' or '.join(kinds)}, EPSG:4326"}


AS_OF = {"type": "string", "format": "date",
         "description": "the day whose lamps count (installed <= as_of < removed); default today in Shanghai"}
AREA = _object(
    ["id", "name", "geometry"],
    {
        "id": {"type": "string", "description": f"the compound id, {lighting.ALL!r}, or {lighting.DRAWN!r}"},
        "name": {"type": "string", "description": "in the request's language"},
        "geometry": _geometry("Polygon", "MultiPolygon"),
    },
)
STRETCH = _feature(
    _geometry("LineString"),
    _object(
        ["kind", "lane", "lane_id", "compound", "length_m"],
        {
            "kind": {"type": "string", "enum": ["lit", "dark"]},
            "layer": {"type": "string", "enum": ["lanes", "roads"]},
            "lane": _nullable({"type": "string", "description": "the lane's (or road's) name"}),
            "lane_name": _nullable({"type": "string", "description": "the name in the request's language"}),
            "lane_id": _nullable({"oneOf": [TEXT, INTEGER]}),
            "compound": _nullable(TEXT),
            "from_m": {**METRES, "description": "where the stretch starts, metres along the lane"},
            "to_m": METRES,
            "length_m": METRES,
        },
    ),
)
LAMP = _feature(
    _geometry("Point"),
    _object(
        ["kind", "id", "status", "role", "lit_radius_m"],
        {
            "kind": {"type": "string", "enum": ["lamp"]},
            "id": TEXT,
            "status": {"type": "string", "enum": ["working", "broken"]},
            "role": {
                "type": "string",
                "enum": ["lighting", "broken", "off-network"],
                "description": "off-network: farther than 3 m from every lane and road, so it lights none",
            },
            "height": _nullable(NUMBER),
            "luminaire": _nullable(TEXT),
            "lit_radius_m": {**METRES, "description": "how far along the network it lights each way (0 if broken)"},
        },
    ),
)
PROPOSED_LAMP = _feature(
    _geometry("Point"),
    _object(
        ["kind", "number", "lane", "lon", "lat", "height", "luminaire"],
        {
            "kind": {"type": "string", "enum": ["proposed_lamp"]},
            "number": {"type": "integer", "minimum": 1, "description": "numbered along the lanes"},
            "lane": _nullable(TEXT),
            "lane_name": _nullable(TEXT),
            "lane_id": _nullable({"oneOf": [TEXT, INTEGER]}),
            "at_m": {**METRES, "description": "metres along the lane"},
            "lon": NUMBER,
            "lat": NUMBER,
            "height": NUMBER,
            "luminaire": LUMINAIRE,
            "lit_radius_m": METRES,
            "on_dark": {"type": "boolean", "description": "stands on a dark stretch (else lights dark ones nearby)"},
            "newly_lit_m": {**METRES, "description": "dark length it lights"},
        },
    ),
)
GAP_SUMMARY = _object(
    ["lit_radius_m", "lane_length_m", "lit_length_m", "lit_share", "dark_length_m", "dark_stretches"],
    {
        "lit_radius_m": {**METRES, "description": "a new 4 m semi-cut-off lamp's"},
        "lane_length_m": METRES,
        "lit_length_m": METRES,
        "lit_share": _nullable({"type": "number", "minimum": 0, "maximum": 1, "description": "null: no lanes"}),
        "dark_length_m": METRES,
        "dark_stretches": INTEGER,
        "longest_dark_m": METRES,
        "lamps_lighting": INTEGER,
        "lamps_broken": INTEGER,
        "lamps_ignored": INTEGER,
    },
)
PLAN_SUMMARY = _object(
    ["lit_radius_m", "lit_share_before", "lit_share_after", "lamps_proposed", "lower_bound", "naive_count",
     "households_served", "cost"],
    {
        "lit_radius_m": METRES,
        "mounting_height_m": NUMBER,
        "luminaire": LUMINAIRE,
        "lane_length_m": METRES,
        "dark_length_before_m": METRES,
        "dark_stretches_before": INTEGER,
        "lit_share_before": _nullable({"type": "number", "minimum": 0, "maximum": 1}),
        "lit_share_after": _nullable({"type": "number", "minimum": 0, "maximum": 1}),
        "lamps_proposed": INTEGER,
        "lower_bound": {"type": "integer", "description": "no plan can do with fewer lamps"},
        "naive_count": {"type": "integer", "description": "a lamp every 2 x lit radius along each dark stretch"},
        "unit_cost": NUMBER,
        "cost": {"type": "number", "description": "yuan: lamps_proposed x unit_cost"},
        "households_served": INTEGER,
        "buildings_served": INTEGER,
        "lighting_issues_near_dark": INTEGER,
        "min_distance_m": METRES,
        "lamps_near_existing": INTEGER,
        "broken_lamps_on_dark": {"type": "integer", "description": "repairing them may be cheaper than new ones"},
        "lamps_in_lit_stretches": INTEGER,
        "naive_keeps_min_distance": {"type": "boolean"},
        "method": TEXT,
    },
)
GAPS = _object(
    ["type", "area", "summary", "features"],
    {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "area": AREA,
        "as_of": AS_OF,
        "summary": GAP_SUMMARY,
        "features": {"type": "array", "items": {"anyOf": [STRETCH, LAMP]},
                     "description": "lit stretches, dark stretches (longest first), the lamps that can light the area"},
    },
)
PLAN = _object(
    ["type", "area", "summary", "buildings_served", "issues", "features"],
    {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "area": AREA,
        "as_of": AS_OF,
        "summary": PLAN_SUMMARY,
        "buildings_served": {
            "type": "array",
            "description": "buildings whose entrance is on a stretch the plan lights",
            "items": _object(
                ["id", "address", "households"],
                {"id": TEXT, "address": _nullable(TEXT), "compound": _nullable(TEXT), "households": _nullable(INTEGER)},
            ),
        },
        "issues": {
            "type": "array",
            "description": "open lighting issues within 10 m of a dark stretch",
            "items": _object(
                ["id", "title", "status", "lane", "lon", "lat"],
                {
                    "id": {"type": "string", "format": "uuid"},
                    "title": TEXT,
                    "status": TEXT,
                    "lane": _nullable(TEXT),
                    "distance_m": METRES,
                    "lon": NUMBER,
                    "lat": NUMBER,
                },
            ),
        },
        "features": {"type": "array", "items": {"anyOf": [PROPOSED_LAMP, STRETCH]},
                     "description": "the proposed lamps, then the dark stretches before the plan"},
    },
)
PLAN_REQUEST = _object(
    ["area"],
    {
        "area": {
            "oneOf": [
                {"type": "string", "description": f"a compound id or {lighting.ALL!r}", "example": "hjl55"},
                {"allOf": [_ref("schemas", "Geometry")], "description": "a GeoJSON Polygon or MultiPolygon, EPSG:4326"},
            ]
        },
        "mounting_height": {"type": "number", "minimum": lighting.MOUNTING_HEIGHT_M[0],
                            "maximum": lighting.MOUNTING_HEIGHT_M[1], "default": NEW_LAMP_HEIGHT_M,
                            "description": "metres"},
        "luminaire": {**LUMINAIRE, "default": NEW_LAMP_LUMINAIRE},
        "unit_cost": {"type": "number", "minimum": 0, "maximum": lighting.MAX_UNIT_COST,
                      "default": DEFAULT_UNIT_COST, "description": "yuan a lamp, installed"},
        "as_of": AS_OF,
    },
    additionalProperties=False,
    example={"area": "hjl55", "mounting_height": 4, "luminaire": "semi-cut-off", "unit_cost": 8000},
)
INVALID_PLAN = _object(
    ["error", "fields"],
    {
        "error": {"type": "string", "enum": ["invalid plan request"]},
        "fields": {"type": "object", "additionalProperties": TEXT, "description": "one message per field",
                   "example": {"luminaire": "unknown luminaire 'led'; expected one of cut-off, semi-cut-off, "
                                            "non-cut-off"}},
    },
)


def _query(name: str, s: Schema, description: str, required: bool = False) -> Schema:
    return {"name": name, "in": "query", "required": required, "schema": s, "description": description}


AREA_DESCRIPTION = (
    f"a compound id (see /layers/compounds), {lighting.ALL!r} for the whole neighbourhood, "
    "or a GeoJSON Polygon or MultiPolygon (EPSG:4326) as JSON text"
)


def _plan_parameters() -> list[Schema]:
    return [
        {**_query("area", TEXT, AREA_DESCRIPTION, required=True), "example": "hjl55"},
        _query("mounting_height", PLAN_REQUEST["properties"]["mounting_height"], "metres"),
        _query("luminaire", PLAN_REQUEST["properties"]["luminaire"], "light distribution"),
        _query("unit_cost", PLAN_REQUEST["properties"]["unit_cost"], "yuan a lamp"),
        _query("as_of", AS_OF, AS_OF["description"]),
        _ref("parameters", "lang"),
    ]


def _download(operation_id: str, mimetype: str, what: str, s: Schema) -> Schema:
    return {
        "get": {
            "tags": ["planning"],
            "operationId": operation_id,
            "summary": f"the plan as {what}, to download",
            "description": "The same plan as POST /lighting/plan makes, its settings as query parameters, as a file.",
            "parameters": _plan_parameters(),
            "responses": {
                "200": {
                    "description": f"{what}, as an attachment",
                    "headers": {"Content-Disposition": {"schema": TEXT}},
                    "content": {mimetype: {"schema": s}},
                },
                "400": _ref("responses", "InvalidRequest"),
            },
        }
    }


def lighting_paths() -> dict[str, Schema]:
    return {
        "/lighting/gaps": {
            "get": {
                "tags": ["planning"],
                "operationId": "getLightingGaps",
                "summary": "which stretches of the lanes in an area the streetlights light, and where it is dark",
                "description": "The lanes of the area split into lit and dark stretches by the reach of the existing "
                               "streetlights, the lamps themselves, and a summary of the lengths lit and dark.",
                "parameters": [
                    _query("area", {"type": "string", "default": lighting.ALL}, AREA_DESCRIPTION),
                    _query("include_roads", {"type": "boolean", "default": False},
                           "measure the streets in the area too (they always carry light into lane mouths)"),
                    _query("as_of", AS_OF, AS_OF["description"]),
                    _ref("parameters", "lang"),
                ],
                "responses": {
                    "200": {"description": "lit and dark stretches, the lamps, the summary",
                            "content": {"application/geo+json": {"schema": GAPS}}},
                    "400": _ref("responses", "InvalidRequest"),
                },
            }
        },
        "/lighting/plan": {
            "post": {
                "tags": ["planning"],
                "operationId": "planLighting",
                "summary": "new streetlights that light every lane in the area, as few as can be found",
                "description": "A lamp plan (CJJ 45-2015 spacing) for the area's dark stretches: the proposed lamps, "
                               "their cost, the households served and the lighting issues in the dark. Nothing is "
                               "stored.",
                "parameters": [_ref("parameters", "lang")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": PLAN_REQUEST}}},
                "responses": {
                    "200": {"description": "the plan", "content": {"application/geo+json": {"schema": PLAN}}},
                    "400": _ref("responses", "BadBody"),
                    "413": _ref("responses", "TooLarge"),
                    "422": {"description": "a value the plan cannot take; each field is named",
                            "content": {"application/json": {"schema": INVALID_PLAN}}},
                },
            }
        },
        "/lighting/plan.geojson": _download("exportLightingPlanGeojson", "application/geo+json",
                                            "GeoJSON (as POST /lighting/plan answers)", PLAN),
        "/lighting/plan.csv": _download(
            "exportLightingPlanCsv",
            "text/csv",
            "CSV of the proposed lamps (UTF-8 with a byte order mark for Excel)",
            {"type": "string", "description": f"columns: {', '.join(lighting.CSV_COLUMNS)}"},
        ),
    }
