"""The tablet app /field/: who may open it, both languages, its settings, and what its service worker
and web app manifest say (every precached URL ours and there, a version that follows the files)."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from store.vocabulary import OPEN_STATUSES, Source
from tests.accounts import client_as
from tests.conftest import make_app
from webmap.assets import STATIC_DIR, find_external_urls
from webmap.field_precache import OWN_FILES, offline_bundle, precached_files

WORKER = re.compile(r"^self\.JINTAN_FIELD = (\{.*?\});\n", re.S)


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture()
def worker(app):
    return client_as(app, "field_staff")


def binding(html: str) -> dict:
    """The settings the page hands to static/field/field.js: the last argument of JintanField.attach."""
    call = html[html.index("JintanField.attach("):]
    config = call[call.index("}") + 1:]
    return json.JSONDecoder().raw_decode(config[config.index("{"):])[0]


def service_worker_config(text: str) -> dict:
    return json.loads(WORKER.match(text).group(1))


def test_field_without_slash_goes_to_the_service_workers_scope(worker):
    response = worker.get("/field")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/field/")


def test_only_those_who_may_report_open_the_app(app):
    signed_out = app.test_client().get("/field/")
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/login?next=/field/")
    assert client_as(app, "viewer").get("/field/").status_code == 403
    assert client_as(app, "planner").get("/field/").status_code == 200


def test_page_in_chinese_with_every_control_named(worker):
    html = worker.get("/field/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "<title>外勤</title>" in html
    for text in ("我的位置", "在此上报", "我的任务", "待发送", "拍照或选择照片", "提交"):
        assert text in html
    assert 'type="file" accept="image/*" capture="environment" multiple' in html
    assert 'aria-label="关闭"' in html
    # Every input of the report form has a label.
    for input_id in ("jt-place-query", "jt-title", "jt-description", "jt-report-photos"):
        assert f'for="{input_id}"' in html
    assert find_external_urls(html) == []


def test_page_in_english(worker):
    html = worker.get("/field/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    for text in ("Locate me", "Report here", "My work", "Outbox", "Take or choose photos", "Submit"):
        assert text in html
    assert binding(html)["messages"]["online"] == "Online"


def test_settings_handed_to_the_script(worker):
    config = binding(worker.get("/field/").get_data(as_text=True))
    assert config["source"] == Source.PATROL.value
    assert config["openStatuses"] == [status.value for status in OPEN_STATUSES]
    assert config["accuracyLimitM"] == 30
    assert config["photos"] == {"max": 5, "longSide": 1600, "quality": 0.85}
    assert config["scope"] == "/field/" and config["serviceWorker"] == "/field/sw.js"
    assert config["me"] == "/api/v1/me"
    assert set(config["layers"]) == {"buildings", "lanes", "boundary"}


def test_service_worker_is_served_fresh_as_javascript(worker):
    response = worker.get("/field/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    config = service_worker_config(response.get_data(as_text=True))
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert config["shell"] == "/field/"
    assert "self.addEventListener(\"fetch\"" in response.get_data(as_text=True)


def test_everything_precached_is_ours_and_there(worker):
    precache = service_worker_config(worker.get("/field/sw.js").get_data(as_text=True))["precache"]
    assert len(precache) == len(set(precache))
    for url in precache:
        assert url.startswith("/") and not url.startswith("//"), url
        assert worker.get(url).status_code == 200, url
    assert "/field/" in precache and "/api/v1/categories" in precache
    assert {f"/api/v1/layers/{name}" for name in ("buildings", "lanes", "boundary")} <= set(precache)


def test_every_asset_the_page_loads_is_precached(worker):
    html = worker.get("/field/").get_data(as_text=True)
    precache = set(service_worker_config(worker.get("/field/sw.js").get_data(as_text=True))["precache"])
    loaded = set(re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="(/static/[^"]+)"', html))
    assert loaded and loaded <= precache, loaded - precache
    # And what their stylesheets load: Font Awesome's fonts, Leaflet's images.
    assert "/static/vendor/@fortawesome/fontawesome-free@6.2.0/webfonts/fa-solid-900.woff2" in precache
    assert "/static/vendor/leaflet@1.9.3/dist/images/layers.png" in precache


def test_cache_version_follows_the_precached_files_and_the_layers(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    layers = {"buildings": b'{"type": "FeatureCollection", "features": []}'}
    first = offline_bundle(layers, static)
    assert offline_bundle(layers, static).version == first.version
    assert set(OWN_FILES) <= set(first.files) == set(precached_files(static))

    with open(static / "field" / "field.js", "a", encoding="utf-8") as script:
        script.write("\n// changed\n")
    changed_script = offline_bundle(layers, static).version
    assert changed_script != first.version

    font = static / "vendor" / "@fortawesome" / "fontawesome-free@6.2.0" / "webfonts" / "fa-solid-900.woff2"
    font.write_bytes(font.read_bytes() + b"\0")
    changed_font = offline_bundle(layers, static).version
    assert changed_font not in (first.version, changed_script)

    (static / "field" / "sw.js").write_text("// another worker\n", encoding="utf-8")
    assert offline_bundle(layers, static).version != changed_font

    moved = {"buildings": b'{"type": "FeatureCollection", "features": [1]}'}
    assert offline_bundle(moved, static).version != offline_bundle(layers, static).version


def test_web_app_manifest(worker):
    response = worker.get("/field/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "金坛路 外勤"
    assert manifest["start_url"] == manifest["scope"] == "/field/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert worker.get(icon["src"]).status_code == 200
