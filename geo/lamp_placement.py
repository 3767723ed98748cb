"""Where to put new streetlights so that every lane in an area is lit, with as few lamps as we can find.

Candidates: every `step_m` metres over the dark stretches and over the lit
network within reach of them, their ends, junctions and lane ends, and the
points r, 3r, 5r ... in from either end of each dark run (where fixed spacing
from a dead end fits exactly); those nearer a working lamp than the minimum
distance are left out. The dark is cut wherever a candidate's light ends, so
each piece is lit by a candidate wholly or not at all (with r less
PLAN_MARGIN_M). The fewest candidates lighting every piece are found as a 0-1
integer programme (HiGHS, through scipy.optimize.milp); two greedy set covers
(most dark length first; the piece fewest candidates reach first), pruned of
redundant lamps, stand in should it fail, and the smallest plan wins. Ties go
to lamps on dark stretches, then to junctions and lane ends. The full cover
is then checked on geo.lighting's model. A lamp may stand in a lit stretch
when from there it lights dark bits on several sides (around a junction).

The lower bound is a packing: dark points pairwise more than 2r apart along
the network each need a lamp of their own. Picked deepest-first from a root
it is tight on a tree when lamps may stand anywhere; the minimum distance
from existing lamps, the grid and the margin are what a plan pays above it.
(Dark length / 2r is no bound: a lamp at a junction of k lanes lights k x r.)
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS, METRIC_CRS
from geo.lane_graph import LaneGraph, Stretches
from geo.lighting import (
    NEW_LAMP_HEIGHT_M,
    NEW_LAMP_LUMINAIRE,
    SPACING_FACTORS,
    NetworkLight,
    light_network,
    lit_radius,
    lit_stretches,
    stretch_frame,
    stretch_runs,
)

__all__ = ["LampPlan", "plan_lamps"]

DEFAULT_UNIT_COST = 8000
PLAN_STEP_M = 1.0
# New lamps are planned to light r - margin, so rounding their output coordinates
# (1e-7 degree, about 1 cm) cannot open a gap.
PLAN_MARGIN_M = 0.05
CUT_TOLERANCE_M = 1e-9
PACKING_INSET_M = 1e-6
ENTRANCE_REACH_M = 3.0
ISSUE_REACH_M = 10.0
CANDIDATE_BATCH = 256
EXACT_TIME_LIMIT_S = 5.0


@dataclass
class LampPlan:
    # Proposed, EPSG:4326, numbered along the lanes: number, lane, lane_id, at_m (metres along the lane),
    # lon, lat, height, luminaire, lit_radius_m, on_dark, newly_lit_m (dark length it lights).
    lamps: gpd.GeoDataFrame
    dark_before: gpd.GeoDataFrame  # dark stretches before the plan, longest first (geo.lighting.stretch_frame)
    buildings_served: gpd.GeoDataFrame  # id, address, compound, households: entrances on newly lit stretches
    issues: gpd.GeoDataFrame  # lighting issues within ISSUE_REACH_M of a dark stretch, with lane, distance_m
    summary: dict[str, Any]

    @property
    def lit_share_before(self) -> float | None:
        return self.summary["lit_share_before"]

    @property
    def lit_share_after(self) -> float | None:
        return self.summary["lit_share_after"]

    @property
    def lamps_proposed(self) -> int:
        return self.summary["lamps_proposed"]

    @property
    def lower_bound(self) -> int:
        return self.summary["lower_bound"]

    @property
    def naive_count(self) -> int:
        return self.summary["naive_count"]

    @property
    def cost(self) -> float:
        return self.summary["cost"]

    @property
    def households_served(self) -> int:
        return self.summary["households_served"]


def plan_lamps(
    lanes: gpd.GeoDataFrame,
    lamps: gpd.GeoDataFrame,
    area=None,
    *,
    roads: gpd.GeoDataFrame | None = None,
    mounting_height: float = NEW_LAMP_HEIGHT_M,
    luminaire: str = NEW_LAMP_LUMINAIRE,
    unit_cost: float = DEFAULT_UNIT_COST,
    min_distance_from_existing_m: float | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    issues: gpd.GeoDataFrame | None = None,
    factors: Mapping[str, float] = SPACING_FACTORS,
    include_roads: bool = False,
    step_m: float = PLAN_STEP_M,
    as_of: date | None = None,
) -> LampPlan:
    """New lamps such that every point of the lanes in `area` is lit (checked: AssertionError if not).

    `area`, `roads`, `factors`, `include_roads`, `as_of` as in geo.lighting.lighting_gaps
    (the existing lamps are those standing on `as_of`, default today in Shanghai).
    New lamps keep `min_distance_from_existing_m` (default r / 2, in a
    straight line) from every working lamp, unless a dark piece can be lit no
    other way (counted in summary["lamps_near_existing"]). A building is
    served when its entrance (its footprint's point nearest the lanes) is
    within ENTRANCE_REACH_M of a stretch the plan newly lights.

    Summary (plain values): lit_radius_m, lit_share_before, lit_share_after,
    lamps_proposed, lower_bound, naive_count (a lamp every 2r along each
    dark stretch), cost, households_served, and lane_length_m,
    dark_length_before_m, dark_stretches_before, buildings_served,
    lighting_issues_near_dark, min_distance_m, lamps_near_existing,
    lamps_in_lit_stretches, naive_keeps_min_distance (if so, the plan has
    at most naive_count lamps; if not, keeping clear of existing lamps may
    cost more), broken_lamps_on_dark (repairing them may be cheaper), method.
    """
    light = light_network(
        lanes, lamps, area, roads=roads, factors=factors, include_roads=include_roads, as_of=as_of
    )
    radius = lit_radius(mounting_height, luminaire, light.factors)
    if radius <= 2 * PLAN_MARGIN_M:
        raise ValueError(f"a {mounting_height} m lamp lights too little to plan with")
    min_distance = radius / 2 if min_distance_from_existing_m is None else float(min_distance_from_existing_m)
    dark = light.dark()

    placement = _place(light, dark, radius, min_distance, min(step_m, (radius - PLAN_MARGIN_M) / 2))
    lit_after = light.with_lamps(placement.edge, placement.t, radius)
    left = light.dark(lit_after)
    if len(left):
        raise AssertionError(f"the plan leaves {left.total():.6f} m dark: a bug in the placement")

    lit_before, dark_before = light.lengths()
    newly_lit = dark & lit_after
    newly_lit_lines = stretch_frame(light, newly_lit, crs=METRIC_CRS).geometry.union_all()
    dark_lines = stretch_frame(light, dark, crs=METRIC_CRS)
    served = _buildings_served(buildings, lanes, newly_lit_lines)
    near_issues = _issues_near(issues, dark_lines)
    n = len(placement.edge)
    summary = {
        "lit_radius_m": radius,
        "mounting_height_m": float(mounting_height),
        "luminaire": luminaire,
        "lane_length_m": lit_before + dark_before,
        "dark_length_before_m": dark_before,
        "dark_stretches_before": len(dark_lines),
        "lit_share_before": light.lit_share(),
        "lit_share_after": light.lit_share(lit_after),
        "lamps_proposed": n,
        "lower_bound": placement.lower_bound,
        "naive_count": _naive_count(light, dark, radius),
        "unit_cost": unit_cost,
        "cost": n * unit_cost,
        "households_served": int(served["households"].sum()) if len(served) else 0,
        "buildings_served": len(served),
        "lighting_issues_near_dark": len(near_issues),
        "min_distance_m": min_distance,
        "lamps_near_existing": placement.near_existing,
        "broken_lamps_on_dark": _broken_on(light, dark),
        "lamps_in_lit_stretches": int((~placement.on_dark).sum()),
        "naive_keeps_min_distance": placement.naive_keeps_clear,
        "method": placement.method,
    }
    return LampPlan(
        lamps=_lamp_frame(light, placement, mounting_height, luminaire, radius),
        dark_before=dark_lines.sort_values("length_m", ascending=False, ignore_index=True).to_crs(DISPLAY_CRS),
        buildings_served=served.to_crs(DISPLAY_CRS),
        issues=near_issues.to_crs(DISPLAY_CRS),
        summary=summary,
    )


# --------------------------------------------------------------------------
# placement
# --------------------------------------------------------------------------
@dataclass
class _Placement:
    edge: np.ndarray  # on the light's graph
    t: np.ndarray
    line: np.ndarray
    at_m: np.ndarray  # metres along the line
    on_dark: np.ndarray  # whether the lamp stands on a dark stretch (else in a lit one, lighting dark bits around)
    newly_lit_m: np.ndarray  # dark length it lights (overlaps counted for each lamp)
    lower_bound: int
    near_existing: int
    method: str
    naive_keeps_clear: bool  # the naive plan keeps the minimum distance too (then this plan has no more lamps)


def _place(light: NetworkLight, dark: Stretches, radius: float, min_distance: float, step: float) -> _Placement:
    graph = light.graph
    if dark.total() <= 0:
        none, no_m = np.array([], dtype=np.int64), np.array([])
        return _Placement(none, no_m, none, no_m, np.array([], dtype=bool), no_m, 0, 0, "none", True)
    reach = radius - PLAN_MARGIN_M
    within_reach = lit_stretches(graph, np.r_[dark.edge, dark.edge], np.r_[dark.start, dark.end], reach)
    region = light.measured & (dark | within_reach)
    chain_edge, chain_t, naive = _chains(light, dark, reach)
    fine = _cut(graph, dark, region, (chain_edge, chain_t), step)
    atom = np.flatnonzero(dark.contains(fine.parent, fine.parent_t + fine.length / 2))
    in_region = np.flatnonzero(region.contains(fine.parent, fine.parent_t + fine.length / 2))
    candidate, line, at_m = _candidates(fine, in_region)
    matrix = fine.matrix()
    cover, weight = _cover_matrix(fine, matrix, candidate, atom, reach)
    useful = np.flatnonzero(np.diff(cover.indptr) > 0)
    candidate, line, at_m, cover = candidate[useful], line[useful], at_m[useful], cover[useful]

    allowed = _clear_of(fine.nodes[candidate], _working_lamps(light), min_distance)
    reachable = np.asarray(cover[allowed].sum(axis=0)).ravel() > 0
    relax = np.asarray(cover[:, ~reachable].sum(axis=1)).ravel() > 0
    pool = np.flatnonzero(allowed | relax)
    on_dark = np.isin(candidate, np.r_[fine.u[atom], fine.v[atom]])
    preferred = _at_junction_or_end(graph, candidate)

    naive_plan = _nearest(fine.nodes[candidate], graph.point_at(chain_edge[naive], chain_t[naive]))
    naive_keeps_clear = bool(allowed[naive_plan].all())
    naive_plan = np.flatnonzero(np.isin(pool, naive_plan)) if naive_keeps_clear else None
    chosen, method = _fewest(cover[pool], weight, on_dark[pool], preferred[pool], ~allowed[pool], naive_plan)
    chosen = pool[chosen]
    chosen = chosen[np.lexsort((at_m[chosen], line[chosen]))]

    node_edge, node_t = fine.node_positions()
    nodes = candidate[chosen]
    return _Placement(
        edge=fine.parent[node_edge[nodes]],
        t=fine.parent_t[node_edge[nodes]] + node_t[nodes],
        line=line[chosen],
        at_m=at_m[chosen],
        on_dark=on_dark[chosen],
        newly_lit_m=np.asarray(cover[chosen] @ weight).ravel(),
        lower_bound=_packing_bound(graph, dark, radius),
        near_existing=int((~allowed[chosen]).sum()),
        method=method,
        naive_keeps_clear=naive_keeps_clear,
    )


def _cut(
    graph: LaneGraph, dark: Stretches, region: Stretches, chains: tuple[np.ndarray, np.ndarray], step: float
) -> LaneGraph:
    """The graph cut at the dark stretches' ends, at the chain positions, and every `step` metres over the region."""
    length = region.lengths
    pieces = np.maximum(1, np.ceil(length / step)).astype(np.int64)
    which = np.repeat(np.arange(len(region)), pieces - 1)
    k = np.arange(len(which)) - np.repeat(np.cumsum(pieces - 1) - (pieces - 1), pieces - 1) + 1
    inner = region.start[which] + length[which] * k / pieces[which]
    edges = [dark.edge, dark.edge, region.edge, region.edge, region.edge[which], chains[0]]
    ts = [dark.start, dark.end, region.start, region.end, inner, chains[1]]
    return graph.split(np.concatenate(edges), np.concatenate(ts))


def _chains(light: NetworkLight, dark: Stretches, reach: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(edge, t, from_start) at reach, 3 x reach, 5 x reach ... in from either end of each dark run along a line.

    Fixed spacing from a dead end or from the edge of the light fits a run
    exactly, where a 1 m grid can waste up to a metre a lamp. Those from the
    start of each run are the naive fixed-spacing plan.
    """
    edges, ts, from_start = [np.array([], dtype=np.int64)], [np.array([])], [np.array([], dtype=bool)]
    runs = stretch_runs(light, dark)
    for pieces, length in zip(runs["pieces"], runs["length_m"]):
        pieces = np.asarray(pieces)
        piece_end = np.cumsum(dark.lengths[pieces])
        along = np.minimum(reach * (2 * np.arange(_naive_lamps(length, reach)) + 1), length)
        along = np.concatenate([along, length - along])
        i = np.minimum(np.searchsorted(piece_end, along), len(pieces) - 1)
        edges.append(dark.edge[pieces[i]])
        ts.append(dark.start[pieces[i]] + along - (piece_end[i] - dark.lengths[pieces[i]]))
        from_start.append(np.arange(len(along)) < len(along) // 2)
    return np.concatenate(edges), np.concatenate(ts), np.concatenate(from_start)


def _naive_lamps(length: float, reach: float) -> int:
    return math.ceil(length / (2 * reach) - 1e-9)


def _candidates(fine: LaneGraph, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The nodes of these edges, in order along the lanes, each with its line and metres along it."""
    node = np.concatenate([fine.u[edges], fine.v[edges]])
    line = np.concatenate([fine.line[edges], fine.line[edges]])
    at_m = np.concatenate([fine.offset[edges], fine.offset[edges] + fine.length[edges]])
    order = np.lexsort((at_m, line, node))
    node, line, at_m = node[order], line[order], at_m[order]
    first = np.ones(len(node), dtype=bool)
    first[1:] = node[1:] != node[:-1]
    node, line, at_m = node[first], line[first], at_m[first]
    order = np.lexsort((at_m, line))
    return node[order], line[order], at_m[order]


def _cover_matrix(
    fine: LaneGraph, matrix, candidate: np.ndarray, atom: np.ndarray, reach: float
) -> tuple[csr_matrix, np.ndarray]:
    """Which pieces of the dark each candidate lights wholly, and the pieces' lengths.

    The dark edges (atoms) are cut wherever a candidate's light ends on them,
    so that each piece is lit by a candidate wholly or not at all: no length
    is lost to the grid. A lamp at network distance d_u, d_v from the ends of
    an atom of length l lights [0, reach - d_u] and [l - (reach - d_v), l] of it.
    """
    pair_candidate, pair_atom, to_u, to_v = [], [], [], []
    for first in range(0, len(candidate), CANDIDATE_BATCH):
        distance = dijkstra(matrix, directed=False, indices=candidate[first : first + CANDIDATE_BATCH], limit=reach)
        du, dv = distance[:, fine.u[atom]], distance[:, fine.v[atom]]
        row, col = np.nonzero(np.isfinite(du) | np.isfinite(dv))
        pair_candidate.append(row + first)
        pair_atom.append(col)
        to_u.append(du[row, col])
        to_v.append(dv[row, col])
    pair_candidate, pair_atom = np.concatenate(pair_candidate), np.concatenate(pair_atom)
    length = fine.length[atom]
    lit_to = reach - np.concatenate(to_u)  # lit from the atom's start up to here
    lit_from = length[pair_atom] - (reach - np.concatenate(to_v))  # and from here to its end

    # Pieces: each atom cut at every such point.
    cut_atom = np.concatenate([np.arange(len(atom)), pair_atom, pair_atom])
    cut_at = np.concatenate([np.zeros(len(atom)), lit_to, lit_from])
    inside = (cut_at == 0) | ((cut_at > CUT_TOLERANCE_M) & (cut_at < length[cut_atom] - CUT_TOLERANCE_M))
    cut_atom, cut_at = cut_atom[inside], cut_at[inside]
    order = np.lexsort((cut_at, cut_atom))
    cut_atom, cut_at = cut_atom[order], cut_at[order]
    distinct = np.r_[True, (cut_atom[1:] != cut_atom[:-1]) | (cut_at[1:] - cut_at[:-1] > CUT_TOLERANCE_M)]
    piece_atom, piece_start = cut_atom[distinct], cut_at[distinct]
    last_of_atom = np.r_[piece_atom[1:] != piece_atom[:-1], True]
    piece_end = np.where(last_of_atom, length[piece_atom], np.roll(piece_start, -1))

    # Each lamp lights a run of pieces at the start of an atom and one at its end.
    first_piece = np.searchsorted(piece_atom, np.arange(len(atom)), side="left")
    end_piece = np.searchsorted(piece_atom, np.arange(len(atom)), side="right")
    scale = 2.0 * float(length.max()) + 1.0
    keys_end = piece_atom * scale + piece_end
    keys_start = piece_atom * scale + piece_start
    prefix_end = np.searchsorted(keys_end, pair_atom * scale + lit_to + CUT_TOLERANCE_M, side="right")
    suffix_start = np.searchsorted(keys_start, pair_atom * scale + lit_from - CUT_TOLERANCE_M, side="left")
    p0, p1 = first_piece[pair_atom], end_piece[pair_atom]
    prefix_end = np.clip(prefix_end, p0, p1)
    suffix_start = np.clip(suffix_start, p0, p1)
    whole = lit_to >= lit_from - CUT_TOLERANCE_M
    prefix_end[whole] = p1[whole]
    suffix_start[whole] = p1[whole]
    rows = np.concatenate([np.repeat(pair_candidate, prefix_end - p0), np.repeat(pair_candidate, p1 - suffix_start)])
    cols = np.concatenate([_ranges(p0, prefix_end), _ranges(suffix_start, p1)])
    cover = coo_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(candidate), len(piece_atom))).tocsr()
    cover.sum_duplicates()
    return _merge_alike(cover, piece_end - piece_start)


