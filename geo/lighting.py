"""Which stretches of the lane network the streetlights light, and where the dark gaps are.

Coverage model: a working lamp lights the network from its nearest point on
it (if within SNAP_DISTANCE_M) for a lit radius r = S / 2 along the network
each way, through junctions, where S = factor x mounting height is the
CJJ 45-2015 maximum pole spacing for its luminaire. Light travels over the
whole network given (lanes, and roads if passed); only what lies in the area
is measured.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.in_service import in_service
from geo.lane_graph import LaneGraph, Stretches, lane_graph

__all__ = [
    "NEW_LAMP_HEIGHT_M",
    "NEW_LAMP_LUMINAIRE",
    "SNAP_DISTANCE_M",
    "SPACING_FACTORS",
    "GapReport",
    "NetworkLight",
    "light_network",
    "lighting_gaps",
    "lit_radius",
    "lit_stretches",
]

# CJJ 45-2015: pole spacing S <= factor x mounting height H.
SPACING_FACTORS: Mapping[str, float] = MappingProxyType({"cut-off": 3.0, "semi-cut-off": 3.5, "non-cut-off": 4.0})
NEW_LAMP_HEIGHT_M = 4.0
NEW_LAMP_LUMINAIRE = "semi-cut-off"
SNAP_DISTANCE_M = 3.0
# Streets drawn along the area's edge (the boundary follows their centrelines) count as inside.
AREA_EDGE_TOLERANCE_M = 0.5
# Shorter dark slivers are floating-point noise between lamps that just meet.
NEGLIGIBLE_M = 1e-6


def lit_radius(height: float | np.ndarray, luminaire, factors: Mapping[str, float] = SPACING_FACTORS):
    """r = S / 2 = factor x H / 2 for one lamp or arrays of them."""
    luminaires = np.atleast_1d(np.asarray(luminaire, dtype=object))
    unknown = sorted({str(x) for x in luminaires if x not in factors})
    if unknown:
        raise ValueError(f"no spacing factor for luminaire {', '.join(unknown)}; known: {', '.join(factors)}")
    factor = np.array([factors[x] for x in luminaires], dtype=float)
    radius = factor * np.asarray(height, dtype=float) / 2.0
    return float(radius[0]) if np.ndim(luminaire) == 0 and np.ndim(height) == 0 else radius


def lit_stretches(graph: LaneGraph, edge: np.ndarray, t: np.ndarray, radius: np.ndarray) -> Stretches:
    """Everything within `radius` along the network of lamps standing at (edge, t)."""
    edge, t = np.asarray(edge, dtype=np.int64), np.asarray(t, dtype=float)
    radius = np.broadcast_to(np.asarray(radius, dtype=float), edge.shape)
    keep = (edge >= 0) & (radius > 0)
    edge, t, radius = edge[keep], t[keep], radius[keep]
    if len(edge) == 0:
        return Stretches.empty()
    reach = _node_reach(graph, edge, t, radius)
    length = graph.length
    ids = np.arange(graph.n_edges)
    return _clip(
        Stretches.of(
            np.concatenate([edge, ids, ids]),
            np.concatenate([t - radius, np.zeros(len(ids)), length - reach[graph.v]]),
            np.concatenate([t + radius, reach[graph.u], length]),
        ),
        length,
    )


def _clip(stretches: Stretches, length: np.ndarray) -> Stretches:
    return Stretches.of(
        stretches.edge, np.maximum(stretches.start, 0.0), np.minimum(stretches.end, length[stretches.edge])
    )


def _node_reach(graph: LaneGraph, edge: np.ndarray, t: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """At each node, the most light left: max over lamps of (radius - network distance), -inf if none reaches.

    One Dijkstra from a virtual source joined to both ends of each lamp's edge
    by (R - radius + distance to that end), R > every radius, so that the
    distance found, minus R, is min over lamps of (distance - radius).
    """
    n = graph.n_nodes
    big = float(radius.max()) + 1.0
    to_node = np.full(n, np.inf)
    np.minimum.at(to_node, graph.u[edge], big - radius + t)
    np.minimum.at(to_node, graph.v[edge], big - radius + graph.length[edge] - t)
    joined = np.flatnonzero(np.isfinite(to_node))
    network = graph.matrix().tocoo()
    source = n
    matrix = coo_matrix(
        (
            np.concatenate([network.data, to_node[joined]]),
            (np.concatenate([network.row, np.full(len(joined), source)]), np.concatenate([network.col, joined])),
        ),
        shape=(n + 1, n + 1),
    ).tocsr()
    distance = dijkstra(matrix, directed=True, indices=source, limit=big)[:n]
    return big - distance


@dataclass(frozen=True, eq=False)
class NetworkLight:
    """The lit state of a line network: what is measured, what the lamps light, and the lamps themselves."""

    graph: LaneGraph
    lines: pd.DataFrame  # per graph line (lanes first, then roads): layer, lane_id, lane, compound
    measured: Stretches  # the measured lines inside the area
    lit: Stretches  # all the lamps light, anywhere on the network
    lamps: gpd.GeoDataFrame  # metric; with lit_radius_m, snap_m, role, edge, t
    factors: Mapping[str, float]

    def dark(self, lit: Stretches | None = None) -> Stretches:
        """The measured network that `lit` (by default, what the lamps light) leaves dark."""
        return _without_slivers(self.measured - (self.lit if lit is None else lit))

    def lengths(self, lit: Stretches | None = None) -> tuple[float, float]:
        """Lit and dark length of the measured network; they add up to its length."""
        dark = self.dark(lit)
        return (self.measured - dark).total(), dark.total()

    def lit_share(self, lit: Stretches | None = None) -> float | None:
        lit_length, dark_length = self.lengths(lit)
        return lit_length / (lit_length + dark_length) if lit_length + dark_length > 0 else None

    def with_lamps(self, edge: np.ndarray, t: np.ndarray, radius: np.ndarray) -> Stretches:
        """What is lit once lamps at (edge, t) are added."""
        return self.lit | lit_stretches(self.graph, edge, t, radius)


def _without_slivers(stretches: Stretches) -> Stretches:
    keep = stretches.lengths > NEGLIGIBLE_M
    return Stretches(stretches.edge[keep], stretches.start[keep], stretches.end[keep])


def light_network(
    lanes: gpd.GeoDataFrame,
    lamps: gpd.GeoDataFrame | None,
    area=None,
    *,
    roads: gpd.GeoDataFrame | None = None,
    factors: Mapping[str, float] = SPACING_FACTORS,
    include_roads: bool = False,
    as_of: date | None = None,
) -> NetworkLight:
    """The coverage model: lanes (and roads) as one graph, lamps snapped onto it, light spread along it.

    `area`: a GeoDataFrame/GeoSeries (any CRS; its union), a shapely geometry
    in EPSG:4326, or None for the whole network. `factors` override the
    CJJ 45-2015 ones luminaire by luminaire. Only the lamps standing on
    `as_of` (installed <= as_of < removed; default today in Shanghai) count.
    """
    factors = {**SPACING_FACTORS, **factors}
    lines = _network_lines(lanes, roads)
    graph = lane_graph(lines.geometry.to_numpy())
    measured_layers = ("lanes", "roads") if include_roads else ("lanes",)
    measured_line = lines["layer"].isin(measured_layers).to_numpy()[graph.line]
    measured = _inside(graph, _metric_area(area)) if area is not None else Stretches.whole(graph)
    measured = measured & _edges(graph, measured_line)

    placed = _placed_lamps(graph, None if lamps is None else in_service(lamps, as_of), factors)
    lighting = placed[placed["role"] == "lighting"]
    lit = lit_stretches(graph, *(lighting[c].to_numpy() for c in ("edge", "t", "lit_radius_m")))
    return NetworkLight(graph, lines.drop(columns="geometry"), measured, lit, placed, factors)


def _edges(graph: LaneGraph, which: np.ndarray) -> Stretches:
    ids = np.flatnonzero(which)
    return Stretches(ids, np.zeros(len(ids)), graph.length[ids].copy())


def _network_lines(lanes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    frames = [_lines_of(lanes, "lanes")]
    if roads is not None:
        frames.append(_lines_of(roads, "roads"))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=METRIC_CRS)


def _lines_of(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    metric = gdf.to_crs(METRIC_CRS)
    metric = metric[~metric.geometry.is_empty & metric.geometry.notna()]

    def column(name):
        return metric[name].to_numpy() if name in metric.columns else np.full(len(metric), None)

    return gpd.GeoDataFrame(
        {"layer": layer, "lane_id": column("id"), "lane": column("name"), "compound": column("compound")},
        geometry=metric.geometry.to_numpy(),
        crs=METRIC_CRS,
    )


def _metric_area(area) -> shapely.Geometry:
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if area.crs is None:
            raise ValueError("the area has no CRS")
        geometry = area.to_crs(METRIC_CRS).union_all()
    elif isinstance(area, shapely.Geometry):
        minx, miny, maxx, maxy = area.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValueError("a bare shapely area must be in EPSG:4326 (lon/lat); pass a GeoSeries for other CRSs")
        geometry = gpd.GeoSeries([area], crs=DISPLAY_CRS).to_crs(METRIC_CRS).iloc[0]
    else:
        raise TypeError(f"area must be a GeoDataFrame, GeoSeries or shapely geometry, not {type(area).__name__}")
    if geometry.is_empty or geometry.area <= 0:
        raise ValueError("the area is not a polygon with an inside")
    return geometry.buffer(AREA_EDGE_TOLERANCE_M)


def _inside(graph: LaneGraph, area: shapely.Geometry) -> Stretches:
    """The parts of the graph's edges inside a polygon."""
    segments = graph.segments()
    shapely.prepare(area)
    whole = shapely.contains(area, segments)
    crossing = np.flatnonzero(~whole & shapely.intersects(area, segments))
    edge, start, end = [np.flatnonzero(whole)], [np.zeros(int(whole.sum()))], [graph.length[whole]]
    if len(crossing):
        pieces, which = shapely.get_parts(shapely.intersection(segments[crossing], area), return_index=True)
        lines = shapely.get_type_id(pieces) == shapely.GeometryType.LINESTRING
        pieces, which = pieces[lines], crossing[which[lines]]
        first = shapely.get_point(pieces, 0)
        last = shapely.get_point(pieces, -1)
        t_first = graph.project(which, shapely.get_coordinates(first))
        t_last = graph.project(which, shapely.get_coordinates(last))
        edge.append(which)
        start.append(np.minimum(t_first, t_last))
        end.append(np.maximum(t_first, t_last))
    return Stretches.of(np.concatenate(edge), np.concatenate(start), np.concatenate(end))


