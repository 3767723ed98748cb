"""The streetlight plan in headless Chromium at tablet size, against the real API: 黄家路55弄 as it was before its
2020 streetlight works, from dark to fully lit, the plan in the URL, the lamp table, the printable sheet, a drawn
area, the plan as a project, and the as-of date that brings 55弄 from dark to lit."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts import client_as
from tests.browser.conftest import ARTIFACTS, foreign_requests, sign_in, wait_until_ready

PAGE = "/planning/lighting"
PROPOSED = ".leaflet-marker-pane .jt-proposed"
HJL55_ADDRESSES = [f"黄家路55弄{n}号" for n in range(1, 7)]
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
BEFORE_THE_WORKS = "2019-06-01"  # 黄家路55弄 had no streetlight until 2020-05-28


@pytest.fixture(scope="module")
def hjl55(app):
    """The plan for 黄家路55弄 as the API makes it: what the page must show."""
    body = {"area": "hjl55", "as_of": BEFORE_THE_WORKS}
    return app.test_client().post("/api/v1/lighting/plan", json=body).get_json()["summary"]


def screenshot(page, name, **options):
    """After Leaflet's zoom and popup fade animations have finished."""
    page.wait_for_function(
        """() => !document.querySelector('.leaflet-zoom-anim')
                 && [...document.querySelectorAll('.leaflet-popup')].every(p => getComputedStyle(p).opacity === '1')"""
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), **options)


def no_trouble(page, server):
    assert page.errors == []
    assert page.dialogs == []
    assert foreign_requests(page, server.url) == []


def open_area(page, server, query=f"area=hjl55&as_of={BEFORE_THE_WORKS}"):
    sign_in(page, server, "planner")  # a planner may turn the plan into a project
    page.goto(f"{server.url}{PAGE}?{query}")
    page.wait_for_selector("#jt-now-facts div")  # the gaps are in
    wait_until_ready(page)


def make_plan(page):
    page.locator("#jt-make-plan").tap()
    page.wait_for_selector("#jt-plan:not([hidden])")
    wait_until_ready(page)


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_the_plan_for_hjl55_lights_every_lane(tablet, live_server, hjl55):
    open_area(tablet, live_server)
    assert tablet.locator("select[name=area]").input_value() == "hjl55"
    now = tablet.locator("#jt-now-facts").inner_text()
    assert "亮灯比例\n0 %" in now
    dark_paths = tablet.locator("path.leaflet-interactive[stroke='#6d1a45']")
    assert dark_paths.count() == hjl55["dark_stretches_before"]

    make_plan(tablet)
    n = hjl55["lamps_proposed"]
    assert tablet.locator("#jt-lit-share").inner_text() == "0 % → 100 %"
    assert tablet.locator("#jt-lamp-count").inner_text() == (
        f"{n} 盏（理论下限 {hjl55['lower_bound']} 盏，等距布灯需 {hjl55['naive_count']} 盏）"
    )
    assert tablet.locator("#jt-households").inner_text() == "230 户 · 6 栋楼"
    assert tablet.locator("#jt-cost").inner_text() == f"¥{n * 8000:,}"
    addresses = [text.split("\n")[0] for text in tablet.locator("#jt-addresses li").all_text_contents()]
    assert [a[: len("黄家路55弄1号")] for a in addresses] == HJL55_ADDRESSES
    assert tablet.locator("#jt-plan-status").inner_text() == f"方案已生成：新增 {n} 盏路灯"

    markers = tablet.locator(PROPOSED)
    assert markers.count() == n
    assert sorted(int(t) for t in markers.all_inner_texts()) == list(range(1, n + 1))
    map_box = tablet.locator(".jt-map").bounding_box()
    for box in (markers.nth(i).bounding_box() for i in range(n)):
        assert map_box["x"] <= box["x"] and box["x"] + box["width"] <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= box["y"] and box["y"] + box["height"] <= map_box["y"] + map_box["height"]
    rows = tablet.locator("#jt-lamp-table tbody tr")
    assert rows.count() == n
    assert rows.first.locator("td").nth(1).inner_text() == "黄家路55弄"

    assert query(tablet)["area"] == ["hjl55"] and query(tablet)["plan"] == ["1"]
    csv_link = tablet.locator("#jt-export-csv").get_attribute("href")
    assert csv_link.startswith("/api/v1/lighting/plan.csv?area=hjl55")
    download = tablet.request.get(live_server.url + csv_link)
    assert download.ok and download.body().startswith(b"\xef\xbb\xbf")
    assert download.body().decode("utf-8-sig").count("黄家路55弄") == n
    for selector in ("#jt-make-plan", "#jt-make-project", "#jt-export-csv", ".jt-lamp-number", ".leaflet-draw-draw-polygon"):
        box = tablet.locator(selector).first.bounding_box()
        assert box["height"] >= 36 and box["width"] >= 44, selector
    no_trouble(tablet, live_server)
    screenshot(tablet, "planning-lighting-tablet.png")


