"""What people see and tap on the issue map, an issue's record and the hot spot map, in headless
Chromium at tablet size, against the real API and issues stored through store.intake."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import ARTIFACTS, CLUSTER_CATEGORY, CLUSTER_SIZE, LiveServer, foreign_requests, seed_issues
from geo.gcj02 import wgs84_to_gcj02
from tests.accounts import client_as
from tests.conftest import HOSTILE_NAME, make_app

MARKERS = ".jt-issue, .jt-cluster, .jt-cell-count"
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
# The status line has its answer: a count, "none", or a failure (while loading it ends in "…").
ANSWERED = "() => { const t = document.getElementById('jt-map-status-text'); return t && t.textContent && !t.textContent.endsWith('…'); }"
OPEN_STATUSES = "reported,acknowledged,in_progress"


def open_page(page, url, ready=MARKERS, answered=ANSWERED):
    page.goto(url)
    page.wait_for_selector(ready)
    if answered:
        page.wait_for_function(answered)


def issues_on_screen(page) -> int:
    """Issues the markers stand for: one per issue marker, the number on each cluster or count circle."""
    singles = page.locator(".leaflet-marker-pane .jt-issue").count()
    counts = page.locator(".leaflet-marker-pane .jt-cluster span, .leaflet-marker-pane .jt-cell-count span").all_inner_texts()
    return singles + sum(int(text) for text in counts)


def status_text(page) -> str:
    return page.locator("#jt-map-status-text").inner_text()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def screenshot(page, name):
    """After Leaflet's zoom and popup fade animations have finished."""
    page.wait_for_function(
        """() => !document.querySelector('.leaflet-zoom-anim')
                 && [...document.querySelectorAll('.leaflet-popup')].every(p => getComputedStyle(p).opacity === '1')"""
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def no_trouble(page, server):
    assert page.errors == []
    assert page.dialogs == []
    assert foreign_requests(page, server.url) == []


def test_issue_map_shows_every_seeded_issue_clustered(tablet, seeded_server):
    seeded = seeded_server.seeded
    open_page(tablet, seeded_server.url + "/issues?show=all")
    tablet.wait_for_function(
        "n => document.getElementById('jt-map-status-text').textContent.includes(n)", arg=str(seeded.total)
    )
    assert status_text(tablet) == f"本区域 {seeded.total} 条问题"
    assert issues_on_screen(tablet) == seeded.total
    biggest = max(int(t) for t in tablet.locator(".jt-cluster span").all_inner_texts())
    assert biggest >= CLUSTER_SIZE // 2, "the planted cluster should show as one big cluster"
    assert tablet.locator(".leaflet-marker-pane .jt-issue.jt-done").count() > 0  # resolved ones are hollow
    layers = tablet.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in layers] == ["底图", "问题", "热力图"]
    # Everything a finger needs is at least 44 px.
    for selector in ("#jt-panel-toggle", ".jt-chip", ".jt-nav a", ".leaflet-control-zoom-in"):
        box = tablet.locator(selector).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, selector
    no_trouble(tablet, seeded_server)
    screenshot(tablet, "issues-tablet.png")


def test_category_filter_goes_into_the_url_and_survives_a_reload(tablet, seeded_server):
    open_page(tablet, seeded_server.url + "/issues?show=all")
    tablet.wait_for_selector(".jt-chip.jt-category")
    tablet.locator(".jt-chip.jt-category", has_text="垃圾分类").tap()
    tablet.wait_for_function("() => location.search.includes('category=garbage-sorting')")
    tablet.wait_for_function(
        "t => document.getElementById('jt-map-status-text').textContent === t", arg=f"本区域 {CLUSTER_SIZE} 条问题"
    )
    assert issues_on_screen(tablet) == CLUSTER_SIZE
    assert tablet.locator("#jt-filter-count").inner_text() == "1"
    shared = tablet.url
    assert {"category", "lat", "lon", "zoom"} <= set(query(tablet))
    screenshot(tablet, "issues-filtered.png")

    tablet.goto(shared)
    tablet.wait_for_selector(f".jt-chip.jt-category input[value='{CLUSTER_CATEGORY}']:checked", state="attached")
    tablet.wait_for_function(
        "t => document.getElementById('jt-map-status-text').textContent === t", arg=f"本区域 {CLUSTER_SIZE} 条问题"
    )
    tablet.wait_for_selector(".jt-cluster, .jt-issue")
    assert issues_on_screen(tablet) == CLUSTER_SIZE
    assert query(tablet)["category"] == [CLUSTER_CATEGORY]
    assert tablet.locator(".jt-chip.jt-category input:checked").count() == 1
    no_trouble(tablet, seeded_server)


