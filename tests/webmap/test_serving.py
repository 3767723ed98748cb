"""What production serving relies on: /healthz, compressed and cacheable responses, one JSON log line per request."""
from __future__ import annotations

import gzip
import json
import logging

from tests.conftest import make_app


def test_healthz_reports_the_layers_and_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"] == {"layers": "7 loaded", "database": "ok"}


def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/gone/db.sqlite3", AUTO_MIGRATE=False, ANONYMOUS_VIEW=False)
    response = app.test_client().get("/healthz")  # open to all, even when nothing else is
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("unreachable")


def test_layers_are_compressed_and_revalidated_by_etag(client):
    plain = client.get("/api/v1/layers/buildings")
    packed = client.get("/api/v1/layers/buildings", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert len(packed.data) < len(plain.data) / 4
    again = client.get("/api/v1/layers/buildings", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_pages_and_assets_are_compressed(client):
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    for path in ("/", "/api/v1/openapi.json", "/static/js/pagekit.js", "/static/css/app.css"):
        response = client.get(path, headers=browser)
        assert response.headers.get("Content-Encoding") in ("zstd", "br", "gzip"), path
    asset = client.get("/static/js/pagekit.js", headers=browser)
    assert asset.headers["ETag"]
    again = client.get("/static/js/pagekit.js", headers={**browser, "If-None-Match": asset.headers["ETag"]})
    assert again.status_code == 304


def test_each_request_is_one_json_log_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="jintan.requests"):
        response = client.get("/api/v1/categories", headers={"X-Request-ID": "tablet-7.report-42"})
        odd = client.get("/api/v1/categories", headers={"X-Request-ID": "<script>"})
    assert response.headers["X-Request-ID"] == "tablet-7.report-42"
    assert odd.headers["X-Request-ID"] != "<script>" and len(odd.headers["X-Request-ID"]) == 32
    from webmap.request_log import JsonLines

    record = next(r for r in caplog.records if r.fields["request_id"] == "tablet-7.report-42")
    line = json.loads(JsonLines().format(record))
    assert line["method"] == "GET" and line["path"] == "/api/v1/categories" and line["status"] == 200
    assert line["duration_ms"] >= 0 and line["logger"] == "jintan.requests" and line["time"].endswith("Z")