def _placed_lamps(graph: LaneGraph, lamps: gpd.GeoDataFrame | None, factors: Mapping[str, float]) -> gpd.GeoDataFrame:
    """The lamps in metres, with lit_radius_m, snap_m, role (lighting, broken, off-network), edge and t."""
    if lamps is None:
        lamps = gpd.GeoDataFrame({"height": [], "luminaire": []}, geometry=[], crs=METRIC_CRS)
    placed = lamps.to_crs(METRIC_CRS).reset_index(drop=True)
    placed = placed[placed.geometry.notna() & ~placed.geometry.is_empty].reset_index(drop=True)
    if len(placed) and (placed.geometry.geom_type != "Point").any():
        raise ValueError("lamps must be points")
    working = ~placed["status"].eq("broken").to_numpy() if "status" in placed else np.ones(len(placed), dtype=bool)
    radius = np.zeros(len(placed))
    if working.any():
        radius[working] = lit_radius(
            placed["height"].to_numpy(dtype=float)[working], placed["luminaire"].to_numpy()[working], factors
        )
    if np.isnan(radius).any():
        raise ValueError("every working lamp needs a mounting height")
    xy = shapely.get_coordinates(placed.geometry.to_numpy())
    edge, t, snap = graph.snap(xy)
    near = snap <= SNAP_DISTANCE_M
    placed["lit_radius_m"] = radius
    placed["snap_m"] = snap
    placed["role"] = np.where(~working, "broken", np.where(near, "lighting", "off-network"))
    placed["edge"] = np.where(near, edge, -1)
    placed["t"] = t
    return placed


