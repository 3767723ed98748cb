"""The map pages people look at."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _

from webmap.assets import localize
from webmap.base_layers import base_layers
from webmap.base_map import build_base_map
from webmap.i18n import current_language
from webmap.tiles import provider

bp = Blueprint("pages", __name__)

# Folium's own viewport tag forbids pinch-zoom of the page; the template sets ours.
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def render_map_page(m, *, title: str, tiles) -> str:
    """A full page around a Folium map, with every asset served from here."""
    root = m.get_root()
    root.render()
    html = render_template(
        "map_page.html",
        title=title,
        map_header=_FOLIUM_VIEWPORT.sub("", root.header.render()),
        map_html=root.html.render(),
        map_script=root.script.render(),
    )
    static = url_for("static", filename="").rstrip("/")
    return localize(html, static_url_path=static, allowed_hosts=tiles.hosts if tiles else ())


@bp.get("/")
def index():
    lang = current_language()
    config = current_app.config
    tiles = provider(config["BASEMAP"])

    def render():
        m = build_base_map(
            base_layers().layers, lang=lang, tiles=tiles, tiles_key=config["TIANDITU_KEY"]
        )
        return render_map_page(m, title=_("金坛路居民区地图"), tiles=tiles)

    return base_layers().page(("index", lang, config["BASEMAP"]), render)
