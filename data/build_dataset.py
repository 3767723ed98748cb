#!/usr/bin/env python
"""Build the 金坛路居民区 demo base layers as ESRI Shapefiles in EPSG:4549.

    .venv/bin/python data/build_dataset.py [--out DIR]
        [--svg FILE [--svg-window X0,Y0,X1,Y1]] [--stats] [--no-check]

--svg writes a preview (open it in a browser) with a grid in the local
coordinates that data/sources/drawn.py uses; --stats prints per-compound
figures and the lamp gaps; --no-check reports failed checks instead of
stopping (for working on drawn.py).

Inputs (all inside the repo):
  data/sources/osm_streets_wgs84.geojson  street centrelines from OpenStreetMap
                                          (© OpenStreetMap contributors, ODbL)
  data/sources/drawn.py                   hand-drawn, documented inputs
                                          (hook edge, 金坛路, compounds, layout
                                          rules, facilities, lamp rules)
  geo/schema.py                           the layer/field contract

Output: one shapefile set (.shp .shx .dbf .prj .cpg, UTF-8) per layer in
geo.schema.LAYERS.  The build is deterministic (fixed seeds, fixed DBF header
date): rerunning it gives byte-identical files.  It checks the dataset's
invariants before writing and stops with a message if one fails.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sys
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.ops import polygonize, substring, unary_union

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
from geo.network import count_components  # noqa: E402
from geo.published_precision import invalid_when_published  # noqa: E402
from geo.schema import LAYERS  # noqa: E402

OSM_STREETS = HERE / "sources" / "osm_streets_wgs84.geojson"
DRAWN = HERE / "sources" / "drawn.py"
DEFAULT_OUT = HERE / "shapefiles"
CRS = "EPSG:4549"
# Written into every DBF header instead of today's date, so reruns are
# byte-identical.
DBF_DATE = "2024-06-30"

TARGET_AREA_M2 = 111_000.0
# about 8,000 registered residents at 2.6 persons per household
HOUSEHOLDS = (2950, 3200)
SETBACK = 1.0          # buildings keep this far inside their compound
CLEAR = 0.75           # minimum gap between a lane's edge and a building
ENTRANCE_REACH = 4.0   # every building within this distance of a lane/road
NODE_TOL = 0.5         # node matching tolerance for network connectivity
FRONTAGE_REACH = 14.0  # street-end buildings this close to the street


def load_drawn():
    spec = importlib.util.spec_from_file_location("drawn", DRAWN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


D = load_drawn()


class BuildError(RuntimeError):
    pass


STRICT = True    # --no-check turns failed checks into printed notes
VERBOSE = False  # --stats also prints notes


def check(cond, msg):
    if not cond:
        if STRICT:
            raise BuildError(msg)
        print(f"  CHECK FAILED: {msg}")


def note(msg):
    if VERBOSE:
        print(f"  note: {msg}")


# --------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------

def points_of(geom):
    if geom.is_empty:
        return []
    if isinstance(geom, Point):
        return [geom]
    if isinstance(geom, MultiPoint):
        return list(geom.geoms)
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, Point):
            out.append(g)
        elif isinstance(g, LineString):  # collinear overlap: use its ends
            out.extend([Point(g.coords[0]), Point(g.coords[-1])])
    return out


def largest_polygon(geom):
    if geom.geom_type == "Polygon":
        return geom, 0.0
    parts = sorted(getattr(geom, "geoms", []), key=lambda g: -g.area)
    parts = [p for p in parts if p.geom_type == "Polygon"]
    if not parts:
        return Polygon(), 0.0
    return parts[0], sum(p.area for p in parts[1:])


def insert_vertex(line: LineString, pt: Point, tol=1e-6) -> LineString:
    """Return line with pt inserted as a vertex (pt must lie on the line)."""
    coords = list(line.coords)
    p = (pt.x, pt.y)
    for c in coords:
        if math.hypot(c[0] - p[0], c[1] - p[1]) < 1e-9:
            return line
    best, best_i = None, None
    for i in range(len(coords) - 1):
        d = LineString(coords[i:i + 2]).distance(pt)
        if best is None or d < best:
            best, best_i = d, i
    if best > tol:
        raise BuildError(f"vertex {p} is {best:.3g} m off the line")
    coords.insert(best_i + 1, p)
    return LineString(coords)


def rect(ua, ub, va, vb, to_xy):
    return Polygon([to_xy(ua, va), to_xy(ub, va), to_xy(ub, vb), to_xy(ua, vb)])


def frame(anchor, angle_deg):
    ax, ay = anchor
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)

    def to_xy(u, v):
        return (ax + u * c - v * s, ay + u * s + v * c)

    def to_uv(x, y):
        dx, dy = x - ax, y - ay
        return (dx * c + dy * s, -dx * s + dy * c)

    return to_xy, to_uv


def point_along(line: LineString, dist: float, side: float) -> Point:
    """Point at `dist` along line, shifted `side` metres to the left."""
    dist = min(max(dist, 0.0), line.length)
    p = line.interpolate(dist)
    a = line.interpolate(max(dist - 0.5, 0.0))
    b = line.interpolate(min(dist + 0.5, line.length))
    dx, dy = b.x - a.x, b.y - a.y
    n = math.hypot(dx, dy) or 1.0
    return Point(p.x - dy / n * side, p.y + dx / n * side)


# --------------------------------------------------------------------------
# streets and boundary
# --------------------------------------------------------------------------

class Road:
    def __init__(self, name, name_en, geom, width):
        self.name, self.name_en, self.geom, self.width = name, name_en, geom, width


def load_streets():
    data = json.loads(OSM_STREETS.read_text(encoding="utf-8"))
    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    ox, oy = tr.transform(*D.ORIGIN_WGS84)
    lines = {}
    for f in data["features"]:
        if f["geometry"]["type"] != "LineString":
            continue
        pts = []
        for lon, lat in f["geometry"]["coordinates"]:
            x, y = tr.transform(lon, lat)
            pts.append((x - ox, y - oy))
        lines[f["properties"]["name"]] = (f["properties"]["name_en"],
                                          LineString(pts))
    return (ox, oy), lines


def build_roads(lines):
    roads = {}
    for name, (name_en, geom) in lines.items():
        roads[name] = Road(name, name_en, geom, D.ROAD_WIDTHS[name])

    # 永泰街: extend the north end along its own direction to 乔家路.
    yt, qj = roads["永泰街"], roads["乔家路"]
    if D.EXTEND_YONGTAI_TO_QIAOJIA:
        (x0, y0), (x1, y1) = yt.geom.coords[0], yt.geom.coords[1]
        dx, dy = x0 - x1, y0 - y1
        n = math.hypot(dx, dy)
        ray = LineString([(x0, y0), (x0 + dx / n * 50, y0 + dy / n * 50)])
        hits = points_of(ray.intersection(qj.geom))
        check(hits, "永泰街 extension does not reach 乔家路")
        hit = min(hits, key=lambda p: p.distance(Point(x0, y0)))
        yt.geom = LineString([(hit.x, hit.y)] + list(yt.geom.coords)[1:])
    # 永泰街 south end and 黄家路 east end: snap onto the street they meet
    # (both are within 2 m in OSM).
    for road, other, end in (("永泰街", "黄家路", -1), ("黄家路", "中华路", -1)):
        g, o = roads[road].geom, roads[other].geom
        p = Point(g.coords[end])
        check(p.distance(o) < 2.0, f"{road} end is {p.distance(o):.1f} m from {other}")
        q = o.interpolate(o.project(p))
        coords = list(g.coords)
        coords[end] = (q.x, q.y)
        roads[road].geom = LineString(coords)

    # 金坛路 (hand-drawn): cut between 巡道街 and 中华路.
    jt = LineString(D.JINTAN_ROAD)
    cuts = []
    for other in ("巡道街", "中华路"):
        hits = points_of(jt.intersection(roads[other].geom))
        check(len(hits) == 1, f"金坛路 must cross {other} once")
        cuts.append((jt.project(hits[0]), hits[0]))
    (a, pa), (b, pb) = sorted(cuts, key=lambda t: t[0])
    mid = substring(jt, a, b)
    jt = LineString([(pa.x, pa.y)] + list(mid.coords)[1:-1] + [(pb.x, pb.y)])
    roads["金坛路"] = Road("金坛路", "Jintan Road", jt, D.ROAD_WIDTHS["金坛路"])
    return roads


def node_lines(records):
    """Insert shared vertices where lines meet, so that matching vertices
    within NODE_TOL turns roads + lanes into one network.

    records: objects with a .geom LineString.  Ends that touch another line
    become vertices of that line; crossings become vertices of both."""
    for i, r in enumerate(records):
        for j, o in enumerate(records):
            if i == j:
                continue
            for end in (r.geom.coords[0], r.geom.coords[-1]):
                p = Point(end)
                if o.geom.distance(p) < 1e-6:
                    o.geom = insert_vertex(o.geom, p)
    for i, r in enumerate(records):
        for o in records[i + 1:]:
            if not r.geom.crosses(o.geom):
                continue
            for p in points_of(r.geom.intersection(o.geom)):
                r.geom = insert_vertex(r.geom, p)
                o.geom = insert_vertex(o.geom, p)


def build_boundary(roads):
    edge = LineString(D.HOOK_WEST_EDGE)
    lines = [roads[n].geom for n in D.BOUNDARY_STREETS] + [edge]
    faces = list(polygonize(unary_union(lines)))
    check(len(faces) == 2, f"expected 2 faces (stroke + hook), got {len(faces)}")
    j = unary_union(faces)
    check(j.geom_type == "Polygon" and j.is_valid, "boundary is not one polygon")
    j = shapely.normalize(j)
    return j


# --------------------------------------------------------------------------
# compounds, buildings, lanes
# --------------------------------------------------------------------------

class Lane:
    def __init__(self, geom, name, name_en, compound, width, role):
        self.geom, self.name, self.name_en = geom, name, name_en
        self.compound, self.width, self.role = compound, width, role


def build_compounds(boundary, reserves):
    buildable = boundary.difference(reserves)
    taken = Polygon()
    out = []
    for c in D.COMPOUNDS:
        raw = Polygon(c["outline"]).intersection(buildable).difference(taken)
        poly, dropped = largest_polygon(raw)
        check(not poly.is_empty, f"compound {c['id']} is empty")
        if dropped > 1.0:
            note(f"compound {c['id']}: {dropped:.0f} m² of slivers dropped")
        poly = shapely.normalize(poly)
        out.append(poly)
        taken = unary_union([taken, poly])
    return out


def snap_start(points, road_geom):
    """Start a lane exactly on a street: where its first segment, extended,
    meets the street (nearest to the first point); else the nearest point."""
    (x0, y0), (x1, y1) = points[0], points[1]
    dx, dy = x0 - x1, y0 - y1
    n = math.hypot(dx, dy)
    ray = LineString([(x1, y1), (x0 + dx / n * 30, y0 + dy / n * 30)])
    hits = points_of(ray.intersection(road_geom))
    p0 = Point(x0, y0)
    if hits:
        q = min(hits, key=lambda p: p.distance(p0))
    else:
        q = road_geom.interpolate(road_geom.project(p0))
    return LineString([(q.x, q.y)] + [tuple(p) for p in points[1:]])


def layout_explicit(c, poly, L, roads):
    blds, lanes = [], []
    for b in L["buildings"]:
        to_xy, _ = frame(b["centre"], b["angle"])
        w, h = b["size"]
        geom = rect(-w / 2, w / 2, -h / 2, h / 2, to_xy)
        check(poly.buffer(-SETBACK).contains(geom),
              f"{b['address']} is not inside {c['id']}")
        blds.append(dict(geom=geom, address=b["address"], name=b.get("name", ""),
                         compound=c["id"], type=b["type"], floors=b["floors"],
                         households=b["households"],
                         year_built=b["year_built"], protected=0))
    for ln in L["lanes"]:
        geom = snap_start(ln["points"], roads[ln["road"]].geom)
        lanes.append(Lane(geom, ln["name"], ln["name_en"], c["id"],
                          ln["width"], "main"))
    return blds, lanes


def layout_rows(c, poly, L, roads, others, other_blds):
    """Lay terraced rows / slab blocks along branch lanes (see drawn.py)."""
    rng = np.random.default_rng(zlib.crc32(c["id"].encode()))
    to_xy, to_uv = frame(L["anchor"], L["angle"])
    uv = [to_uv(x, y) for x, y in poly.exterior.coords]
    umin, umax = min(p[0] for p in uv), max(p[0] for p in uv)
    vmax = max(p[1] for p in uv)
    inner = poly.buffer(-SETBACK)
    keep_out = unary_union([Polygon(p) for p in L.get("keep_out", [])])
    others_core = others.buffer(-0.05) if not others.is_empty else others

    mains = []
    for m in L["main_lanes"]:
        geom = snap_start(m["points"], roads[m["road"]].geom)
        check(not geom.intersects(others_core),
              f"main lane {m['name']} enters another compound")
        mains.append(Lane(geom, m["name"], m["name_en"], c["id"], m["width"],
                          "main"))
        mains[-1].order = -1

    # hand-placed buildings (e.g. a small public building) come first; rows
    # are packed around them
    extras = []
    for e in L.get("extra_buildings", []):
        fx, _ = frame(e["centre"], L["angle"])
        w, h = e["size"]
        g = rect(-w / 2, w / 2, -h / 2, h / 2, fx)
        check(inner.contains(g), f"{e['name']} is not inside {c['id']}")
        check(all(g.distance(m.geom) >= m.width / 2 + CLEAR for m in mains),
              f"{e['name']} is on a lane")
        extras.append(dict(geom=g, spec=e, row=-1, ua=0.0, lane=None))
    keep_out = unary_union([keep_out] + [x["geom"].buffer(CLEAR + 0.25)
                                         for x in extras])

    # bands across the rows
    lanes_v, rows_v = [], []
    v, i = 0.0, 0
    pat = L["pattern"]
    while v < vmax:
        kind, w = pat[i % len(pat)]
        if kind == "lane":
            lanes_v.append((v, v + w))
        elif kind == "row":
            rows_v.append((v, v + w))
        v += w
        i += 1

    def adjacent(row):
        lo, hi = row
        return [k for k, (a, b) in enumerate(lanes_v)
                if (0 <= lo - b <= 2.5) or (0 <= a - hi <= 2.5)]

    # free stretches of each row (inside the compound, clear of main lanes
    # and keep-out areas); buildings are packed into them, stretched to fill
    blen, bgap = L["bldg_len"], L["bldg_gap"]
    min_len = L.get("min_len", 0.6 * blen)
    allowed = inner.difference(unary_union(
        [m.geom.buffer(m.width / 2 + CLEAR) for m in mains] + [keep_out]))

    def u_intervals(v):
        ln = LineString([to_xy(umin - 10, v), to_xy(umax + 10, v)])
        out = []
        for g in getattr(ln.intersection(allowed), "geoms", [ln.intersection(allowed)]):
            if isinstance(g, LineString) and not g.is_empty:
                a = to_uv(*g.coords[0])[0]
                b = to_uv(*g.coords[-1])[0]
                out.append((min(a, b), max(a, b)))
        return sorted(out)

    def intersect(A, B):
        out = []
        for a0, a1 in A:
            for b0, b1 in B:
                lo_, hi_ = max(a0, b0), min(a1, b1)
                if hi_ > lo_:
                    out.append((lo_, hi_))
        return out

    urange = L.get("u_range")
    cands = []
    for ri, (lo, hi) in enumerate(rows_v):
        iv = [urange] if urange else [(umin - 10, umax + 10)]
        for t in (0.001, 0.25, 0.5, 0.75, 0.999):
            iv = intersect(iv, u_intervals(lo + t * (hi - lo)))
        for a, b in iv:
            a, b = a + 0.05, b - 0.05
            span = b - a
            if span < min_len:
                continue
            n = max(1, round((span + bgap) / (blen + bgap)))
            while n > 1 and (span - (n - 1) * bgap) / n < min_len:
                n -= 1
            length = min((span - (n - 1) * bgap) / n, 1.3 * blen)
            start = a + (span - (n * length + (n - 1) * bgap)) / 2
            for k in range(n):
                ua = start + k * (length + bgap)
                ub = ua + length
                g = rect(ua, ub, lo, hi, to_xy)
                if not allowed.contains(g):
                    continue
                cands.append(dict(geom=g, row=ri, ua=ua, ub=ub,
                                  adj=adjacent((lo, hi)), lane=None))

    connectors = [(m.geom, m) for m in mains]
    connectors += [(roads[r].geom, roads[r]) for r in L.get("connect_roads", [])]
    blockers = [r.geom for n, r in roads.items()
                if n not in L.get("connect_roads", [])]
    lane_names = list(L.get("lane_names", []))
    name_en = L.get("name_en", {})
    all_blds = unary_union([b["geom"] for b in cands + extras] + other_blds)
    branches = []
    for li, (lo, hi) in enumerate(lanes_v):
        vc = (lo + hi) / 2
        adj = sorted((b for b in cands if li in b["adj"]),
                     key=lambda b: b["ua"])
        if not adj:
            continue
        band = LineString([to_xy(umin - 400, vc), to_xy(umax + 400, vc)])
        cross = []
        for geom, ref in connectors:
            for p in points_of(band.intersection(geom)):
                cross.append((to_uv(p.x, p.y)[0], p, ref))
        cross.sort(key=lambda t: t[0])
        # clusters of buildings between consecutive crossings
        clusters = []
        for b in adj:
            key = sum(1 for cu, _, _ in cross if cu < b["ua"])
            if clusters and clusters[-1][0] == key:
                clusters[-1][1].append(b)
            else:
                clusters.append((key, [b]))
        for key, cl in clusters:
            options = []
            if key > 0:
                cu, p, ref = cross[key - 1]
                options.append((cl[0]["ua"] - cu, cu, p, ref, cl[-1]))
            if key < len(cross):
                cu, p, ref = cross[key]
                options.append((cu - cl[-1]["ub"], cu, p, ref, cl[0]))
            options.sort(key=lambda t: t[0])
            for _, cu, p, ref, far in options:
                far_u = (far["ua"] + far["ub"]) / 2
                seg = LineString([(p.x, p.y), to_xy(far_u, vc)])
                if seg.intersects(all_blds) or seg.intersects(others_core):
                    continue
                if any(seg.intersects(bk) for bk in blockers):
                    continue
                outside = seg.difference(poly).length
                # only the stretch across a street's reserve may lie outside
                limit = (0.5 if isinstance(ref, Lane)
                         else ref.width / 2 + D.ROAD_MARGIN + SETBACK + 2.5)
                if outside > limit:
                    continue
                if isinstance(ref, Lane):
                    nm, ne = ref.name, ref.name_en
                else:
                    check(li < len(lane_names) and lane_names[li],
                          f"{c['id']}: no name for branch lane {li} at v={vc:.1f}")
                    nm = lane_names[li] if li < len(lane_names) else f"{ref.name}?弄"
                    ne = name_en.get(nm) or lane_en(nm)
                lane = Lane(seg, nm, ne, c["id"], round(hi - lo, 1), "branch")
                lane.order = len(branches)
                branches.append(lane)
                lo_u, hi_u = sorted((cu, far_u))
                for b in cl:
                    mid = (b["ua"] + b["ub"]) / 2
                    if lo_u - 1e-6 <= mid <= hi_u + 1e-6 and b["lane"] is None:
                        b["lane"] = lane
                break
    for x in extras:
        lane = min(mains + branches, key=lambda ln: x["geom"].distance(ln.geom))
        check(x["geom"].distance(lane.geom) <= ENTRANCE_REACH - 0.5,
              f"{x['spec']['name']} is not by a lane")
        x["lane"] = lane
    # buildings touching a main lane directly
    for b in cands:
        if b["lane"] is None:
            for m in mains:
                if b["geom"].distance(m.geom) <= ENTRANCE_REACH - 0.5:
                    b["lane"] = m
                    break
    served = [b for b in cands if b["lane"] is not None] + extras
    # trim main lanes to their last junction / served building
    for m in mains:
        reach = 0.0
        for br in branches:
            p0 = Point(br.geom.coords[0])
            if p0.distance(m.geom) < 1e-6:
                reach = max(reach, m.geom.project(p0))
        for b in served:
            if b["lane"] is m:
                reach = max(reach, m.geom.project(b["geom"].centroid))
        if reach <= 0:
            note(f"main lane {m.name} serves nothing; dropped")
            m.geom = None
        elif reach < m.geom.length - 0.01:
            m.geom = substring(m.geom, 0, reach)

    lanes = [m for m in mains if m.geom is not None] + branches
    blds = []
    for b in served:
        blds.append(dict(geom=b["geom"], lane=b["lane"], spec=b.get("spec"),
                         sort=(b["lane"].order, b["row"], b["ua"])))
    blds.sort(key=lambda b: b["sort"])
    exp = L.get("expect_buildings")
    check(exp is None or len(blds) == exp,
          f"{c['id']}: {len(blds)} buildings, expected {exp}")
    fl_choices, fl_weights = L["floors"]
    hh_list = L.get("households")
    i = 0
    for b in blds:
        e = b.pop("spec")
        if e:
            b.update(compound=c["id"], type=e["type"], floors=e["floors"],
                     year_built=e["year_built"], households=e["households"],
                     protected=0, name=e["name"])
            continue
        floors = int(rng.choice(fl_choices, p=fl_weights))
        year = int(rng.integers(L["year"][0], L["year"][1] + 1))
        jitter = rng.uniform(0.85, 1.15)
        if hh_list:
            hh = hh_list[i]
        else:
            hh = max(2, round(b["geom"].area * floors / L["m2_per_household"] * jitter))
        b.update(compound=c["id"], type=c["kind"], floors=floors, year_built=year,
                 households=int(hh), protected=int(L["protected"]), name="")
        i += 1
    # addresses: numbered per lane name in lane order.  With "frontage",
    # the street-end building of a row of two or more facing a street gets a
    # street number instead (assigned later by number_frontage).
    counters = {}
    front = L.get("frontage")
    per_row = {}
    for b in blds:
        key = (id(b["lane"]), b["sort"][1])
        per_row[key] = per_row.get(key, 0) + 1
    for b in blds:
        b["frontage"] = None
        if (front and per_row[(id(b["lane"]), b["sort"][1])] >= 2
                and b["geom"].distance(roads[front].geom) <= FRONTAGE_REACH):
            b["frontage"] = front
            b["address"] = None
            continue
        nm = b["lane"].name
        counters[nm] = counters.get(nm, 0) + 1
        b["address"] = f"{nm}{counters[nm]}号"
    for b in blds:
        del b["lane"], b["sort"]
    return blds, lanes


def number_frontage(buildings, lanes, roads):
    """Street numbers for street-end buildings, in order along the street,
    even numbers, skipping the numbers of the lanes (弄) opening onto the
    street between them (so 巡道街12弄 sits between 巡道街10号 and 14号)."""
    for road, start in D.FRONTAGE_START.items():
        rg = roads[road].geom
        events = []
        for ln in lanes:
            m = re.fullmatch(rf"{road}(\d+)弄", ln.name)
            if m and Point(ln.geom.coords[0]).distance(rg) < 1e-6:
                events.append((rg.project(Point(ln.geom.coords[0])), int(m.group(1)), None))
        for b in buildings:
            if b.get("frontage") == road:
                events.append((rg.project(b["geom"].centroid), None, b))
        taken = {e[1] for e in events if e[1] is not None}
        cur = start - 2
        for _, lane_no, b in sorted(events, key=lambda e: e[0]):
            if b is None:
                cur = max(cur, lane_no)
                continue
            cur += 2
            while cur in taken:
                cur += 2
            b["address"] = f"{road}{cur}号"
    for b in buildings:
        check(b["address"], f"building {b['id']} has no address")
        b.pop("frontage", None)


def lane_en(name):
    """English name for a lane like 巡道街262弄 -> Lane 262, Xundao Street."""
    streets = {"巡道街": "Xundao Street", "乔家路": "Qiaojia Road",
               "黄家路": "Huangjia Road", "金坛路": "Jintan Road",
               "中华路": "Zhonghua Road"}
    for zh, en in streets.items():
        if name.startswith(zh) and name.endswith("弄"):
            return f"Lane {name[len(zh):-1]}, {en}"
    return ""


# --------------------------------------------------------------------------
# street lights and facilities
# --------------------------------------------------------------------------

def build_lamps(boundary, roads, lanes, buildings):
    rng = np.random.default_rng(D.LAMP_SEED)
    unlit = unary_union([ln.geom for ln in lanes
                         if ln.compound in D.UNLIT_COMPOUNDS])
    dark = [shapely.box(*z) for z in D.LAMP_DARK_ZONES]
    blds = unary_union([b["geom"] for b in buildings]).buffer(0.3)
    reach = boundary.buffer(D.LAMP_ROAD_REACH)
    lines = []  # (geom, kind, compound): streets first, then lanes
    for name in D.LAMP_ROADS:
        part = roads[name].geom.intersection(reach)
        for g in getattr(part, "geoms", [part]):
            if isinstance(g, LineString) and g.length > 5:
                lines.append((g, "road", ""))
    for ln in lanes:
        if ln.compound not in D.UNLIT_COMPOUNDS:
            lines.append((ln.geom, "lane", ln.compound))
    placed = []
    for geom, kind, comp in lines:
        n = max(1, round(geom.length / D.LAMP_SPACING))
        sp = geom.length / n
        off = D.LAMP_LANE_OFFSET if kind == "lane" else D.LAMP_ROAD_OFFSET
        for k in range(n):
            side = off if k % 2 == 0 else -off
            p = point_along(geom, (k + 0.5) * sp, side)
            if kind == "road" and not boundary.contains(p):
                p = point_along(geom, (k + 0.5) * sp, -side)  # inner kerb side
            if not unlit.is_empty and p.distance(unlit) < D.UNLIT_CLEARANCE:
                continue
            if any(z.contains(p) for z in dark):
                continue
            if p.intersects(blds):
                continue
            sep = D.LAMP_MIN_SEPARATION if kind == "lane" else D.LAMP_ROAD_SEPARATION
            if any(p.distance(q) < sep for q, _, _ in placed):
                continue
            placed.append((p, kind, comp))
    lamps = []
    for i, (p, kind, comp) in enumerate(placed):
        st = D.LAMP_STYLES[kind]
        height = float(rng.choice(st["height"]))
        power = int(rng.choice(st["power"]))
        lum = str(rng.choice(list(st["luminaire"]), p=list(st["luminaire"].values())))
        years = st["years"]
        if lum == "non-cut-off":  # old high-pressure sodium lanterns
            old = D.LAMP_STYLES["non-cut-off"]
            power = int(rng.choice(old["power"]))
            years = old["years"]
        start = np.datetime64(f"{years[0]}-01-01")
        days = (np.datetime64(f"{years[1]}-12-31") - start).astype(int)
        installed = start + np.timedelta64(int(rng.integers(0, days + 1)), "D")
        lamps.append(dict(geom=p, id=f"L{i + 1:03d}", height=height, power=power,
                          luminaire=lum, status="working", installed=installed,
                          removed=None))
    for i in sorted(rng.choice(len(lamps), D.LAMP_BROKEN_COUNT, replace=False)):
        lamps[int(i)]["status"] = "broken"
    for works in D.LAMP_WORKS:
        for x, y in works["at"]:
            lamps.append(dict(geom=Point(x, y), id=f"L{len(lamps) + 1:03d}",
                              height=works["height"], power=works["power"],
                              luminaire=works["luminaire"], status="working",
                              installed=np.datetime64(works["installed"]),
                              removed=None, works=works["works"]))
    return lamps


def build_facilities(buildings, lanes):
    by_addr = {b["address"]: b for b in buildings}
    by_name = {b["name"]: b for b in buildings if b["name"]}
    park = Polygon(D.POCKET_PARK)
    out = []
    for i, f in enumerate(D.FACILITIES):
        at = f["at"]
        address = f.get("address")
        if at[0] == "building":
            check(at[1] in by_addr, f"no building {at[1]} for {f['name']}")
            if at[1] not in by_addr:
                continue
            p = by_addr[at[1]]["geom"].centroid
        elif at[0] == "building_name":
            b = by_name[at[1]]
            p = b["geom"].centroid
            address = address or b["address"]
        elif at[0] == "park":
            c = park.centroid
            p = Point(c.x + at[1][0], c.y + at[1][1])
            check(park.contains(p), f"{f['name']} is outside the pocket park")
        elif at[0] == "lane":
            ln = next(l for l in lanes if l.name == at[1])
            p = point_along(ln.geom, at[2], at[3])
        elif at[0] == "xy":
            p = Point(at[1])
        else:
            raise BuildError(f"unknown facility placement {at}")
        out.append(dict(geom=p, id=f"F{i + 1:02d}", name=f["name"],
                        name_en=f["name_en"], kind=f["kind"],
                        address=address or "",
                        installed=f.get("installed"), removed=f.get("removed")))
    return out


def lamp_gaps(lamps, lines, min_gap=30.0):
    """Stretches longer than min_gap between consecutive lamps along a line.

    lines: (label, LineString).  A lamp counts for a line if it stands
    within 1.5 m of it.  Returns (label, from_m, to_m, length)."""
    pts = [lp["geom"] for lp in lamps]
    out = []
    for label, g in lines:
        ch = sorted(g.project(p) for p in pts if p.distance(g) <= 1.5)
        for a, b in zip(ch, ch[1:]):
            if b - a > min_gap:
                out.append((label, a, b, b - a))
    return out


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------

def validate(boundary, roads, compounds, buildings, lanes, lamps, facilities):
    check(boundary.is_valid, "boundary invalid")
    area = boundary.area
    check(abs(area - TARGET_AREA_M2) <= 0.05 * TARGET_AREA_M2,
          f"boundary area {area:.0f} m² is not 0.111 km² ±5 %")
    reserves = unary_union([r.geom.buffer(r.width / 2) for r in roads.values()])
    for cid, poly in compounds.items():
        check(poly.is_valid and poly.geom_type == "Polygon", f"{cid} invalid")
        check(poly.difference(boundary).area < 0.01, f"{cid} outside boundary")
        check(poly.intersection(reserves).area < 0.01, f"{cid} on a road")
    ids = list(compounds)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            check(compounds[a].intersection(compounds[b]).area < 0.5,
                  f"compounds {a} and {b} overlap")
    geoms = [b["geom"] for b in buildings]
    tree = STRtree(geoms)
    for i, b in enumerate(buildings):
        check(compounds[b["compound"]].contains(b["geom"]),
              f"{b['address']} outside {b['compound']}")
        for j in tree.query(b["geom"]):
            if j != i:
                check(b["geom"].intersection(geoms[j]).area == 0,
                      f"{b['address']} overlaps {buildings[j]['address']}")
    addrs = [b["address"] for b in buildings]
    check(len(set(addrs)) == len(addrs), "duplicate addresses")
    hh = sum(b["households"] for b in buildings)
    check(HOUSEHOLDS[0] <= hh <= HOUSEHOLDS[1],
          f"{hh} households, expected {HOUSEHOLDS[0]}-{HOUSEHOLDS[1]}")
    b55 = [b for b in buildings if b["compound"] == "hjl55"]
    h55 = sum(b["households"] for b in b55)
    check(len(b55) == 6 and 225 <= h55 <= 235,
          f"黄家路55弄: {len(b55)} blocks, {h55} households (want 6, 225-235)")
    check(sorted(b["address"] for b in b55)
          == sorted(f"黄家路55弄{i}号" for i in range(1, 7)), "55弄 addresses")
    check("金坛路35弄13号" in addrs, "no 金坛路35弄13号 (the committee office)")
    for ln in lanes:
        check(1.5 <= ln.width <= 6.0, f"lane {ln.name} is {ln.width} m wide")
    net = [r.geom for r in roads.values()] + [ln.geom for ln in lanes]
    n = count_components(net, NODE_TOL)
    check(n == 1, f"lanes + roads form {n} networks, not one")
    net_u = unary_union(net)
    allb = unary_union(geoms)
    for ln in lanes:
        check(not ln.geom.intersects(allb), f"lane {ln.name} crosses a building")
    for b in buildings:
        d = b["geom"].distance(net_u)
        check(d <= ENTRANCE_REACH, f"{b['address']} is {d:.1f} m from any lane")
    unlit = unary_union([ln.geom for ln in lanes if ln.compound in D.UNLIT_COMPOUNDS])
    for lp in lamps:
        check(lp["geom"].distance(net_u) <= 1.5, f"lamp {lp['id']} off the lines")
        if "works" in lp:
            check(lp["geom"].distance(unlit) <= 0.01,
                  f"lamp {lp['id']} of {lp['works']} is not on 55弄's lanes")
        else:
            check(lp["geom"].distance(unlit) >= 8.0, f"lamp {lp['id']} lights 55弄 before the works")
        check(lp["removed"] is None or lp["installed"] < lp["removed"],
              f"lamp {lp['id']} removed before it was installed")
    for f in facilities:
        check(boundary.contains(f["geom"]), f"{f['name']} outside the boundary")
        if f["kind"] in ("garbage_room", "parking", "pocket_park", "service_station"):
            check(not allb.contains(f["geom"]), f"{f['name']} inside a building")


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

def in_crs(records, origin):
    """The records' geometries in EPSG:4549 (local metres + the origin)."""
    ox, oy = origin
    return [shapely.transform(r["geom"], lambda c: c + np.array([ox, oy]))
            for r in records]