# --------------------------------------------------------------------------
# gap report
# --------------------------------------------------------------------------
@dataclass
class GapReport:
    # Lit stretches in the area, EPSG:4326: layer ("lanes"/"roads"), lane_id, lane (name), compound,
    # from_m, to_m (metres along the lane), length_m, geometry (LineString).
    lit: gpd.GeoDataFrame
    dark: gpd.GeoDataFrame  # dark stretches in the area, longest first; same columns
    lamps: gpd.GeoDataFrame  # the lamps given, EPSG:4326, with lit_radius_m, snap_m, role
    summary: dict[str, Any]

    @property
    def lit_share(self) -> float | None:
        return self.summary["lit_share"]


def lighting_gaps(
    lanes: gpd.GeoDataFrame,
    lamps: gpd.GeoDataFrame,
    area=None,
    *,
    roads: gpd.GeoDataFrame | None = None,
    factors: Mapping[str, float] = SPACING_FACTORS,
    include_roads: bool = False,
    as_of: date | None = None,
) -> GapReport:
    """Lit and dark stretches of the lanes in `area` (and of the roads, with include_roads).

    Roads, when given, carry light too: a lamp on a street lights the lane
    mouths within its radius. Lamps outside the area light the lanes inside.
    The lamps are those standing on `as_of` (default today in Shanghai).
    Summary: lit_radius_m (a new 4 m semi-cut-off lamp's, under `factors`),
    lane_length_m, lit_length_m, lit_share (None if no lane is in the area),
    dark_length_m, dark_stretches (count), longest_dark_m, lamps_lighting,
    lamps_broken, lamps_ignored (working lamps farther than SNAP_DISTANCE_M
    from the network, which light nothing).
    """
    light = light_network(
        lanes, lamps, area, roads=roads, factors=factors, include_roads=include_roads, as_of=as_of
    )
    dark = light.dark()
    return GapReport(
        lit=stretch_frame(light, light.measured - dark),
        dark=stretch_frame(light, dark).sort_values("length_m", ascending=False, ignore_index=True),
        lamps=lamp_frame(light),
        summary=gap_summary(light),
    )


