"""GET /api/v1/openapi.json describes every /api/v1 route and what it returns; /api/v1/docs loads nothing from elsewhere."""
from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from tests.webmap.api.helpers import report
from webmap.assets import STATIC_DIR, find_external_urls

PREFIX = "/api/v1"


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get(f"{PREFIX}/openapi.json").get_json()


def conforms(document, schema_name: str, instance) -> None:
    """Check a real response against the document's schema of that name."""
    validator = OAS30Validator({"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_document_is_valid_openapi_3_0(app):
    response = app.test_client().get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.0.")
    validate(document)
    assert document["servers"] == [{"url": PREFIX}]


def test_every_route_under_the_prefix_is_described_with_its_methods(app, document):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX):])
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    described = {
        path: {method for method in item if method in ("get", "post", "put", "patch", "delete")}
        for path, item in document["paths"].items()
    }
    assert described == routes
    assert {"/issues", "/issues/{issue_id}", "/layers", "/layers/{name}", "/hotspots", "/docs"} <= set(routes)


def test_path_parameters_are_declared(document):
    for path, item in document["paths"].items():
        for name in re.findall(r"{([^}]+)}", path):
            declared = [p for p in item.get("parameters", []) + item.get("get", {}).get("parameters", [])]
            names = {p.get("name") or document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
                     for p in declared}
            assert name in names, path


def test_real_responses_match_their_schemas(api, document):
    feature = api.post(f"{PREFIX}/issues", json={"category": "sanitation", "title": "测试", "lon": 121.493, "lat": 31.222})
    conforms(document, "IssueWithEvents", feature.get_json())
    issue_id = feature.get_json()["id"]
    changed = api.patch(f"{PREFIX}/issues/{issue_id}", json={"status": "rejected", "rejection_reason": "duplicate"})
    conforms(document, "IssueWithEvents", changed.get_json())
    report(api)
    conforms(document, "IssueCollection", api.get(f"{PREFIX}/issues?limit=1").get_json())
    conforms(document, "NearbyIssues", api.get(f"{PREFIX}/issues/nearby?lon=121.493&lat=31.222").get_json())
    conforms(document, "Density", api.get(f"{PREFIX}/issues/density").get_json())
    conforms(document, "Hotspots", api.get(f"{PREFIX}/hotspots").get_json())
    conforms(document, "Categories", api.get(f"{PREFIX}/categories").get_json())
    conforms(document, "Layers", api.get(f"{PREFIX}/layers").get_json())
    conforms(document, "FeatureCollection", api.get(f"{PREFIX}/issues.geojson").get_json())
    conforms(document, "InvalidRequest", api.get(f"{PREFIX}/issues?limit=0").get_json())
    conforms(document, "InvalidIssue", api.post(f"{PREFIX}/issues", json={}).get_json())
    conforms(document, "Error", api.get(f"{PREFIX}/issues/{'0' * 8}").get_json())


def test_the_docs_page_loads_swagger_ui_from_here_and_nothing_from_elsewhere(client):
    response = client.get(f"{PREFIX}/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert find_external_urls(html) == []
    assert "validatorUrl: null" in html  # otherwise Swagger UI sends the document to validator.swagger.io
    assert '"/api/v1/openapi.json"' in html
    local = re.findall(r"""\b(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", html)
    assert {path.rsplit("/", 1)[1] for path in local} == {"swagger-ui.css", "swagger-ui-bundle.js", "icon.svg"}
    for path in local:
        assert client.get(path).status_code == 200
        if path.endswith(".css"):  # fonts and images would be fetched from where the stylesheet says
            assert find_external_urls((STATIC_DIR / path[len("/static/"):]).read_text(encoding="utf-8")) == []


def test_json_endpoints_take_no_unknown_parameters(client):
    response = client.get(f"{PREFIX}/openapi.json?format=yaml")
    assert response.status_code == 400 and set(response.get_json()["fields"]) == {"format"}
