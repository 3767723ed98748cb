"""A tiny synthetic neighbourhood, built in tmp_path by the tests (no binary fixtures)."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from pyproj import Transformer
from shapely import LineString, Point, Polygon, box

# A point inside the real neighbourhood, in EPSG:4549 metres.
X0, Y0 = Transformer.from_crs(4326, 4549, always_xy=True).transform(121.4935, 31.2200)
METRIC = "EPSG:4549"


def at(dx: float, dy: float) -> Point:
    return Point(X0 + dx, Y0 + dy)


def square(dx: float, dy: float, size: float) -> Polygon:
    return box(X0 + dx, Y0 + dy, X0 + dx + size, Y0 + dy + size)


def bow_tie(dx: float, dy: float, size: float) -> Polygon:
    """A self-intersecting square: its ring crosses itself in the middle."""
    x, y = X0 + dx, Y0 + dy
    return Polygon([(x, y), (x + size, y + size), (x + size, y), (x, y + size)])


def line(*offsets: tuple[float, float]) -> LineString:
    return LineString([(X0 + dx, Y0 + dy) for dx, dy in offsets])


def frame(rows: dict, geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC)


def layers() -> dict[str, gpd.GeoDataFrame]:
    """One valid GeoDataFrame per schema layer, in EPSG:4549, all inside a 400 m box."""
    return {
        "boundary": frame(
            {"id": [1], "name": ["金坛路居民区"], "name_en": ["Jintan Road Neighbourhood"]},
            [square(-200, -200, 400)],
        ),
        "compounds": frame(
            {
                "id": ["C01", "C02"],
                "name": ["黄家路55弄", "集贤村"],
                "name_en": ["Lane 55 Huangjia Road", "Jixian Village"],
                "kind": ["售后公房", "历史保护"],
            },
            [square(-150, -150, 100), square(20, 20, 100)],
        ),
        "buildings": frame(
            {
                "id": ["B001", "B002"],
                "address": ["黄家路55弄1号", "金坛路35弄13号"],
                "name": [None, "居委会"],
                "compound": ["C01", "C02"],
                "type": ["售后公房", "公建"],
                "floors": [6, 2],
                "households": [40, 0],
                "year_built": [1985, 1930],
                "protected": [False, True],
            },
            [square(-140, -140, 20), square(30, 30, 15)],
        ),
        "roads": frame(
            {"id": [1], "name": ["乔家路"], "name_en": ["Qiaojia Road"], "width": [12.0]},
            [line((-400, 0), (400, 0), (450, 60))],
        ),
        "lanes": frame(
            {
                "id": [1],
                "name": ["黄家路55弄"],
                "name_en": [None],
                "compound": ["C01"],
                "width": [3.5],
            },
            [line((-145, -100), (-60, -100))],
        ),
        "streetlights": frame(
            {
                "id": ["L001", "L002"],
                "height": [4.0, 4.5],
                "power": [60, 60],
                "luminaire": ["cut-off", "semi-cut-off"],
                "status": ["working", "broken"],
                "installed": ["2020-05-01", "2020-05-01"],
            },
            [at(-120, -100), at(-90, -100)],
        ),
        "facilities": frame(
            {
                "id": ["F01"],
                "name": ["金坛路居委会"],
                "name_en": ["Jintan Road Residents' Committee"],
                "kind": ["committee_office"],
                "address": ["金坛路35弄13号"],
            },
            [at(35, 35)],
        ),
    }


def write(
    gdf: gpd.GeoDataFrame,
    path: Path,
    *,
    encoding: str = "UTF-8",
    cpg: bool = True,
    ldid: int | None = None,
) -> Path:
    """Write a layer; for shapefiles optionally drop the .cpg and set DBF byte 29."""
    options = {"encoding": encoding} if path.suffix == ".shp" else {}
    gdf.to_file(path, engine="pyogrio", **options)
    if path.suffix == ".shp":
        if not cpg:
            path.with_suffix(".cpg").unlink()
        if ldid is not None:
            set_ldid(path.with_suffix(".dbf"), ldid)
    return path


def set_ldid(dbf: Path, ldid: int) -> None:
    data = bytearray(dbf.read_bytes())
    data[29] = ldid
    dbf.write_bytes(bytes(data))


def write_dataset(data_dir: Path, overrides: dict[str, gpd.GeoDataFrame] | None = None) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, gdf in {**layers(), **(overrides or {})}.items():
        write(gdf, data_dir / f"{name}.shp")
    return data_dir
