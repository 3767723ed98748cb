"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against a live server."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pyproj import Geod
from werkzeug.serving import make_server

from tests.conftest import HOSTILE_NAME

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
TABLET = {"width": 1024, "height": 1366}
# Every wait is for a condition (a selector, a script's state, a response); this bound only stops a test
# that would otherwise hang. Generous, so that a busy machine (load 8 on 2 cores) is slow, not failing.
GUARD_MS = 120_000
# A page is ready to be read (by axe, or a screenshot): loaded, its fonts in, its map drawn if it has one,
# and none of its status lines saying it is still loading ("正在加载…", "Loading…").
STATUS_LINES = "#jt-map-status-text, #jt-summary-text, #jt-list-count, #jt-plan-status, #jt-form-status, #jt-actions-status"
PAGE_READY = f"""() => document.readyState === "complete" && document.fonts.status === "loaded"
    && (!document.querySelector(".leaflet-container")
        || document.querySelector(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-pane > *"))
    && ![...document.querySelectorAll("{STATUS_LINES}")].some(line => line.textContent.trim().endsWith("…"))"""
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WGS84 = Geod(ellps="WGS84")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(app):
    with LiveServer(app) as server:
        yield server


def wait_until_ready(page) -> None:
    page.wait_for_function(PAGE_READY)


def guarded(new_context):
    """browser.new_context whose contexts wait up to GUARD_MS for anything."""
    def make(**options):
        context = new_context(**options)
        context.set_default_timeout(GUARD_MS)
        context.set_default_navigation_timeout(GUARD_MS)
        return context
    return make


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_system_deps.sh (make test does)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=GUARD_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=GUARD_MS)
        browser.new_context = guarded(browser.new_context)
        yield browser
        browser.close()


@pytest.fixture()
def tablet(browser):
    """A touch tablet page that records every request it makes and every script error."""
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.requests = []
    page.errors = []
    page.dialogs = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def sign_in(page, server, role: str = "planner", username: str | None = None) -> str:
    """Sign the page's browser in through the sign-in form, as a user with `role` (made if need be)."""
    from tests.accounts import PASSWORD, add_user

    username = add_user(server.app, role, username)
    page.goto(f"{server.url}/login?next=/api/v1/me")  # lands on something small
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator(".jt-sign-in button[type=submit]").tap()
    return username


def foreign_requests(page, base_url: str) -> list[str]:
    own = urlsplit(base_url).netloc
    return [u for u in page.requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != own]


# --- an app with issues in it, for the issue and hot spot pages -----------------------------------

CLUSTER_CATEGORY = "garbage-sorting"
CLUSTER_ADDRESS = "黄家路55弄3号"
CLUSTER_SIZE = 18
BACKGROUND_EVERY = 7  # one issue in every 7th grid cell, so the hot spot test has data to compare with
BACKGROUND_CATEGORIES = ("sanitation", "parking", "clutter", "lighting", "greenery", "old-housing")


@dataclass
class SeededIssues:
    total: int
    cluster_ids: list[str]
    hostile_id: str
    hostile_lon: float
    hostile_lat: float


def seed_issues(app) -> SeededIssues:
    """Issues spread over the neighbourhood, one of them titled with markup, and a planted cluster.

    The hot spot analysis needs at least 30 issues and under 90 % empty cells to say anything,
    hence about 60: a background of one issue per few grid cells, and 18 around one doorway.
    """
    from geo.hotspots import issue_grid
    from store.intake import submit_issue
    from store.issues import update_issue
    from webmap.base_layers import base_layers
    from webmap.database import transaction

    with app.test_request_context():
        layers = base_layers().layers
        locator = base_layers().locator
        spots = issue_grid(layers["boundary"], 20).geometry.representative_point().iloc[::BACKGROUND_EVERY]
        centre = layers["buildings"].set_index("address").loc[CLUSTER_ADDRESS].geometry.representative_point()
        start = datetime(2024, 1, 1, 2, 0, tzinfo=timezone.utc)
        with transaction() as s:
            ids = []
            for n, spot in enumerate(spots):
                issue, _ = submit_issue(
                    s,
                    {
                        "category": BACKGROUND_CATEGORIES[n % len(BACKGROUND_CATEGORIES)],
                        "title": HOSTILE_NAME if n == 1 else f"楼道堆物 {n}",
                        "lon": spot.x,
                        "lat": spot.y,
                        "reported_at": (start + timedelta(days=5 * n)).isoformat(),
                    },
                    locator,
                    "社工小王",
                )
                if n % 3 == 0:
                    update_issue(s, issue.public_id, {"status": "resolved"}, "社工小王", "已清理")
                ids.append(issue.public_id)
            hostile = ids[1]
            cluster = []
            for n in range(CLUSTER_SIZE):
                lon, lat, _ = WGS84.fwd(centre.x, centre.y, n * 20, 4 + (n % 4) * 6)
                issue, _ = submit_issue(
                    s,
                    {
                        "category": CLUSTER_CATEGORY,
                        "title": f"垃圾箱房满溢 {n}",
                        "lon": lon,
                        "lat": lat,
                        "reported_at": (start + timedelta(days=200 + n)).isoformat(),
                    },
                    locator,
                    "社工小李",
                )
                cluster.append(issue.public_id)
        spot = spots.iloc[1]
        return SeededIssues(len(ids) + len(cluster), cluster, hostile, float(spot.x), float(spot.y))


@pytest.fixture(scope="session")
def seeded_app():
    from tests.conftest import make_app

    app = make_app()
    return app, seed_issues(app)


@pytest.fixture(scope="session")
def seeded_server(seeded_app):
    app, seeded = seeded_app
    with LiveServer(app) as server:
        server.seeded = seeded
        yield server
