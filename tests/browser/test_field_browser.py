"""The tablet app at /field/ in headless Chromium emulating a 10-inch tablet with GPS: a community
worker signs in, reports an issue with a photo at the mocked position, loses the network, reports
three more, reloads while offline, gets the network back, and the server then holds exactly four new
issues with their photos (the acceptance test of issue 5). And the app in landscape.

"Offline" is real here: the browser is set offline and the live server itself answers 503 (the
browser's offline switch may not cover what the service worker fetches)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.accounts import client_as
from tests.browser.conftest import ARTIFACTS, LiveServer, foreign_requests, sign_in
from tests.browser.test_accessibility import violations
from tests.conftest import make_app

PORTRAIT = {"width": 1024, "height": 1366}
LANDSCAPE = {"width": 1366, "height": 1024}
DOORWAY = "黄家路55弄3号"
GPS_ACCURACY_M = 8
CAMERA_SIZE = (2400, 1800)  # bigger than the tablet sends: it downscales to 1600 on the long side


class Network:
    """The app behind a switch: while `down`, every request gets a 503, as if the tablet had no signal."""

    def __init__(self, app):
        self.app = app
        self.down = False

    def __call__(self, environ, start_response):
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "5")])
            return [b"no network"]
        return self.app(environ, start_response)


@pytest.fixture()
def field_server(tmp_path):
    app = make_app(PHOTO_DIR=str(tmp_path / "photos"))
    network = Network(app)
    with LiveServer(network) as server:
        server.app = app
        server.network = network
        yield server


def doorway(app) -> dict:
    """A point inside the building at 黄家路55弄3号, as a mocked GPS position."""
    from webmap.base_layers import base_layers

    with app.test_request_context():
        point = base_layers().layers["buildings"].set_index("address").loc[DOORWAY].geometry.representative_point()
    return {"latitude": point.y, "longitude": point.x, "accuracy": GPS_ACCURACY_M}


def tablet(browser, viewport, position):
    """A touch tablet with GPS allowed at `position`, recording every request (the service worker's too) and error."""
    context = browser.new_context(
        viewport=viewport, has_touch=True, locale="zh-CN", geolocation=position, permissions=["geolocation"]
    )
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return context, page


def open_app(page, server) -> None:
    """Signed in as a community worker, the app opens where the tablet is."""
    page.goto(f"{server.url}/field/")
    wait_for_map(page)


def wait_for_map(page) -> None:
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    page.wait_for_function("() => document.getElementById('jt-gps').textContent.includes('GPS')")


def camera_photo(tmp_path: Path, name: str, colour: str) -> Path:
    path = tmp_path / name
    Image.new("RGB", CAMERA_SIZE, colour).save(path, "JPEG", quality=90)
    return path


def waiting(page) -> str:
    return page.locator("#jt-outbox-count").inner_text()


def report(page, title: str, category: str = "堆物", photo: Path | None = None, shot: str | None = None) -> None:
    """Report at the GPS position: the address of the building it is in shows before sending."""
    page.locator("#jt-report-here").tap()
    assert page.locator("#jt-accuracy-warning").is_hidden()
    fill_report(page, title, category, photo, shot)


def fill_report(page, title: str, category: str = "堆物", photo: Path | None = None, shot: str | None = None) -> None:
    page.wait_for_function("a => document.getElementById('jt-address').textContent.includes(a)", arg=DOORWAY)
    assert page.locator("input[name=location_source][value=gps]").is_checked()
    page.locator("#jt-category-chips .jt-chip", has_text=category).tap()
    page.fill("#jt-title", title)
    page.fill("#jt-description", f"{title}，影响通行")
    if photo:
        page.set_input_files("#jt-report-photos", str(photo))
        page.wait_for_selector("#jt-report-previews img")
    if shot:
        screenshot(page, shot)
    page.locator("#jt-report-form button[type=submit]").tap()
    page.wait_for_selector("#jt-sheet", state="hidden")


def wait_until_sent(page) -> None:
    page.wait_for_function(
        "() => document.getElementById('jt-outbox-count').textContent === '0'"
        " && !document.getElementById('jt-outbox-status').textContent"
    )


def waiting_photos(page) -> list:
    """[type, width, height] of each photo in the outbox."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const opened = indexedDB.open("jintan-field");
            opened.onerror = () => reject(opened.error);
            opened.onsuccess = () => {
                const all = opened.result.transaction("outbox").objectStore("outbox").getAll();
                all.onsuccess = () => Promise.all(all.result.filter(item => item.kind === "photo").map(
                    item => createImageBitmap(item.blob).then(image => [item.blob.type, image.width, image.height])
                )).then(resolve, reject);
            };
        })"""
    )


