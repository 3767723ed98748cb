"""What each page loads: only the assets it uses (no jQuery, Bootstrap or awesome-markers; Font Awesome only where
its icons are shown), a favicon, and a description for search engines and link previews."""
from __future__ import annotations

import re

import pytest

from tests.accounts import client_as

UNUSED = ("jquery", "bootstrap", "awesome-markers", "awesome.rotate")
FONT_AWESOME = "fontawesome-free@6.2.0/css/all.min.css"
PAGES = ["/", "/issues", "/hotspots", "/planning/lighting", "/projects", "/projects/new", "/field/", "/login",
         "/ogcapi/?f=html", "/ogcapi/collections?f=html", "/api/v1/docs"]


def loaded(html: str) -> list[str]:
    """The scripts and stylesheets a page links."""
    return re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)


@pytest.fixture(scope="module")
def planner(app):
    return client_as(app, "planner")


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_they_do_not_use(planner, path):
    page = planner.get(path)
    assert page.status_code == 200
    assets = loaded(page.get_data(as_text=True))
    assert assets
    assert [a for a in assets if any(name in a for name in UNUSED)] == []


def test_the_base_map_needs_no_icon_font(planner):
    html = planner.get("/").get_data(as_text=True)
    assert FONT_AWESOME not in html
    assert "fa-solid" not in html and "L.AwesomeMarkers" not in html
    assert "jt-facility" in html  # facilities are CSS pins


@pytest.mark.parametrize("path", ["/issues", "/field/"])
def test_pages_showing_icons_keep_font_awesome(planner, path):
    assert FONT_AWESOME in planner.get(path).get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_has_a_description_and_an_icon(planner, path, lang):
    html = planner.get(path + ("&" if "?" in path else "?") + f"lang={lang}").get_data(as_text=True)
    description = re.search(r'<meta name="description" content="([^"]+)"', html)
    assert description and len(description.group(1)) > 40
    assert ("金坛路" in description.group(1)) == (lang == "zh")
    assert re.search(r'<link rel="icon"[^>]+href="/static/[^"]+"', html)


def test_favicon_is_answered_without_signing_in():
    from tests.conftest import make_app

    app = make_app(ANONYMOUS_VIEW=False)
    answer = app.test_client().get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
