"""The map pages people look at."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import gettext as _

from webmap.base_map import build_base_map
from webmap.folium_page import cached_map_page

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return cached_map_page("index", build_base_map, "map_page.html", title=_("金坛路居民区地图"))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it at the root whatever the page's <link rel="icon"> says."""
    return current_app.send_static_file("favicon.ico")
