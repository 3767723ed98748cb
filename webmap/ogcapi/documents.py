"""The JSON documents of OGC API - Features Part 1 Core: landing page, conformance, collections, items, one item.

No Flask here: `url(endpoint, **params)` makes each absolute link (the web
adapter keeps `lang` in it); `f` in a link says which representation it is.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from store.feature_queries import Extent
from store.timestamps import LOCAL_TZ, utcnow
from webmap.api.issue_geojson import iso
from webmap.ogcapi.collection import Collection, Feature, Page
from webmap.ogcapi.query import ItemQuery

Url = Callable[..., str]
Document = dict[str, Any]

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
]
# A field's type (geo.record_fields) in JSON Schema.
SCHEMA_TYPES = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    found = {"href": href, "rel": rel, "type": type_}
    if title:
        found["title"] = title
    return found


def both(url: Url, endpoint: str, json_type: str = JSON, **params: Any) -> list[dict[str, str]]:
    """This resource as JSON (self) and as HTML (alternate)."""
    return [
        link(url(endpoint, f="json", **params), "self", json_type),
        link(url(endpoint, f="html", **params), "alternate", HTML),
    ]


def landing(url: Url, title: str, description: str) -> Document:
    return {
        "title": title,
        "description": description,
        "links": [
            *both(url, "ogcapi.landing"),
            link(url("ogcapi.api", f="json"), "service-desc", OPENAPI, "OpenAPI 3.0"),
            link(url("ogcapi.api", f="html"), "service-doc", HTML, "OpenAPI 3.0"),
            link(url("ogcapi.conformance", f="json"), "conformance", JSON),
            link(url("ogcapi.collections", f="json"), "data", JSON),
        ],
    }


def conformance() -> Document:
    return {"conformsTo": CONFORMANCE}


def _instant(moment: date | datetime | None, *, end: bool = False) -> str | None:
    """A date as the first (or last) second of that day in Shanghai."""
    if moment is None or isinstance(moment, datetime):
        return iso(moment)
    return iso(datetime.combine(moment, time(23, 59, 59) if end else time.min, LOCAL_TZ))


def extent(found: Extent, timed: bool) -> Document:
    document: Document = {}
    if found.bbox is not None:
        document["spatial"] = {"bbox": [[round(v, 7) for v in found.bbox]], "crs": CRS84}
    if timed:
        document["temporal"] = {"interval": [[_instant(found.first), _instant(found.last, end=True)]],
                                "trs": GREGORIAN}
    return document


def collection(url: Url, c: Collection) -> Document:
    return {
        "id": c.id,
        "title": str(c.title),
        "description": str(c.description),
        "links": [
            *both(url, "ogcapi.collection", collection_id=c.id),
            link(url("ogcapi.items", collection_id=c.id, f="json"), "items", GEOJSON, str(c.title)),
            link(url("ogcapi.items", collection_id=c.id, f="html"), "items", HTML, str(c.title)),
            # GDAL's OAPIF driver types the fields from a schema of the GeoJSON features it finds by this
            # relation (spelt as older drafts of the standard did, as GDAL 3.6 looks for it).
            link(url("ogcapi.feature_schema", collection_id=c.id), "describedBy", SCHEMA, "GeoJSON feature schema"),
            link(url("ogcapi.schema", collection_id=c.id), "http://www.opengis.net/def/rel/ogc/1.0/schema", SCHEMA,
                 "schema"),
            link(url("ogcapi.queryables", collection_id=c.id), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 SCHEMA, "queryables"),
        ],
        "extent": extent(c.extent(), c.temporal is not None),
        "itemType": "feature",
        "crs": [CRS84],
    }


def collections(url: Url, found: Sequence[Collection]) -> Document:
    return {"links": both(url, "ogcapi.collections"), "collections": [collection(url, c) for c in found]}


def _filters(args: dict[str, str]) -> dict[str, str]:
    """The filters of this request as asked, kept in the links to its other pages."""
    return {name: args[name] for name in ("bbox", "datetime") if args.get(name)}


def page_links(url: Url, c: Collection, query: ItemQuery, args: dict[str, str], page: Page,
               f: str = "json") -> dict[str, str]:
    """The next and previous pages, where there are any, with the same filters and limit. The next page of a
    collection paged by position goes on after the last feature of this one (`after`), so features added
    meanwhile neither shift nor repeat what comes next; `prev` steps back by offset from the position asked."""
    kept = {**_filters(args), "collection_id": c.id, "limit": query.limit, "f": f}
    after = {"after": query.after} if query.after else {}
    more = page.more if page.more is not None else query.offset + len(page.features) < page.matched
    found = {}
    if more and page.next_after:
        found["next"] = url("ogcapi.items", after=page.next_after, **kept)
    elif more:
        found["next"] = url("ogcapi.items", **after, offset=query.offset + query.limit, **kept)
    if query.offset > 0:
        found["prev"] = url("ogcapi.items", **after, offset=max(0, query.offset - query.limit), **kept)
    return found


def items(url: Url, c: Collection, query: ItemQuery, args: dict[str, str], page: Page) -> Document:
    kept = {**_filters(args), "collection_id": c.id, "limit": query.limit, "offset": query.offset}
    if query.after:
        kept["after"] = query.after
    links = both(url, "ogcapi.items", GEOJSON, **kept)
    links += [link(href, rel, GEOJSON) for rel, href in page_links(url, c, query, args, page).items()]
    links.append(link(url("ogcapi.collection", collection_id=c.id, f="json"), "collection", JSON, str(c.title)))
    return {
        "type": "FeatureCollection",
        "features": page.features,
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": iso(utcnow()),
        "links": links,
    }


def item(url: Url, c: Collection, feature: Feature) -> Feature:
    place = {"collection_id": c.id, "feature_id": str(feature["id"])}
    return {
        **feature,
        "links": [
            *both(url, "ogcapi.item", GEOJSON, **place),
            link(url("ogcapi.collection", collection_id=c.id, f="json"), "collection", JSON, str(c.title)),
        ],
    }


def geojson_feature_schema(url: Url, c: Collection, lang: str) -> Document:
    """A JSON Schema of the collection's GeoJSON features (type, id, geometry, properties): what GDAL's OAPIF
    driver reads the field types from (`describedBy`)."""
    properties = feature_schema(url, c, lang)["properties"]
    geometry = properties.pop("geometry")
    # The feature's id stands beside the properties; GDAL takes the `id` property from the features themselves
    # and would list it twice if the schema named it too.
    properties.pop("id", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": url("ogcapi.feature_schema", collection_id=c.id),
        "type": "object",
        "title": str(c.title),
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"type": "object", "format": geometry["format"]},
            "properties": {"type": "object", "properties": properties},
        },
    }


def feature_schema(url: Url, c: Collection, lang: str, *, queryables: bool = False) -> Document:
    """The features' properties as JSON Schema (OGC API - Features Part 5 `schema`, Part 3 `queryables`): each
    with its title, type and format, the id, the time and the geometry marked by `x-ogc-role`."""
    properties: Document = {}
    for f in c.fields:
        described: Document = {"title": f.label(lang), **SCHEMA_TYPES[f.type]}
        if f.role:
            described["x-ogc-role"] = f.role
        properties[f.name] = described
    properties["geometry"] = {"format": c.geometry_format, "x-ogc-role": "primary-geometry"}
    endpoint = "ogcapi.queryables" if queryables else "ogcapi.schema"
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": url(endpoint, collection_id=c.id),
        "type": "object",
        "title": str(c.title),
        "description": str(c.description),
        "properties": properties,
        "additionalProperties": False,
    }
