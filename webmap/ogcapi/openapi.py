"""The OpenAPI 3.0 definition of /ogcapi (conformance class oas30), built from the same constants the endpoints use.

Its schemas transcribe those of OGC API - Features Part 1 (ogcapi-features-1.yaml).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webmap.api.openapi import NULL, contact
from webmap.api.openapi_security import SECURITY, SECURITY_SCHEMES
from webmap.i18n import LANGUAGES
from webmap.ogcapi.documents import CRS84, GEOJSON, GREGORIAN, HTML, JSON, OPENAPI, SCHEMA
from webmap.ogcapi.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

Schema = dict[str, Any]
FORMATS = ("json", "html")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _query(name: str, description: str, schema: Schema, **extra: Any) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            "style": "form", "explode": False, **extra}


PARAMETERS: Schema = {
    "f": _query("f", "the representation: json (GeoJSON for features) or html; without it, the Accept header decides",
                {"type": "string", "enum": list(FORMATS)}),
    "lang": _query("lang", "the language of titles and coded values: zh (default) or en",
                   {"type": "string", "enum": list(LANGUAGES)}),
    "bbox": _query(
        "bbox",
        "Only features whose geometry intersects the box: minlon,minlat,maxlon,maxlat in WGS 84 longitude/latitude "
        "(CRS84), or six numbers with heights (ignored: the features are 2D). A first longitude greater than the "
        "second is a box across the antimeridian.",
        {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
         "items": {"type": "number"}},
    ),
    "datetime": _query(
        "datetime",
        "Only features whose time meets this instant or interval (RFC 3339 date-time; a date is a whole day in "
        "Shanghai time; `..` or nothing for an open end: `2020-01-01/..`). Features without a time always match.",
        {"type": "string"},
        example="2019-01-01T00:00:00+08:00/2019-12-31T23:59:59+08:00",
    ),
    "limit": _query("limit", f"at most this many features; more than {MAX_LIMIT} is served as {MAX_LIMIT}",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    "offset": _query("offset", "skip this many matching features (the next link of a collection other than the "
                     "issues carries it; with `after`, counted from that position)",
                     {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
    "after": _query("after", "issues only: the position of the last feature of the page before, as the next link "
                    "carries it; the page goes on from there, so issues reported meanwhile neither shift nor repeat "
                    "what comes next. Other collections refuse it (400).",
                    {"type": "string", "pattern": r"^\d{8}T\d{6}\.\d{6}Z_\d{1,18}$"}),
}


def _schemas() -> Schema:
    link = _ref("schemas", "link")
    links = {"type": "array", "items": link}
    return {
        "link": {
            "type": "object",
            "required": ["href"],
            "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
                           "hreflang": {"type": "string"}, "title": {"type": "string"},
                           "length": {"type": "integer"}},
        },
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": links},
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "extent": {
            "type": "object",
            "properties": {
                "spatial": {
                    "type": "object",
                    "properties": {
                        "bbox": {"type": "array", "minItems": 1, "items": {
                            "type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                            "items": {"type": "number"}}},
                        "crs": {"type": "string", "enum": [CRS84], "default": CRS84},
                    },
                },
                "temporal": {
                    "type": "object",
                    "properties": {
                        "interval": {"type": "array", "minItems": 1, "items": {
                            "type": "array", "minItems": 2, "maxItems": 2,
                            "items": {"type": "string", "format": "date-time", "nullable": True}}},
                        "trs": {"type": "string", "enum": [GREGORIAN], "default": GREGORIAN},
                    },
                },
            },
        },
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                "links": links, "extent": _ref("schemas", "extent"),
                "itemType": {"type": "string", "default": "feature"},
                "crs": {"type": "array", "items": {"type": "string"}, "default": [CRS84]},
            },
        },
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {"links": links, "collections": {"type": "array", "items": _ref("schemas", "collection")}},
        },
        "geometryGeoJSON": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {"type": {"type": "string", "enum": list(GEOMETRY_TYPES)},
                           "coordinates": {"type": "array", "items": {},
                                           "description": "positions, nested as the type says (RFC 7946)"}},
        },
        "featureGeoJSON": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "geometry": {"oneOf": [_ref("schemas", "geometryGeoJSON"), NULL]},
                "properties": {"type": "object", "nullable": True},
                "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "links": links,
            },
        },
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
                "links": links,
                "timeStamp": {"type": "string", "format": "date-time"},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "exception": {
            "type": "object",
            "required": ["code"],
            "properties": {
                "code": {"type": "string"},
                "description": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "each bad parameter and what is wrong with it"},
            },
        },
    }


def _content(schema_name: str | None, mimetype: str, description: str) -> Schema:
    media = {"schema": _ref("schemas", schema_name)} if schema_name else {}
    return {"description": description, "content": {mimetype: media, HTML: {"schema": {"type": "string"}}}}


# Each operation's description, by its operationId.
DESCRIPTIONS = {
    "getLandingPage": "Links to this definition, the conformance declaration and the collections.",
    "getConformanceDeclaration": "The URIs of the OGC API - Features conformance classes it implements.",
    "getAPIDefinition": "This OpenAPI 3.0 definition; as HTML, browsable with Swagger UI served from here.",
    "getCollections": "Each collection with its title, extent in space (CRS84) and, for issues and projects, in "
                      "time, and links to its items.",
    "describeCollection": "The collection's title, description, extent and links to its items.",
    "getFeatures": "A GeoJSON FeatureCollection of the features that meet `bbox` and `datetime`, with the number "
                   "matched and `next`/`prev` links that keep the filters.",
    "getFeature": "The feature as a GeoJSON Feature with links to its collection.",
}
# Operations answering with an ETag, and 304 to a client sending it back.
REVALIDATED = {"getFeatures", "getFeature"}


def _operation(operation_id: str, summary: str, ok: Schema, parameters: Sequence[str], *, tag: str,
               not_found: bool = False, secured: bool = False) -> Schema:
    error = {"content": {JSON: {"schema": _ref("schemas", "exception")}, HTML: {"schema": {"type": "string"}}}}
    responses = {"200": ok, "400": {"description": "a parameter that is unknown, repeated or bad, each named", **error}}
    if operation_id in REVALIDATED:
        responses["200"] = {**ok, "headers": {"ETag": {"schema": {"type": "string"}}}}
        responses["304"] = {"description": "not modified: the ETag sent in If-None-Match is still the answer's"}
    if not_found:
        responses["404"] = {"description": "no such collection or feature", **error}
    if secured:
        responses["401"] = {"description": "not signed in and no API token, where reading needs one", **error}
    responses["500"] = {"description": "a server error", **error}
    operation = {
        "tags": [tag],
        "operationId": operation_id,
        "summary": summary,
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": responses,
    }
    if operation_id in DESCRIPTIONS:
        operation["description"] = DESCRIPTIONS[operation_id]
    if secured:
        operation["security"] = SECURITY
    return operation


def openapi_document(server_url: str, collection_ids: Sequence[str], *, anonymous_view: bool) -> Schema:
    """The definition; `server_url` is where /ogcapi is, `collection_ids` what {collectionId} may be."""
    secured = not anonymous_view
    common = ("f", "lang")
    path_parameters = {
        "collectionId": {"name": "collectionId", "in": "path", "required": True, "description": "a collection's id",
                         "schema": {"type": "string", "enum": list(collection_ids)}},
        "featureId": {"name": "featureId", "in": "path", "required": True,
                      "description": "a feature's id: a base layer's id field, or an issue's or project's UUID",
                      "schema": {"type": "string"}},
    }

    def get(*args: Any, **kwargs: Any) -> Schema:
        return {"get": _operation(*args, secured=secured, **kwargs)}

    paths = {
        "/": get("getLandingPage", "the landing page", _content("landingPage", JSON, "links to everything else"),
                 common, tag="Capabilities"),
        "/conformance": get("getConformanceDeclaration", "the conformance classes this API meets",
                            _content("confClasses", JSON, "the conformance classes"), common, tag="Capabilities"),
        "/api": get("getAPIDefinition", "this definition (HTML: browsable)",
                    _content(None, OPENAPI, "the OpenAPI 3.0 definition"), common, tag="Capabilities"),
        "/collections": get("getCollections", "every collection: the base layers, issues and projects",
                            _content("collections", JSON, "the collections"), common, tag="Capabilities"),
        "/collections/{collectionId}": {
            "parameters": [_ref("parameters", "collectionId")],
            **get("describeCollection", "one collection", _content("collection", JSON, "the collection"),
                  common, tag="Capabilities", not_found=True),
        },
        "/collections/{collectionId}/queryables": {
            "parameters": [_ref("parameters", "collectionId")],
            **get("getQueryables", "the properties of a collection's features as JSON Schema (Part 3)",
                  {"description": "the queryables", "content": {SCHEMA: {"schema": {"type": "object"}}}},
                  common, tag="Capabilities", not_found=True),
        },
        "/collections/{collectionId}/schema": {
            "parameters": [_ref("parameters", "collectionId")],
            **get("getSchema", "the schema of a collection's features as JSON Schema (Part 5)",
                  {"description": "the schema", "content": {SCHEMA: {"schema": {"type": "object"}}}},
                  common, tag="Capabilities", not_found=True),
        },
        "/collections/{collectionId}/feature-schema": {
            "parameters": [_ref("parameters", "collectionId")],
            **get("getFeatureSchema", "a JSON Schema of the collection's GeoJSON features (GDAL types fields from it)",
                  {"description": "the GeoJSON feature schema", "content": {SCHEMA: {"schema": {"type": "object"}}}},
                  common, tag="Capabilities", not_found=True),
        },
        "/collections/{collectionId}/items": {
            "parameters": [_ref("parameters", "collectionId")],
            **get("getFeatures", "the features of a collection, a page at a time (follow the next link)",
                  _content("featureCollectionGeoJSON", GEOJSON, "one page of the matching features"),
                  ("bbox", "datetime", "limit", "offset", "after", *common), tag="Data", not_found=True),
        },
        "/collections/{collectionId}/items/{featureId}": {
            "parameters": [_ref("parameters", "collectionId"), _ref("parameters", "featureId")],
            **get("getFeature", "one feature", _content("featureGeoJSON", GEOJSON, "the feature"),
                  common, tag="Data", not_found=True),
        },
    }
    components: Schema = {"parameters": {**PARAMETERS, **path_parameters}, "schemas": _schemas()}
    if secured:
        components["securitySchemes"] = SECURITY_SCHEMES
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "金坛路居民区 OGC API - Features",
            "version": "1.0.0",
            "description": "OGC API - Features Part 1: Core (GeoJSON, HTML, OpenAPI 3.0) over the base layers of "
                           "金坛路居民区, Shanghai, and its issues and projects. Coordinates are WGS 84 "
                           "longitude/latitude (CRS84).",
            "contact": contact(),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": "Capabilities", "description": "what the service offers: landing page, conformance, "
                                                         "this definition, the collections"},
                 {"name": "Data", "description": "the features of a collection"}],
        "paths": paths,
        "components": components,
    }