def check_published_precision(name, records, origin):
    """Every geometry stays valid once rounded as it is published (1e-7 degree
    in EPSG:4326, the millimetre in EPSG:4549): the check `layers check` and
    the app make when they read the files (geo/published_precision.py)."""
    geoms = gpd.GeoSeries(in_crs(records, origin), crs=CRS)
    for problem in invalid_when_published(geoms):
        check(False, problem.describe(name, records[problem.position]["id"]))


def write_layer(out_dir, name, records, origin):
    """Write one layer with pyogrio (the engine GeoPandas uses).

    pyogrio's raw writer is used rather than GeoDataFrame.to_file because
    only it can create a real DBF Date field (numpy datetime64[D]; pandas
    cannot hold day-precision datetimes, and a datetime64[s] column becomes
    a text field in a shapefile)."""
    schema = LAYERS[name]
    geoms = in_crs(records, origin)
    for g in geoms:
        check(g.geom_type == schema.geometry, f"{name}: {g.geom_type} geometry")
    data, fields = [], []
    for f in schema.fields:
        vals = [r.get(f.name) for r in records]
        if f.type == "str":
            arr = np.array(["" if v is None else str(v) for v in vals], dtype=object)
        elif f.type in ("int", "bool"):
            arr = np.array([int(v) for v in vals], dtype="int32")
        elif f.type == "float":
            arr = np.array([float(v) for v in vals], dtype="float64")
        elif f.type == "date":
            arr = np.array(vals, dtype="datetime64[D]")
        else:
            raise BuildError(f"unknown field type {f.type}")
        if f.choices:
            bad = set(arr) - set(f.choices)
            check(not bad, f"{name}.{f.name}: values {bad} not allowed")
        data.append(arr)
        fields.append(f.name)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        (out_dir / f"{name}.{ext}").unlink(missing_ok=True)
    pyogrio.raw.write(
        str(out_dir / f"{name}.shp"),
        shapely.to_wkb(np.array(geoms, dtype=object)),
        data, fields,
        driver="ESRI Shapefile", geometry_type=schema.geometry, crs=CRS,
        encoding="UTF-8", promote_to_multi=False,
        layer_options={"DBF_DATE_LAST_UPDATE": DBF_DATE, "SPATIAL_INDEX": "NO",
                       "RESIZE": "YES"},
    )
    check((out_dir / f"{name}.cpg").read_text().strip() == "UTF-8",
          f"{name}.cpg not written")


