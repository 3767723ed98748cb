"""The committed demo dataset (data/shapefiles) keeps its promises.

Reads the shapefiles as any user would (GeoPandas + pyogrio) and checks the
invariants data/build_dataset.py is meant to guarantee, plus that the build
regenerates the committed files byte for byte.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.ops import unary_union

from geo.network import count_components
from geo.schema import LAYERS

ROOT = Path(__file__).resolve().parents[2]
SHP = ROOT / "data" / "shapefiles"
OSM = ROOT / "data" / "sources" / "osm_streets_wgs84.geojson"
BUILD = ROOT / "data" / "build_dataset.py"
EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@pytest.fixture(scope="module")
def L():
    return {name: gpd.read_file(SHP / f"{name}.shp", engine="pyogrio") for name in LAYERS}


@pytest.fixture(scope="module")
def osm():
    """OSM centrelines and junction points from the repo's copy, in EPSG:4549."""
    tr = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
    lines, points = {}, {}
    for f in json.loads(OSM.read_text(encoding="utf-8"))["features"]:
        g = f["geometry"]
        if g["type"] == "LineString":
            lines[f["properties"]["name"]] = LineString([tr.transform(*c) for c in g["coordinates"]])
        else:
            points[f["properties"]["name"]] = Point(tr.transform(*g["coordinates"]))
    return lines, points


@pytest.fixture(scope="module")
def boundary(L):
    return L["boundary"].geometry.iloc[0]


@pytest.fixture(scope="module")
def network(L):
    return list(L["roads"].geometry) + list(L["lanes"].geometry)


def short_side(g):
    c = shapely.minimum_rotated_rectangle(g).exterior.coords
    return min(LineString(c[0:2]).length, LineString(c[1:3]).length)


# -------------------------------------------------------------- files, schema

@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_files_fields_and_crs(name, L):
    for ext in EXTS:
        assert (SHP / f"{name}{ext}").is_file(), f"{name}{ext} missing"
    assert (SHP / f"{name}.cpg").read_text().strip() == "UTF-8"
    info = pyogrio.read_info(SHP / f"{name}.shp")
    assert info["crs"] == "EPSG:4549"
    assert L[name].crs.to_epsg() == 4549
    schema = LAYERS[name]
    types = dict(zip(info["fields"], info["ogr_types"]))
    expected = {"str": "OFTString", "int": "OFTInteger", "bool": "OFTInteger",
                "float": "OFTReal", "date": "OFTDate"}
    for f in schema.fields:
        assert f.name in types, f"{name}.{f.name} missing"
        assert types[f.name] == expected[f.type], f"{name}.{f.name} is {types[f.name]}"
        col = L[name][f.name]
        if f.required:
            assert col.notna().all() and (col.astype(str) != "").all(), f"{name}.{f.name} empty"
        if f.choices:
            assert set(col.dropna()) <= set(f.choices), f"{name}.{f.name}: {set(col) - set(f.choices)}"
        if f.type == "bool":
            assert set(col) <= {0, 1}
    geom_types = set(L[name].geom_type)
    assert geom_types == {schema.geometry}, geom_types
    assert L[name].is_valid.all()
    ids = L[name][schema.id_field]
    assert ids.is_unique


