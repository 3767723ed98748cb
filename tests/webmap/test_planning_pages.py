"""The streetlight plan page and its printable A4 sheet: languages, offline assets, escaping, the lamp table."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import HOSTILE_COMPOUND, make_app
from webmap.assets import find_external_urls

PAGE = "/planning/lighting"
PRINT = "/planning/lighting/print"
HJL55_ADDRESSES = [f"黄家路55弄{n}号" for n in range(1, 7)]


def binding(html: str) -> dict:
    """The settings the page hands to static/js/lighting.js."""
    call = html[html.index("JintanLighting.attach("):]
    config = call[call.index("}") + 1:]
    return json.JSONDecoder().raw_decode(config[config.index("{"):])[0]


def local_assets(html: str) -> set[str]:
    return set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))


def test_the_page_is_chinese_by_default_and_english_on_request(client):
    zh = client.get(PAGE)
    assert zh.status_code == 200
    html = zh.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert f'<a href="{PAGE}" aria-current="page">规划</a>' in html
    assert "生成方案" in html and "转为项目" in html
    assert binding(html)["lang"] == "zh"
    en = client.get(PAGE + "?lang=en")
    assert en.status_code == 200
    english = en.get_data(as_text=True)
    assert '<html lang="en">' in english
    assert binding(english)["lang"] == "en"
    assert '<option value="hjl55">Lane 55, Huangjia Road</option>' in english


def test_every_page_links_to_the_plan(client):
    for path in ("/", "/issues", "/hotspots", PAGE):
        assert f'href="{PAGE}"' in client.get(path + "?lang=zh").get_data(as_text=True), path


def test_the_page_requests_nothing_from_other_hosts(client):
    html = client.get(PAGE + "?lang=zh").get_data(as_text=True)
    assert find_external_urls(html) == []
    local = local_assets(html)
    assert {"/static/js/lighting.js", "/static/css/planning.css", "/static/css/app.css"} <= local
    assert any("leaflet-draw" in url and url.endswith(".js") for url in local), "the vendored Leaflet.draw"
    for url in local:
        assert client.get(url).status_code == 200, url
    draw_css = next(url for url in local if "leaflet-draw" in url and url.endswith(".css"))
    assert find_external_urls(client.get(draw_css).get_data(as_text=True)) == []


def test_the_page_offers_areas_and_parameters_and_hands_the_script_what_it_needs(client):
    html = client.get(PAGE + "?lang=zh").get_data(as_text=True)
    assert '<option value="all">整个居民区</option>' in html
    assert '<option value="hjl55">黄家路55弄</option>' in html
    assert '<option value="drawn">' in html
    for luminaire in ("cut-off", "semi-cut-off", "non-cut-off"):
        assert f'<option value="{luminaire}">' in html
    assert 'name="mounting_height" min="2.0" max="15.0"' in html
    assert '<input type="date" name="as_of"' in html
    assert "new L.Control.Draw(" in html
    config = binding(html)
    assert config["api"] == "/api/v1" and config["projectsApi"] == "/api/v1/projects"
    assert config["printPage"] == PRINT
    assert config["defaults"] == {"area": "all", "mounting_height": 4.0, "luminaire": "semi-cut-off",
                                  "unit_cost": 8000}
    assert config["shift"] is None


def test_compound_names_are_text_not_markup(hostile_app):
    html = hostile_app.test_client().get(PAGE).get_data(as_text=True)
    assert HOSTILE_COMPOUND not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_gaode_tiles_make_the_script_shift_its_points():
    app = make_app(BASEMAP="gaode")
    config = binding(app.test_client().get(PAGE).get_data(as_text=True))
    assert config["shift"] is not None and len(config["shift"]["jacobian"]) == 2


# --- the printable sheet -------------------------------------------------------------------------

def test_the_print_sheet_for_hjl55_before_the_works_has_the_whole_lamp_table_and_the_households(client):
    plan = client.post("/api/v1/lighting/plan", json={"area": "hjl55", "as_of": "2019-06-01"}).get_json()
    lamps = [f["properties"] for f in plan["features"] if f["properties"]["kind"] == "proposed_lamp"]
    assert len(lamps) == 11
    response = client.get(PRINT + "?area=hjl55&as_of=2019-06-01&lang=zh")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "黄家路55弄 · 路灯补缺方案" in html
    table = html[html.index('id="jt-print-lamps"'):]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", table)
    assert len(rows) == len(lamps) == plan["summary"]["lamps_proposed"]
    for (number, lane, lon, lat), lamp in zip(rows, lamps):
        assert (int(number), lane) == (lamp["number"], "黄家路55弄")
        assert (float(lon), float(lat)) == (lamp["lon"], lamp["lat"])
    for address in HJL55_ADDRESSES:
        assert f"<td>{address}</td>" in html
    assert "受益楼栋（230 户）" in html
    assert "0 % → 100 %" in html
    assert "<dt>路灯现状日期</dt><dd>2019-06-01</dd>" in html
    assert 'id="jt-print-button"' in html and "window.print()" in html
    # the map shows the lamps that stood then: the 11 the works put up in 55弄 in 2020 are not there yet
    today = client.get(PRINT + "?area=hjl55&lang=zh").get_data(as_text=True)
    assert today.count('"status": "working"') - html.count('"status": "working"') == 11


def test_the_print_sheet_for_hjl55_today_needs_no_lamp(client):
    html = client.get(PRINT + "?area=hjl55&lang=zh").get_data(as_text=True)
    assert "100 % → 100 %" in html


def test_the_print_sheet_is_a4_offline_and_its_map_stands_still(client):
    html = client.get(
        PRINT + "?area=hjl55&mounting_height=5&luminaire=cut-off&unit_cost=9000&as_of=2019-06-01"
    ).get_data(as_text=True)
    assert find_external_urls(html) == []
    local = local_assets(html)
    assert "/static/css/planning.css" in local
    for url in local:
        assert client.get(url).status_code == 200, url
    css = client.get("/static/css/planning.css").get_data(as_text=True)
    assert "@page { size: A4; margin: 15mm; }" in css
    assert re.search(r"@media print \{[^@]*\.jt-print-tools \{ display: none", css), "the buttons stay on screen"
    for option in ('"dragging": false', '"scrollWheelZoom": false', '"zoomControl": false', '"touchZoom": false'):
        assert option in html
    assert "¥9,000" in html and "截光型" in html and "7.5 米" in html  # lit radius 3 x 5 m / 2


def test_the_print_sheet_in_english(client):
    response = client.get(PRINT + "?area=hjl55&lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "Lane 55, Huangjia Road" in html


def test_the_print_sheet_takes_a_drawn_area(client):
    compounds = client.get("/api/v1/layers/compounds").get_json()
    outline = next(f["geometry"] for f in compounds["features"] if f["properties"]["id"] == "hjl55")
    response = client.get(PRINT, query_string={"area": json.dumps(outline), "lang": "zh"})
    assert response.status_code == 200
    assert "自绘范围 · 路灯补缺方案" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["area=nowhere", "", "area=hjl55&mounting_height=40", "area=hjl55&luminaire=led", "area=hjl55&as_of=2019-02-30"],
)
def test_a_print_sheet_that_cannot_be_made_says_why(client, query):
    response = client.get(f"{PRINT}?{query}&lang=zh")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "无法生成方案" in html and "<code>" in html
    assert find_external_urls(html) == []
