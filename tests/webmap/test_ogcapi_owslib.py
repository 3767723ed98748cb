"""OWSLib's OGC API - Features client (owslib.ogcapi.features.Features) reads /ogcapi from a live server."""
from __future__ import annotations

import pytest
import shapely
from owslib.ogcapi.features import Features

from geo.schema import LAYERS
from store.models import Issue, Project
from tests.live_server import ServerProcess

COLLECTIONS = [*LAYERS, "issues", "projects"]
CONFORMANCE = {f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
               for name in ("core", "geojson", "html", "oas30")}
# JSON Schema types (OGC API - Features Part 3 queryables) and the JSON values each admits.
JSON_TYPES = {"string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,), "object": (dict,),
              "array": (list,)}


@pytest.fixture(scope="module")
def counts(demo_app):
    """How many features each collection holds."""
    with demo_app.extensions["store"].sessions() as s:
        stored = {"issues": s.query(Issue).count(), "projects": s.query(Project).count()}
    layers = demo_app.extensions["base_layers"].layers
    return {**{name: len(layers[name]) for name in LAYERS}, **stored}


@pytest.fixture(scope="module")
def server(demo_app):
    with ServerProcess(DATABASE_URL=demo_app.config["DATABASE_URL"]) as live:
        yield live


@pytest.fixture(scope="module")
def features(server):
    return Features(f"{server.url}/ogcapi")


def test_the_landing_page_links_to_the_definition_conformance_and_collections(features):
    assert {link["rel"] for link in features.links} >= {"self", "service-desc", "conformance", "data"}
    definition = features.api()
    assert definition["openapi"].startswith("3.0.")
    assert "/collections/{collectionId}/items" in definition["paths"]


def test_conformance(features):
    assert set(features.conformance()["conformsTo"]) >= CONFORMANCE


def test_collections(features, counts):
    listed = features.collections()
    assert [c["id"] for c in listed["collections"]] == COLLECTIONS
    assert features.feature_collections() == COLLECTIONS  # itemType feature
    for collection_id in COLLECTIONS:
        collection = features.collection(collection_id)
        assert collection["id"] == collection_id and collection["title"]
        [bbox] = collection["extent"]["spatial"]["bbox"]
        assert 121.4 < bbox[0] < bbox[2] < 121.6 and 31.1 < bbox[1] < bbox[3] < 31.3, collection_id


@pytest.mark.parametrize("collection_id", COLLECTIONS)
def test_items_a_page_at_a_time_and_within_a_bbox(features, counts, collection_id):
    page = features.collection_items(collection_id, limit=3)
    assert page["type"] == "FeatureCollection"
    assert page["numberMatched"] == counts[collection_id] > 0
    assert page["numberReturned"] == len(page["features"]) == min(3, counts[collection_id])
    assert ("next" in {link["rel"] for link in page["links"]}) == (counts[collection_id] > 3)

    [extent] = features.collection(collection_id)["extent"]["spatial"]["bbox"]
    whole = features.collection_items(collection_id, bbox=extent, limit=10000)
    assert whole["numberMatched"] == whole["numberReturned"] == counts[collection_id]

    west, south, east, north = extent
    half = [west, south, (west + east) / 2, north]
    inside = features.collection_items(collection_id, bbox=half, limit=10000)
    box = shapely.box(*half)
    assert inside["numberReturned"] == inside["numberMatched"] <= counts[collection_id]
    assert all(shapely.geometry.shape(f["geometry"]).intersects(box) for f in inside["features"])
    outside = {f["id"] for f in whole["features"]} - {f["id"] for f in inside["features"]}
    assert all(not shapely.geometry.shape(f["geometry"]).intersects(box)
               for f in whole["features"] if f["id"] in outside)


@pytest.mark.parametrize("collection_id", COLLECTIONS)
def test_a_single_item_is_the_one_listed(features, collection_id):
    listed = features.collection_items(collection_id, limit=1)["features"][0]
    item = features.collection_item(collection_id, listed["id"])
    assert item["id"] == listed["id"]
    assert item["properties"] == listed["properties"] and item["geometry"] == listed["geometry"]


@pytest.mark.parametrize("collection_id", COLLECTIONS)
def test_queryables_are_a_json_schema_typing_the_fields(features, collection_id):
    """OGC API - Features Part 3: a JSON Schema object whose properties each have a type (geometry a format or a
    $ref), so that clients type the fields right; the features' values are of those types."""
    queryables = features.collection_queryables(collection_id)
    assert queryables["type"] == "object"
    properties = queryables["properties"]
    assert properties
    untyped = [name for name, s in properties.items()
               if "type" not in s and not str(s.get("format", "")).startswith("geometry") and "$ref" not in s]
    assert not untyped, f"queryables without a type: {untyped}"
    for feature in features.collection_items(collection_id, limit=10000)["features"]:
        for name, value in feature["properties"].items():
            declared = properties.get(name, {}).get("type")
            if value is None or declared is None:
                continue
            allowed = [declared] if isinstance(declared, str) else declared
            assert any(isinstance(value, JSON_TYPES[t]) and not (t in ("number", "integer") and isinstance(value, bool))
                       for t in allowed if t in JSON_TYPES), (collection_id, name, value, declared)