def test_a_shared_plan_url_opens_with_the_plan_and_the_table_finds_each_lamp(tablet, live_server, hjl55):
    open_area(tablet, live_server, f"area=hjl55&mounting_height=4&luminaire=semi-cut-off&unit_cost=8000"
                                   f"&as_of={BEFORE_THE_WORKS}&plan=1")
    tablet.wait_for_selector("#jt-plan:not([hidden])")
    wait_until_ready(tablet)
    assert tablet.locator(PROPOSED).count() == hjl55["lamps_proposed"]
    tablet.locator(".jt-lamp-number", has_text="3").first.tap()
    popup = tablet.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "新增路灯 3"
    assert "黄家路55弄" in popup.inner_text()
    no_trouble(tablet, live_server)


def test_changing_a_parameter_asks_for_a_new_plan_and_bad_values_are_named(tablet, live_server):
    open_area(tablet, live_server)
    make_plan(tablet)
    tablet.locator("input[name=mounting_height]").fill("20")
    tablet.locator("input[name=mounting_height]").dispatch_event("change")
    assert tablet.locator("#jt-plan").is_hidden()
    assert tablet.locator(PROPOSED).count() == 0
    assert "plan" not in query(tablet) and query(tablet)["mounting_height"] == ["20"]
    assert tablet.locator("#jt-plan-status").inner_text() == "参数已更改，请重新生成方案"
    tablet.locator("#jt-make-plan").tap()
    error = tablet.locator("#jt-error-mounting_height")
    error.wait_for()
    assert error.inner_text() == "安装高度须在 2–15 米之间"
    assert tablet.locator("input[name=mounting_height]").get_attribute("aria-invalid") == "true"

    tablet.locator("input[name=mounting_height]").fill("6")
    tablet.locator("select[name=luminaire]").select_option("non-cut-off")
    make_plan(tablet)
    assert error.is_hidden()
    assert tablet.locator("#jt-lit-share").inner_text() == "0 % → 100 %"
    assert query(tablet)["mounting_height"] == ["6"] and query(tablet)["luminaire"] == ["non-cut-off"]
    assert tablet.errors == [] and foreign_requests(tablet, live_server.url) == []


def test_an_area_drawn_on_the_map_is_planned(tablet, live_server):
    open_area(tablet, live_server, f"area=all&as_of={BEFORE_THE_WORKS}")
    tablet.locator("select[name=area]").select_option("drawn")
    assert tablet.locator("#jt-draw-hint").is_visible()
    # A rectangle around 黄家路55弄, dragged with the rectangle tool.
    outline = tablet.evaluate(
        f"""() => {{
            const map = {FIND_MAP};
            let box = null;
            map.eachLayer(l => {{ if (l.feature && l.feature.id === "compounds-hjl55") box = l.getBounds(); }});
            map.fitBounds(box, {{animate: false}});
            const nw = map.latLngToContainerPoint(box.getNorthWest()), se = map.latLngToContainerPoint(box.getSouthEast());
            const origin = map.getContainer().getBoundingClientRect();
            return [nw.x + origin.left, nw.y + origin.top, se.x + origin.left, se.y + origin.top];
        }}"""
    )
    tablet.locator(".leaflet-draw-draw-rectangle").click()
    left, top, right, bottom = outline
    tablet.mouse.move(left - 8, top - 8)
    tablet.mouse.down()
    tablet.mouse.move((left + right) / 2, (top + bottom) / 2, steps=5)
    tablet.mouse.move(right + 8, bottom + 8, steps=5)
    tablet.mouse.up()
    tablet.wait_for_function("() => new URLSearchParams(location.search).get('area').startsWith('{')")
    wait_until_ready(tablet)
    assert tablet.locator("select[name=area]").input_value() == "drawn"
    make_plan(tablet)
    assert tablet.locator("#jt-lit-share").inner_text().endswith("→ 100 %")
    assert tablet.locator(PROPOSED).count() > 0
    assert "230 户" in tablet.locator("#jt-households").inner_text()
    no_trouble(tablet, live_server)
    screenshot(tablet, "planning-lighting-drawn.png")


