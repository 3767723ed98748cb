"""The neighbourhood base map: every base layer on one Folium map."""
from __future__ import annotations

import folium
import geopandas as gpd
from flask_babel import gettext as _
from folium.utilities import JsCode

from geo.crs import rounded
from geo.gcj02 import shift_geometries_to_gcj02
from webmap.layer_display import (
    DISPLAY,
    FACILITY_STYLE,
    LAMP_COLOURS,
    TYPE_COLOURS,
    local_name,
    popup_rows,
    style,
)
from webmap.i18n import value_label
from webmap.map_elements import Legend, PageBinding
from webmap.tiles import TileProvider, add_tiles

BOUNDARY_PANE = "jt-boundary"


def build_base_map(
    layers: dict[str, gpd.GeoDataFrame],
    *,
    lang: str,
    tiles: TileProvider | None = None,
    tiles_key: str = "",
) -> folium.Map:
    """Layers are in EPSG:4326; they are shifted to GCJ-02 if the tiles need it."""
    if tiles is not None and tiles.gcj02:
        layers = {name: shift_geometries_to_gcj02(gdf) for name, gdf in layers.items()}
    m = folium.Map(
        location=_centre(layers["boundary"]),
        tiles=None,
        zoom_start=17,
        max_zoom=21,
        control_scale=True,
    )
    if tiles is not None:
        add_tiles(m, tiles, tiles_key)
    # The boundary runs along street centrelines: its own pane keeps it above the roads.
    folium.map.CustomPane(BOUNDARY_PANE, z_index=450).add_to(m)
    groups = {name: _geojson_layer(name, layers, lang).add_to(m) for name in DISPLAY}
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(_("图例"), _legend_sections()).add_to(m)
    PageBinding(
        groups,
        search_index(layers, lang),
        {"notFound": _("未找到，请换个写法，例如 黄家路55弄3号")},
    ).add_to(m)
    minx, miny, maxx, maxy = layers["boundary"].total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(10, 10))
    return m


def _centre(boundary: gpd.GeoDataFrame) -> list[float]:
    minx, miny, maxx, maxy = boundary.total_bounds
    return [(miny + maxy) / 2, (minx + maxx) / 2]


def feature_collection(name: str, layers: dict[str, gpd.GeoDataFrame], lang: str) -> dict:
    """The layer as GeoJSON carrying only what the page shows: label, popup rows, icon."""
    gdf = rounded(layers[name])
    shown = popup_rows(name, layers, lang)
    features = []
    for (index, record), display in zip(gdf.iterrows(), shown):
        properties = {
            "label": display["label"],
            "rows": [[str(label), value] for label, value in display["rows"]],
        }
        if name == "facilities":
            icon, colour = FACILITY_STYLE.get(record["kind"], ("circle-info", "cadetblue"))
            properties.update(icon=icon, colour=colour)
        features.append(
            {
                "type": "Feature",
                "id": f"{name}-{record['id']}",
                "geometry": record.geometry.__geo_interface__,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _geojson_layer(name: str, layers: dict[str, gpd.GeoDataFrame], lang: str) -> folium.GeoJson:
    gdf = layers[name]
    styles = {f"{name}-{r['id']}": style(name, r) for _, r in gdf.iterrows()}
    marker = None
    if name == "streetlights":
        marker = folium.CircleMarker(radius=4)
    elif name == "facilities":
        marker = folium.Marker(icon=folium.Icon(prefix="fa", icon="circle-info"))
    return folium.GeoJson(
        feature_collection(name, layers, lang),
        name=str(DISPLAY[name].title),
        style_function=(lambda f: styles[f["id"]]) if name != "facilities" else None,
        marker=marker,
        on_each_feature=JsCode(
            f"function (feature, layer) {{ JintanMap.bindFeature(feature, layer, {name!r}); }}"
        ),
        show=DISPLAY[name].show,
        pane=BOUNDARY_PANE if name == "boundary" else None,
    )


def search_index(layers: dict[str, gpd.GeoDataFrame], lang: str) -> list[dict]:
    """What the search box finds: building addresses and names, compounds, lanes, facilities."""
    entries: dict[tuple[str, str], list[str]] = {}

    def add(text, layer, feature_id):
        if isinstance(text, str) and text.strip():
            entries.setdefault((text.strip(), layer), []).append(f"{layer}-{feature_id}")

    for _i, r in layers["buildings"].iterrows():
        add(r["address"], "buildings", r["id"])
        add(r.get("name"), "buildings", r["id"])
    for layer in ("compounds", "facilities"):
        for _i, r in layers[layer].iterrows():
            add(r["name"], layer, r["id"])
            add(r.get("name_en"), layer, r["id"])
    for _i, r in layers["lanes"].iterrows():
        add(r["name"], "lanes", r["id"])
        add(r.get("name_en"), "lanes", r["id"])
    return [{"text": text, "layer": layer, "ids": ids} for (text, layer), ids in entries.items()]


def _legend_sections():
    return [
        (_("建筑类型"), [("box", colour, value_label("type", kind)) for kind, colour in TYPE_COLOURS.items()]),
        (
            _("线与边界"),
            [
                ("line", "#d1495b", _("居民区边界")),
                ("dash", "#7d6b5d", _("小区范围")),
                ("road", "#9aa0a6", _("道路")),
                ("line", "#7d6b5d", _("弄堂")),
            ],
        ),
        (
            _("路灯"),
            [("dot", colour, value_label("status", status)) for status, colour in LAMP_COLOURS.items()],
        ),
        (
            _("公共设施"),
            [(f"fa-{icon}", _AWESOME_COLOURS[colour], value_label("kind", kind))
             for kind, (icon, colour) in FACILITY_STYLE.items()],
        ),
    ]


_AWESOME_COLOURS = {  # awesome-markers' marker colours, for the legend's icons
    "red": "#d63e2a", "green": "#72b026", "darkgreen": "#728224", "purple": "#d252b9",
    "gray": "#575757", "blue": "#38aadd", "cadetblue": "#436978",
}
