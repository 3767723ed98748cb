"""What people see and tap on the base map, in headless Chromium at tablet size."""
from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, LiveServer, foreign_requests, wait_until_ready
from tests.conftest import HOSTILE_NAME

LAYER_TITLES_ZH = ["居民区边界", "小区", "建筑", "道路", "弄堂", "路灯", "公共设施"]


def open_map(page, url):
    page.goto(url)
    page.wait_for_selector(".leaflet-overlay-pane path")
    wait_until_ready(page)


def test_map_renders_every_layer_with_legible_chinese(tablet, live_server, app):
    open_map(tablet, live_server.url + "/")
    layers = app.extensions["base_layers"].layers

    labels = tablet.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == LAYER_TITLES_ZH

    polygons_and_lines = sum(len(layers[n]) for n in ("boundary", "compounds", "buildings", "roads", "lanes"))
    lamps = len(layers["streetlights"])
    paths = tablet.locator(".leaflet-map-pane path").count()
    assert paths >= polygons_and_lines + lamps
    assert tablet.locator(".leaflet-marker-pane .jt-facility .jt-facility-pin").count() == len(layers["facilities"])
    working = int((layers["streetlights"]["status"] == "working").sum())
    assert tablet.locator('.leaflet-overlay-pane path[fill="#ffc300"]').count() == working
    assert tablet.locator(".jt-legend").is_visible()

    assert _cjk_glyphs_differ(tablet), "Chinese text renders as identical boxes: no CJK font?"
    assert tablet.errors == []
    assert foreign_requests(tablet, live_server.url) == []

    ARTIFACTS.mkdir(exist_ok=True)
    tablet.screenshot(path=str(ARTIFACTS / "map-tablet.png"))


def test_search_finds_an_address_and_opens_its_popup(tablet, live_server):
    open_map(tablet, live_server.url + "/")
    tablet.fill("#jt-search-input", "黄家路55弄3号")
    tablet.tap("#jt-search button")
    popup = tablet.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "黄家路55弄3号" in popup.inner_text()
    assert tablet.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()") >= 18


def test_search_says_when_nothing_matches(tablet, live_server):
    open_map(tablet, live_server.url + "/")
    tablet.fill("#jt-search-input", "不存在的地址")
    tablet.press("#jt-search-input", "Enter")
    assert "未找到" in tablet.locator("#jt-search-status").inner_text()


def test_tapping_a_building_shows_its_attributes_in_english(tablet, live_server):
    open_map(tablet, live_server.url + "/?lang=en")
    tablet.fill("#jt-search-input", "黄家路55弄1号")
    tablet.press("#jt-search-input", "Enter")
    popup = tablet.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Households" in text and "Floors" in text


def test_hostile_names_show_as_text(tablet, hostile_app):
    with LiveServer(hostile_app) as server:
        open_map(tablet, server.url + "/")
        tablet.fill("#jt-search-input", HOSTILE_NAME)
        tablet.press("#jt-search-input", "Enter")
        popup = tablet.locator(".leaflet-popup-content")
        popup.wait_for()
        assert HOSTILE_NAME in popup.inner_text()
        assert tablet.locator(".leaflet-popup-content img").count() == 0
        assert tablet.dialogs == []
        assert tablet.errors == []


def _cjk_glyphs_differ(page) -> bool:
    """Draw two different characters in the page's font: real glyphs differ, missing-glyph boxes do not."""
    return page.evaluate(
        """() => {
            const font = getComputedStyle(document.querySelector('.jt-topbar h1')).font;
            const draw = (ch) => {
                const c = document.createElement('canvas'); c.width = c.height = 40;
                const g = c.getContext('2d'); g.font = font.replace(/\\d+px/, '32px');
                g.fillText(ch, 2, 34); return c.toDataURL();
            };
            return draw('金') !== draw('坛') && draw('金') !== draw(' ');
        }"""
    )
