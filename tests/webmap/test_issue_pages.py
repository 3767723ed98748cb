"""The issue map, an issue's record and the hot spot map: languages, offline assets, size, escaping, 404."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone

import numpy as np
import pytest

from geo.gcj02 import wgs84_to_gcj02
from store.intake import submit_issue
from store.issues import update_issue
from store.photos import add_photo
from tests.conftest import HOSTILE_NAME, make_app
from tests.store.photo_samples import jpeg
from webmap.assets import find_external_urls
from webmap.base_layers import base_layers
from webmap.base_map import display_shift
from webmap.database import transaction
from webmap.tiles import provider

PAGES = ["/issues", "/hotspots"]
HOSTILE_COMMENT = "<script>alert(3)</script>"
PAGE_LIMIT = 500_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app of this module's own, so the issues made here meet no other test."""
    return make_app(PHOTO_DIR=str(tmp_path_factory.mktemp("photos")))


@pytest.fixture()
def client(app):
    return app.test_client()


def report(app, n: int = 1, **fields) -> list[str]:
    """Store n issues near 黄家路55弄3号 and return their ids."""
    with app.test_request_context():
        building = base_layers().layers["buildings"].set_index("address").loc["黄家路55弄3号"]
        point = building.geometry.representative_point()
        ids = []
        with transaction() as s:
            for i in range(n):
                values = {"category": "sanitation", "title": f"弄堂口垃圾堆放 {i}", "lon": point.x, "lat": point.y}
                values.update(fields)
                issue, _ = submit_issue(s, values, base_layers().locator, "社工小王")
                ids.append(issue.public_id)
        return ids


def binding(html: str, app_name: str) -> dict:
    """The settings a page hands to its script: the last argument of `<app>.attach(map, layers, {...})`."""
    call = html[html.index(f"{app_name}.attach("):]
    config = call[call.index("}") + 1:]
    return json.JSONDecoder().raw_decode(config[config.index("{"):])[0]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_chinese_by_default_and_english_on_request(client, path):
    zh = client.get(path)
    assert zh.status_code == 200
    html = zh.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert 'aria-current="page"' in html
    for label in ("地图", "问题", "热点"):
        assert f">{label}</a>" in html
    en = client.get(path + "?lang=en")
    assert en.status_code == 200
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert binding(en.get_data(as_text=True), "JintanIssues" if path == "/issues" else "JintanHotspots")["lang"] == "en"


