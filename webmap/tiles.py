"""Background tile providers. `none` draws only our own layers and works offline."""
from __future__ import annotations

from dataclasses import dataclass

import folium


@dataclass(frozen=True)
class TileProvider:
    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    hosts: tuple[str, ...] = ()
    gcj02: bool = False  # tiles drawn in GCJ-02: our WGS84 geometry must be shifted
    max_native_zoom: int = 19


PROVIDERS = {
    "osm": TileProvider(
        "osm",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
        hosts=("tile.openstreetmap.org",),
    ),
    "gaode": TileProvider(
        "gaode",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi",
        subdomains="1234",
        hosts=tuple(f"webrd0{i}.is.autonavi.com" for i in range(1, 5)),
        gcj02=True,
        max_native_zoom=18,
    ),
    "tianditu": TileProvider(
        "tianditu",
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "&copy; 天地图 Tianditu",
        subdomains="01234567",
        hosts=tuple(f"t{i}.tianditu.gov.cn" for i in range(8)),
        max_native_zoom=18,
    ),
}


def provider(name: str) -> TileProvider | None:
    return PROVIDERS.get(name)


def add_tiles(m: folium.Map, tiles: TileProvider, key: str = "") -> None:
    folium.TileLayer(
        tiles=tiles.url.replace("{key}", key),
        attr=tiles.attribution,
        name=tiles.name,
        subdomains=tiles.subdomains,
        max_native_zoom=tiles.max_native_zoom,
        max_zoom=21,
        control=False,
    ).add_to(m)