def test_view_in_the_url_is_where_the_map_opens(tablet, seeded_server):
    seeded = seeded_server.seeded
    open_page(tablet, f"{seeded_server.url}/issues?show=all&lat={seeded.hostile_lat:.6f}&lon={seeded.hostile_lon:.6f}&zoom=18")
    assert tablet.evaluate(f"() => {FIND_MAP}.getZoom()") == 18
    centre = tablet.evaluate(f"() => {FIND_MAP}.getCenter()")
    assert abs(centre["lat"] - seeded.hostile_lat) < 1e-5 and abs(centre["lng"] - seeded.hostile_lon) < 1e-5
    with tablet.expect_response(lambda response: "/api/v1/issues/density" in response.url and "cell_m=10" in response.url):
        tablet.locator(".leaflet-control-zoom-in").tap()
    tablet.wait_for_function("() => location.search.includes('zoom=19')")
    # Finer counts for the heat map were fetched; the issues on the map stay, and the line says so.
    tablet.wait_for_function("() => document.getElementById('jt-map-status-text').textContent.startsWith('本区域')")
    assert len([u for u in tablet.requests if urlsplit(u).path == "/api/v1/issues"]) == 1  # not downloaded again
    assert tablet.errors == []


def test_a_hostile_title_shows_as_text_in_the_popup_and_the_record(tablet, seeded_server):
    seeded = seeded_server.seeded
    open_page(tablet, f"{seeded_server.url}/issues?show=all&lat={seeded.hostile_lat:.6f}&lon={seeded.hostile_lon:.6f}&zoom=20")
    tablet.locator(f'.jt-issue[title="{HOSTILE_NAME}"]').tap()
    popup = tablet.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert HOSTILE_NAME in text
    assert "停车" in text and "已上报" in text
    assert re.search(r"20\d\d-\d\d-\d\d", text)
    assert popup.locator("img, script").count() == 0
    screenshot(tablet, "issues-popup.png")

    popup.locator("a.jt-details").tap()
    tablet.wait_for_url(f"**/issues/{seeded.hostile_id}")
    tablet.wait_for_selector("#jt-detail-map path")
    assert tablet.locator(".jt-issue-title").inner_text() == HOSTILE_NAME
    assert tablet.locator(".jt-history li").count() == 1
    assert "暂无照片" in tablet.locator(".jt-photos").inner_text()
    assert tablet.locator("main img").count() == 0
    no_trouble(tablet, seeded_server)
    screenshot(tablet, "issue-detail.png")


def test_heat_layer_can_be_switched_on_and_off(tablet, seeded_server):
    open_page(tablet, seeded_server.url + "/issues?show=all")
    heat = tablet.locator(".leaflet-control-layers-overlays label", has_text="热力图").locator("input")
    heat.tap()
    canvas = tablet.locator("canvas.leaflet-heatmap-layer")
    canvas.wait_for()
    tablet.wait_for_function(
        """() => {
            const c = document.querySelector('canvas.leaflet-heatmap-layer');
            const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
            return false;
        }"""
    )
    screenshot(tablet, "issues-heat.png")
    heat.tap()
    canvas.wait_for(state="detached")
    no_trouble(tablet, seeded_server)


def test_english_page_names_categories_in_english(tablet, seeded_server):
    open_page(tablet, seeded_server.url + "/issues?lang=en", ready=".jt-chip.jt-category")
    chips = tablet.locator(".jt-chip.jt-category").all_inner_texts()
    assert "Garbage sorting" in [c.strip() for c in chips]
    # The language switch keeps the view and filters on screen.
    switch = parse_qs(urlsplit(tablet.locator(".jt-lang a").get_attribute("href")).query)
    assert switch["lang"] == ["zh"] and "zoom" in switch
    no_trouble(tablet, seeded_server)