@pytest.mark.parametrize("path", PAGES + ["/"])
def test_pages_link_to_each_other(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'href="/"' in html and 'href="/issues"' in html and 'href="/hotspots"' in html


@pytest.mark.parametrize("path", PAGES)
def test_pages_request_nothing_from_other_hosts(client, path):
    html = client.get(path).get_data(as_text=True)
    assert find_external_urls(html) == []
    local = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert {"/static/js/issues.js" if path == "/issues" else "/static/js/hotspots.js", "/static/css/app.css"} <= local
    assert any("leaflet.markercluster" in url for url in local) or path == "/hotspots"
    for url in local:
        assert client.get(url).status_code == 200, url


def test_issue_map_loads_the_plugins_it_uses(client):
    html = client.get("/issues").get_data(as_text=True)
    assert "L.markerClusterGroup(" in html
    assert "L.heatLayer(" in html
    assert "/static/vendor/folium@0.20.0/templates/leaflet_heat.min.js" in html
    config = binding(html, "JintanIssues")
    assert config["api"] == "/api/v1"
    assert config["aggregateAbove"] == 3000
    assert config["shift"] is None
    assert set(config["statuses"]) == {"reported", "acknowledged", "in_progress", "resolved", "closed", "rejected"}
    assert config["statuses"]["resolved"]["group"] == "done"
    assert config["statuses"]["rejected"]["group"] == "rejected"


def test_filters_offer_every_compound_and_status(client):
    html = client.get("/issues").get_data(as_text=True)
    assert '<option value="hjl55">黄家路55弄</option>' in html
    assert html.count('name="status"') == 6
    english = client.get("/issues?lang=en").get_data(as_text=True)
    assert '<option value="hjl55">Lane 55, Huangjia Road</option>' in english


def test_page_size_is_bounded_and_independent_of_the_issues():
    empty, full = make_app(), make_app()
    report(full, 500)
    sizes = {}
    for name, app in (("empty", empty), ("full", full)):
        for path in PAGES:
            response = app.test_client().get(path)
            assert response.status_code == 200
            sizes[name, path] = len(response.data)
    for path in PAGES:
        assert sizes["empty", path] == sizes["full", path]
        assert sizes["empty", path] < PAGE_LIMIT
    full_page = full.test_client().get("/issues").get_data(as_text=True)
    assert "弄堂口垃圾堆放" not in full_page  # issues come from the API, never inside the page


def test_issue_record_shows_the_summary_and_the_whole_history(app, client):
    (issue_id,) = report(
        app,
        reported_at=datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc).isoformat(),
        priority="high",
        source="hotline_12345",
        is_typical_case=True,
    )
    with app.test_request_context():
        with transaction() as s:
            update_issue(s, issue_id, {"status": "acknowledged", "assignee": "物业王师傅"}, "社工小李", "已联系物业")
            update_issue(s, issue_id, {"status": "resolved"}, "社工小李")
    response = client.get(f"/issues/{issue_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "弄堂口垃圾堆放 0" in html
    assert "环境卫生" in html and "已解决" in html
    assert "12345热线" in html and "高" in html
    assert "黄家路55弄3号" in html and "黄家路55弄" in html
    assert "2024-05-01 10:00" in html  # 02:00 UTC is 10:00 in Shanghai
    assert "物业王师傅" in html
    history = html[html.index('class="jt-history"'):html.index('class="jt-photos"')]
    assert history.count("<li>") == 4  # created, status, assignment, status
    assert "已上报</span> → <strong>已受理" in history
    assert "已受理</span> → <strong>已解决" in history
    assert "已联系物业" in history and "社工小李" in history
    assert "暂无照片" in html
    assert find_external_urls(html) == []
    assert "/static/vendor/leaflet@1.9.3/dist/leaflet.js" in html


def test_issue_record_in_english_uses_the_english_category(app, client):
    (issue_id,) = report(app)
    html = client.get(f"/issues/{issue_id}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sanitation" in html


def test_user_text_on_the_record_is_never_markup(app, client):
    (issue_id,) = report(app, title=HOSTILE_NAME, description=HOSTILE_COMMENT, address=HOSTILE_NAME)
    with app.test_request_context():
        with transaction() as s:
            update_issue(s, issue_id, {"assignee": HOSTILE_COMMENT}, HOSTILE_NAME, HOSTILE_COMMENT)
    html = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert HOSTILE_NAME not in html
    assert HOSTILE_COMMENT not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_issue_record_shows_its_photos_as_thumbnails_linking_to_the_photo(app, client):
    (issue_id,) = report(app)
    with app.test_request_context():
        with transaction() as s:
            first, _ = add_photo(s, app.config["PHOTO_DIR"], issue_id, jpeg(), "社工小王", comment="堆在弄堂口")
            second, _ = add_photo(s, app.config["PHOTO_DIR"], issue_id, jpeg((640, 480)), HOSTILE_NAME)
    html = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    photos = html[html.index('class="jt-photos"'):]
    assert "暂无照片" not in photos
    for n, photo in enumerate((first, second), start=1):
        link = f'<a href="/api/v1/photos/{photo.public_id}"><img src="/api/v1/photos/{photo.public_id}/thumbnail"'
        assert link in photos
        assert f'alt="问题照片 {n}"' in photos
        assert client.get(f"/api/v1/photos/{photo.public_id}/thumbnail").mimetype == "image/jpeg"
    assert "社工小王" in photos and HOSTILE_NAME not in html and "&lt;img src=x onerror=alert(1)&gt;" in photos
    history = html[html.index('class="jt-history"'):html.index('class="jt-photos"')]
    assert history.count("<li>") == 3 and "上传照片" in history and "堆在弄堂口" in history
    assert f'href="/api/v1/photos/{first.public_id}">查看照片</a>' in history
    assert first.public_id not in history.replace(f"/api/v1/photos/{first.public_id}", "")
    english = client.get(f"/issues/{issue_id}?lang=en").get_data(as_text=True)
    assert 'alt="Issue photo 2"' in english


def test_a_position_worse_than_the_required_accuracy_is_flagged(app, client):
    (rough,) = report(app, location_source="gps", location_accuracy_m=45.4)
    html = client.get(f"/issues/{rough}").get_data(as_text=True)
    assert "定位精度 ±45 米（低于要求）" in html
    assert "<dt>定位方式</dt><dd>GPS 定位</dd>" in html and "<dt>定位精度</dt><dd>±45 米</dd>" in html
    (close,) = report(app, location_source="map", location_accuracy_m=8)
    html = client.get(f"/issues/{close}").get_data(as_text=True)
    assert "低于要求" not in html and "<dd>在地图上点选</dd>" in html and "<dd>±8 米</dd>" in html
    (unknown,) = report(app)
    assert "定位精度" not in client.get(f"/issues/{unknown}").get_data(as_text=True)


@pytest.mark.parametrize(
    "issue_id", [str(uuid.uuid4()), "not-a-uuid", "12345", str(uuid.uuid4()).upper(), "%3Cscript%3E"]
)
def test_unknown_or_malformed_issue_is_a_404_page(client, issue_id):
    response = client.get(f"/issues/{issue_id}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "未找到该问题" in html
    assert "<script>" not in html


def test_an_id_in_upper_case_finds_the_issue(app, client):
    (issue_id,) = report(app)
    assert client.get(f"/issues/{issue_id.upper()}").status_code == 200


def test_hotspot_page_hands_over_the_class_palette(client):
    config = binding(client.get("/hotspots").get_data(as_text=True), "JintanHotspots")
    assert config["colours"] == {
        "hot99": "#d7191c", "hot95": "#fc8d59", "hot90": "#fee090", "ns": "#bdbdbd",
        "cold90": "#e0f3f8", "cold95": "#91bfdb", "cold99": "#4575b4",
    }
    assert set(config["labels"]) == set(config["colours"])


def test_gaode_pages_shift_points_the_way_the_base_layers_are_shifted():
    gaode = make_app(BASEMAP="gaode")
    client = gaode.test_client()
    for path in PAGES:
        html = client.get(path).get_data(as_text=True)
        assert binding(html, "JintanIssues" if path == "/issues" else "JintanHotspots")["shift"] is not None
        assert "autonavi.com" in html


def test_linear_gcj02_shift_is_within_5_cm_over_the_neighbourhood(app):
    with app.app_context():
        layers = base_layers().layers
    shift = display_shift(layers, provider("gaode"))
    (lon0, lat0), (dlon, dlat), jacobian = shift["origin"], shift["offset"], np.array(shift["jacobian"])
    minx, miny, maxx, maxy = layers["boundary"].total_bounds
    margin = 0.003  # about 300 m beyond the boundary
    lon, lat = np.meshgrid(np.linspace(minx - margin, maxx + margin, 25), np.linspace(miny - margin, maxy + margin, 25))
    exact_lon, exact_lat = wgs84_to_gcj02(lon.ravel(), lat.ravel())
    offset = jacobian @ np.vstack([lon.ravel() - lon0, lat.ravel() - lat0])
    error_deg = np.hypot(lon.ravel() + dlon + offset[0] - exact_lon, lat.ravel() + dlat + offset[1] - exact_lat)
    assert error_deg.max() * 111_000 < 0.05
    assert display_shift(layers, None) is None


def test_the_history_names_people_by_their_display_names(app):
    from tests.accounts import client_as

    worker = client_as(app, "field_staff")  # wang.li, shown as 王丽
    lon, lat = 121.4930, 31.2220
    issue = worker.post("/api/v1/issues", json={"category": "sanitation", "title": "楼道堆物", "lon": lon, "lat": lat})
    html = app.test_client().get(f"/issues/{issue.get_json()['id']}").get_data(as_text=True)
    assert "王丽" in html and "wang.li" not in html
