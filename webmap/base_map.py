"""The neighbourhood base map: every base layer on one Folium map, or toned down under a page's own overlays."""
from __future__ import annotations

import folium
import geopandas as gpd
from flask_babel import gettext as _
from folium.utilities import JsCode

from geo.crs import rounded
from geo.gcj02 import shift_geometries_to_gcj02, wgs84_to_gcj02
from webmap.layer_display import (
    BACKDROP_LAYERS,
    DISPLAY,
    FACILITY_FALLBACK,
    FACILITY_STYLE,
    LAMP_COLOURS,
    TYPE_COLOURS,
    backdrop_style,
    popup_rows,
    style,
)
from webmap.i18n import value_label
from webmap.map_assets import use_page_assets
from webmap.map_elements import Legend, PageBinding
from webmap.tiles import TileProvider, add_tiles

BOUNDARY_PANE = "jt-boundary"
MAX_ZOOM = 21


def build_base_map(
    layers: dict[str, gpd.GeoDataFrame],
    *,
    lang: str,
    tiles: TileProvider | None = None,
    tiles_key: str = "",
) -> folium.Map:
    """Layers are in EPSG:4326; they are shifted to GCJ-02 if the tiles need it."""
    layers = _for_tiles(layers, tiles)
    m = use_page_assets(_empty_map(layers, tiles, tiles_key), icons=False)
    groups = {name: _geojson_layer(name, layers, lang).add_to(m) for name in DISPLAY}
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    Legend(_("图例"), _legend_sections()).add_to(m)
    PageBinding(
        groups,
        search_index(layers, lang),
        {"notFound": _("未找到，请换个写法，例如 黄家路55弄3号")},
    ).add_to(m)
    return m


def build_backdrop_map(
    layers: dict[str, gpd.GeoDataFrame],
    *,
    tiles: TileProvider | None = None,
    tiles_key: str = "",
) -> folium.Map:
    """The base layers toned down and untappable, as one group, for a page to draw its own data over.

    The caller adds its overlays, then a LayerControl, and its script fits the map to
    `home_bounds` once it has laid out the page around the map.
    """
    layers = _for_tiles(layers, tiles)
    # Folium gives max_zoom to its default tiles only; Leaflet.markercluster needs the map's own.
    m = use_page_assets(_empty_map(layers, tiles, tiles_key, fit=False, maxZoom=MAX_ZOOM), icons=True)
    backdrop = folium.FeatureGroup(name=_("底图")).add_to(m)
    for name in BACKDROP_LAYERS:
        _backdrop_layer(name, layers).add_to(backdrop)
    return m


def display_shift(layers: dict[str, gpd.GeoDataFrame], tiles: TileProvider | None) -> dict | None:
    """How a page's script moves WGS84 points onto GCJ-02 tiles, or None when the tiles need no shift.

    The shift at the neighbourhood's centre and its first derivatives: over the neighbourhood and
    300 m around it this linear form stays within 5 cm of geo.gcj02 (tests/webmap/test_issue_pages.py).
    """
    if tiles is None or not tiles.gcj02:
        return None
    lat0, lon0 = _centre(layers["boundary"])
    step = 1e-4
    x0, y0 = wgs84_to_gcj02(lon0, lat0)
    xe, ye = wgs84_to_gcj02(lon0 + step, lat0)
    xn, yn = wgs84_to_gcj02(lon0, lat0 + step)
    return {
        "origin": [lon0, lat0],
        "offset": [x0 - lon0, y0 - lat0],
        # d(shifted)/d(lon), d(shifted)/d(lat), shifted = (lon, lat) + offset + jacobian . (p - origin)
        "jacobian": [[(xe - x0) / step - 1, (xn - x0) / step], [(ye - y0) / step, (yn - y0) / step - 1]],
    }


def home_bounds(layers: dict[str, gpd.GeoDataFrame], tiles: TileProvider | None) -> list[list[float]]:
    """The neighbourhood's [[south, west], [north, east]] on the map (shifted if the tiles need it)."""
    minx, miny, maxx, maxy = _for_tiles({"boundary": layers["boundary"]}, tiles)["boundary"].total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _for_tiles(layers: dict[str, gpd.GeoDataFrame], tiles: TileProvider | None) -> dict[str, gpd.GeoDataFrame]:
    if tiles is not None and tiles.gcj02:
        return {name: shift_geometries_to_gcj02(gdf) for name, gdf in layers.items()}
    return layers


def _empty_map(
    layers: dict[str, gpd.GeoDataFrame], tiles: TileProvider | None, tiles_key: str, *, fit: bool = True, **options
) -> folium.Map:
    m = folium.Map(
        location=_centre(layers["boundary"]),
        tiles=None,
        zoom_start=17,
        max_zoom=MAX_ZOOM,
        control_scale=True,
        **options,
    )
    if tiles is not None:
        add_tiles(m, tiles, tiles_key)
    # The boundary runs along street centrelines: its own pane keeps it above the roads.
    folium.map.CustomPane(BOUNDARY_PANE, z_index=450).add_to(m)
    if fit:
        m.fit_bounds(home_bounds(layers, None), padding=(10, 10))  # layers are already on the tiles' datum
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
            properties.update(colour=FACILITY_STYLE.get(record["kind"], FACILITY_FALLBACK))
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
        marker = folium.Marker(icon=folium.DivIcon(class_name="jt-facility", icon_size=(28, 36), icon_anchor=(14, 36)))
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


def _backdrop_layer(name: str, layers: dict[str, gpd.GeoDataFrame]) -> folium.GeoJson:
    gdf = rounded(layers[name])
    styles = {f"{name}-{r['id']}": backdrop_style(name, r) for _, r in gdf.iterrows()}
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f"{name}-{r['id']}", "geometry": r.geometry.__geo_interface__, "properties": {}}
            for _, r in gdf.iterrows()
        ],
    }
    return folium.GeoJson(
        shapes,
        style_function=lambda f: styles[f["id"]],
        control=False,
        interactive=False,
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
            [("marker", colour, value_label("kind", kind)) for kind, colour in FACILITY_STYLE.items()],
        ),
    ]
