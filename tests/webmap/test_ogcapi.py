"""/ogcapi, OGC API - Features Part 1 Core: landing page, conformance, API definition, collections, items, one item.

JSON answers are checked against the schemas of the service's own OpenAPI
definition (transcribed from ogcapi-features-1.yaml); HTML pages against
webmap.assets.find_external_urls. Issues and projects are also read on PostGIS.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from geo.schema import LAYERS
from tests.accounts import bearer, client_as
from tests.conftest import HOSTILE_COMPOUND, HOSTILE_NAME, make_app
from tests.webmap.api.helpers import CENTRE_LAT, CENTRE_LON, offset_point, report, stored_issue
from webmap.assets import find_external_urls

COLLECTIONS = [*LAYERS, "issues", "projects"]
CONFORMANCE = {f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}"
               for name in ("core", "geojson", "html", "oas30")} | {
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
}
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SCHEMA = "application/schema+json"
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
EAST = offset_point(CENTRE_LON, CENTRE_LAT, 90, 80)
ISSUES = {  # title: (reported at, where)
    "一号": ("2019-05-01T10:00:00+08:00", (CENTRE_LON, CENTRE_LAT)),
    "二号": ("2020-01-15T09:00:00+08:00", EAST),
    "三号": ("2021-06-30T18:00:00+08:00", (CENTRE_LON, CENTRE_LAT)),
}
PROJECTS = {  # name: (planned start, planned end, compound)
    "黄家路55弄美丽家园": ("2019-06-01", "2020-08-31", "hjl55"),
    "面筋弄微更新": ("2021-03-01", "2021-12-31", "mianjin"),
    "尚未排期": (None, None, "hjl55"),
}


def add_data(app) -> None:
    """The ISSUES and PROJECTS, through the API."""
    admin = client_as(app, "admin")
    for title, (reported_at, (lon, lat)) in ISSUES.items():
        report(admin, title=title, reported_at=reported_at, lon=lon, lat=lat)
    for name, (start, end, compound) in PROJECTS.items():
        body = {"name": name, "kind": "beautiful_home", "compounds": [compound], "planned_start": start,
                "planned_end": end}
        response = admin.post("/api/v1/projects", json={k: v for k, v in body.items() if v is not None})
        assert response.status_code == 201, response.get_json()


@pytest.fixture(scope="module")
def ogc_app():
    app = make_app()
    add_data(app)
    return app


@pytest.fixture()
def ogc(ogc_app):
    return ogc_app.test_client()


@pytest.fixture(scope="module")
def definition(ogc_app):
    return ogc_app.test_client().get("/ogcapi/api?f=json").get_json()


def conforms(definition, schema_name: str, instance) -> None:
    validator = OAS30Validator({"$ref": f"#/components/schemas/{schema_name}", "components": definition["components"]})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def local(href: str) -> str:
    """An absolute link of the service as the test client asks for it."""
    parts = urlsplit(href)
    assert parts.scheme == "http" and parts.netloc == "localhost", href
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def links(document) -> dict[tuple[str, str], str]:
    return {(link["rel"], link["type"]): link["href"] for link in document["links"]}


def get_json(client, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:300])
    return response.get_json()


def items(client, collection: str, query: str = "") -> dict:
    return get_json(client, f"/ogcapi/collections/{collection}/items?{query}")


def refused(client, path: str) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 400 and response.mimetype == "application/json", path
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and body["description"]
    return body["fields"]


# --- landing page, conformance, API definition -------------------------------------------------


def test_the_landing_page_links_to_the_definition_the_conformance_and_the_data(ogc, definition):
    response = ogc.get("/ogcapi/")
    assert response.status_code == 200 and response.mimetype == "application/json"
    page = response.get_json()
    conforms(definition, "landingPage", page)
    found = links(page)
    assert set(found) == {
        ("self", "application/json"), ("alternate", "text/html"),
        ("service-desc", "application/vnd.oai.openapi+json;version=3.0"), ("service-doc", "text/html"),
        ("conformance", "application/json"), ("data", "application/json"),
    }
    for (rel, mimetype), href in found.items():
        answer = ogc.get(local(href))
        assert answer.status_code == 200 and answer.mimetype == mimetype.split(";")[0], rel
    assert ogc.get("/ogcapi").status_code == 200  # no redirect for the address people type


def test_conformance_names_core_geojson_html_oas30_queryables_and_schemas(ogc, definition):
    body = get_json(ogc, "/ogcapi/conformance")
    conforms(definition, "confClasses", body)
    assert set(body["conformsTo"]) == CONFORMANCE


def test_the_definition_is_openapi_3_0_describing_every_route(ogc_app, ogc, definition):
    response = ogc.get("/ogcapi/api")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    assert response.headers["Content-Type"].endswith("version=3.0")
    validate(definition)
    routes = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/ogcapi"))
              for rule in ogc_app.url_map.iter_rules()
              if rule.rule.startswith("/ogcapi") and rule.endpoint != "ogcapi.unknown_path"}
    renamed = {path.replace("{collection_id}", "{collectionId}").replace("{feature_id}", "{featureId}")
               for path in routes}
    assert set(definition["paths"]) == renamed
    assert definition["components"]["parameters"]["collectionId"]["schema"]["enum"] == COLLECTIONS
    limit = definition["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 10000, 100)
    assert "securitySchemes" not in definition["components"]


def test_the_definition_says_how_to_authenticate_where_reading_needs_it():
    app = make_app(ANONYMOUS_VIEW=False)
    definition = get_json(client_as(app, "viewer"), "/ogcapi/api")
    validate(definition)
    assert set(definition["components"]["securitySchemes"]) == {"bearerToken", "session"}
    assert "401" in definition["paths"]["/collections/{collectionId}/items"]["get"]["responses"]


# --- collections -------------------------------------------------------------------------------


def test_every_base_layer_and_the_issues_and_projects_are_collections(ogc, definition):
    body = get_json(ogc, "/ogcapi/collections")
    conforms(definition, "collections", body)
    assert [c["id"] for c in body["collections"]] == COLLECTIONS
    assert set(links(body)) == {("self", "application/json"), ("alternate", "text/html")}
    for collection in body["collections"]:
        assert collection["itemType"] == "feature" and collection["crs"] == [CRS84]
        assert collection["extent"]["spatial"]["crs"] == CRS84
        minlon, minlat, maxlon, maxlat = collection["extent"]["spatial"]["bbox"][0]
        assert 121.48 < minlon <= maxlon < 121.50 and 31.21 < minlat <= maxlat < 31.23, collection["id"]
        found = links(collection)
        assert {("self", "application/json"), ("alternate", "text/html"), ("items", "application/geo+json"),
                ("items", "text/html"), ("describedBy", SCHEMA), (f"{OGC_REL}schema", SCHEMA),
                (f"{OGC_REL}queryables", SCHEMA)} == set(found)
        assert get_json(ogc, local(found[("self", "application/json")])) == collection
    titles = {c["id"]: c["title"] for c in body["collections"]}
    assert (titles["buildings"], titles["issues"], titles["projects"]) == ("建筑", "问题", "项目")


def test_titles_in_english_on_request(ogc):
    body = get_json(ogc, "/ogcapi/collections?lang=en")
    titles = {c["id"]: c["title"] for c in body["collections"]}
    assert (titles["buildings"], titles["lanes"], titles["issues"]) == ("Buildings", "Lanes", "Issues")
    assert all("lang=en" in link["href"] for link in body["links"])


def test_issues_and_projects_have_a_temporal_extent_base_layers_none(ogc):
    extents = {c["id"]: c["extent"] for c in get_json(ogc, "/ogcapi/collections")["collections"]}
    assert extents["issues"]["temporal"]["interval"] == [["2019-05-01T10:00:00+08:00", "2021-06-30T18:00:00+08:00"]]
    assert extents["projects"]["temporal"]["interval"] == [["2019-06-01T00:00:00+08:00", "2021-12-31T23:59:59+08:00"]]
    assert all("temporal" not in extents[name] for name in LAYERS)


def test_an_unknown_collection_is_a_404_naming_it(ogc):
    for path in ("/ogcapi/collections/parks", "/ogcapi/collections/parks/items", "/ogcapi/collections/parks/items/1"):
        response = ogc.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json()["code"] == "NotFound" and "parks" in response.get_json()["description"]


# --- items -------------------------------------------------------------------------------------


def test_items_are_geojson_with_counts_a_time_stamp_and_links(ogc_app, ogc, definition):
    response = ogc.get("/ogcapi/collections/buildings/items")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "Accept" in response.headers["Vary"]
    body = response.get_json()
    conforms(definition, "featureCollectionGeoJSON", body)
    total = len(ogc_app.extensions["base_layers"].layers["buildings"])
    assert (body["numberMatched"], body["numberReturned"], len(body["features"])) == (total, 100, 100)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", body["timeStamp"])
    found = links(body)
    assert {rel for rel, _ in found} == {"self", "alternate", "next", "collection"}
    assert local(found[("collection", "application/json")]) == "/ogcapi/collections/buildings?f=json"
    assert body["features"][0]["id"] == body["features"][0]["properties"]["id"] == "B001"


def test_the_next_links_walk_every_feature_once_and_prev_goes_back(ogc_app, ogc):
    total = len(ogc_app.extensions["base_layers"].layers["streetlights"])
    pages = [get_json(ogc, "/ogcapi/collections/streetlights/items?limit=50")]
    while (next_page := links(pages[-1]).get(("next", "application/geo+json"))) is not None:
        pages.append(get_json(ogc, local(next_page)))
    seen = [feature["id"] for page in pages for feature in page["features"]]
    assert len(seen) == len(set(seen)) == total and len(pages) == -(-total // 50)
    second = pages[1]
    back = get_json(ogc, local(links(second)[("prev", "application/geo+json")]))
    assert [f["id"] for f in back["features"]] == [f["id"] for f in pages[0]["features"]]
    assert ("prev", "application/geo+json") not in links(pages[0])


def test_a_limit_above_the_maximum_is_served_as_the_maximum(ogc):
    body = items(ogc, "streetlights", "limit=20000")
    assert body["numberReturned"] == body["numberMatched"]
    assert parse_qs(urlsplit(links(body)[("self", "application/geo+json")]).query)["limit"] == ["10000"]
    assert items(ogc, "streetlights", "limit=" + "9" * 5000)["numberReturned"] == body["numberMatched"]


@pytest.mark.parametrize("query, name", [
    ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=ten", "limit"), ("limit=1.5", "limit"),
    ("offset=-1", "offset"), ("offset=" + "9" * 5000, "offset"), ("limit=1&limit=2", "limit"), ("f=xml", "f"),
])
def test_bad_paging_is_a_400_naming_the_parameter(ogc, query, name):
    assert name in refused(ogc, f"/ogcapi/collections/lanes/items?{query}")


def test_an_offset_past_the_end_is_an_empty_page(ogc_app, ogc):
    body = items(ogc, "lanes", "offset=5000")
    assert body["features"] == [] and body["numberMatched"] == len(ogc_app.extensions["base_layers"].layers["lanes"])
    assert {rel for rel, _ in links(body)} == {"self", "alternate", "prev", "collection"}


BOX = (121.4925, 31.2205, 121.4945, 31.2225)


def test_bbox_keeps_the_features_that_meet_the_box(ogc_app, ogc):
    source = ogc_app.extensions["base_layers"].layers["buildings"]
    inside = sorted(source[source.intersects(shapely.box(*BOX))]["id"])
    body = items(ogc, "buildings", "limit=1000&bbox=" + ",".join(map(str, BOX)))
    assert 0 < body["numberMatched"] == len(inside) < len(source)
    assert sorted(f["id"] for f in body["features"]) == inside
    with_heights = items(ogc, "buildings", "limit=1000&bbox={},{},0,{},{},100".format(*BOX))
    assert with_heights["features"] == body["features"]
    assert items(ogc, "buildings", "bbox=170,-10,-170,10")["numberMatched"] == 0  # across the antimeridian
    assert items(ogc, "buildings", "bbox=121,31,-170,32")["numberMatched"] == len(source)


def test_the_filters_are_kept_in_the_links(ogc):
    body = items(ogc, "buildings", "limit=2&bbox=121.49,31.21,121.50,31.23&datetime=2020-01-01/..")
    query = parse_qs(urlsplit(links(body)[("next", "application/geo+json")]).query)
    assert query == {"bbox": ["121.49,31.21,121.50,31.23"], "datetime": ["2020-01-01/.."], "limit": ["2"],
                     "offset": ["2"], "f": ["json"]}


@pytest.mark.parametrize("bbox", ["1,2,3", "1,2,3,4,5", "a,b,c,d", "121,31,122,nan", "121,95,122,96",
                                  "121,32,122,31", "121,31,0,122,32,-1", "181,31,182,32"])
def test_a_bad_bbox_is_a_400_naming_it(ogc, bbox):
    assert "bbox" in refused(ogc, f"/ogcapi/collections/buildings/items?bbox={bbox}")


def titles(body) -> list[str]:
    return [feature["properties"]["title"] for feature in body["features"]]


@pytest.mark.parametrize("when, expected", [
    ("2019-05-01T10:00:00+08:00", ["一号"]),
    ("2019-05-01T02:00:00Z", ["一号"]),
    ("2019-05-01T10:00:01+08:00", []),
    ("2020-01-15", ["二号"]),
    ("2019-01-01T00:00:00Z/2020-12-31T00:00:00Z", ["一号", "二号"]),
    ("2020-01-01/..", ["二号", "三号"]),
    ("2020-01-01/", ["二号", "三号"]),
    ("../2020-01-15", ["一号", "二号"]),
    ("/2019-12-31", ["一号"]),
])
def test_datetime_picks_issues_by_when_they_were_reported(ogc, when, expected):
    assert titles(items(ogc, "issues", f"datetime={when.replace('+', '%2B')}")) == expected


@pytest.mark.parametrize("when", ["../..", "/", "yesterday", "2020-13-01", "2021-01-01/2020-01-01",
                                  "2020-01-01/2020-02-01/2020-03-01", "0001-01-01"])
def test_a_bad_datetime_is_a_400_naming_it(ogc, when):
    assert "datetime" in refused(ogc, f"/ogcapi/collections/issues/items?datetime={when}")


def test_datetime_picks_projects_by_their_planned_dates_and_keeps_undated_ones(ogc):
    def names(when):
        return [f["properties"]["name"] for f in items(ogc, "projects", f"datetime={when}")["features"]]

    assert names("2020-08-31") == ["黄家路55弄美丽家园", "尚未排期"]
    assert names("2021-01-01/..") == ["面筋弄微更新", "尚未排期"]
    assert names("2018-01-01/2018-12-31") == ["尚未排期"]


def test_datetime_keeps_every_feature_of_a_layer_without_time(ogc):
    assert items(ogc, "streetlights", "datetime=1999-01-01")["numberMatched"] == items(ogc, "streetlights")[
        "numberMatched"]
    assert "datetime" in refused(ogc, "/ogcapi/collections/streetlights/items?datetime=soon")


def test_unknown_parameters_are_a_400_naming_them_everywhere(ogc):
    for path in ("/ogcapi/", "/ogcapi/conformance", "/ogcapi/api", "/ogcapi/collections",
                 "/ogcapi/collections/lanes", "/ogcapi/collections/lanes/items", "/ogcapi/collections/lanes/items/1"):
        fields = refused(ogc, f"{path}?filter=x&bbox-crs=y" if path.endswith("items") else f"{path}?bbox=1,2,3,4")
        assert set(fields) == ({"filter", "bbox-crs"} if path.endswith("items") else {"bbox"}), path


# --- one item ----------------------------------------------------------------------------------


def test_a_base_layer_feature_by_its_id(ogc, definition):
    response = ogc.get("/ogcapi/collections/buildings/items/B001")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    conforms(definition, "featureGeoJSON", feature)
    assert feature["id"] == "B001" and feature["properties"]["address"] == "中华路609号"
    assert {rel for rel, _ in links(feature)} == {"self", "alternate", "collection"}
    assert get_json(ogc, local(links(feature)[("self", "application/geo+json")])) == feature
    assert get_json(ogc, "/ogcapi/collections/lanes/items/1")["id"] == 1  # an integer id stays one


def test_issues_and_projects_by_their_uuid(ogc):
    for collection in ("issues", "projects"):
        for listed in items(ogc, collection)["features"]:
            feature = get_json(ogc, f"/ogcapi/collections/{collection}/items/{listed['id']}")
            assert {k: v for k, v in feature.items() if k != "links"} == listed


@pytest.mark.parametrize("path", ["buildings/items/B999", "issues/items/not-a-uuid",
                                  "issues/items/00000000-0000-0000-0000-000000000000",
                                  "projects/items/00000000-0000-0000-0000-000000000000"])
def test_an_unknown_feature_is_a_404(ogc, definition, path):
    response = ogc.get(f"/ogcapi/collections/{path}")
    assert response.status_code == 404 and response.mimetype == "application/json"
    conforms(definition, "exception", response.get_json())


@pytest.mark.parametrize("path", ["/ogcapi/nothing", "/ogcapi/collections/buildings/items/B001/more",
                                  "/ogcapi/collections/buildings/queryables/extra", "/ogcapi/api/more"])
def test_an_unknown_path_is_a_404_in_json_for_programs_and_a_page_for_browsers(ogc, definition, path):
    response = ogc.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    conforms(definition, "exception", response.get_json())
    assert response.get_json()["code"] == "NotFound" and path in response.get_json()["description"]
    page = ogc.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert ogc.get(f"{path}?f=html").mimetype == "text/html"
    assert ogc.get(f"{path}?f=json", headers={"Accept": "text/html"}).mimetype == "application/json"


def test_an_unknown_path_asks_for_signing_in_first_where_reading_needs_it():
    response = make_app(ANONYMOUS_VIEW=False).test_client().get("/ogcapi/nothing")
    assert response.status_code == 401 and response.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/ogcapi/collections/buildings/items?limit=5",
                                  "/ogcapi/collections/issues/items",
                                  "/ogcapi/collections/buildings/items/B001",
                                  "/ogcapi/collections/buildings/items?limit=5&f=html",
                                  "/ogcapi/collections/buildings/items/B001?f=html"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_items_have_an_etag_and_answer_304_to_a_client_that_has_them(ogc, path, encoding):
    first = ogc.get(path, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and first.headers["ETag"]
    again = ogc.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    stale = ogc.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data and stale.headers["ETag"] == first.headers["ETag"]


def test_the_etag_of_items_changes_with_the_data():
    app = make_app()
    add_data(app)
    client = app.test_client()
    before = client.get("/ogcapi/collections/issues/items").headers["ETag"]
    report(client_as(app, "admin"), title="又一个", lon=CENTRE_LON, lat=CENTRE_LAT)
    after = client.get("/ogcapi/collections/issues/items", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert "又一个" in {f["properties"]["title"] for f in after.get_json()["features"]}


# --- representations ---------------------------------------------------------------------------


def test_the_representation_follows_f_then_the_accept_header(ogc):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert ogc.get("/ogcapi/collections", headers={"Accept": browser}).mimetype == "text/html"
    assert ogc.get("/ogcapi/collections?f=json", headers={"Accept": browser}).mimetype == "application/json"
    assert ogc.get("/ogcapi/collections?f=html").mimetype == "text/html"
    assert ogc.get("/ogcapi/collections/lanes/items", headers={"Accept": "application/geo+json"}).mimetype == (
        "application/geo+json")
    assert ogc.get("/ogcapi/collections", headers={"Accept": "*/*"}).mimetype == "application/json"
    errors = ogc.get("/ogcapi/collections/parks", headers={"Accept": browser})
    assert errors.status_code == 404 and errors.mimetype == "text/html"


HTML_PAGES = ["/ogcapi/", "/ogcapi/conformance", "/ogcapi/collections", "/ogcapi/collections/buildings",
              "/ogcapi/collections/buildings/items", "/ogcapi/collections/buildings/items/B001",
              "/ogcapi/collections/issues/items", "/ogcapi/collections/projects", "/ogcapi/api",
              "/ogcapi/collections/buildings/items?limit=0"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_load_nothing_from_elsewhere(ogc, path):
    response = ogc.get(path + ("&" if "?" in path else "?") + "f=html")
    assert response.mimetype == "text/html" and response.status_code in (200, 400)
    assert find_external_urls(response.get_data(as_text=True)) == []


def test_html_is_chinese_first_and_english_on_request(ogc):
    page = ogc.get("/ogcapi/collections/buildings/items?f=html&limit=5").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "<h1>建筑</h1>" in page and "中华路609号" in page
    assert "共 167 个，这里是第 1–5 个" in page and 'rel="next"' in page
    item = ogc.get("/ogcapi/collections/streetlights/items/L001?f=html").get_data(as_text=True)
    assert "截光型" in item and "正常" in item  # coded values by their labels
    english = ogc.get("/ogcapi/collections/buildings/items?f=html&limit=5&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "<h1>Buildings</h1>" in english and "Address" in english


def test_html_items_link_each_issue_to_its_record(ogc):
    page = ogc.get("/ogcapi/collections/issues/items?f=html").get_data(as_text=True)
    ids = [f["id"] for f in items(ogc, "issues")["features"]]
    for issue_id in ids:
        assert f'href="/issues/{issue_id}"' in page
    assert "一号" in page and "已上报" in page  # the status by its label


def test_markup_in_the_data_is_text_in_every_answer(hostile_app):
    client = hostile_app.test_client()
    for path in ("/ogcapi/collections/buildings/items?limit=1", "/ogcapi/collections/compounds/items?limit=1"):
        page = client.get(path + "&f=html").get_data(as_text=True)
        assert HOSTILE_NAME not in page and HOSTILE_COMPOUND not in page
        raw = client.get(path).get_data(as_text=True)
        assert "<" not in raw and ">" not in raw
        [feature] = json.loads(raw)["features"]
        assert feature["properties"]["name"] in (HOSTILE_NAME, HOSTILE_COMPOUND)
    first = client.get("/ogcapi/collections/buildings/items?limit=1").get_json()["features"][0]["id"]
    page = client.get(f"/ogcapi/collections/buildings/items/{first}?f=html").get_data(as_text=True)
    assert HOSTILE_NAME not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    issue = stored_issue(hostile_app, title="<script>alert(3)</script>弄堂")
    page = client.get(f"/ogcapi/collections/issues/items/{issue['id']}?f=html").get_data(as_text=True)
    assert "<script>alert(3)" not in page and "&lt;script&gt;alert(3)&lt;/script&gt;弄堂" in page


def test_json_answers_are_not_sniffed(ogc):
    assert ogc.get("/ogcapi/collections").headers["X-Content-Type-Options"] == "nosniff"


# --- who may read ------------------------------------------------------------------------------


def test_where_signing_in_is_needed_anonymous_clients_get_no_data_and_tokens_read():
    app = make_app(ANONYMOUS_VIEW=False)
    anonymous = app.test_client().get("/ogcapi/collections/buildings/items")
    assert anonymous.status_code in (401, 302) and b"B001" not in anonymous.data
    if anonymous.status_code == 302:
        assert urlsplit(anonymous.headers["Location"]).path == "/login"
    signed = app.test_client().get("/ogcapi/collections/buildings/items", headers=bearer(app, "viewer"))
    assert signed.status_code == 200 and signed.get_json()["numberReturned"] == 100


# --- on both backends --------------------------------------------------------------------------


@pytest.fixture()
def backend_app(empty_url):
    app = make_app(DATABASE_URL=empty_url)
    add_data(app)
    yield app
    app.extensions["store"].engine.dispose()


def test_issues_and_projects_by_bbox_datetime_and_page_on_each_backend(backend_app):
    client = backend_app.test_client()
    near_east = "{},{},{},{}".format(EAST[0] - 0.0001, EAST[1] - 0.0001, EAST[0] + 0.0001, EAST[1] + 0.0001)
    assert titles(items(client, "issues", f"bbox={near_east}")) == ["二号"]
    assert titles(items(client, "issues", "datetime=2019-06-01/..&limit=1")) == ["二号"]
    second = items(client, "issues", "datetime=2019-06-01/..&limit=1&offset=1")
    assert titles(second) == ["三号"] and second["numberMatched"] == 2
    names = [f["properties"]["name"] for f in items(client, "projects", "datetime=2021-06-01")["features"]]
    assert names == ["面筋弄微更新", "尚未排期"]
    assert items(client, "projects", "bbox=170,-10,-170,10")["numberMatched"] == 0
    extents = {c["id"]: c["extent"] for c in get_json(client, "/ogcapi/collections")["collections"]}
    assert extents["issues"]["temporal"]["interval"] == [["2019-05-01T10:00:00+08:00", "2021-06-30T18:00:00+08:00"]]


# --- schema and queryables (Parts 5 and 3) ---------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_each_collection_has_a_schema_and_queryables_typed_from_its_field_declaration(ogc, collection):
    from geo.record_fields import ISSUE_FIELDS, PROJECT_FIELDS, layer_fields

    fields = {"issues": ISSUE_FIELDS, "projects": PROJECT_FIELDS}.get(collection) or layer_fields(LAYERS[collection])
    described = links(get_json(ogc, f"/ogcapi/collections/{collection}"))
    for rel in (f"{OGC_REL}schema", f"{OGC_REL}queryables"):
        response = ogc.get(local(described[(rel, SCHEMA)]))
        assert response.status_code == 200 and response.mimetype == SCHEMA
        schema = response.get_json()
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["type"] == "object"
        assert schema["$id"] == described[(rel, SCHEMA)]
        properties = schema["properties"]
        assert list(properties) == [*(f.name for f in fields), "geometry"]
        assert properties["geometry"]["x-ogc-role"] == "primary-geometry"
        assert properties["id"]["x-ogc-role"] == "id"
        for f in fields:
            assert properties[f.name]["title"] == f.zh
    feature_schema = get_json(ogc, local(described[("describedBy", SCHEMA)]))
    assert set(feature_schema["properties"]["properties"]["properties"]) == {f.name for f in fields} - {"id"}


def test_schema_types_and_roles(ogc):
    issues = get_json(ogc, "/ogcapi/collections/issues/schema")["properties"]
    assert issues["location_accuracy_m"] == {"title": "定位精度（米）", "type": "number"}
    assert issues["photo_count"]["type"] == "integer" and issues["typical_case"]["type"] == "boolean"
    assert issues["reported_at"] == {"title": "上报时间", "type": "string", "format": "date-time",
                                     "x-ogc-role": "primary-instant"}
    assert issues["due_date"]["format"] == "date" and issues["geometry"]["format"] == "geometry-point"
    projects = get_json(ogc, "/ogcapi/collections/projects/queryables?lang=en")["properties"]
    assert projects["planned_start"]["x-ogc-role"] == "primary-interval-start"
    assert projects["planned_end"]["x-ogc-role"] == "primary-interval-end"
    assert projects["name"]["title"] == "Name"
    assert projects["geometry"]["format"] == "geometry-polygon-or-multipolygon"
    assert get_json(ogc, "/ogcapi/collections/lanes/schema")["properties"]["width"]["type"] == "number"
    assert get_json(ogc, "/ogcapi/collections/castles/schema", 404)["code"] == "NotFound"


def test_items_have_the_fields_of_the_exports_with_the_same_values(ogc):
    """One vocabulary: an /ogcapi feature and the same record in the .geojson export are the same."""
    for collection, export in (("issues", "/api/v1/issues.geojson"), ("projects", "/api/v1/projects.geojson"),
                               ("buildings", "/api/v1/layers/buildings.geojson")):
        served = {f["id"]: f for f in items(ogc, collection, "limit=10000")["features"]}
        exported = {f["id"]: f for f in get_json(ogc, export)["features"]}
        assert served.keys() == exported.keys() and served, collection
        for feature_id, feature in exported.items():
            assert served[feature_id]["properties"] == feature["properties"], (collection, feature_id)
            assert served[feature_id]["geometry"] == feature["geometry"], (collection, feature_id)