def stored_issues(server) -> list[dict]:
    """Every issue the server holds, as the API gives it (with its photos)."""
    client = client_as(server.app, "viewer")
    listed = client.get("/api/v1/issues?limit=100").get_json()["features"]
    return [client.get(f"/api/v1/issues/{f['id']}").get_json()["properties"] for f in listed]


def screenshot(page, name: str) -> None:
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_reports_made_offline_reach_the_server_exactly_once_with_their_photos(browser, field_server, tmp_path):
    app = field_server.app
    context, page = tablet(browser, PORTRAIT, doorway(app))
    try:
        sign_in(page, field_server, "field_staff")
        open_app(page, field_server)
        # The service worker has precached the app (it takes control once it has).
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")

        report(page, "楼道堆物 1", photo=camera_photo(tmp_path, "one.jpg", "#8d6e63"), shot="field-portrait.png")
        wait_until_sent(page)
        assert len(stored_issues(field_server)) == 1

        field_server.network.down = True
        context.set_offline(True)
        page.wait_for_function("() => document.getElementById('jt-connection').textContent === '离线'")
        report(page, "楼道堆物 2")
        report(page, "垃圾箱房满溢 3", category="垃圾分类", photo=camera_photo(tmp_path, "three.jpg", "#2e7d32"))
        report(page, "楼道堆物 4")
        assert waiting(page) == "3"
        # The photo waits in IndexedDB made small on the tablet: a JPEG 1600 px on its long side.
        assert waiting_photos(page) == [["image/jpeg", 1600, 1200]]

        # Closing and opening again while offline loses nothing: the service worker serves the app.
        answer = page.reload()
        assert answer is not None and answer.from_service_worker
        wait_for_map(page)
        page.wait_for_function("() => document.getElementById('jt-outbox-count').textContent === '3'")
        page.locator("#jt-outbox-toggle").tap()
        entries = page.locator("#jt-outbox-list .jt-outbox-item")
        assert entries.count() == 3
        assert "1 张照片" in entries.nth(1).inner_text()
        screenshot(page, "field-offline-outbox.png")
        assert len(stored_issues(field_server)) == 1  # the test client goes around the switch

        field_server.network.down = False
        context.set_offline(False)
        wait_until_sent(page)

        issues = stored_issues(field_server)
        assert sorted(i["title"] for i in issues) == ["垃圾箱房满溢 3", "楼道堆物 1", "楼道堆物 2", "楼道堆物 4"]
        photos = {i["title"]: len(i["photos"]) for i in issues}
        assert photos == {"楼道堆物 1": 1, "楼道堆物 2": 0, "垃圾箱房满溢 3": 1, "楼道堆物 4": 0}
        for issue in issues:
            assert issue["address"] == DOORWAY
            assert issue["source"] == "patrol"
            assert issue["location_source"] == "gps"
            assert issue["location_accuracy_m"] == GPS_ACCURACY_M
        assert page.errors == []
        assert foreign_requests(context, field_server.url) == []
    finally:
        context.close()


def test_landscape_keeps_every_control_in_reach_and_passes_axe(browser, field_server):
    app = field_server.app
    context, page = tablet(browser, LANDSCAPE, doorway(app))
    try:
        sign_in(page, field_server, "field_staff")
        open_app(page, field_server)
        assert violations(page) == []
        controls = ["#jt-locate", "#jt-report-here", "#jt-my-work", "#jt-outbox-toggle", ".jt-lang a"]
        for selector in controls:
            box = page.locator(selector).bounding_box()
            assert page.locator(selector).is_visible(), selector
            assert box["width"] >= 44 and box["height"] >= 44, selector
            assert box["x"] >= 0 and box["x"] + box["width"] <= LANDSCAPE["width"], selector
        page.locator("#jt-report-here").tap()
        page.wait_for_selector("#jt-category-chips .jt-chip")
        page.locator("#jt-report-form button[type=submit]").tap()  # nothing filled in: each field says why
        assert page.locator(".jt-error:not([hidden])").count() == 2
        for selector in ("#jt-report-form button[type=submit]", "#jt-sheet-close", "#jt-category-chips .jt-chip",
                         ".jt-location-sources .jt-chip"):
            locator = page.locator(selector).first
            locator.scroll_into_view_if_needed()
            box = locator.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, selector
        # The map beside the sheet still shows where the report will be.
        map_box = page.locator(".folium-map").bounding_box()
        sheet_box = page.locator("#jt-sheet").bounding_box()
        assert map_box["x"] + map_box["width"] <= sheet_box["x"] + 1
        assert violations(page) == []
        screenshot(page, "field-landscape.png")
        for view in ("#jt-my-work", "#jt-outbox-toggle"):
            page.locator(view).tap()
            assert violations(page) == [], view
        assert page.errors == []
        assert foreign_requests(context, field_server.url) == []
    finally:
        context.close()


