"""Vendored front-end assets: the manifest, the files, and localize() on real Folium pages.

No network and no browser: pages are rendered with folium and checked as text.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import folium
import folium.plugins as plugins
import pytest

from webmap.assets import (
    STATIC_DIR,
    ExternalAssetError,
    find_external_urls,
    host_allowed,
    load_manifest,
    localize,
)

VENDOR = STATIC_DIR / "vendor"
PLUGINS = [plugins.MarkerCluster, plugins.HeatMap, plugins.Draw, plugins.LocateControl, plugins.Fullscreen]
GLYPHICONS = "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css"
# Files Leaflet's JS derives from the marker-icon path in leaflet.css, not named in any CSS.
USED_BY_JS = {
    "vendor/leaflet@1.9.3/dist/images/marker-icon-2x.png",
    "vendor/leaflet@1.9.3/dist/images/marker-shadow.png",
}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""")


def static_file(rel: str) -> Path:
    path = (STATIC_DIR / rel).resolve()
    assert path.is_relative_to(STATIC_DIR), rel
    return path


def css_references(css_file: Path) -> list[Path]:
    """The local files a stylesheet's url(...) values point to, resolved next to the file."""
    out = []
    for m in CSS_URL.finditer(css_file.read_text(encoding="utf-8")):
        value = next(g for g in m.groups() if g is not None).strip()
        if not value or value.startswith(("data:", "#")):
            continue
        value = unquote(value.split("#", 1)[0].split("?", 1)[0])
        out.append((css_file.parent / value).resolve())
    return out


def full_map() -> folium.Map:
    m = folium.Map(location=[31.2304, 121.4737], zoom_start=16, tiles=None)
    cluster = plugins.MarkerCluster().add_to(m)
    folium.Marker(
        [31.2304, 121.4737],
        popup="居委会",
        icon=folium.Icon(icon="house", prefix="fa", color="red", angle=45),
    ).add_to(cluster)
    folium.Marker([31.231, 121.474], icon=folium.Icon(prefix="fa", icon="circle-info")).add_to(m)
    plugins.HeatMap([[31.2304, 121.4737, 1.0], [31.231, 121.474, 0.4]]).add_to(m)
    plugins.Draw(export=True).add_to(m)
    plugins.LocateControl().add_to(m)
    plugins.Fullscreen().add_to(m)
    return m


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest()


@pytest.fixture(scope="module")
def rendered() -> str:
    return full_map().get_root().render()


@pytest.fixture(scope="module")
def localized(rendered) -> str:
    return localize(rendered)


# --- the manifest and the vendored tree ---------------------------------------------------------


def test_every_manifest_asset_exists(manifest):
    assert manifest["assets"], "empty manifest"
    for url, local in manifest["assets"].items():
        if local is None:
            continue
        assert local.startswith("vendor/"), (url, local)
        path = static_file(local)
        assert path.is_file() and path.stat().st_size > 0, f"{url} -> missing {local}"


def test_manifest_covers_folium_and_plugin_defaults(manifest):
    for cls in [folium.Map, *PLUGINS]:
        for _name, url in [*cls.default_js, *cls.default_css]:
            assert url in manifest["assets"], f"{cls.__name__} loads {url}, not vendored"


def test_every_package_has_its_licence(manifest):
    packages = manifest["packages"]
    locals_ = [local for local in manifest["assets"].values() if local]
    for local in locals_:  # every served file belongs to a listed package...
        assert any(local.startswith(f"vendor/{n}@{m['version']}/") for n, m in packages.items()), local
    for name, meta in packages.items():  # ...and every listed package serves something
        assert any(local.startswith(f"vendor/{name}@{meta['version']}/") for local in locals_), name
    for name, meta in packages.items():
        assert meta["license"], name
        assert meta["source"] in (f"npm:{name}@{meta['version']}", f"python:folium=={meta['version']}")
        for rel in [meta["license_file"], *meta.get("extra_license_files", [])]:
            assert rel.startswith(f"vendor/{name}@{meta['version']}/"), (name, rel)
            path = static_file(rel)
            assert path.is_file(), f"{name}: licence {rel} missing"
            text = path.read_text(encoding="utf-8")
            assert re.search(r"licen[cs]e|permission is hereby granted|redistribution", text, re.I), rel


def test_glyphicons_are_dropped_and_explained(manifest):
    assert manifest["assets"][GLYPHICONS] is None
    assert "glyphicon" in manifest["notes"][GLYPHICONS].lower()