def test_many_issues_are_shown_as_counts_per_area(tablet, monkeypatch):
    # The switch happens above AGGREGATE_ABOVE issues in view; lowered here rather than storing 3,000.
    monkeypatch.setattr("webmap.issue_pages.AGGREGATE_ABOVE", 20)
    app = make_app()
    seeded = seed_issues(app)
    with LiveServer(app) as server:
        open_page(tablet, server.url + "/issues?show=all", ready=".jt-cell-count, .jt-cluster")
        tablet.wait_for_function("() => document.getElementById('jt-map-status-text').textContent.includes('汇总')")
        # The line counts the issues on the screen, as the server counts them.
        assert status_text(tablet).startswith(f"本区域 {seeded.total} 条问题")
        assert tablet.locator(".jt-issue").count() == 0
        assert issues_on_screen(tablet) == seeded.total
        issue_requests = [u for u in tablet.requests if urlsplit(u).path == "/api/v1/issues"]
        density_requests = [u for u in tablet.requests if urlsplit(u).path == "/api/v1/issues/density"]
        assert density_requests, "counts come from the server's aggregation"
        # A list of at most 20, and the count of those on the screen (limit=1: its numberMatched).
        limits = [parse_qs(urlsplit(u).query)["limit"] for u in issue_requests]
        assert set(map(tuple, limits)) <= {("20",), ("1",)} and ["1"] in limits
        screenshot(tablet, "issues-aggregated.png")

        # Close in on the planted cluster, still more than 20 around the screen: the server counts the screen.
        zoom = 20
        points = [f["geometry"]["coordinates"]
                  for f in client_as(app, "viewer").get("/api/v1/issues?limit=1000").get_json()["features"]]
        lon, lat = seeded_cluster_centre(app)
        open_page(tablet, f"{server.url}/issues?show=all&lat={lat:.6f}&lon={lon:.6f}&zoom={zoom}", ready=".jt-cell-count")
        inside, padded = on_screen_and_padded(tablet, points, zoom)
        assert 0 < len(inside) < len(padded) and len(padded) > 20
        tablet.wait_for_function("t => document.getElementById('jt-map-status-text').textContent.startsWith(t)",
                                 arg=f"本区域 {len(inside)} 条问题，")
        no_trouble(tablet, server)


def test_on_gaode_tiles_issues_are_shifted_like_the_base_layers(tablet):
    gaode = make_app(BASEMAP="gaode")
    seeded = seed_issues(gaode)
    tablet.route(re.compile(r"https?://[^/]*autonavi\.com/.*"), lambda route: route.abort())
    with LiveServer(gaode) as server:
        url = f"{server.url}/issues?show=all&lat={seeded.hostile_lat:.6f}&lon={seeded.hostile_lon:.6f}&zoom=20"
        open_page(tablet, url, ready=f'.jt-issue[title="{HOSTILE_NAME}"]')
        drawn_at = tablet.evaluate(
            f"""() => {{
                const map = {FIND_MAP}, box = map.getContainer().getBoundingClientRect();
                const icon = document.querySelector('.jt-issue[title="{HOSTILE_NAME}"]').getBoundingClientRect();
                return map.containerPointToLatLng([icon.x + icon.width / 2 - box.x, icon.y + icon.height / 2 - box.y]);
            }}"""
        )
        lon, lat = wgs84_to_gcj02(seeded.hostile_lon, seeded.hostile_lat)
        assert abs(drawn_at["lng"] - lon) < 3e-6 and abs(drawn_at["lat"] - lat) < 3e-6  # within about 30 cm
        # The URL keeps WGS84, whatever the tiles: a shared link opens at the same place on any basemap.
        assert abs(float(query(tablet)["lat"][0]) - seeded.hostile_lat) < 2e-6
        assert abs(float(query(tablet)["lon"][0]) - seeded.hostile_lon) < 2e-6
        assert tablet.errors == []
        assert all(urlsplit(u).hostname.endswith("autonavi.com") for u in foreign_requests(tablet, server.url))


def test_hotspot_page_shows_the_hot_cells_and_ranks_them(tablet, seeded_server):
    seeded = seeded_server.seeded
    open_page(tablet, seeded_server.url + "/hotspots", ready=".jt-rank", answered=None)
    assert f"{seeded.total} 条问题" in tablet.locator("#jt-summary-text").inner_text()
    hot_cells = tablet.locator('.leaflet-overlay-pane path[fill="#d7191c"], .leaflet-overlay-pane path[fill="#fc8d59"]')
    assert hot_cells.count() >= 1
    rows = tablet.locator(".jt-rank")
    assert rows.count() >= 1
    first = rows.first.inner_text()
    assert "热点" in first and "黄家路55弄" in first
    # Each row says the cell's own issues and those of the 8 cells around (Gi* counts both).
    assert all(re.search(r"本格(\s\d+ 条问题|没有问题)", text) for text in rows.all_inner_texts())
    assert all("周围 8 格" in text for text in rows.all_inner_texts())
    zs = [float(m) for m in re.findall(r"z (-?\d+\.\d)", " ".join(rows.all_inner_texts()))]
    assert zs == sorted(zs, reverse=True)
    screenshot(tablet, "hotspots-tablet.png")

    rows.first.tap()
    tablet.locator(".leaflet-popup-content").wait_for()
    assert tablet.evaluate(f"() => {FIND_MAP}.getZoom()") >= 18
    assert "黄家路55弄" in tablet.locator(".leaflet-popup-content").inner_text()
    screenshot(tablet, "hotspots-row-tapped.png")

    tablet.select_option("select[name=category]", CLUSTER_CATEGORY)
    tablet.wait_for_function("() => location.search.includes('category=garbage-sorting')")
    tablet.wait_for_function(
        "n => document.getElementById('jt-summary-text').textContent.includes(n)", arg=f"{CLUSTER_SIZE} 条问题"
    )
    tablet.reload()
    tablet.wait_for_function(
        "n => document.getElementById('jt-summary-text').textContent.includes(n)", arg=f"{CLUSTER_SIZE} 条问题"
    )
    assert tablet.locator("select[name=category]").input_value() == CLUSTER_CATEGORY
    assert tablet.locator("#jt-warnings li").count() >= 1  # 18 issues are too few for Gi*: the page says so
    no_trouble(tablet, seeded_server)