def test_id_formats(L):
    assert L["compounds"]["id"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert L["buildings"]["id"].str.fullmatch(r"B\d{3}").all()
    assert L["streetlights"]["id"].str.fullmatch(r"L\d{3}").all()
    assert L["facilities"]["id"].str.fullmatch(r"F\d{2}").all()


# -------------------------------------------------------------------- boundary

def test_boundary_is_one_j_of_0111_km2(L, boundary):
    b = L["boundary"]
    assert len(b) == 1 and boundary.geom_type == "Polygon" and boundary.is_valid
    assert not boundary.interiors
    assert boundary.area == pytest.approx(111_000, rel=0.05)
    row = b.iloc[0]
    assert (row["id"], row["name"], row["name_en"]) == (1, "金坛路居民区", "Jintan Road Residential Area")
    # a J, not a rectangle: it fills well under its bounding box
    minx, miny, maxx, maxy = boundary.bounds
    assert boundary.area / ((maxx - minx) * (maxy - miny)) < 0.5


def test_boundary_follows_the_streets(boundary, osm):
    lines, pts = osm
    edge = boundary.exterior
    streets = ["巡道街", "中华路", "乔家路", "黄家路", "复兴东路(南侧车道)"]
    samples = [edge.interpolate(d) for d in np.arange(0, edge.length, 2.0)]
    far = [p for p in samples if min(p.distance(lines[s]) for s in streets) > 10]
    # only the hand-drawn west edge of the hook (lon 121.4900-121.4906) is off-street
    back = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
    lons = [back.transform(p.x, p.y)[0] for p in far]
    assert lons and all(121.4899 <= lon <= 121.4907 for lon in lons), (min(lons), max(lons))
    assert len(far) * 2.0 < 230

    def along(line, a, b, step=2.0, trim=15.0):
        lo, hi = sorted((line.project(a), line.project(b)))
        return [line.interpolate(d) for d in np.arange(lo + trim, hi - trim, step)]

    west = Point(boundary.bounds[0], boundary.centroid.y)
    zh = lines["中华路"]
    checks = {
        "巡道街": along(lines["巡道街"], pts["巡道街×乔家路"], pts["复兴东路×巡道街"]),
        "中华路": along(zh, pts["复兴东路×中华路"], pts["中华路×黄家路"]),
        "乔家路": along(lines["乔家路"], pts["巡道街×乔家路"],
                       lines["乔家路"].interpolate(lines["乔家路"].project(west))),
        "黄家路": along(lines["黄家路"], pts["中华路×黄家路"],
                       lines["黄家路"].interpolate(lines["黄家路"].project(west))),
        "复兴东路": along(lines["复兴东路(南侧车道)"], pts["复兴东路×巡道街"], pts["复兴东路×中华路"]),
    }
    for street, points in checks.items():
        assert len(points) > 10, street
        worst = max(p.distance(edge) for p in points)
        assert worst <= 10.0, f"{street} is {worst:.1f} m from the boundary"


# ----------------------------------------------------------------------- roads

def test_roads(L, osm, boundary):
    r = L["roads"].set_index("name")
    lines, _ = osm
    assert set(r.index) == set(lines) | {"金坛路"}
    assert len(L["roads"]) == 8
    for name, line in lines.items():
        # OSM geometry kept (永泰街's north end extended ~12 m to meet 乔家路)
        assert r.geometry[name].hausdorff_distance(line) < (13 if name == "永泰街" else 1.5), name
    widths = r["width"]
    assert widths["中华路"] > widths["巡道街"] > widths["永泰街"]
    assert ((widths >= 5) & (widths <= 30)).all()
    jt = r.geometry["金坛路"]
    ends = [Point(jt.coords[0]), Point(jt.coords[-1])]
    assert {min(("巡道街", "中华路"), key=lambda s: p.distance(r.geometry[s])) for p in ends} == {"巡道街", "中华路"}
    assert all(min(p.distance(r.geometry["巡道街"]), p.distance(r.geometry["中华路"])) < 1e-6 for p in ends)
    assert boundary.contains(jt.interpolate(0.5, normalized=True))


# ------------------------------------------------------------------- compounds

def test_compounds(L, boundary):
    c = L["compounds"]
    names = set(c["name"])
    for required in ("面筋弄", "集贤村", "黄家小区", "黄家路55弄", "黄家路88弄", "通达大厦", "南花苑"):
        assert required in names, required
    kinds = dict(zip(c["name"], c["kind"]))
    assert kinds["面筋弄"] == "旧里" and kinds["集贤村"] == "历史保护"
    assert kinds["黄家小区"] == kinds["黄家路55弄"] == "售后公房"
    assert kinds["黄家路88弄"] in ("售后公房", "旧里")
    assert kinds["通达大厦"] == "商住楼" and kinds["南花苑"] == "商品房"
    geoms = list(c.geometry)
    for g, cid in zip(geoms, c["id"]):
        assert g.difference(boundary).area < 0.5, cid
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 0.5, (c["id"][i], c["id"][j])
    carriageways = unary_union([g.buffer(w / 2) for g, w in zip(L["roads"].geometry, L["roads"]["width"])])
    for g, cid in zip(geoms, c["id"]):
        assert g.intersection(carriageways).area < 0.5, f"{cid} is on a road"
    built = boundary.difference(carriageways)
    assert unary_union(geoms).area / built.area > 0.85


def test_compounds_where_the_brief_puts_them(L, boundary, osm):
    lines, pts = osm
    c = L["compounds"].set_index("id")
    tongda = c.geometry["tongda"].centroid
    assert tongda.distance(pts["复兴东路×中华路"]) < 80
    # 55弄 and 88弄: eastern half of the hook, by 黄家路
    hook_west, hook_east = boundary.bounds[0], pts["中华路×黄家路"].x
    for cid in ("hjl55", "hjl88"):
        g = c.geometry[cid]
        assert g.centroid.x > (hook_west + hook_east) / 2, cid
        assert g.distance(lines["黄家路"]) < 8, cid
        assert g.centroid.y < pts["巡道街×乔家路"].y, cid


# ------------------------------------------------------------------- buildings

def test_buildings(L):
    b = L["buildings"]
    assert len(b) >= 80
    assert b["id"].is_unique and b["address"].is_unique
    comp = L["compounds"].set_index("id").geometry
    assert set(b["compound"]) <= set(comp.index)
    for g, cid, addr in zip(b.geometry, b["compound"], b["address"]):
        assert comp[cid].buffer(1e-6).contains(g), f"{addr} not within {cid}"
    geoms = list(b.geometry)
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right):
        if i < j:
            assert geoms[i].intersection(geoms[j]).area < 1e-6, (b["address"][i], b["address"][j])
    assert b["address"].str.fullmatch(r"[\u4e00-\u9fff]+(\d+弄)?\d+号").all()
    assert "金坛路35弄13号" in set(b["address"])
    assert 2950 <= b["households"].sum() <= 3200
    assert ((b["year_built"] >= 1900) & (b["year_built"] <= 2024)).all()