def gap_summary(light: NetworkLight) -> dict[str, Any]:
    dark = light.dark()
    lit_length, dark_length = light.lengths()
    runs = stretch_runs(light, dark)
    roles = light.lamps["role"].value_counts()
    return {
        "lit_radius_m": lit_radius(NEW_LAMP_HEIGHT_M, NEW_LAMP_LUMINAIRE, light.factors),
        "lane_length_m": lit_length + dark_length,
        "lit_length_m": lit_length,
        "lit_share": light.lit_share(),
        "dark_length_m": dark_length,
        "dark_stretches": len(runs),
        "longest_dark_m": float(runs["length_m"].max()) if len(runs) else 0.0,
        "lamps_lighting": int(roles.get("lighting", 0)),
        "lamps_broken": int(roles.get("broken", 0)),
        "lamps_ignored": int(roles.get("off-network", 0)),
    }


def lamp_frame(light: NetworkLight) -> gpd.GeoDataFrame:
    return light.lamps.drop(columns=["edge", "t"]).to_crs(DISPLAY_CRS)


def stretch_runs(light: NetworkLight, stretches: Stretches) -> pd.DataFrame:
    """Stretches joined into runs along each line: line, part, from_m, to_m, length_m and the pieces' rows."""
    graph = light.graph
    line = graph.line[stretches.edge]
    part = graph.part[stretches.edge]
    from_m = graph.offset[stretches.edge] + stretches.start
    to_m = graph.offset[stretches.edge] + stretches.end
    order = np.lexsort((from_m, part, line))
    line, part, from_m, to_m = line[order], part[order], from_m[order], to_m[order]
    new_run = np.ones(len(line), dtype=bool)
    new_run[1:] = (line[1:] != line[:-1]) | (part[1:] != part[:-1]) | (from_m[1:] - to_m[:-1] > 1e-6)
    run = np.cumsum(new_run) - 1
    pieces = pd.DataFrame({"run": run, "piece": order, "line": line, "part": part, "from_m": from_m, "to_m": to_m})
    runs = pieces.groupby("run").agg(
        line=("line", "first"), part=("part", "first"), from_m=("from_m", "first"), to_m=("to_m", "last")
    )
    runs["length_m"] = pieces.assign(length=to_m - from_m).groupby("run")["length"].sum()
    runs["pieces"] = pieces.groupby("run")["piece"].apply(list)
    return runs.reset_index(drop=True)


def stretch_frame(light: NetworkLight, stretches: Stretches, crs=DISPLAY_CRS) -> gpd.GeoDataFrame:
    """Stretches as LineStrings along their lines, with the line's attributes (EPSG:4326 unless told)."""
    graph = light.graph
    runs = stretch_runs(light, stretches)
    start = graph.point_at(stretches.edge, stretches.start)
    end = graph.point_at(stretches.edge, stretches.end)
    geometries = [shapely.LineString(np.vstack([start[pieces[:1]], end[pieces]])) for pieces in runs["pieces"]]
    attributes = light.lines.iloc[runs["line"].to_numpy()].reset_index(drop=True)
    frame = gpd.GeoDataFrame(
        {
            "layer": attributes["layer"],
            "lane_id": attributes["lane_id"],
            "lane": attributes["lane"],
            "compound": attributes["compound"],
            "from_m": runs["from_m"].to_numpy(dtype=float),
            "to_m": runs["to_m"].to_numpy(dtype=float),
            "length_m": runs["length_m"].to_numpy(dtype=float),
        },
        geometry=gpd.GeoSeries(geometries, crs=METRIC_CRS) if geometries else gpd.GeoSeries([], crs=METRIC_CRS),
        crs=METRIC_CRS,
    )
    return frame.to_crs(crs)
