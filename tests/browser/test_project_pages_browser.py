"""Projects in headless Chromium at tablet size, by touch: created by picking a compound and by drawing
with Leaflet.draw, shown on the project map by status with the year filter in the URL, changed on the
record (linking issues, completing), against the real API and a fresh app per test."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.accounts import client_as
from tests.browser.conftest import ARTIFACTS, LiveServer, foreign_requests, sign_in, wait_until_ready
from tests.conftest import HOSTILE_NAME, make_app
from webmap.project_pages import STATUS_COLOURS

FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
PROJECT_URL = re.compile(r".*/projects/[0-9a-f-]{36}$")
COMPOUND = "hjl55"
COMPOUND_HOUSEHOLDS = 230
CONTRACTOR = "上海\"老城厢\" & 黄浦 <5人> 施工队"  # quotes, ampersand and a lone '<' are text, not markup


@pytest.fixture()
def server():
    app = make_app()
    with LiveServer(app) as live:
        yield live


@pytest.fixture()
def tablet(tablet, server):
    """The tablet signed in as a planner: projects are theirs to make and change."""
    sign_in(tablet, server, "planner")
    return tablet


def no_trouble(page, server):
    assert page.errors == []
    assert page.dialogs == []
    assert foreign_requests(page, server.url) == []


def screenshot(page, name):
    """After Leaflet's zoom and popup fade animations have finished."""
    page.wait_for_function(
        """() => !document.querySelector('.leaflet-zoom-anim')
                 && [...document.querySelectorAll('.leaflet-popup')].every(p => getComputedStyle(p).opacity === '1')"""
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def api(server, method: str, path: str, body=None):
    response = client_as(server.app, "planner").open("/api/v1" + path, method=method, json=body)
    assert response.status_code < 300, response.get_data(as_text=True)
    return response.get_json() if response.data else None


def create_project(server, **fields) -> str:
    """A project put in through the store, as an import or older data could hold it (the API refuses markup)."""
    from store.projects import create_project as store_project, validate_new_project
    from webmap.api.projects import site
    from webmap.database import transaction

    body = {"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": [COMPOUND], **fields}
    body = {name: value for name, value in body.items() if value is not None}
    with server.app.test_request_context(), transaction() as s:
        project, _ = store_project(s, validate_new_project(body, site()), "planner")
        return project.public_id


def report_issues(server, titles, compound=COMPOUND) -> list[str]:
    """One issue at each of the compound's first buildings, stored through store.intake."""
    from store.intake import submit_issue
    from webmap.base_layers import base_layers
    from webmap.database import transaction

    with server.app.test_request_context():
        buildings = base_layers().layers["buildings"]
        spots = buildings[buildings["compound"] == compound].geometry.representative_point()
        ids = []
        with transaction() as s:
            for title, spot in zip(titles, spots):
                issue, _ = submit_issue(
                    s, {"category": "old-housing", "title": title, "lon": spot.x, "lat": spot.y},
                    base_layers().locator, "社工小王",
                )
                ids.append(issue.public_id)
        return ids


def layer_shape(server, layer: str, feature_id: str):
    from webmap.base_layers import base_layers

    with server.app.app_context():
        return base_layers().layers[layer].set_index("id").loc[feature_id].geometry


def on_screen(page, lon: float, lat: float) -> tuple[float, float]:
    """Where a WGS84 point is on the page (the test app has no tiles, so no datum shift)."""
    return tuple(page.evaluate(
        f"""([lon, lat]) => {{
            const map = {FIND_MAP}, box = map.getContainer().getBoundingClientRect();
            const p = map.latLngToContainerPoint([lat, lon]);
            return [box.x + p.x, box.y + p.y];
        }}""",
        [lon, lat],
    ))


def open_form(page, url):
    page.goto(url)
    page.wait_for_selector(".leaflet-draw-draw-polygon")
    wait_until_ready(page)


def submit_and_open_record(page):
    with page.expect_request(lambda r: r.method in ("POST", "PATCH") and "/api/v1/projects" in r.url) as sent:
        page.locator("#jt-project-form button[type=submit]").tap()
    page.wait_for_url(PROJECT_URL)
    page.wait_for_selector("#jt-detail-map path.jt-project-shape")
    request = sent.value
    assert request.headers["content-type"] == "application/json"
    return request.post_data_json


def households_text(page) -> str:
    facts = page.locator(".jt-issue-facts dl div", has_text="受影响户数")
    return facts.locator("dd").inner_text()


# --- creating ----------------------------------------------------------------------------------------

def test_a_project_made_by_picking_a_compound_affects_its_households(tablet, server):
    open_form(tablet, server.url + "/projects/new")
    tablet.locator(".jt-area-modes .jt-chip", has_text="选择").tap()
    tablet.wait_for_selector(".jt-pick-item")

    # Tapping the compound on the map picks it and ticks it in the list; tapping again lets it go.
    centre = layer_shape(server, "compounds", COMPOUND).representative_point()
    x, y = on_screen(tablet, centre.x, centre.y)
    tablet.touchscreen.tap(x, y)
    ticked = tablet.locator(".jt-pick-item", has_text="黄家路55弄").locator("input")
    expect(ticked).to_be_checked()
    expect(tablet.locator("#jt-area-summary")).to_have_text("已选 1 处")
    screenshot(tablet, "project-pick.png")
    tablet.touchscreen.tap(x, y)
    expect(ticked).not_to_be_checked()

    # The list finds it by name.
    tablet.locator("#jt-pick-search").fill("黄家路55")
    assert tablet.locator(".jt-pick-list li:not([hidden])").count() == 1
    tablet.locator(".jt-pick-item", has_text="黄家路55弄").tap()
    expect(ticked).to_be_checked()

    tablet.locator("input[name=name]").fill("黄家路55弄美丽家园")
    tablet.locator("select[name=kind]").select_option("beautiful_home")
    tablet.locator("input[name=planned_start]").fill("2025-03-01")
    tablet.locator("input[name=planned_end]").fill("2025-11-30")
    tablet.locator("input[name=budget]").fill("1800000")
    sent = submit_and_open_record(tablet)
    assert sent["compounds"] == [COMPOUND] and "geometry" not in sent
    assert sent["budget"] == 1800000

    assert tablet.locator(".jt-project-title").inner_text() == "黄家路55弄美丽家园"
    assert households_text(tablet) == f"{COMPOUND_HOUSEHOLDS} 户"
    assert "¥1,800,000" in tablet.locator(".jt-issue-facts").inner_text()
    assert tablet.locator(".jt-table tbody tr").count() >= 5
    no_trouble(tablet, server)
    screenshot(tablet, "project-record.png")


def test_a_project_drawn_with_leaflet_draw_is_stored_as_that_polygon(tablet, server):
    open_form(tablet, server.url + "/projects/new")
    # A marker first, then a polygon: a shape of another kind starts the area afresh.
    tablet.locator(".leaflet-draw-draw-marker").tap()
    minx, miny, maxx, maxy = layer_shape(server, "compounds", COMPOUND).bounds
    x, y = on_screen(tablet, (minx + maxx) / 2, (miny + maxy) / 2)
    tablet.touchscreen.tap(x, y)
    expect(tablet.locator("#jt-area-summary")).to_have_text("已画 1 处")

    # Closer in, as a planner would before drawing around a few buildings.
    tablet.evaluate(f"b => {FIND_MAP}.fitBounds([[b[1], b[0]], [b[3], b[2]]], {{animate: false}})", [minx, miny, maxx, maxy])
    tablet.locator(".leaflet-draw-draw-polygon").tap()
    assert tablet.locator(".leaflet-draw-actions a", has_text="取消").first.is_visible()
    inset_x, inset_y = (maxx - minx) * 0.2, (maxy - miny) * 0.2
    corners = [(minx + inset_x, maxy - inset_y), (maxx - inset_x, maxy - inset_y),
               (maxx - inset_x, miny + inset_y), (minx + inset_x, miny + inset_y)]
    # Leaflet.draw takes no new vertex until 50 ms after the last: each tap waits until it would.
    tablet.evaluate(
        """() => {
            const polyline = L.Draw.Polyline.prototype, disable = polyline._disableNewMarkers;
            polyline._disableNewMarkers = function () { window.jtDrawing = this; return disable.apply(this, arguments); };
        }"""
    )
    for n, (lon, lat) in enumerate(corners, start=1):
        tablet.touchscreen.tap(*on_screen(tablet, lon, lat))
        tablet.wait_for_function(
            "n => document.querySelectorAll('.leaflet-editing-icon').length === n && !window.jtDrawing._disableMarkers", arg=n
        )
    expect(tablet.locator(".leaflet-marker-icon.leaflet-editing-icon")).to_have_count(4)
    screenshot(tablet, "project-drawing.png")
    tablet.touchscreen.tap(*on_screen(tablet, *corners[0]))  # back on the first corner closes the shape
    tablet.wait_for_function("() => !document.querySelector('.leaflet-editing-icon')")
    assert tablet.locator("#jt-area-summary").inner_text() == "已画 1 处"
    assert tablet.locator(".leaflet-marker-pane .leaflet-marker-icon").count() == 0  # the marker is gone

    tablet.locator("input[name=name]").fill("黄家路55弄口袋公园")
    tablet.locator("select[name=kind]").select_option("pocket_park")
    sent = submit_and_open_record(tablet)
    ring = sent["geometry"]["coordinates"][0]
    assert sent["geometry"]["type"] == "Polygon" and len(ring) == 5
    for (lon, lat), (want_lon, want_lat) in zip(ring, corners):
        assert abs(lon - want_lon) < 1e-5 and abs(lat - want_lat) < 1e-5  # within a pixel or two
    stored = api(server, "GET", "/projects/" + tablet.url.rsplit("/", 1)[1])
    assert stored["geometry"]["type"] == "Polygon"
    assert int(households_text(tablet).split()[0].replace(",", "")) > 0
    no_trouble(tablet, server)
    screenshot(tablet, "project-drawn-record.png")


def test_refused_fields_are_explained_next_to_them(tablet, server):
    open_form(tablet, server.url + "/projects/new")
    tablet.locator("#jt-project-form button[type=submit]").tap()
    expect(tablet.locator("#jt-error-geometry")).not_to_be_empty()  # no area: said before asking the server

    tablet.locator(".jt-area-modes .jt-chip", has_text="选择").tap()
    tablet.locator(".jt-pick-item", has_text="黄家路55弄").tap()
    tablet.locator("input[name=planned_start]").fill("2025-05-01")
    tablet.locator("input[name=planned_end]").fill("2025-01-01")
    with tablet.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/api/v1/projects")) as answer:
        tablet.locator("#jt-project-form button[type=submit]").tap()
    assert answer.value.status == 422
    tablet.wait_for_selector("#jt-form-status.jt-failed")
    for field in ("name", "kind", "planned_end"):
        assert tablet.locator(f"#jt-error-{field}").inner_text() != "", field
        assert tablet.locator(f"[name={field}]").get_attribute("aria-invalid") == "true"
    assert tablet.locator("#jt-error-geometry").inner_text() == ""
    assert tablet.locator("#jt-form-status").inner_text().startswith("请检查")
    assert urlsplit(tablet.url).path == "/projects/new"
    no_trouble(tablet, server)
    screenshot(tablet, "project-form-errors.png")


# --- the project map -----------------------------------------------------------------------------------

def strokes(page) -> list[str]:
    return page.eval_on_selector_all(
        ".leaflet-overlay-pane path.leaflet-interactive", "paths => paths.map(p => p.getAttribute('stroke'))"
    )


def test_project_map_colours_by_status_and_filters_by_year_in_the_url(tablet, server):
    create_project(server, name="黄家路55弄美丽家园", status="completed", planned_start="2019-03-01", planned_end="2019-12-31")
    create_project(server, name=HOSTILE_NAME, kind="lane_renovation", status="in_construction",
                   planned_start="2024-03-01", planned_end="2025-06-30", compounds=["mianjin"])
    create_project(server, name="巡道街路灯", kind="lighting_works", status="approved",
                   planned_start="2026-01-01", planned_end="2026-12-31", compounds=None, lanes=["2", "3"])
    tablet.goto(server.url + "/projects")
    tablet.wait_for_selector(".jt-project-item")
    wait_until_ready(tablet)
    assert tablet.locator(".jt-project-item").count() == 3
    assert sorted(strokes(tablet)) == sorted(STATUS_COLOURS[s] for s in ("completed", "in_construction", "approved"))
    assert tablet.locator(".jt-legend li").count() == 5
    names = [n.strip() for n in tablet.locator(".jt-project-name").all_inner_texts()]
    assert names == ["巡道街路灯", HOSTILE_NAME, "黄家路55弄美丽家园"]  # latest start first
    screenshot(tablet, "projects-map.png")

    # A year keeps the projects whose period overlaps it, and stays in the URL across a reload.
    tablet.locator(".jt-years .jt-chip", has_text="2024").tap()
    tablet.wait_for_function("() => document.querySelectorAll('.jt-project-item').length === 1")
    assert parse_qs(urlsplit(tablet.url).query)["year"] == ["2024"]
    assert strokes(tablet) == [STATUS_COLOURS["in_construction"]]
    tablet.reload()
    tablet.wait_for_selector(".jt-project-item")
    wait_until_ready(tablet)
    assert tablet.locator(".jt-years input:checked").get_attribute("value") == "2024"
    assert tablet.locator(".jt-project-item").count() == 1
    assert tablet.locator("#jt-filter-count").inner_text() == "1"
    tablet.locator(".jt-years .jt-chip", has_text="2018").tap()
    tablet.wait_for_function("() => document.querySelectorAll('.jt-project-item').length === 0")
    assert tablet.locator("#jt-list-count").inner_text() == "没有符合条件的项目"
    tablet.locator(".jt-years .jt-chip", has_text="全部").tap()
    tablet.wait_for_function("() => document.querySelectorAll('.jt-project-item').length === 3")
    assert "year" not in parse_qs(urlsplit(tablet.url).query)

    # Status and kind too.
    tablet.locator(".jt-chip.jt-project-status", has_text="已完工").tap()
    tablet.wait_for_function("() => document.querySelectorAll('.jt-project-item').length === 1")
    assert parse_qs(urlsplit(tablet.url).query)["status"] == ["completed"]
    tablet.locator(".jt-chip.jt-project-status", has_text="已批准").tap()
    tablet.wait_for_function("() => document.querySelectorAll('.jt-project-item').length === 2")
    assert parse_qs(urlsplit(tablet.url).query)["status"] == ["approved,completed"]
    no_trouble(tablet, server)


def test_tapping_a_listed_project_zooms_to_it_and_opens_its_popup_as_text(tablet, server):
    pid = create_project(server, name=HOSTILE_NAME, status="in_construction", planned_start="2024-03-01")
    tablet.goto(server.url + "/projects")
    tablet.wait_for_selector(".jt-project-item")
    zoom = tablet.evaluate(f"() => {FIND_MAP}.getZoom()")
    tablet.locator(".jt-project-item").tap()
    popup = tablet.locator(".leaflet-popup-content")
    popup.wait_for()
    assert tablet.evaluate(f"() => {FIND_MAP}.getZoom()") > zoom
    assert popup.locator("h3").inner_text() == HOSTILE_NAME
    assert "施工中" in popup.inner_text() and f"{COMPOUND_HOUSEHOLDS} 户" in popup.inner_text()
    assert popup.locator("img, script").count() == 0
    assert tablet.locator(".jt-project-item").get_attribute("aria-current") == "true"
    screenshot(tablet, "projects-popup.png")
    popup.locator("a.jt-details").tap()
    tablet.wait_for_url(f"**/projects/{pid}")
    assert tablet.locator(".jt-project-title").inner_text() == HOSTILE_NAME
    assert tablet.locator("main img").count() == 0
    no_trouble(tablet, server)


# --- changing a project on its record ---------------------------------------------------------------------

def test_completing_a_project_resolves_the_issues_linked_to_it(tablet, server):
    first, second, third = report_issues(server, ["3号楼屋面漏水", HOSTILE_NAME, "5号楼外墙剥落"])
    pid = create_project(server, status="in_construction", link_issues=[first, third])
    tablet.goto(f"{server.url}/projects/{pid}")
    tablet.wait_for_selector("#jt-detail-map path.jt-project-shape")
    linked = tablet.locator("#jt-linked-issues li")
    assert linked.count() == 2
    offered = tablet.locator("#jt-open-issues li", has_text=HOSTILE_NAME)
    assert offered.locator("a").inner_text() == HOSTILE_NAME  # the title as text

    # Link the second issue, unlink the third: each reloads the record.
    with tablet.expect_navigation():
        offered.locator("button", has_text="关联").tap()
    assert tablet.locator("#jt-linked-issues li").count() == 3
    with tablet.expect_navigation():
        tablet.locator("#jt-linked-issues li", has_text="5号楼外墙剥落").locator("button", has_text="取消关联").tap()
    assert tablet.locator("#jt-linked-issues li").count() == 2
    assert tablet.locator("#jt-open-issues li", has_text="5号楼外墙剥落").count() == 1

    form = tablet.locator("#jt-status-form")
    resolve = form.locator("input[name=resolve_linked_issues]")
    assert resolve.is_disabled()  # only completing resolves
    form.locator("select[name=status]").select_option("completed")
    assert resolve.is_enabled() and resolve.is_checked()
    form.locator("input[name=comment]").fill("竣工")
    screenshot(tablet, "project-complete.png")
    with tablet.expect_request(lambda r: r.method == "PATCH") as sent:
        with tablet.expect_navigation():
            form.locator("button[type=submit]").tap()
    assert sent.value.post_data_json == {"status": "completed", "resolve_linked_issues": True, "comment": "竣工"}
    assert sent.value.headers["content-type"] == "application/json"
    assert tablet.locator(".jt-project-status-tag").first.inner_text() == "已完工"

    statuses = {i: api(server, "GET", f"/issues/{i}")["properties"]["status"] for i in (first, second, third)}
    assert statuses == {first: "resolved", second: "resolved", third: "reported"}
    history = tablet.locator(".jt-history li").all_inner_texts()
    assert any("关联问题" in entry and "3号楼屋面漏水" in entry for entry in history)  # named by title
    assert any("取消关联" in entry and "5号楼外墙剥落" in entry for entry in history)
    assert any("施工中" in entry and "已完工" in entry for entry in history)
    no_trouble(tablet, server)
    screenshot(tablet, "project-completed.png")


def test_editing_renames_the_project_and_picks_another_area(tablet, server):
    pid = create_project(server)
    tablet.goto(f"{server.url}/projects/{pid}")
    tablet.locator(".jt-record-actions a").tap()
    tablet.wait_for_url(f"**/projects/{pid}?edit=1")
    tablet.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")  # its area, ready to edit
    assert tablet.locator("input[name=name]").input_value() == "黄家路55弄美丽家园"
    tablet.locator("input[name=name]").fill("黄家路55弄3号修缮")
    tablet.locator("input[name=contractor]").fill(CONTRACTOR)
    tablet.locator(".jt-area-modes .jt-chip", has_text="选择").tap()
    tablet.locator(".jt-pick .jt-chip", has_text="建筑").tap()
    tablet.locator("#jt-pick-search").fill("黄家路55弄3号")
    tablet.locator(".jt-pick-item", has_text="黄家路55弄3号").first.tap()
    screenshot(tablet, "project-edit.png")
    sent = submit_and_open_record(tablet)
    assert sent["buildings"] and "kind" not in sent and "geometry" not in sent
    assert tablet.locator(".jt-project-title").inner_text() == "黄家路55弄3号修缮"
    assert tablet.locator(".jt-table tbody tr").count() == 1
    facts = tablet.locator(".jt-issue-facts").inner_text()
    assert CONTRACTOR in facts
    history = tablet.locator(".jt-history li").all_inner_texts()
    assert any("名称" in entry for entry in history) and any("项目范围" in entry for entry in history)
    no_trouble(tablet, server)


def test_hostile_place_names_are_listed_as_text(tablet, hostile_app):
    from tests.conftest import HOSTILE_COMPOUND

    with LiveServer(hostile_app) as live:
        sign_in(tablet, live, "planner")
        tablet.requests.clear()  # signing in to the module's other server is not this page's doing
        open_form(tablet, live.url + "/projects/new")
        tablet.locator(".jt-area-modes .jt-chip", has_text="选择").tap()
        tablet.wait_for_selector(".jt-pick-item")
        assert HOSTILE_COMPOUND in tablet.locator("#jt-pick-list").inner_text()
        tablet.locator(".jt-pick .jt-chip", has_text="建筑").tap()
        tablet.locator(".jt-pick-item", has_text="黄家路55弄1号").wait_for()  # the buildings are fetched now
        tablet.locator("#jt-pick-search").fill("onerror")
        assert tablet.locator(".jt-pick-list li:not([hidden])").count() == 1
        assert HOSTILE_NAME in tablet.locator("#jt-pick-list").inner_text()
        assert tablet.locator("#jt-pick-list img, #jt-pick-list script").count() == 0
        no_trouble(tablet, live)