def test_building_fabric(L):
    b = L["buildings"]
    t = b["type"]  # not b.type: GeoDataFrame.type is the geometry type
    old = b[t.isin(["旧里", "历史保护"])]
    assert old["floors"].between(2, 3).all()
    assert all(8 <= short_side(g) <= 12 for g in old.geometry)  # row depth
    assert b[t == "售后公房"]["floors"].between(5, 6).all()
    tongda = b[b["name"] == "通达大厦"]
    assert len(tongda) == 1 and tongda["floors"].iloc[0] >= 20
    assert (b["protected"] == (b["compound"] == "jixian").astype(int)).all()
    assert (b.loc[t != "公建", "households"] > 0).all()


def test_lane_55_blocks(L):
    b = L["buildings"]
    b55 = b[b["compound"] == "hjl55"]
    assert sorted(b55["address"]) == sorted(f"黄家路55弄{i}号" for i in range(1, 7))
    assert 225 <= b55["households"].sum() <= 235
    assert (b55["floors"].between(5, 6)).all()


# ----------------------------------------------------------------------- lanes

def test_lanes_and_roads_are_one_network(L, network):
    assert count_components(network) == 1
    lanes = L["lanes"]
    net = list(L["roads"].geometry) + list(lanes.geometry)
    for i, g in enumerate(lanes.geometry):
        others = unary_union(net[:len(L["roads"])] + [h for k, h in enumerate(lanes.geometry) if k != i])
        ends = [Point(g.coords[0]), Point(g.coords[-1])]
        # every lane is attached: at least one end exactly on a road or lane
        assert min(p.distance(others) for p in ends) < 1e-6, lanes["name"][i]
    assert lanes["width"].between(1.5, 6).all()
    assert len(lanes) >= 40