def test_the_print_sheet_shows_the_whole_table_on_a4(tablet, live_server, hjl55):
    open_area(tablet, live_server)
    make_plan(tablet)
    href = tablet.locator("#jt-print-link").get_attribute("href")
    tablet.goto(live_server.url + href)
    tablet.wait_for_selector(".jt-print-map .jt-proposed")
    wait_until_ready(tablet)
    n = hjl55["lamps_proposed"]
    assert tablet.locator("#jt-print-lamps tbody tr").count() == n
    assert tablet.locator(".jt-print-map .jt-proposed").count() == n
    assert tablet.locator("#jt-print-buildings tbody tr").count() == 6
    assert tablet.evaluate(f"() => {FIND_MAP}.dragging.enabled()") is False
    assert tablet.locator("#jt-print-button").is_visible()
    no_trouble(tablet, live_server)
    screenshot(tablet, "planning-lighting-print.png", full_page=True)

    tablet.emulate_media(media="print")
    assert tablet.locator("#jt-print-button").is_hidden() and tablet.locator(".jt-topbar").is_hidden()
    assert tablet.locator("#jt-print-lamps tbody tr").count() == n
    screenshot(tablet, "planning-lighting-print-media.png", full_page=True)
    pdf = tablet.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "planning-lighting-print.pdf").write_bytes(pdf)


def test_the_plan_becomes_a_project_in_one_step(tablet, live_server, app):
    client = client_as(app, "field_staff")
    gaps = client.get(f"/api/v1/lighting/gaps?area=hjl55&as_of={BEFORE_THE_WORKS}").get_json()
    dark = next(f for f in gaps["features"] if f["properties"]["kind"] == "dark")["geometry"]["coordinates"]
    lon, lat = dark[len(dark) // 2]
    issue = client.post("/api/v1/issues", json={"category": "lighting", "title": "55弄夜里太黑", "lon": lon, "lat": lat})
    assert issue.status_code == 201
    issue_id = issue.get_json()["id"]

    open_area(tablet, live_server)
    make_plan(tablet)
    assert tablet.locator("#jt-plan-issues a", has_text="55弄夜里太黑").count() == 1
    assert tablet.locator(".jt-lighting-issue").count() >= 1
    tablet.locator("#jt-make-project").tap()
    tablet.wait_for_url("**/projects/*")
    project_id = urlsplit(tablet.url).path.rsplit("/", 1)[1]
    project = client.get(f"/api/v1/projects/{project_id}").get_json()
    p = project["properties"]
    assert (p["kind"], p["status"]) == ("lighting_works", "proposed")
    assert p["name"].startswith("黄家路55弄路灯补缺")
    assert project["geometry"]["type"] == "MultiPoint"
    assert issue_id in str(project)  # linked
    assert tablet.errors == [] and foreign_requests(tablet, live_server.url) == []


def test_the_as_of_date_shows_lane_55_lit_today_and_dark_before_its_works(tablet, live_server):
    open_area(tablet, live_server, "area=hjl55")
    assert tablet.locator("input[name=as_of]").input_value() == ""
    assert "亮灯比例\n100 %" in tablet.locator("#jt-now-facts").inner_text()
    assert tablet.locator("path.leaflet-interactive[stroke='#6d1a45']").count() == 0  # nothing dark

    tablet.locator("input[name=as_of]").fill(BEFORE_THE_WORKS)
    tablet.locator("input[name=as_of]").dispatch_event("change")
    tablet.wait_for_function("() => document.getElementById('jt-now-facts').innerText.includes('亮灯比例\\n0 %')")
    assert query(tablet)["as_of"] == [BEFORE_THE_WORKS]
    assert tablet.locator("path.leaflet-interactive[stroke='#6d1a45']").count() > 0
    make_plan(tablet)
    assert tablet.locator("#jt-lit-share").inner_text() == "0 % → 100 %"
    assert tablet.locator(PROPOSED).count() == 11
    assert tablet.locator("#jt-households").inner_text() == "230 户 · 6 栋楼"
    assert f"as_of={BEFORE_THE_WORKS}" in tablet.locator("#jt-print-link").get_attribute("href")
    box = tablet.locator("input[name=as_of]").bounding_box()
    assert box["height"] >= 36
    no_trouble(tablet, live_server)
