"""Both OpenAPI documents, /api/v1/openapi.json and /ogcapi/api, as generated clients see them.

Spectral (pinned in tests/tools/spectral, installed by `make test`; ruleset .spectral.yaml = spectral:oas) finds no
error in them, openapi-spec-validator none either, and every operation has an operationId of its own and tags
that are declared with a description.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.accounts import client_as
from tests.conftest import ROOT, make_app

SPECTRAL = ROOT / "tests" / "tools" / "spectral" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / ".spectral.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ERROR = 0  # Spectral's severities: 0 error, 1 warning, 2 information, 3 hint
CAMEL_CASE_VERB_FIRST = re.compile(r"^[a-z]+(?:[A-Z0-9][a-z0-9]*)+$")
# The faults Spectral once found here, to show the ruleset is the one that finds them.
FAULTY = {
    "openapi": "3.0.3",
    "info": {"title": "faulty", "version": "1", "description": "d", "contact": {"name": "c"}},
    "servers": [{"url": "/"}],
    "tags": [{"name": "t", "description": "d"}],
    "paths": {"/": {"get": {"operationId": "getIt", "tags": ["t"], "summary": "s", "description": "d", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/F"}}}},
    }}}},
    "components": {"schemas": {
        "G": {"type": "object", "properties": {"coordinates": {"type": "array"}}},
        "F": {"type": "object", "properties": {"geometry": {"$ref": "#/components/schemas/G", "nullable": True}}},
    }},
}


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    """Each document as a client gets it: the OGC API's also as it is where reading needs signing in."""
    client = make_app().test_client()
    secured = client_as(make_app(ANONYMOUS_VIEW=False), "viewer")
    found = {
        "api-v1": client.get("/api/v1/openapi.json"),
        "ogcapi": client.get("/ogcapi/api?f=json"),
        "ogcapi-signed-in": secured.get("/ogcapi/api?f=json"),
    }
    for name, response in found.items():
        assert response.status_code == 200, name
    return {name: response.get_json() for name, response in found.items()}


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_spectral_finds_no_error_in_either_document(documents, tmp_path):
    assert SPECTRAL.exists(), f"{SPECTRAL} is missing: `make test` installs it (npm ci --prefix tests/tools/spectral)"
    files = []
    for name, document in {**documents, "faulty": FAULTY}.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append(path)
    run = subprocess.run(
        [str(SPECTRAL), "lint", "--ruleset", str(RULESET), "--format", "json", "--quiet", *map(str, files)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    try:
        results = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"spectral did not answer JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    errors = [r for r in results if r["severity"] == ERROR and Path(r["source"]).name != "faulty.json"]
    caught = {r["code"] for r in results if r["severity"] == ERROR and Path(r["source"]).name == "faulty.json"}
    assert caught == {"no-$ref-siblings", "array-items"}, run.stdout
    shown = "\n".join(
        f"{Path(r['source']).name} {'.'.join(map(str, r['path']))}: {r['code']}: {r['message']}" for r in errors
    )
    assert not errors, f"Spectral errors:\n{shown}"


@pytest.mark.parametrize("name", ["api-v1", "ogcapi", "ogcapi-signed-in"])
def test_each_document_is_valid_openapi(documents, name):
    validate(documents[name])


@pytest.mark.parametrize("name", ["api-v1", "ogcapi", "ogcapi-signed-in"])
def test_every_operation_has_an_operation_id_of_its_own(documents, name):
    ids = {label: operation.get("operationId") for label, operation in operations(documents[name])}
    assert ids
    missing = [label for label, operation_id in ids.items() if not operation_id]
    assert not missing, f"without an operationId: {missing}"
    assert len(set(ids.values())) == len(ids), "operationIds used twice: " + ", ".join(
        sorted({i for i in ids.values() if list(ids.values()).count(i) > 1}))
    unlike = [i for i in ids.values() if not CAMEL_CASE_VERB_FIRST.match(i)]
    assert not unlike, f"not camelCase: {unlike}"


def test_operation_ids_stay_as_clients_were_generated_with(documents):
    """A renamed operationId renames a method in every generated client: these are fixed."""
    ids = {label: operation["operationId"] for label, operation in operations(documents["api-v1"])}
    assert {ids[label] for label in ("GET /issues", "POST /issues", "GET /issues/{issue_id}",
                                     "PATCH /issues/{issue_id}", "GET /layers/{name}", "GET /issues.shp.zip",
                                     "GET /projects", "POST /projects/{project_id}/issues")} == {
        "listIssues", "createIssue", "getIssue", "updateIssue", "getLayer", "exportIssuesShpZip", "listProjects",
        "linkProjectIssues"}


@pytest.mark.parametrize("name", ["api-v1", "ogcapi", "ogcapi-signed-in"])
def test_every_tag_used_is_declared_with_a_description(documents, name):
    document = documents[name]
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for _, operation in operations(document) for tag in operation.get("tags", [])}
    assert used <= set(declared), f"undeclared tags: {used - set(declared)}"
    assert all(declared.values()), f"tags without a description: {[t for t, d in declared.items() if not d]}"
    for label, operation in operations(document):
        assert operation.get("tags"), f"{label} has no tag"