def test_buildings_reach_a_lane_and_lanes_miss_buildings(L, network):
    net = unary_union(network)
    blds = unary_union(list(L["buildings"].geometry))
    for g, addr in zip(L["buildings"].geometry, L["buildings"]["address"]):
        assert g.distance(net) <= 4.0, addr
    for g, name in zip(L["lanes"].geometry, L["lanes"]["name"]):
        assert not g.intersects(blds), f"lane {name} crosses a building"


def test_lane_55_reaches_all_six_blocks(L):
    lanes55 = unary_union(list(L["lanes"][L["lanes"]["compound"] == "hjl55"].geometry))
    assert set(L["lanes"][L["lanes"]["compound"] == "hjl55"]["name"]) == {"黄家路55弄"}
    b55 = L["buildings"][L["buildings"]["compound"] == "hjl55"]
    assert all(g.distance(lanes55) <= 4.0 for g in b55.geometry)


# ----------------------------------------------------------------- streetlights

def test_streetlights(L, network):
    s = L["streetlights"]
    net = unary_union(network)
    assert all(p.distance(net) <= 1.5 for p in s.geometry)
    assert s["height"].between(3, 6).all() and s["power"].between(30, 100).all()
    assert 3 <= (s["status"] == "broken").sum() <= 6
    mix = s["luminaire"].value_counts()
    assert mix.get("non-cut-off", 0) >= 1
    assert mix.get("non-cut-off", 0) < 0.1 * len(s)
    inst = pd.to_datetime(s["installed"])
    assert inst.min() >= pd.Timestamp("2005-01-01") and inst.max() <= pd.Timestamp("2022-12-31")


WORKS_DAY = pd.Timestamp("2020-05-28")  # 黄家路55弄路灯实事工程 completed (store/demo_projects.py)


def test_no_lamps_by_lane_55_before_the_works(L):
    lanes55 = unary_union(list(L["lanes"][L["lanes"]["compound"] == "hjl55"].geometry))
    s = L["streetlights"]
    before = s[pd.to_datetime(s["installed"]) < WORKS_DAY]
    assert len(before) == 234
    assert (pd.to_datetime(before["installed"]) < pd.Timestamp("2018-01-01")).all()  # before the survey
    assert min(p.distance(lanes55) for p in before.geometry) >= 8.0


def test_the_2020_works_lit_all_of_lane_55(L):
    from geo.lighting import lighting_gaps

    s = L["streetlights"]
    works = s[pd.to_datetime(s["installed"]) == WORKS_DAY]
    assert list(works["id"]) == [f"L{n}" for n in range(235, 246)]
    assert (works["status"] == "working").all() and works["removed"].isna().all()
    lanes55 = unary_union(list(L["lanes"][L["lanes"]["compound"] == "hjl55"].geometry))
    assert all(p.distance(lanes55) < 0.01 for p in works.geometry)
    area = L["compounds"][L["compounds"]["id"] == "hjl55"]
    assert lighting_gaps(L["lanes"], s, area, roads=L["roads"]).lit_share == pytest.approx(1.0)
    before = s[pd.to_datetime(s["installed"]) < WORKS_DAY]
    assert lighting_gaps(L["lanes"], before, area, roads=L["roads"]).lit_share == 0.0


def test_nothing_is_removed_and_dated_facilities_came_with_the_renewal(L):
    assert L["streetlights"]["removed"].isna().all() and L["facilities"]["removed"].isna().all()
    f = L["facilities"].set_index("kind")
    dated = f[f["installed"].notna()]
    assert sorted(dated.index) == ["pocket_park", "service_station"]
    assert (pd.to_datetime(dated["installed"]) == pd.Timestamp("2019-09-20")).all()


def test_the_shipped_dataset_passes_layers_check_with_no_error():
    from geo.dataset import check_dataset

    reports = check_dataset(SHP)
    assert all(r.ok for r in reports.values()), {n: r.errors for n, r in reports.items() if not r.ok}
    assert not any(r.repairs for r in reports.values())


