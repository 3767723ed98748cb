"""The scripts and stylesheets a map page loads: Leaflet, and Font Awesome only where the page shows its icons.

Folium puts jQuery, Bootstrap (script and stylesheet), Leaflet.awesome-markers and Font Awesome on every map.
Our pages use none of jQuery, Bootstrap or awesome-markers (facility markers are CSS pins, static/css/app.css),
so a map keeps only what its page uses; plugins (clusters, heat, drawing) still add their own files.
"""
from __future__ import annotations

import folium

_JS = dict(folium.Map.default_js)
_CSS = dict(folium.Map.default_css)

LEAFLET_JS = [("leaflet", _JS["leaflet"])]
LEAFLET_CSS = [("leaflet_css", _CSS["leaflet_css"])]
ICONS_CSS = [("awesome_markers_font_css", _CSS["awesome_markers_font_css"])]  # Font Awesome 6: the fa-* icons


def use_page_assets(m: folium.Map, *, icons: bool) -> folium.Map:
    """Leaflet on `m`, and Font Awesome if `icons` (its page shows fa-* icons); nothing else of Folium's defaults."""
    m.default_js = list(LEAFLET_JS)
    m.default_css = [*LEAFLET_CSS, *(ICONS_CSS if icons else [])]
    return m


def page_asset_urls(*, icons: bool) -> list[str]:
    """The CDN URLs (as in vendor/manifest.json) of what use_page_assets leaves on a map."""
    return [url for _name, url in (*LEAFLET_JS, *LEAFLET_CSS, *(ICONS_CSS if icons else []))]