# --------------------------------------------------------------------------
# preview (SVG; convert with chromium --headless --screenshot to look at it)
# --------------------------------------------------------------------------

KIND_COLOURS = {"旧里": "#e8d9b5", "售后公房": "#c9dbe8", "商品房": "#d5e8c9",
                "历史保护": "#f0c8c0", "商住楼": "#ddd0ee"}


def write_svg(path, boundary, roads, compounds, comp_kind, buildings, lanes,
              lamps, facilities, window=None, sc=2.0):
    minx, miny, maxx, maxy = window or boundary.buffer(40).bounds
    W, H = (maxx - minx) * sc, (maxy - miny) * sc

    def tx(x, y):
        return f"{(x - minx) * sc:.1f},{(maxy - y) * sc:.1f}"

    def poly(g, style):
        d = " ".join("M" + " L".join(tx(*c) for c in ring.coords) + "Z"
                     for ring in [g.exterior, *g.interiors])
        return f'<path d="{d}" style="{style}"/>'

    def line(g, style):
        return f'<polyline points="{" ".join(tx(*c) for c in g.coords)}" style="{style}"/>'

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W:.0f}" height="{H:.0f}">',
           '<rect width="100%" height="100%" fill="white"/>']
    step = 20 if window else 100  # grid of local coordinates, for drawn.py
    for gx in range(int(minx // step + 1) * step, int(maxx), step):
        x = (gx - minx) * sc
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{H:.0f}" stroke="#dde" stroke-width="0.5"/>'
                   f'<text x="{x + 2:.1f}" y="12" font-size="10" fill="#99a">{gx}</text>')
    for gy in range(int(miny // step + 1) * step, int(maxy), step):
        y = (maxy - gy) * sc
        out.append(f'<line x1="0" y1="{y:.1f}" x2="{W:.0f}" y2="{y:.1f}" stroke="#dde" stroke-width="0.5"/>'
                   f'<text x="2" y="{y - 2:.1f}" font-size="10" fill="#99a">{gy}</text>')
    for r in roads.values():
        out.append(poly(r.geom.buffer(r.width / 2), "fill:#eee;stroke:none"))
    out.append(poly(boundary, "fill:none;stroke:#c00;stroke-width:3"))
    for cid, g in compounds.items():
        out.append(poly(g, f"fill:{KIND_COLOURS[comp_kind[cid]]};stroke:#888"))
        c = g.representative_point()
        out.append(f'<text x="{tx(c.x, c.y).split(",")[0]}" y="{tx(c.x, c.y).split(",")[1]}" '
                   f'font-size="14" fill="#555">{cid}</text>')
    for b in buildings:
        col = "#555" if b["type"] != "公建" else "#a0a"
        out.append(poly(b["geom"], f"fill:{col};fill-opacity:0.55;stroke:#222;stroke-width:0.5"))
    for r in roads.values():
        out.append(line(r.geom, "fill:none;stroke:#999;stroke-width:1"))
    for ln in lanes:
        col = "#06c" if ln.compound not in D.UNLIT_COMPOUNDS else "#f80"
        out.append(line(ln.geom, f"fill:none;stroke:{col};stroke-width:{ln.width}"))
    for lp in lamps:
        col = "#fc0" if lp["status"] == "working" else "#f00"
        out.append(f'<circle cx="{tx(lp["geom"].x, lp["geom"].y).split(",")[0]}" '
                   f'cy="{tx(lp["geom"].x, lp["geom"].y).split(",")[1]}" r="3" '
                   f'fill="{col}" stroke="#000" stroke-width="0.5"/>')
    for f in facilities:
        x, y = tx(f["geom"].x, f["geom"].y).split(",")
        out.append(f'<rect x="{float(x) - 4}" y="{float(y) - 4}" width="8" height="8" fill="#0a0"/>'
                   f'<text x="{float(x) + 5}" y="{float(y) + 4}" font-size="9" fill="#060">{f["id"]}</text>')
    out.append("</svg>")
    Path(path).write_text("\n".join(out), encoding="utf-8")


# --------------------------------------------------------------------------

def build():
    origin, lines = load_streets()
    roads = build_roads(lines)
    boundary = build_boundary(roads)
    reserves = unary_union([r.geom.buffer(r.width / 2 + D.ROAD_MARGIN)
                            for r in roads.values()])
    polys = build_compounds(boundary, reserves)
    compounds = {c["id"]: p for c, p in zip(D.COMPOUNDS, polys)}
    buildings, lanes = [], []
    for c, poly in zip(D.COMPOUNDS, polys):
        L = c["layout"]
        others = unary_union([p for cid, p in compounds.items() if cid != c["id"]])
        if L["type"] == "explicit":
            b, ln = layout_explicit(c, poly, L, roads)
        else:
            b, ln = layout_rows(c, poly, L, roads, others,
                                [x["geom"] for x in buildings])
        buildings += b
        lanes += ln
    for i, b in enumerate(buildings):
        b["id"] = f"B{i + 1:03d}"
    number_frontage(buildings, lanes, roads)
    road_list = list(roads.values())
    node_lines(road_list + lanes)
    for i, ln in enumerate(lanes):
        ln.id = i + 1
    lamps = build_lamps(boundary, roads, lanes, buildings)
    facilities = build_facilities(buildings, lanes)
    return dict(origin=origin, boundary=boundary, roads=roads,
                compounds=compounds, buildings=buildings, lanes=lanes,
                lamps=lamps, facilities=facilities)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--svg", type=Path, help="also write a preview SVG")
    ap.add_argument("--svg-window", help="x0,y0,x1,y1 in local metres (zoom)")
    ap.add_argument("--stats", action="store_true", help="print per-compound figures")
    ap.add_argument("--no-check", action="store_true",
                    help="skip the invariant checks (for debugging drawn.py)")
    args = ap.parse_args(argv)
    global STRICT, VERBOSE
    STRICT = not args.no_check
    VERBOSE = args.stats
    ds = build()
    kinds = {c["id"]: c["kind"] for c in D.COMPOUNDS}
    if args.svg:
        write_svg(args.svg, ds["boundary"], ds["roads"], ds["compounds"], kinds,
                  ds["buildings"], ds["lanes"], ds["lamps"], ds["facilities"],
                  *([tuple(map(float, args.svg_window.split(","))), 5.0]
                    if args.svg_window else []))
    if args.stats:
        for cid, g in ds["compounds"].items():
            bs = [b for b in ds["buildings"] if b["compound"] == cid]
            fa = sum(b["geom"].area for b in bs)
            print(f"  {cid:11s} {g.area:8.0f} m²  {len(bs):3d} bldgs "
                  f"cover {fa / g.area:4.0%}  {sum(b['households'] for b in bs):4d} hh "
                  f"GFA {sum(b['geom'].area * b['floors'] for b in bs):7.0f}")
        built = ds["boundary"].difference(unary_union(
            [r.geom.buffer(r.width / 2) for r in ds["roads"].values()]))
        cov = unary_union(list(ds["compounds"].values())).area / built.area
        print(f"  compounds cover {cov:.1%} of the boundary minus roads")
        lit = [(f"{ln.name}#{ln.id}", ln.geom) for ln in ds["lanes"]
               if ln.compound not in D.UNLIT_COMPOUNDS]
        lit += [(n, ds["roads"][n].geom) for n in D.LAMP_ROADS]
        for g in lamp_gaps(ds["lamps"], lit, 25.0):
            mid = dict(lit)[g[0]].interpolate((g[1] + g[2]) / 2)
            print(f"  lamp gap {g[0]} {g[1]:.0f}-{g[2]:.0f} m: {g[3]:.0f} m "
                  f"around ({mid.x:.0f}, {mid.y:.0f})")
        pts = [lp["geom"] for lp in ds["lamps"]]
        nn = sorted(min(p.distance(q) for q in pts if q is not p) for p in pts)
        print(f"  lamp nearest-neighbour: min {nn[0]:.1f} median {nn[len(nn) // 2]:.1f} "
              f"max {nn[-1]:.1f} m")
    if not args.no_check:
        validate(ds["boundary"], ds["roads"], ds["compounds"], ds["buildings"],
                 ds["lanes"], ds["lamps"], ds["facilities"])
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    comps = {c["id"]: c for c in D.COMPOUNDS}
    layers = {
        "boundary": [dict(geom=ds["boundary"], id=1, name="金坛路居民区",
                          name_en="Jintan Road Residential Area")],
        "compounds": [dict(geom=g, id=cid, name=comps[cid]["name"],
                           name_en=comps[cid]["name_en"], kind=comps[cid]["kind"])
                      for cid, g in ds["compounds"].items()],
        "buildings": ds["buildings"],
        "roads": [dict(geom=r.geom, id=i + 1, name=r.name, name_en=r.name_en,
                       width=r.width) for i, r in enumerate(ds["roads"].values())],
        "lanes": [dict(geom=ln.geom, id=ln.id, name=ln.name, name_en=ln.name_en,
                       compound=ln.compound, width=ln.width) for ln in ds["lanes"]],
        "streetlights": ds["lamps"],
        "facilities": ds["facilities"],
    }
    if not args.no_check:
        for name in LAYERS:
            check_published_precision(name, layers[name], ds["origin"])
    for name in LAYERS:
        write_layer(out, name, layers[name], ds["origin"])
    b = ds["buildings"]
    hh = sum(x["households"] for x in b)
    h55 = sum(x["households"] for x in b if x["compound"] == "hjl55")
    print(f"boundary {ds['boundary'].area:,.0f} m²; {len(ds['compounds'])} compounds; "
          f"{len(b)} buildings, {hh} households ({h55} in 55弄); "
          f"{len(ds['lanes'])} lanes, {sum(l.geom.length for l in ds['lanes']):,.0f} m; "
          f"{len(ds['lamps'])} lamps "
          f"({sum(1 for l in ds['lamps'] if l['status'] == 'broken')} broken); "
          f"{len(ds['facilities'])} facilities -> {out}")


if __name__ == "__main__":
    try:
        main()
    except BuildError as e:
        sys.exit(f"build_dataset: {e}")