def test_vendored_css_references_exist_and_stay_local(manifest):
    css_files = sorted(VENDOR.rglob("*.css"))
    assert css_files
    for css in css_files:
        text = css.read_text(encoding="utf-8")
        assert find_external_urls(text) == [], css
        for target in css_references(css):
            assert target.is_file(), f"{css.relative_to(STATIC_DIR)} refers to missing {target}"


def test_fonts_images_and_sprites_are_there():
    fa_css = VENDOR / "@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
    targets = {p.relative_to(VENDOR).as_posix() for p in css_references(fa_css)}
    for family in ("fa-solid-900", "fa-regular-400", "fa-brands-400", "fa-v4compatibility"):
        for ext in ("woff2", "ttf"):
            assert f"@fortawesome/fontawesome-free@6.2.0/webfonts/{family}.{ext}" in targets
    leaflet = {p.name for p in css_references(VENDOR / "leaflet@1.9.3/dist/leaflet.css")}
    assert {"layers.png", "layers-2x.png", "marker-icon.png"} <= leaflet
    draw = {p.name for p in css_references(VENDOR / "leaflet-draw@1.0.2/dist/leaflet.draw.css")}
    assert {"spritesheet.png", "spritesheet-2x.png", "spritesheet.svg"} <= draw
    awesome = {p.name for p in css_references(VENDOR / "leaflet.awesome-markers@2.0.0/dist/leaflet.awesome-markers.css")}
    assert {"markers-soft.png", "markers-shadow.png"} <= awesome
    for rel in USED_BY_JS:
        assert static_file(rel).is_file()