@pytest.mark.parametrize("crs, decimals", [("EPSG:4326", 7), ("EPSG:4549", 3)])
def test_every_geometry_is_valid_at_the_published_precision(L, crs, decimals):
    for name, gdf in L.items():
        published = shapely.transform(gdf.to_crs(crs).geometry.values, lambda xy: np.round(xy, decimals))
        bad = gdf[LAYERS[name].id_field][~shapely.is_valid(published)]
        assert bad.empty, f"{name}: {list(bad)} invalid in {crs}"


def test_the_build_refuses_a_geometry_invalid_once_rounded():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dataset_under_test", BUILD)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    # a rectangle with a zero-width spike out along its south edge, its corner 1 µm off that edge
    spiked = shapely.Polygon([(0, 0), (40, 0), (20, 1e-6), (20, 30), (0, 30)])
    assert spiked.is_valid
    origin = (642257.5821568386, 3456200.560379263)
    with pytest.raises(build.BuildError, match=r"compounds huangjia: invalid once rounded to \d decimals in EPSG:"):
        build.check_published_precision("compounds", [dict(geom=spiked, id="huangjia")], origin)
    build.check_published_precision("compounds", [dict(geom=shapely.box(0, 0, 40, 30), id="huangjia")], origin)


def test_lamp_spacing_and_gaps(L):
    s = L["streetlights"]
    pts = list(s.geometry)
    tree = STRtree(pts)
    nn = [min(pts[j].distance(p) for j in tree.query(p.buffer(60)) if pts[j] is not p) for p in pts]
    assert 10 <= statistics.median(nn) <= 22
    # gaps along lit lines: lanes other than 55弄 and the small streets
    lanes = L["lanes"]
    lit = list(lanes[lanes["compound"] != "hjl55"].geometry)
    roads = L["roads"].set_index("name").geometry
    lit += [roads[n] for n in ("巡道街", "乔家路", "黄家路", "永泰街", "金坛路")]
    gaps = []
    for g in lit:
        ch = sorted(g.project(p) for p in pts if p.distance(g) <= 1.5)
        gaps += [b - a for a, b in zip(ch, ch[1:]) if b - a > 30]
    assert 2 <= len(gaps) <= 4, gaps
    assert max(gaps) <= 60


# ------------------------------------------------------------------ facilities

def test_facilities(L, boundary):
    f = L["facilities"]
    assert all(boundary.contains(p) for p in f.geometry)
    kinds = f["kind"].value_counts()
    assert kinds["committee_office"] == 1 and kinds["pocket_park"] == 1
    assert kinds["service_station"] == 1 and kinds["activity_room"] == 1
    assert 5 <= kinds["garbage_room"] <= 8 and 3 <= kinds["parking"] <= 6
    b = L["buildings"].set_index("address")
    office = f[f["kind"] == "committee_office"].iloc[0]
    assert office["address"] == "金坛路35弄13号"
    assert b.geometry["金坛路35弄13号"].buffer(0.5).contains(office.geometry)
    comp = L["compounds"].set_index("id").geometry
    park = f[f["kind"] == "pocket_park"].geometry.iloc[0]
    station = f[f["kind"] == "service_station"].geometry.iloc[0]
    assert comp["mianjin"].contains(park) and comp["mianjin"].contains(station)
    assert park.distance(station) < 20
    room = f[f["kind"] == "activity_room"].iloc[0]
    assert comp["hjl88"].contains(room.geometry) and room["address"].startswith("黄家路88弄")
    blds = unary_union(list(L["buildings"].geometry))
    for kind in ("pocket_park", "service_station", "garbage_room", "parking"):
        assert not any(blds.contains(p) for p in f[f["kind"] == kind].geometry), kind


# ---------------------------------------------------------------- determinism

def test_build_regenerates_the_committed_files(tmp_path):
    out = tmp_path / "shp"
    run = subprocess.run([sys.executable, str(BUILD), "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    for name in LAYERS:
        for ext in EXTS:
            made = (out / f"{name}{ext}").read_bytes()
            assert made == (SHP / f"{name}{ext}").read_bytes(), f"{name}{ext} differs"
