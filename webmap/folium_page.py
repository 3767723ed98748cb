"""Pages around a Folium map (and plain pages), with every asset served from here."""
from __future__ import annotations

import re
from typing import Callable

import folium
from flask import current_app, render_template, url_for

from webmap.assets import load_manifest, localize
from webmap.base_layers import base_layers
from webmap.i18n import current_language
from webmap.tiles import TileProvider, provider

# Folium's own viewport tag forbids pinch-zoom of the page; base.html sets ours.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_SCRIPT = re.compile(r"[ \t]*<script\b[^>]*>.*?</script>[ \t]*\n?", re.S | re.I)
# Font Awesome's stylesheet (icons beside text) need not hold up the first paint: it applies once loaded.
_ICON_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]*/fontawesome-free@[^"]*/all\.min\.css)"\s*/?>')


def map_parts(m: folium.Map) -> dict[str, str]:
    """The parts of a Folium map for a template: map_header (stylesheets, for the head), map_html, map_scripts
    (the libraries, deferred: they run in order once the page is parsed) and map_script (which needs them, so the
    template runs it at DOMContentLoaded, see map_base.html)."""
    root = m.get_root()
    root.render()
    header = _FOLIUM_VIEWPORT.sub("", root.header.render())
    return {
        "map_header": _ICON_STYLESHEET.sub(
            '<link rel="stylesheet" href="\\1" media="print" onload="this.media=\'all\'">', _SCRIPT.sub("", header)),
        "map_html": root.html.render(),
        "map_scripts": "".join(match.group(0) for match in _SCRIPT.finditer(header)).replace("<script src=", "<script defer src="),
        "map_script": root.script.render(),
    }


def _static_root() -> str:
    return url_for("static", filename="").rstrip("/")


def render_map_page(template: str, map_or_parts, *, tiles: TileProvider | None, **context) -> str:
    """One of our templates around a Folium map (or its map_parts), every asset served from here."""
    if isinstance(map_or_parts, LocalizedParts):
        return _around(template, map_or_parts, tiles, context)
    parts = map_parts(map_or_parts) if isinstance(map_or_parts, folium.Map) else map_or_parts
    return _around(template, _localized(parts, tiles), tiles, context)


class LocalizedParts(dict):
    """Map parts whose asset URLs are already ours and checked."""


def _localized(parts: dict[str, str], tiles: TileProvider | None) -> LocalizedParts:
    allowed = tiles.hosts if tiles else ()
    return LocalizedParts(
        {name: localize(part, static_url_path=_static_root(), allowed_hosts=allowed) for name, part in parts.items()}
    )


def _around(template: str, localized_parts: dict[str, str], tiles: TileProvider | None, context: dict) -> str:
    """The template checked on its own, with markers where the (already checked) map parts then go.

    A map's parts are most of a page (300 KB on /): checking them once, when cached, keeps each request cheap.
    """
    markers = {name: f"<!--jt-map-part:{name}-->" for name in localized_parts}
    shell = localize(render_template(template, **markers, **context), static_url_path=_static_root(),
                     allowed_hosts=tiles.hosts if tiles else ())
    for name, marker in markers.items():
        shell = shell.replace(marker, localized_parts[name], 1)
    return shell


def render_page(template: str, **context) -> str:
    """One of our templates without a Folium map, every asset served from here."""
    return localize(render_template(template, **context), static_url_path=_static_root())


def vendored(assets, name: str) -> str:
    """Our copy of one of Folium's CDN assets."""
    return url_for("static", filename=load_manifest()["assets"][dict(assets)[name]])


def _once_per_page(name: str, make: Callable[[folium.Map, TileProvider | None], object], build):
    """make(map, tiles) for the map build(layers, lang=, tiles=, tiles_key=) makes, kept per (page, language, basemap)."""
    lang = current_language()
    config = current_app.config
    tiles = provider(config["BASEMAP"])

    def render():
        m = build(base_layers().layers, lang=lang, tiles=tiles, tiles_key=config["TIANDITU_KEY"])
        return make(m, tiles)

    return base_layers().page((name, lang, config["BASEMAP"]), render), tiles


def cached_map_page(name: str, build, template: str, **context) -> str:
    """A map page whose map never changes with the request: built once per language and tiles.

    The page around it is rendered per request: it names who is signed in and carries their CSRF token.
    """
    parts, tiles = _once_per_page(name, lambda m, tiles: _localized(map_parts(m), tiles), build)
    return _around(template, parts, tiles, context)