def test_vendored_tree_is_lean(manifest):
    """Only what a page loads (directly or through CSS), the licences, README and manifest."""
    wanted = {"vendor/manifest.json", "vendor/README.md", *USED_BY_JS}
    for local in manifest["assets"].values():
        if local:
            wanted.add(local)
    for meta in manifest["packages"].values():
        wanted.update([meta["license_file"], *meta.get("extra_license_files", [])])
    for css in VENDOR.rglob("*.css"):
        wanted.update(p.relative_to(STATIC_DIR).as_posix() for p in css_references(css))
    present = {p.relative_to(STATIC_DIR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert present - wanted == set()
    for rel in present:
        assert not rel.endswith(".map"), rel
        if rel.endswith((".js", ".css")):
            assert "sourceMappingURL" not in static_file(rel).read_text(encoding="utf-8"), rel


def test_rotate_css_has_folium_rules(manifest):
    url = "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css"
    text = static_file(manifest["assets"][url]).read_text(encoding="utf-8")
    assert ".fa-rotate-45{" in text and "transform:rotate(45deg)" in text
    assert ".fa-rotate-360{" in text and "MIT" in text


# --- localize() on a real page --------------------------------------------------------------------


def test_rendered_page_needs_localizing(rendered):
    assert len(find_external_urls(rendered)) >= 19  # folium really links CDNs: the test bites


def test_localized_map_has_no_external_urls(localized, manifest):
    assert find_external_urls(localized) == []
    assert "bootstrapcdn" not in localized and "glyphicons" not in localized
    declared = {url for cls in [folium.Map, *PLUGINS] for _, url in [*cls.default_js, *cls.default_css]}
    for url in declared:
        local = manifest["assets"][url]
        assert url not in localized
        if local:  # the page uses every asset Folium declares (the map has every plugin)
            assert f"/static/{local}" in localized


def test_localized_references_exist_on_disk(localized):
    refs = re.findall(r"""\b(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", localized)
    assert len(refs) == 19
    for ref in refs:
        path = static_file(ref[len("/static/"):])
        assert path.is_file(), ref
        if path.suffix == ".css":
            for target in css_references(path):
                assert target.is_file(), f"{ref} refers to missing {target}"


def test_awesome_marker_icon_uses_font_awesome(localized):
    assert '"prefix": "fa"' in localized and "L.AwesomeMarkers.icon" in localized
    assert "fa-rotate-45" in localized


def test_static_url_path_is_configurable(rendered):
    page = localize(rendered, static_url_path="/assets/")
    assert 'src="/assets/vendor/leaflet@1.9.3/dist/leaflet.js"' in page
    assert "/static/" not in page


def test_localize_is_idempotent(localized):
    assert localize(localized) == localized


def test_unknown_cdn_script_raises_naming_it(localized):
    url = "https://cdn.example.net/leaflet-plugin@1.0.0/plugin.min.js"
    page = localized.replace("</head>", f'<script src="{url}"></script>\n</head>')
    with pytest.raises(ExternalAssetError, match=re.escape(url)) as info:
        localize(page)
    assert info.value.urls == [url]
    assert isinstance(info.value, ValueError)


def test_plain_links_are_allowed():
    page = '<html><body><a href="https://leafletjs.com">Leaflet</a></body></html>'
    assert find_external_urls(page) == []
    assert localize(page) == page


def test_attribution_link_in_js_is_allowed_but_tiles_are_not():
    m = folium.Map(location=[31.23, 121.47], tiles="OpenStreetMap")
    page = m.get_root().render()
    with pytest.raises(ExternalAssetError) as info:
        localize(page)
    assert info.value.urls == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    localize(page, allowed_hosts=["tile.openstreetmap.org"])  # opt-in online tiles


def test_tile_templates_match_allowed_hosts():
    m = folium.Map(location=[31.23, 121.47], tiles=None)
    folium.TileLayer(
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&style=8&x={x}&y={y}&z={z}",
        attr="&copy; AutoNavi",
        subdomains="1234",
    ).add_to(m)
    page = m.get_root().render()
    with pytest.raises(ExternalAssetError, match="autonavi"):
        localize(page)
    localize(page, allowed_hosts=[f"webrd0{i}.is.autonavi.com" for i in range(1, 5)])
    with pytest.raises(ExternalAssetError):
        localize(page, allowed_hosts=["tile.openstreetmap.org"])


@pytest.mark.parametrize(
    "url,hosts,ok",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["tile.openstreetmap.org"], True),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", ["tile.openstreetmap.org"], True),
        ("//t{s}.tianditu.gov.cn/vec_w/wmts", ["t0.tianditu.gov.cn"], True),
        ("https://evil.example/tile.openstreetmap.org/x.png", ["tile.openstreetmap.org"], False),
        ("https://tile.openstreetmap.org.evil.example/x.png", ["tile.openstreetmap.org"], False),
        ("https://tile.openstreetmap.org/x.png", [], False),
    ],
)
def test_host_allowed(url, hosts, ok):
    assert host_allowed(url, hosts) is ok


@pytest.mark.parametrize(
    "snippet,expected",
    [
        ('<link rel="stylesheet" href="//cdn.example.com/a.css">', ["//cdn.example.com/a.css"]),
        ("<img src='http://img.example.com/a.png'>", ["http://img.example.com/a.png"]),
        ('<iframe src="https://frame.example.com/"></iframe>', ["https://frame.example.com/"]),
        ('<video><source src="https://v.example.com/a.mp4"></video>', ["https://v.example.com/a.mp4"]),
        ('<img srcset="/a.png 1x, https://x.example.com/b.png 2x">', ["https://x.example.com/b.png"]),
        ('<div style="background:url(&quot;https://bg.example.com/a.png&quot;)"></div>',
         ["https://bg.example.com/a.png"]),
        ("<style>@import 'https://css.example.com/a.css';</style>", ["https://css.example.com/a.css"]),
        ("<style>.a{background:url(//bg.example.com/b.png)}</style>", ["//bg.example.com/b.png"]),
        (".a{background:url('https://bg.example.com/c.png')}", ["https://bg.example.com/c.png"]),
        ('<script>fetch("https://api.example.com/data.json")</script>', ["https://api.example.com/data.json"]),
        ('<script>var p = `<img src="https://p.example.com/a.jpg">`;</script>', ["https://p.example.com/a.jpg"]),
        # not requests
        ('<script>var p = `<a href="https://leafletjs.com">L</a>`;</script>', []),
        ('<script>document.createElementNS("http://www.w3.org/2000/svg", "g")</script>', []),
        ('<a href="https://leafletjs.com">Leaflet</a>', []),
        ('.a{background:url("data:image/svg+xml,%3csvg xmlns=\'http://www.w3.org/2000/svg\'/%3e")}', []),
        ('<script src="/static/vendor/leaflet@1.9.3/dist/leaflet.js"></script>', []),
        ("<p>see https://example.com for details</p>", []),
    ],
)
def test_find_external_urls(snippet, expected):
    assert find_external_urls(snippet) == expected


def test_find_external_urls_is_ordered_and_unique():
    page = (
        '<script src="https://a.example/1.js"></script>'
        '<link rel="stylesheet" href="https://b.example/2.css">'
        '<script src="https://a.example/1.js"></script>'
    )
    assert find_external_urls(page) == ["https://a.example/1.js", "https://b.example/2.css"]
