"""A basic accessibility check of every page with axe-core (bundled by axe-playwright-python): WCAG 2 A and AA rules,
form labels and text contrast among them, in headless Chromium at tablet size, Chinese and English."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.accounts import client_as
from tests.browser.conftest import sign_in, wait_until_ready

AXE = Axe()
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
# Map tiles (none offline, but a basemap may add them) and the attribution line are not ours to change.
EXCLUDE = {"exclude": [[".leaflet-tile-pane"], [".leaflet-control-attribution"]]}

PUBLIC_PAGES = ["/", "/issues", "/hotspots", "/planning/lighting", "/projects", "/login"]
# What each page shows once its script has what it asked the API for (beside wait_until_ready's checks).
SHOWN = {
    "/": ".leaflet-overlay-pane path",
    "/issues": "#jt-category-chips .jt-chip",
    "/hotspots": "#jt-summary-text:not(:empty)",
    "/planning/lighting": "#jt-now-facts div",
    "/projects": "#jt-list-count:not(:empty)",
    "/login": "form input[name=username]",
}


def violations(page) -> list[str]:
    """What axe finds once the page is ready (wait first for what the page must show)."""
    wait_until_ready(page)
    results = AXE.run(page, context=EXCLUDE, options=OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:4])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_public_pages_pass_axe(tablet, seeded_server, path, lang):
    tablet.goto(f"{seeded_server.url}{path}?lang={lang}")
    tablet.wait_for_selector(SHOWN[path], state="attached")
    assert violations(tablet) == []


def test_the_tablet_app_passes_axe(tablet, seeded_server):
    tablet.context.grant_permissions(["geolocation"])
    sign_in(tablet, seeded_server, "field_staff")
    for lang in ("zh", "en"):
        tablet.goto(f"{seeded_server.url}/field/?lang={lang}")
        tablet.wait_for_selector(".leaflet-overlay-pane path")
        assert violations(tablet) == [], lang


def test_pages_for_signed_in_users_pass_axe(tablet, seeded_server):
    sign_in(tablet, seeded_server, "planner")
    issue = seeded_server.seeded.cluster_ids[0]
    project = client_as(seeded_server.app, "planner").post(
        "/api/v1/projects", json={"name": "黄家路55弄美丽家园", "kind": "beautiful_home", "compounds": ["hjl55"]}
    ).get_json()["id"]
    for path in ("/projects/new", f"/issues/{issue}", f"/projects/{project}", f"/projects/{project}?edit=1", "/"):
        tablet.goto(f"{seeded_server.url}{path}")
        assert violations(tablet) == [], path