# --- what the map opens on, and what it counts ----------------------------------------------------

def year_ago(today):
    return today.replace(year=today.year - 1, day=28 if (today.month, today.day) == (2, 29) else today.day)


def api_count(client, **filters) -> int:
    from urllib.parse import urlencode

    return client.get("/api/v1/issues?" + urlencode({**filters, "limit": 1})).get_json()["numberMatched"]


def visible_bbox(page) -> str:
    bounds = page.evaluate(f"() => {FIND_MAP}.getBounds().toBBoxString()")
    return ",".join(f"{float(v):.6f}" for v in bounds.split(","))


def cluster_mixes(page) -> list[tuple[int, list[int]]]:
    """Each cluster's count, and the counts its label gives per category."""
    labels = page.locator(".leaflet-marker-pane .jt-cluster-mix").evaluate_all("boxes => boxes.map(b => b.getAttribute('aria-label'))")
    mixes = []
    for text in labels:
        total, parts = text.split("：", 1)
        mixes.append((int(re.sub(r"\D", "", total)), [int(part.rsplit(" ", 1)[1]) for part in parts.split("、")]))
    return mixes


def test_the_map_opens_on_open_issues_of_the_last_year_with_history_one_tap_away(tablet):
    """On the demo issues of eight years: the open ones of the last 12 months, in clusters whose rings
    show their mix of categories; all history with one tap; a URL naming filters gets no defaults."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from store.demo_issues import plan_demo_issues, store_demo_issues
    from tests.accounts import client_as
    from webmap.base_layers import base_layers
    from webmap.database import transaction

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    app = make_app()
    with app.test_request_context():
        with transaction() as s:
            store_demo_issues(s, plan_demo_issues(base_layers().layers, today), base_layers().locator)
    client = client_as(app, "viewer")
    with LiveServer(app) as server:
        open_page(tablet, server.url + "/issues", ready=".jt-cluster, .jt-issue")
        shown = query(tablet)
        assert shown["status"] == [OPEN_STATUSES] and shown["since"] == [year_ago(today).isoformat()]
        assert "show" not in shown
        assert tablet.locator("input[name=since]").input_value() == year_ago(today).isoformat()
        assert tablet.locator("input[name=status]:checked").count() == 3
        box = visible_bbox(tablet)
        attention = api_count(client, status=OPEN_STATUSES, since=year_ago(today).isoformat(), bbox=box)
        everything = api_count(client, bbox=box)
        assert 0 < attention < everything / 4
        assert status_text(tablet) == f"本区域 {attention} 条问题"
        assert issues_on_screen(tablet) == attention
        assert tablet.locator(".leaflet-marker-pane .jt-issue:not(.jt-open)").count() == 0
        for total, parts in cluster_mixes(tablet):
            assert sum(parts) == total and parts == sorted(parts, reverse=True)
        screenshot(tablet, "issues-attention.png")

        tablet.locator("#jt-all-history").tap()
        tablet.wait_for_function("() => new URLSearchParams(location.search).get('show') === 'all'")
        tablet.wait_for_function("t => document.getElementById('jt-map-status-text').textContent === t",
                                 arg=f"本区域 {everything} 条问题")
        assert not {"status", "since", "until"} & set(query(tablet))
        mixes = cluster_mixes(tablet)
        assert any(len(parts) > 1 for _total, parts in mixes), "clusters of several categories show each"
        screenshot(tablet, "issues-all-history.png")
        tablet.reload()
        tablet.wait_for_function("t => document.getElementById('jt-map-status-text').textContent === t",
                                 arg=f"本区域 {everything} 条问题")
        assert tablet.locator("input[name=status]:checked").count() == 0

        # A filter named in the URL stands alone: no defaults beside it.
        open_page(tablet, server.url + "/issues?category=lighting", ready=".jt-cluster, .jt-issue")
        assert not {"status", "since"} & set(query(tablet))
        lighting = api_count(client, category="lighting", bbox=visible_bbox(tablet))
        assert status_text(tablet) == f"本区域 {lighting} 条问题"
        no_trouble(tablet, server)


def mercator_bounds(lon: float, lat: float, zoom: int, width: float, height: float) -> tuple[float, ...]:
    """The WGS84 box a web-Mercator map of width x height px shows around (lon, lat) at `zoom`."""
    import math

    scale = 256 * 2 ** zoom

    def x_of(lon):
        return (lon + 180) / 360 * scale

    def y_of(lat):
        return (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def lon_of(x):
        return x / scale * 360 - 180

    def lat_of(y):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    x, y = x_of(lon), y_of(lat)
    return lon_of(x - width / 2), lat_of(y + height / 2), lon_of(x + width / 2), lat_of(y - height / 2)


def seeded_cluster_centre(app) -> tuple[float, float]:
    issues = client_as(app, "viewer").get(f"/api/v1/issues?limit=1000&category={CLUSTER_CATEGORY}").get_json()["features"]
    return (sum(f["geometry"]["coordinates"][0] for f in issues) / len(issues),
            sum(f["geometry"]["coordinates"][1] for f in issues) / len(issues))


def on_screen_and_padded(page, points, zoom: int) -> tuple[list, list]:
    """The points on the screen (from the URL's centre, the zoom and the map's size, in web Mercator), and
    those in the screen padded by half its size on every side; none may lie within 2 px of the screen's edge."""
    width, height = page.evaluate(f"() => [{FIND_MAP}.getContainer().clientWidth, {FIND_MAP}.getContainer().clientHeight]")
    centre = query(page)
    w, s, e, n = mercator_bounds(float(centre["lon"][0]), float(centre["lat"][0]), zoom, width, height)
    inside = [p for p in points if w <= p[0] <= e and s <= p[1] <= n]
    dx, dy = (e - w) / 2, (n - s) / 2
    padded = [p for p in points if w - dx <= p[0] <= e + dx and s - dy <= p[1] <= n + dy]
    margin_lon, margin_lat = (e - w) / width * 2, (n - s) / height * 2
    assert all(min(abs(p[0] - w), abs(p[0] - e)) > margin_lon or not s <= p[1] <= n for p in points)
    assert all(min(abs(p[1] - s), abs(p[1] - n)) > margin_lat or not w <= p[0] <= e for p in points)
    return inside, padded


