"""The base map page: languages, layers, offline assets, escaping, tile settings."""
from __future__ import annotations

import json
import re

import pytest

from geo.dataset import DatasetError
from geo.gcj02 import wgs84_to_gcj02
from tests.conftest import HOSTILE_COMPOUND, HOSTILE_NAME, copy_dataset, make_app
from webmap.assets import find_external_urls

def in_script(text: str) -> str:
    """How text appears inside the page's JSON (non-ASCII as \\u escapes)."""
    return json.dumps(text)[1:-1]


LAYER_TITLES_ZH = ["居民区边界", "小区", "建筑", "道路", "弄堂", "路灯", "公共设施"]
LAYER_TITLES_EN = ["Neighbourhood boundary", "Compounds", "Buildings", "Roads", "Lanes", "Streetlights", "Facilities"]


def test_map_page_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "<title>金坛路居民区地图</title>" in html
    assert 'name="viewport"' in html
    for title in LAYER_TITLES_ZH:
        assert in_script(title) in html


def test_english_on_request_and_remembered(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    for title in LAYER_TITLES_EN:
        assert title in html
    assert "Jintan Road" in html
    again = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in again
    assert '<html lang="zh-CN">' in client.get("/?lang=zh").get_data(as_text=True)


def test_unknown_language_falls_back_to_chinese(client):
    assert '<html lang="zh-CN">' in client.get("/?lang=xx").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/?lang=en"])
def test_page_requests_nothing_from_other_hosts(client, path):
    html = client.get(path).get_data(as_text=True)
    assert find_external_urls(html) == []
    local = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    assert local, "the page should load its assets from /static"
    for url in local:
        assert client.get(url).status_code == 200, url


def test_popups_carry_every_layer_and_the_search_index(client):
    html = client.get("/").get_data(as_text=True)
    assert "JintanMap.attach" in html
    assert in_script("黄家路55弄3号") in html
    assert html.count("JintanMap.bindFeature") == 7


def test_attribute_text_is_never_markup(hostile_app):
    html = hostile_app.test_client().get("/").get_data(as_text=True)
    assert HOSTILE_NAME not in html
    assert HOSTILE_COMPOUND not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_gaode_tiles_shift_every_geometry_to_gcj02(app, hostile_data_dir):
    gaode = make_app(BASEMAP="gaode")
    html = gaode.test_client().get("/").get_data(as_text=True)
    boundary = app.extensions["base_layers"].layers["boundary"]
    lon, lat = boundary.geometry.iloc[0].exterior.coords[0]
    glon, glat = (round(float(v), 7) for v in wgs84_to_gcj02(lon, lat))
    assert f"[{glon}, {glat}]" in html
    assert f"[{round(lon, 7)}, {round(lat, 7)}]" not in html
    assert f"[{round(lon, 7)}, {round(lat, 7)}]" in app.test_client().get("/").get_data(as_text=True)
    assert "autonavi.com" in html


def test_tianditu_needs_a_key():
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        make_app(BASEMAP="tianditu", TIANDITU_KEY="")


def test_unknown_basemap_is_refused():
    with pytest.raises(ValueError, match="BASEMAP"):
        make_app(BASEMAP="google")


def test_app_refuses_to_start_with_broken_data(tmp_path):
    data_dir = copy_dataset(tmp_path / "broken")
    (data_dir / "buildings.prj").unlink()
    with pytest.raises(DatasetError, match="buildings"):
        make_app(DATA_DIR=str(data_dir))