def test_the_outbox_keeps_what_is_refused_and_what_needs_a_new_sign_in(browser, field_server):
    """The server's answers stood in for by the browser (no service worker here, so every request is seen)."""
    app = field_server.app
    context = browser.new_context(
        viewport=PORTRAIT, has_touch=True, locale="zh-CN", service_workers="block",
        geolocation={**doorway(app), "accuracy": 45}, permissions=["geolocation"],
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    answers = []  # what POST /api/v1/issues gets, one at a time; then the real server

    def answer(route):
        if route.request.method == "POST" and answers:
            status, body = answers.pop(0)
            route.fulfill(status=status, json=body)
        else:
            route.continue_()

    try:
        sign_in(page, field_server, "field_staff")
        open_app(page, field_server)
        page.route("**/api/v1/issues", answer)

        # A GPS position worse than 30 m is flagged, and its accuracy goes with the report.
        answers.append((422, {"error": "invalid issue", "fields": {"title": "too vague"}}))
        page.locator("#jt-report-here").tap()
        page.wait_for_selector("#jt-accuracy-warning:not([hidden])")
        assert "±45" in page.locator("#jt-accuracy-warning").inner_text()
        fill_report(page, "门口")
        page.locator("#jt-outbox-toggle").tap()
        refused = page.locator("#jt-outbox-list .jt-outbox-item.jt-refused")
        refused.wait_for()
        assert "title: too vague" in refused.inner_text()
        assert waiting(page) == "1"
        discard = refused.locator(".jt-discard")
        discard.tap()
        assert waiting(page) == "1"  # the first tap only asks
        discard.tap()
        page.wait_for_function("() => document.getElementById('jt-outbox-count').textContent === '0'")

        # Signed out meanwhile: nothing is dropped, the screen asks to sign in again.
        answers.append((401, {"error": "unauthorized", "message": "sign in"}))
        page.locator("#jt-report-here").tap()
        fill_report(page, "楼道堆物 5")
        page.locator("#jt-outbox-toggle").tap()
        page.wait_for_selector("#jt-signin:not([hidden])")
        assert waiting(page) == "1"
        assert page.locator("#jt-signin a").get_attribute("href") == "/login?next=/field/"

        # A stale CSRF token: renewed from /api/v1/me and sent again at once.
        answers.append((400, {"error": "Bad Request", "message": "The CSRF token is missing."}))
        page.locator("#jt-send-now").tap()
        wait_until_sent(page)
        assert page.locator("#jt-signin").is_hidden()
        issues = stored_issues(field_server)
        assert [(i["title"], i["location_accuracy_m"]) for i in issues] == [("楼道堆物 5", 45)]
        assert errors == []
    finally:
        context.close()


def test_my_work_lists_my_issues_first_and_sends_a_status_change(browser, field_server):
    from store.intake import submit_issue
    from store.issues import update_issue
    from webmap.base_layers import base_layers
    from webmap.database import transaction

    app = field_server.app
    position = doorway(app)
    context, page = tablet(browser, PORTRAIT, position)
    try:
        worker = sign_in(page, field_server, "field_staff")
        with app.test_request_context():
            with transaction() as s:
                mine, _ = submit_issue(s, {"category": "clutter", "title": "楼梯口堆物", "lon": position["longitude"],
                                           "lat": position["latitude"]}, base_layers().locator, "planner")
                update_issue(s, mine.public_id, {"assignee": worker}, "planner")
                other, _ = submit_issue(s, {"category": "parking", "title": "弄口乱停车", "lon": position["longitude"] + 0.0004,
                                            "lat": position["latitude"]}, base_layers().locator, "planner")
                mine_id, other_id = mine.public_id, other.public_id
        open_app(page, field_server)
        page.locator("#jt-my-work").tap()
        mine_item = page.locator(f"#jt-work-{mine_id}")
        other_item = page.locator(f"#jt-work-{other_id}")
        mine_item.wait_for()
        assert page.locator("#jt-work-mine .jt-work-item").count() == 1
        assert "米" in other_item.locator(".jt-distance").inner_text()
        other_item.locator(".jt-work-head").tap()
        assert other_item.locator("select").count() == 0  # not mine: a note and photos only

        mine_item.locator(".jt-work-head").tap()
        mine_item.locator("select").select_option("in_progress")
        mine_item.locator("textarea").fill("已联系居民清理")
        mine_item.locator("button[type=submit]").tap()
        page.wait_for_selector(f"#jt-work-form-{mine_id}", state="hidden")  # in the outbox
        wait_until_sent(page)
        record = client_as(app, "viewer").get(f"/api/v1/issues/{mine_id}").get_json()["properties"]
        assert record["status"] == "in_progress"
        assert record["events"][-1]["comment"] == "已联系居民清理"
        assert record["events"][-1]["actor"] == worker
        # The list then shows the issue as the server has it.
        page.wait_for_function("id => document.getElementById(id).textContent.includes('处理中')", arg=f"jt-work-{mine_id}")
        screenshot(page, "field-my-work.png")
        assert page.errors == []
    finally:
        context.close()


# --- placing a report by tapping the map --------------------------------------------------------

PICKED_BUILDING = "金坛路20弄1号"
PICK_ZOOMS = (18, 19)
PICK_GRID = (6, 3)  # columns, rows of taps spread over the map at each zoom
PICK_TOLERANCE_M = 3.0
BEYOND_DEG = 0.004  # east of a building by about 380 m: outside the neighbourhood, on no feature

# The base-layer feature (or none) drawn at a point of the map's container, as "<layer>-<id>".
FEATURE_AT = """([x, y]) => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const box = map.getContainer().getBoundingClientRect();
    const element = document.elementFromPoint(box.x + x, box.y + y);
    let found = null;
    map.eachLayer(layer => {
        if (!found && layer.feature && element
            && (layer._path === element || (layer._icon && layer._icon.contains(element)))) found = String(layer.feature.id);
    });
    return found;
}"""


def pick_targets(app) -> dict[str, tuple[float, float]]:
    """[lon, lat] on a building, a compound (off its buildings, lanes and lamps), a lane (off buildings and
    lamps), a lamp and a facility: of each the one nearest the middle, so the map can be centred on it."""
    from shapely.geometry import Point
    from shapely.ops import unary_union
    from webmap.base_layers import base_layers

    with app.test_request_context():
        layers = base_layers().layers
    middle = layers["boundary"].geometry.iloc[0].centroid

    def nearest(points):
        return min(points, key=middle.distance)

    building = layers["buildings"].set_index("address").loc[PICKED_BUILDING].geometry.representative_point()
    buildings = list(layers["buildings"].geometry)
    lamps = [g.buffer(0.0001) for g in layers["streetlights"].geometry]
    lanes = [g.buffer(0.00005) for g in layers["lanes"].geometry]
    off_lanes = unary_union(buildings + lanes + lamps)
    compounds = unary_union(list(layers["compounds"].geometry))
    minx, miny, maxx, maxy = compounds.bounds
    grid = (Point(minx + (maxx - minx) * i / 50, miny + (maxy - miny) * j / 50) for i in range(51) for j in range(51))
    compound = nearest(point for point in grid if compounds.contains(point) and not off_lanes.contains(point))
    on_lanes = unary_union(buildings + lamps)
    lane = nearest(
        point for line in layers["lanes"].geometry for point in (line.interpolate(f / 10, normalized=True) for f in range(1, 10))
        if not on_lanes.contains(point)
    )
    lamp = nearest(layers["streetlights"].geometry)
    facility = nearest(layers["facilities"].geometry)
    return {
        "buildings": (building.x, building.y), "compounds": (compound.x, compound.y),
        "lanes": (lane.x, lane.y), "streetlights": (lamp.x, lamp.y), "facilities": (facility.x, facility.y),
    }


def centre_on(page, lon: float, lat: float, zoom: int, step: int = 0) -> None:
    """The map at `zoom` with (lon, lat) near its middle, 150 px to the left, at it or 150 px to the right by
    `step`: two taps in a row close together would be a double tap, which zooms."""
    page.evaluate(
        """([lat, lon, zoom, shift]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            map.setView([lat, lon], zoom, {animate: false});
            map.panBy([shift, 0], {animate: false});
        }""",
        [lat, lon, zoom, 150 * (step % 3) - 150],
    )


def container_point(page, lon: float, lat: float) -> list[float]:
    return page.evaluate(
        """([lat, lon]) => {
            const point = Object.values(window).find(v => v instanceof L.Map).latLngToContainerPoint([lat, lon]);
            return [point.x, point.y];
        }""",
        [lat, lon],
    )


def grid_over_map(page, columns: int, rows: int) -> list[list[float]]:
    """Container points on a grid over the map, clear of its controls and of the buttons over it."""
    size = page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getSize()")
    left, top, right, bottom = 70, 70, size["x"] - 220, size["y"] - 70
    points = [[left + (right - left) * (c + 0.5) / columns, top + (bottom - top) * (r + 0.5) / rows]
              for c in range(columns) for r in range(rows)]
    on_map = page.evaluate(
        """points => {
            const map = Object.values(window).find(v => v instanceof L.Map), box = map.getContainer().getBoundingClientRect();
            return points.map(([x, y]) => {
                const element = document.elementFromPoint(box.x + x, box.y + y);
                return element === map.getContainer() || map.getPane("mapPane").contains(element);
            });
        }""",
        points,
    )
    assert all(on_map), "a grid point lies on a control"
    return points


def pixel_on(page, layer: str, near: list[float]) -> list[float]:
    """The pixel nearest `near` (within a few) where a feature of `layer` is drawn: a lane a pixel or two
    wide may be missed by the rounding of its drawing."""
    for radius in range(0, 6):
        for dx in range(-radius, radius + 1):
            for dy in range(-radius, radius + 1):
                point = [near[0] + dx, near[1] + dy]
                if max(abs(dx), abs(dy)) == radius and (page.evaluate(FEATURE_AT, point) or "").startswith(layer + "-"):
                    return point
    return near


def facility_point(page, lon: float, lat: float) -> list[float]:
    """The middle of the facility's marker drawn for (lon, lat) (an icon stands above its point)."""
    return page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            let best = null, bestDistance = Infinity;
            map.eachLayer(layer => {
                if (!layer.feature || !String(layer.feature.id).startsWith("facilities-") || !layer.getLatLng) return;
                const distance = map.distance(layer.getLatLng(), [lat, lon]);
                if (distance < bestDistance) { best = layer; bestDistance = distance; }
            });
            const drawn = best._icon || best._path, box = map.getContainer().getBoundingClientRect();
            const r = drawn.getBoundingClientRect();
            return [r.x + r.width / 2 - box.x, r.y + r.height / 2 - box.y];
        }""",
        [lat, lon],
    )


def tap_map_at(page, x: float, y: float) -> None:
    """Tap the map at container point (x, y): the report is placed there, its pin too, and no popup opens."""
    from tests.browser.conftest import WGS84

    expected = page.evaluate(
        "([x, y]) => Object.values(window).find(v => v instanceof L.Map).containerPointToLatLng([x, y])", [x, y]
    )
    before = page.locator("#jt-coordinates").inner_text()
    box = page.locator(".folium-map").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    page.wait_for_function(
        "before => document.getElementById('jt-coordinates').textContent !== before"
        " || document.querySelector('.leaflet-popup')",
        arg=before,
    )
    assert page.locator(".leaflet-popup").count() == 0, f"a popup opened at {x:.0f},{y:.0f}"
    lat, lon = (float(v) for v in page.locator("#jt-coordinates").inner_text().split(","))
    assert WGS84.inv(lon, lat, expected["lng"], expected["lat"])[2] < PICK_TOLERANCE_M
    assert page.locator("#jt-address").inner_text() != "尚未选定位置"
    pin = page.evaluate(
        """() => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const box = map.getContainer().getBoundingClientRect();
            const r = document.querySelector('.jt-report-marker').getBoundingClientRect();
            return map.containerPointToLatLng([r.x + r.width / 2 - box.x, r.y + r.height - box.y]);
        }"""
    )
    assert WGS84.inv(pin["lng"], pin["lat"], expected["lng"], expected["lat"])[2] < PICK_TOLERANCE_M


def test_a_tap_on_any_feature_places_the_report_there(browser, field_server):
    app = field_server.app
    targets = pick_targets(app)
    context, page = tablet(browser, PORTRAIT, doorway(app))
    try:
        sign_in(page, field_server, "field_staff")
        open_app(page, field_server)
        page.locator("#jt-report-here").tap()
        page.locator(".jt-location-sources .jt-chip", has_text="在地图上点选").tap()
        page.wait_for_selector("#jt-map-hint:not([hidden])")
        assert page.locator("#jt-address").inner_text() == "尚未选定位置"
        taps = 0
        for zoom in PICK_ZOOMS:
            for step, (layer, (lon, lat)) in enumerate(targets.items()):
                centre_on(page, lon, lat, zoom, step)
                point = facility_point(page, lon, lat) if layer == "facilities" else container_point(page, lon, lat)
                point = pixel_on(page, layer, point)
                hit = page.evaluate(FEATURE_AT, point)
                assert hit is not None and hit.startswith(layer + "-"), (layer, zoom, hit)
                tap_map_at(page, *point)
                taps += 1
                if layer == "buildings":
                    assert PICKED_BUILDING in page.locator("#jt-address").inner_text()
            # A grid over the map: on compounds, buildings, lanes, lamps and the ground beyond the boundary.
            centre_on(page, *targets["compounds"], zoom)
            columns, rows = PICK_GRID
            on_features = 0
            for x, y in grid_over_map(page, columns, rows):
                on_features += page.evaluate(FEATURE_AT, [x, y]) is not None
                tap_map_at(page, x, y)
                taps += 1
            assert on_features >= columns * rows // 4, "the grid lies on features too"
            # Bare ground: beyond the boundary, where no feature is drawn.
            beyond = (targets["buildings"][0] + BEYOND_DEG, targets["buildings"][1])
            centre_on(page, *beyond, zoom, step=1)
            point = container_point(page, *beyond)
            assert page.evaluate(FEATURE_AT, point) is None
            tap_map_at(page, *point)
            taps += 1
        assert taps >= 2 * (len(targets) + columns * rows + 1)
        assert page.locator("input[name=location_source][value=map]").is_checked()
        assert page.errors == []
    finally:
        context.close()


# --- dates in the page's language ------------------------------------------------------------------

ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]


def written_time(moment, lang: str) -> str:
    """As a reader of `lang` expects a date and time: 12月8日 08:36, 8 Dec, 08:36 (never 08/12)."""
    if lang == "en":
        return f"{moment.day} {ENGLISH_MONTHS[moment.month - 1]}, {moment:%H:%M}"
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outbox_times_are_written_in_the_page_language(browser, field_server, lang, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    context = browser.new_context(
        viewport=PORTRAIT, has_touch=True, locale="zh-CN", service_workers="block",
        geolocation=doorway(field_server.app), permissions=["geolocation"],
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The server refuses the report, so that it stays in the outbox to be read.
    page.route("**/api/v1/issues", lambda route: route.fulfill(status=422, json={"error": "invalid issue"})
               if route.request.method == "POST" else route.continue_())
    try:
        sign_in(page, field_server, "field_staff")
        page.goto(f"{field_server.url}/field/?lang={lang}")
        page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
        page.locator("#jt-report-here").tap()
        page.wait_for_function("a => document.getElementById('jt-address').textContent.includes(a)", arg=DOORWAY)
        page.locator("#jt-category-chips .jt-chip").first.tap()
        page.fill("#jt-title", "stairwell")
        page.set_input_files("#jt-report-photos", str(camera_photo(tmp_path, "one.jpg", "#8d6e63")))
        page.wait_for_selector("#jt-report-previews img")
        before = datetime.now(shanghai)
        page.locator("#jt-report-form button[type=submit]").tap()
        page.wait_for_selector("#jt-sheet", state="hidden")
        page.locator("#jt-outbox-toggle").tap()
        entry = page.locator("#jt-outbox-list .jt-outbox-item.jt-refused")
        entry.wait_for()
        after = datetime.now(shanghai)
        facts = entry.locator(".jt-hint").inner_text()
        assert written_time(before, lang) in facts or written_time(after, lang) in facts, facts
        assert ("1 photo ·" if lang == "en" else "1 张照片") in facts  # the plural form for 1, from the server
        assert errors == []
    finally:
        context.close()
