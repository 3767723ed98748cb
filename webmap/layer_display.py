"""How each base layer is shown: title, colours, popup rows and labels.

Popup rows are computed here, on the server, as plain strings; the browser puts
them into the page as text nodes, so attribute text is never parsed as HTML.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from flask_babel import lazy_gettext as _l

from geo.summaries import areas_m2, compound_totals, lengths_m
from webmap.i18n import value_label

TYPE_COLOURS = {
    "旧里": "#c9a27e",
    "售后公房": "#7fa7d6",
    "商品房": "#8cc98a",
    "历史保护": "#d9776f",
    "商住楼": "#a88fd6",
    "公建": "#b8b8b8",
}
LAMP_COLOURS = {"working": "#ffc300", "broken": "#5c5c5c"}
FACILITY_STYLE = {  # the colour of the facility's map pin (and its legend entry)
    "committee_office": "#d63e2a",
    "pocket_park": "#5a9216",
    "service_station": "#00838f",
    "activity_room": "#b03a9c",
    "garbage_room": "#575757",
    "parking": "#1f78b4",
}
FACILITY_FALLBACK = "#436978"


@dataclass(frozen=True)
class LayerDisplay:
    name: str
    title: object  # lazy translated string
    show: bool = True


DISPLAY = {
    d.name: d
    for d in (
        LayerDisplay("boundary", _l("居民区边界")),
        LayerDisplay("compounds", _l("小区")),
        LayerDisplay("buildings", _l("建筑")),
        LayerDisplay("roads", _l("道路")),
        LayerDisplay("lanes", _l("弄堂")),
        LayerDisplay("streetlights", _l("路灯")),
        LayerDisplay("facilities", _l("公共设施")),
    )
}


def local_name(record: pd.Series, lang: str) -> str:
    english = record.get("name_en")
    if lang == "en" and isinstance(english, str) and english:
        return english
    return str(record.get("name") or "")


def _metres(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") + " m"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def popup_rows(name: str, layers: dict[str, gpd.GeoDataFrame], lang: str) -> list[dict]:
    """For each feature of layer `name`: its tooltip label and popup rows."""
    gdf = layers[name]
    rows_of = _ROWS[name]
    context = _context(name, layers, lang)
    return [rows_of(record, context, lang) for _, record in gdf.iterrows()]


def _context(name: str, layers: dict[str, gpd.GeoDataFrame], lang: str) -> dict:
    if name == "boundary":
        return {"area": areas_m2(layers["boundary"])}
    if name == "compounds":
        return {
            "totals": compound_totals(layers["buildings"]),
            "area": areas_m2(layers["compounds"]),
        }
    if name == "buildings":
        names = {
            r["id"]: local_name(r, lang) for _, r in layers["compounds"].iterrows()
        }
        return {"compound_names": names}
    if name in ("lanes", "roads"):
        return {"length": lengths_m(layers[name])}
    return {}


def _boundary(r, ctx, lang):
    label = local_name(r, lang)
    return {
        "label": label,
        "rows": [
            (_l("名称"), label),
            (_l("面积"), f"{ctx['area'][r.name] / 1e6:.3f} km²"),
        ],
    }


def _compound(r, ctx, lang):
    label = local_name(r, lang)
    totals = ctx["totals"]
    count, households = (
        (int(totals.at[r["id"], "buildings"]), int(totals.at[r["id"], "households"]))
        if r["id"] in totals.index
        else (0, 0)
    )
    return {
        "label": label,
        "rows": [
            (_l("小区"), label),
            (_l("类型"), value_label("kind", r["kind"])),
            (_l("建筑数"), str(count)),
            (_l("户数"), str(households)),
            (_l("面积"), f"{ctx['area'][r.name]:,.0f} m²"),
        ],
    }


def _building(r, ctx, lang):
    rows = [(_l("地址"), _text(r["address"]))]
    if _text(r.get("name")):
        rows.append((_l("名称"), _text(r["name"])))
    rows += [
        (_l("所属小区"), ctx["compound_names"].get(r["compound"], _text(r["compound"]))),
        (_l("类型"), value_label("type", r["type"])),
        (_l("层数"), _text(r["floors"])),
        (_l("户数"), _text(r["households"])),
        (_l("建成年份"), _text(r["year_built"])),
        (_l("历史保护建筑"), value_label("protected", bool(r["protected"]))),
    ]
    return {"label": _text(r.get("name")) or _text(r["address"]), "rows": rows}


def _street(r, ctx, lang):
    label = local_name(r, lang)
    return {
        "label": label,
        "rows": [
            (_l("名称"), label),
            (_l("宽度"), _metres(float(r["width"]))),
            (_l("长度"), _metres(float(ctx["length"][r.name]), 0)),
        ],
    }


def _streetlight(r, ctx, lang):
    return {
        "label": f"{_l('路灯')} {r['id']}",
        "rows": [
            (_l("编号"), _text(r["id"])),
            (_l("状态"), value_label("status", r["status"])),
            (_l("灯具"), value_label("luminaire", r["luminaire"])),
            (_l("安装高度"), _metres(float(r["height"]))),
            (_l("功率"), f"{int(r['power'])} W"),
            (_l("安装日期"), _text(r["installed"])),
        ],
    }


def _facility(r, ctx, lang):
    label = local_name(r, lang)
    rows = [(_l("名称"), label), (_l("类型"), value_label("kind", r["kind"]))]
    if _text(r.get("address")):
        rows.append((_l("地址"), _text(r["address"])))
    return {"label": label, "rows": rows}


_ROWS = {
    "boundary": _boundary,
    "compounds": _compound,
    "buildings": _building,
    "roads": _street,
    "lanes": _street,
    "streetlights": _streetlight,
    "facilities": _facility,
}


def style(name: str, record: pd.Series) -> dict:
    """Leaflet path options for one feature."""
    if name == "boundary":
        return {"color": "#d1495b", "weight": 3, "fill": False}
    if name == "compounds":
        colour = TYPE_COLOURS.get(record["kind"], "#999999")
        return {"color": colour, "weight": 1.5, "dashArray": "4 3", "fillColor": colour, "fillOpacity": 0.12}
    if name == "buildings":
        colour = TYPE_COLOURS.get(record["type"], "#999999")
        return {"color": "#5b4a3a", "weight": 0.8, "fillColor": colour, "fillOpacity": 0.85}
    if name == "roads":
        return {"color": "#9aa0a6", "weight": max(4, min(14, float(record["width"]) / 2)), "opacity": 0.9}
    if name == "lanes":
        return {"color": "#7d6b5d", "weight": 2, "opacity": 0.9}
    if name == "streetlights":
        colour = LAMP_COLOURS.get(record["status"], "#5c5c5c")
        return {"radius": 4, "color": "#3d3d3d", "weight": 1, "fill": True, "fillColor": colour, "fillOpacity": 1}
    return {}


# Under a page's own overlays (issues, hot spots) the base layers step back: pale, thin, untappable.
BACKDROP_LAYERS = ("roads", "lanes", "compounds", "buildings", "boundary")


def backdrop_style(name: str, record: pd.Series) -> dict:
    """Leaflet path options for one feature drawn under a page's own data."""
    if name == "boundary":
        return {"color": "#d1495b", "weight": 2, "opacity": 0.6, "fill": False}
    if name == "compounds":
        return {"color": "#a39a8c", "weight": 1, "dashArray": "4 3", "fill": False}
    if name == "buildings":
        return {"color": "#c9c1b4", "weight": 0.6, "fillColor": "#ece7de", "fillOpacity": 0.9}
    if name == "roads":
        return {"color": "#e2ded6", "weight": max(4, min(14, float(record["width"]) / 2)), "opacity": 1}
    if name == "lanes":
        return {"color": "#d3c9bc", "weight": 1.5, "opacity": 1}
    return {}