def test_the_count_is_of_the_issues_on_the_screen(tablet, seeded_server):
    """Close in, the issues loaded around the view outnumber those in it: the line counts the screen."""
    zoom = 20
    issues = client_as(seeded_server.app, "viewer").get("/api/v1/issues?limit=1000").get_json()["features"]
    points = [f["geometry"]["coordinates"] for f in issues]
    lon, lat = seeded_cluster_centre(seeded_server.app)
    open_page(tablet, f"{seeded_server.url}/issues?show=all&lat={lat:.6f}&lon={lon:.6f}&zoom={zoom}")
    inside, padded = on_screen_and_padded(tablet, points, zoom)
    assert 0 < len(inside) < len(padded), "a view where the padded box holds more than the screen"
    tablet.wait_for_function("t => document.getElementById('jt-map-status-text').textContent === t",
                             arg=f"本区域 {len(inside)} 条问题")

    # Moved within what is loaded, the line counts again without asking the server.
    asked = len(tablet.requests)
    width = tablet.evaluate(f"() => {FIND_MAP}.getContainer().clientWidth")
    before = query(tablet)["lon"][0]
    tablet.evaluate(f"() => {FIND_MAP}.panBy([{width} / 4, 0], {{animate: false}})")
    tablet.wait_for_function("lon => new URLSearchParams(location.search).get('lon') !== lon", arg=before)
    inside, _padded = on_screen_and_padded(tablet, points, zoom)
    tablet.wait_for_function("t => document.getElementById('jt-map-status-text').textContent === t",
                             arg=f"本区域 {len(inside)} 条问题" if inside else "本区域没有符合条件的问题")
    assert [u for u in tablet.requests[asked:] if urlsplit(u).path == "/api/v1/issues"] == []
    no_trouble(tablet, seeded_server)