def _merge_alike(cover: csr_matrix, weight: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
    """Pieces lit by the same candidates as one (their lengths added): a smaller problem, the same answer."""
    by_piece = cover.T.tocsr()
    by_piece.sort_indices()
    lit_by = np.empty(by_piece.shape[0], dtype=object)
    lit_by[:] = [by_piece.indices[a:b].tobytes() for a, b in zip(by_piece.indptr[:-1], by_piece.indptr[1:])]
    _, first, alike = np.unique(lit_by, return_index=True, return_inverse=True)
    return by_piece[first].T.tocsr(), np.bincount(alike, weights=weight)


def _ranges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The concatenation of arange(start[i], stop[i])."""
    count = stop - start
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return np.repeat(start, count) + offsets


def _nearest(nodes_xy: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """For each point, the index of the nearest node."""
    if len(xy) == 0:
        return np.array([], dtype=np.int64)
    _, nearest = shapely.STRtree(shapely.points(nodes_xy)).query_nearest(shapely.points(xy), all_matches=False)
    return nearest


def _working_lamps(light: NetworkLight) -> np.ndarray:
    working = light.lamps[light.lamps["role"] != "broken"]
    return shapely.get_coordinates(working.geometry.to_numpy())


def _clear_of(xy: np.ndarray, lamps_xy: np.ndarray, min_distance: float) -> np.ndarray:
    clear = np.ones(len(xy), dtype=bool)
    if len(lamps_xy) and min_distance > 0:
        near, lamp = shapely.STRtree(shapely.points(lamps_xy)).query(
            shapely.points(xy), predicate="dwithin", distance=min_distance
        )
        too_close = np.hypot(*(xy[near] - lamps_xy[lamp]).T) < min_distance
        clear[near[too_close]] = False
    return clear


def _at_junction_or_end(graph: LaneGraph, candidate: np.ndarray) -> np.ndarray:
    degree = graph.degree()
    original = candidate < graph.n_nodes
    preferred = np.zeros(len(candidate), dtype=bool)
    preferred[original] = degree[candidate[original]] != 2
    return preferred


def _fewest(
    cover: csr_matrix,
    weight: np.ndarray,
    on_dark: np.ndarray,
    preferred: np.ndarray,
    near_existing: np.ndarray,
    naive: np.ndarray | None,
) -> tuple[np.ndarray, str]:
    """The best of the exact cover, two greedy ones and the naive one, each pruned; and how it was found.

    Best: fewest lamps too near existing ones (only where nothing else lights
    a piece), then fewest lamps.
    """
    # Greedy ranks: candidates too near existing lamps only when no other lights anything still dark.
    bonus = 1e-7 * (2 * on_dark + preferred) - near_existing * (weight.sum() + 1)
    plans = {
        "greedy, most dark length first": _greedy_largest(cover, weight, bonus),
        "greedy, hardest-to-reach piece first": _greedy_scarcest(cover, weight, bonus),
    }
    if naive is not None:
        plans["fixed spacing"] = naive.tolist()
    exact = _exact_cover(cover, on_dark, preferred, near_existing)
    if exact is not None:
        plans = {"integer programme (HiGHS)": exact, **plans}
    plans = {
        method: _prune(cover, chosen, weight, near_existing)
        for method, chosen in plans.items()
        if _covers(cover, chosen)
    }
    method = min(plans, key=lambda m: (near_existing[plans[m]].sum(), len(plans[m])))
    return plans[method], method


def _covers(cover: csr_matrix, chosen: list[int]) -> bool:
    return bool((np.asarray(cover[chosen].sum(axis=0)).ravel() > 0).all())


def _exact_cover(
    cover: csr_matrix, on_dark: np.ndarray, preferred: np.ndarray, near_existing: np.ndarray
) -> list[int] | None:
    """The fewest candidates covering every piece, as a 0-1 integer programme; None if not solved in time.

    A candidate too near an existing lamp costs more than all others
    together. Ties are broken by costs too small to change the count: stand
    on a dark stretch, then at a junction or lane end.
    """
    n = cover.shape[0]
    tie = 0.25 / max(n, 1)
    cost = 1.0 + 2 * tie * ~on_dark + tie * ~preferred + (n + 1) * near_existing
    result = milp(
        c=cost,
        constraints=LinearConstraint(cover.T.tocsr(), lb=1.0, ub=np.inf),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": EXACT_TIME_LIMIT_S},
    )
    if result.x is None:
        return None
    return np.flatnonzero(result.x > 0.5).tolist()


def _scores(cover: csr_matrix, uncovered_weight: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    # Rounded so that float noise does not decide ties; the tie-breaking part of the bonus is below the rounding.
    lit = cover @ uncovered_weight
    return np.where(lit > 0, np.round(lit, 6) + bonus, -np.inf)


def _greedy_largest(cover: csr_matrix, weight: np.ndarray, bonus: np.ndarray) -> list[int]:
    """Repeatedly the candidate lighting the most still-dark length."""
    uncovered = np.ones(cover.shape[1], dtype=bool)
    chosen = []
    while uncovered.any():
        best = int(np.argmax(_scores(cover, weight * uncovered, bonus)))
        chosen.append(best)
        uncovered[cover.indices[cover.indptr[best] : cover.indptr[best + 1]]] = False
    return chosen


def _greedy_scarcest(cover: csr_matrix, weight: np.ndarray, bonus: np.ndarray) -> list[int]:
    """Repeatedly the dark piece fewest candidates light, lit by whichever of them lights most."""
    by_atom = cover.T.tocsr()
    choices = np.diff(by_atom.indptr)
    uncovered = np.ones(cover.shape[1], dtype=bool)
    chosen = []
    while uncovered.any():
        left = np.flatnonzero(uncovered)
        atom = left[np.argmin(choices[left])]
        options = by_atom.indices[by_atom.indptr[atom] : by_atom.indptr[atom + 1]]
        options = np.sort(options)
        best = int(options[np.argmax(_scores(cover[options], weight * uncovered, bonus[options]))])
        chosen.append(best)
        uncovered[cover.indices[cover.indptr[best] : cover.indptr[best + 1]]] = False
    return chosen


def _prune(cover: csr_matrix, chosen: list[int], weight: np.ndarray, near_existing: np.ndarray) -> np.ndarray:
    """Drop lamps whose pieces all stay lit without them: those too near existing lamps, then the least useful."""
    chosen = np.array(chosen, dtype=np.int64)
    times = np.asarray(cover[chosen].sum(axis=0)).ravel()
    own = np.asarray(cover[chosen] @ weight).ravel()
    keep = np.ones(len(chosen), dtype=bool)
    for i in np.lexsort((own, ~near_existing[chosen])):
        pieces = cover.indices[cover.indptr[chosen[i]] : cover.indptr[chosen[i] + 1]]
        if np.all(times[pieces] >= 2):
            keep[i] = False
            times[pieces] -= 1
    return chosen[keep]


def _packing_bound(graph: LaneGraph, dark: Stretches, radius: float) -> int:
    """Dark points pairwise more than 2r apart along the network, deepest first from a root: a lower bound.

    Two sweeps (from the first node of each part of the network, then from the
    deepest dark point found); the larger packing counts.
    """
    if len(dark) == 0:
        return 0
    matrix = graph.matrix()
    _, component = connected_components(matrix, directed=False)
    _, roots = np.unique(component, return_index=True)
    count, deepest_edge = _pack(graph, dark, dijkstra(matrix, directed=False, indices=roots, min_only=True), radius)
    roots[component[graph.u[deepest_edge]]] = graph.u[deepest_edge]
    again, _ = _pack(graph, dark, dijkstra(matrix, directed=False, indices=roots, min_only=True), radius)
    return max(count, again)


def _pack(graph: LaneGraph, dark: Stretches, node_depth: np.ndarray, radius: float) -> tuple[int, int]:
    """Greedy packing: the deepest dark point left, then drop everything within 2r of it; the count and first edge."""
    left, count, first_edge = dark, 0, -1
    while True:
        # Strictly inside what is left: its ends are lit, or within 2r of a point taken.
        low, high = left.start + PACKING_INSET_M, left.end - PACKING_INSET_M
        usable = high > low
        if not usable.any():
            return count, first_edge
        edge, low, high = left.edge[usable], low[usable], high[usable]
        du, dv, length = node_depth[graph.u[edge]], node_depth[graph.v[edge]], graph.length[edge]
        at = np.clip((dv + length - du) / 2, low, high)
        best = int(np.argmax(np.minimum(du + at, dv + length - at)))
        count += 1
        first_edge = int(edge[best]) if first_edge < 0 else first_edge
        left = left - lit_stretches(graph, edge[best : best + 1], at[best : best + 1], 2 * radius * (1 + 1e-12))


def _naive_count(light: NetworkLight, dark: Stretches, radius: float) -> int:
    """Fixed spacing: a lamp every S = 2r along each dark stretch, the first r in, ceil(length / S) a stretch.

    With the same PLAN_MARGIN_M the plan keeps, so the two compare like for like.
    """
    reach = radius - PLAN_MARGIN_M
    return sum(_naive_lamps(length, reach) for length in stretch_runs(light, dark)["length_m"])


def _broken_on(light: NetworkLight, dark: Stretches) -> int:
    """Broken lamps standing on a dark stretch: repairing them may be cheaper than new ones."""
    broken = light.lamps[(light.lamps["role"] == "broken") & (light.lamps["edge"] >= 0)]
    return int(dark.contains(broken["edge"].to_numpy(), broken["t"].to_numpy()).sum())


# --------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------
def _lamp_frame(light, placement: _Placement, height: float, luminaire: str, radius: float) -> gpd.GeoDataFrame:
    xy = light.graph.point_at(placement.edge, placement.t)
    lines = light.lines.iloc[placement.line].reset_index(drop=True)
    points = gpd.GeoSeries(shapely.points(xy) if len(xy) else [], crs=METRIC_CRS).to_crs(DISPLAY_CRS)
    lonlat = shapely.get_coordinates(points.to_numpy()) if len(points) else np.empty((0, 2))
    return gpd.GeoDataFrame(
        {
            "number": np.arange(1, len(xy) + 1),
            "lane": lines["lane"],
            "lane_id": lines["lane_id"],
            "at_m": np.round(placement.at_m, 2),
            "lon": np.round(lonlat[:, 0], DISPLAY_DECIMALS),
            "lat": np.round(lonlat[:, 1], DISPLAY_DECIMALS),
            "height": float(height),
            "luminaire": luminaire,
            "lit_radius_m": radius,
            "on_dark": placement.on_dark,
            "newly_lit_m": np.round(placement.newly_lit_m, 2),
        },
        geometry=points.reset_index(drop=True),
        crs=DISPLAY_CRS,
    )


def _buildings_served(buildings, lanes, newly_lit: shapely.Geometry) -> gpd.GeoDataFrame:
    """Buildings whose entrance (footprint point nearest the lanes) is within ENTRANCE_REACH_M of newly lit lane."""
    columns = ["id", "address", "compound", "households"]
    if buildings is None or len(buildings) == 0 or newly_lit is None or newly_lit.is_empty:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=METRIC_CRS)
    footprints = buildings.to_crs(METRIC_CRS)
    network = lanes.to_crs(METRIC_CRS).geometry.union_all()
    entrance = shapely.get_point(shapely.shortest_line(footprints.geometry.to_numpy(), network), 0)
    served = footprints[shapely.dwithin(entrance, newly_lit, ENTRANCE_REACH_M)]
    return served[[c for c in columns if c in served.columns] + ["geometry"]].reset_index(drop=True)


def _issues_near(issues, dark_lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if issues is None or len(issues) == 0 or len(dark_lines) == 0:
        empty = issues.iloc[:0] if issues is not None else gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)
        return empty.to_crs(METRIC_CRS).assign(lane=pd.Series(dtype=object), distance_m=pd.Series(dtype=float))
    points = issues.to_crs(METRIC_CRS)
    points = points[points["category"] == "lighting"] if "category" in points else points.iloc[:0]
    near = gpd.sjoin_nearest(
        points, dark_lines[["lane", "geometry"]], how="inner", max_distance=ISSUE_REACH_M, distance_col="distance_m"
    )
    near = near[~near.index.duplicated()].drop(columns="index_right")
    return near
