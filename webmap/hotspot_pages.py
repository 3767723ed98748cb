"""/hotspots: where issues cluster more than chance allows (Getis-Ord Gi* cells from /api/v1/hotspots)."""
from __future__ import annotations

import folium
from flask import Blueprint
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from webmap.base_map import build_backdrop_map, display_shift, home_bounds
from webmap.folium_page import cached_map_page
from webmap.i18n import plural_forms
from webmap.map_elements import AppBinding, Legend
from webmap.page_context import api_root

bp = Blueprint("hotspot_pages", __name__)

# ColorBrewer RdYlBu, the usual diverging palette for Gi* hot (red) and cold (blue) spots.
CLASS_COLOURS = {
    "hot99": "#d7191c",
    "hot95": "#fc8d59",
    "hot90": "#fee090",
    "ns": "#bdbdbd",
    "cold90": "#e0f3f8",
    "cold95": "#91bfdb",
    "cold99": "#4575b4",
}
CLASS_LABELS = {
    "hot99": _l("热点（99% 置信）"),
    "hot95": _l("热点（95% 置信）"),
    "hot90": _l("热点（90% 置信）"),
    "ns": _l("不显著"),
    "cold90": _l("冷点（90% 置信）"),
    "cold95": _l("冷点（95% 置信）"),
    "cold99": _l("冷点（99% 置信）"),
}


def build_hotspot_map(layers, *, lang: str, tiles, tiles_key: str) -> folium.Map:
    """The toned-down base layers and an empty group that static/js/hotspots.js fills with the cells."""
    m = build_backdrop_map(layers, tiles=tiles, tiles_key=tiles_key)
    cells = folium.FeatureGroup(name=_("热点分析格子")).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(
        _("图例"),
        [(_("Gi* 热点分析"), [("box", CLASS_COLOURS[c], str(text)) for c, text in CLASS_LABELS.items()])],
    ).add_to(m)
    AppBinding(
        "JintanHotspots",
        {"cells": cells},
        {
            "lang": lang,
            "api": api_root(),
            "shift": display_shift(layers, tiles),
            "home": home_bounds(layers, tiles),
            "colours": CLASS_COLOURS,
            "labels": {c: str(text) for c, text in CLASS_LABELS.items()},
            "messages": {
                "loading": _("正在计算热点…"),
                "failed": _("加载失败，请检查网络后重试"),
                "badFilter": _("筛选条件有误，请检查日期等条件"),
                "issues": plural_forms("{n} 条问题", "{n} 条问题"),
                "cellSize": _("格子边长 {n} 米"),
                "cells": plural_forms("{n} 个格子", "{n} 个格子"),
                "noHotspots": _("没有显著的热点"),
                "places": _("位置"),
                "compounds": _("小区"),
                "lanes": _("弄堂"),
                "count": _("问题数"),
                "cellIssues": _forms(lambda n: ngettext("本格 {n} 条问题", "本格 {n} 条问题", n)),
                "aroundIssues": _forms(lambda n: ngettext("周围 8 格共 {n} 条", "周围 8 格共 {n} 条", n)),
                "onlyAroundIssues": _forms(lambda n: ngettext(
                    "本格没有问题，排在前面是因为周围 8 格共有 {n} 条",
                    "本格没有问题，排在前面是因为周围 8 格共有 {n} 条",
                    n,
                )),
            },
        },
    ).add_to(m)
    return m


def _forms(message) -> dict[str, str]:
    """A message's forms for one and for more (English has two, Chinese one), for the script to pick by number."""
    return {"one": message(1), "other": message(2)}


@bp.get("/hotspots")
def hotspot_map():
    return cached_map_page("hotspots", build_hotspot_map, "hotspots.html", title=_("问题热点"))
