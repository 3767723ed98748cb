"""A line network as a graph to measure along, and stretches of it as intervals on its edges.

Edges are the lines' segments, in a metric CRS; vertices closer than a
tolerance are one node (a lane ending on a road's vertex joins it), as in
geo.network. A position on the network is (edge, t): t metres from the
edge's start.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from geo.network import NODE_TOLERANCE_M

SAME_POINT_M = 1e-9


@dataclass(frozen=True, eq=False)
class LaneGraph:
    nodes: np.ndarray  # (n, 2): x, y of each node
    u: np.ndarray  # node at each edge's start
    v: np.ndarray  # node at each edge's end
    start: np.ndarray  # (m, 2): each edge's own first point (a node may merge points up to the tolerance apart)
    end: np.ndarray
    length: np.ndarray
    line: np.ndarray  # the input line each edge lies on
    part: np.ndarray  # the line part (of a MultiLineString) it lies on, numbered over all lines
    offset: np.ndarray  # metres along the input line to the edge's start
    parent: np.ndarray  # the edge of the unsplit graph this edge is part of
    parent_t: np.ndarray  # where on the parent edge it starts

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return len(self.length)

    def matrix(self) -> csr_matrix:
        """Edge lengths as a symmetric sparse matrix for scipy.sparse.csgraph (shortest parallel edge, no loops)."""
        return self._matrix

    @cached_property
    def _matrix(self) -> csr_matrix:
        keep = self.u != self.v
        lo = np.minimum(self.u, self.v)[keep]
        hi = np.maximum(self.u, self.v)[keep]
        length = self.length[keep]
        order = np.lexsort((length, hi, lo))
        lo, hi, length = lo[order], hi[order], length[order]
        first = np.ones(len(lo), dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        lo, hi, length = lo[first], hi[first], length[first]
        rows, cols = np.concatenate([lo, hi]), np.concatenate([hi, lo])
        return coo_matrix((np.concatenate([length, length]), (rows, cols)), shape=(self.n_nodes,) * 2).tocsr()

    def degree(self) -> np.ndarray:
        """Edges meeting at each node (1 at a dead end, 3 or more at a junction)."""
        keep = self.u != self.v
        return np.bincount(np.concatenate([self.u[keep], self.v[keep]]), minlength=self.n_nodes)

    def point_at(self, edge: np.ndarray, t: np.ndarray) -> np.ndarray:
        edge = np.asarray(edge, dtype=np.int64)
        share = np.divide(t, self.length[edge], out=np.zeros(len(edge)), where=self.length[edge] > 0)
        return self.start[edge] + (self.end[edge] - self.start[edge]) * share[:, None]

    def node_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """For each node, one (edge, t) that lies on it; edge -1 for a node on no edge."""
        edge = np.full(self.n_nodes, -1, dtype=np.int64)
        t = np.zeros(self.n_nodes)
        ids = np.arange(self.n_edges)
        edge[self.v[::-1]], t[self.v[::-1]] = ids[::-1], self.length[::-1]
        edge[self.u[::-1]], t[self.u[::-1]] = ids[::-1], 0.0
        return edge, t

    def segments(self) -> np.ndarray:
        return shapely.linestrings(np.stack([self.start, self.end], axis=1))

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nearest point on the network to each point: (edge, t, distance); edge -1 on an empty graph."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        edge = np.full(len(xy), -1, dtype=np.int64)
        distance = np.full(len(xy), np.inf)
        if self.n_edges == 0 or len(xy) == 0:
            return edge, np.zeros(len(xy)), distance
        tree = shapely.STRtree(self.segments())
        (which, nearest), found = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
        edge[which], distance[which] = nearest, found
        t = np.zeros(len(xy))
        ok = edge >= 0
        t[ok] = self.project(edge[ok], xy[ok])
        return edge, t, distance

    def project(self, edge: np.ndarray, xy: np.ndarray) -> np.ndarray:
        """Metres along each edge to the point on it nearest each xy."""
        direction = self.end[edge] - self.start[edge]
        length = self.length[edge]
        along = np.einsum("ij,ij->i", xy - self.start[edge], direction)
        return np.clip(np.divide(along, length, out=np.zeros(len(edge)), where=length > 0), 0.0, length)

    def split(self, edge: np.ndarray, t: np.ndarray) -> LaneGraph:
        """A copy with each edge cut at the given positions (a new node at each); parent/parent_t lead back."""
        edge, t = np.asarray(edge, dtype=np.int64), np.asarray(t, dtype=float)
        inside = (t > SAME_POINT_M) & (t < self.length[edge] - SAME_POINT_M)
        edge, t = edge[inside], t[inside]
        order = np.lexsort((t, edge))
        edge, t = edge[order], t[order]
        distinct = np.ones(len(edge), dtype=bool)
        distinct[1:] = (edge[1:] != edge[:-1]) | (t[1:] - t[:-1] > SAME_POINT_M)
        edge, t = edge[distinct], t[distinct]

        cut_node = self.n_nodes + np.arange(len(edge))
        nodes = np.vstack([self.nodes, self.point_at(edge, t)])
        first_on_edge = np.ones(len(edge), dtype=bool)
        first_on_edge[1:] = edge[1:] != edge[:-1]
        last_on_edge = np.roll(first_on_edge, -1)
        # Pieces ending at each cut, then the piece after the last cut of each edge.
        from_node = np.where(first_on_edge, self.u[edge], np.roll(cut_node, 1))
        from_t = np.where(first_on_edge, 0.0, np.roll(t, 1))
        piece_edge = np.concatenate([edge, edge[last_on_edge]])
        piece_u = np.concatenate([from_node, cut_node[last_on_edge]])
        piece_v = np.concatenate([cut_node, self.v[edge[last_on_edge]]])
        piece_t0 = np.concatenate([from_t, t[last_on_edge]])
        piece_t1 = np.concatenate([t, self.length[edge[last_on_edge]]])

        uncut = np.setdiff1d(np.arange(self.n_edges), edge)
        all_edge = np.concatenate([uncut, piece_edge])
        t0 = np.concatenate([np.zeros(len(uncut)), piece_t0])
        t1 = np.concatenate([self.length[uncut], piece_t1])
        order = np.lexsort((t0, all_edge))
        all_edge, t0, t1 = all_edge[order], t0[order], t1[order]
        u = np.concatenate([self.u[uncut], piece_u])[order]
        v = np.concatenate([self.v[uncut], piece_v])[order]
        return LaneGraph(
            nodes=nodes,
            u=u,
            v=v,
            start=self.point_at(all_edge, t0),
            end=self.point_at(all_edge, t1),
            length=t1 - t0,
            line=self.line[all_edge],
            part=self.part[all_edge],
            offset=self.offset[all_edge] + t0,
            parent=self.parent[all_edge],
            parent_t=self.parent_t[all_edge] + t0,
        )


def lane_graph(lines: Iterable[shapely.Geometry], tolerance: float = NODE_TOLERANCE_M) -> LaneGraph:
    """The graph of (Multi)LineStrings in a metric CRS; edge.line is the position in `lines`."""
    lines = np.asarray(list(lines), dtype=object)
    parts, line_of_part = shapely.get_parts(lines, return_index=True)
    coords, part_of_vertex = shapely.get_coordinates(parts, return_index=True)
    node_of_vertex = _cluster(coords, tolerance)
    _, first_vertex, node_of_vertex = np.unique(node_of_vertex, return_index=True, return_inverse=True)

    segment = np.flatnonzero(part_of_vertex[1:] == part_of_vertex[:-1])
    start, end = coords[segment], coords[segment + 1]
    length = np.hypot(*(end - start).T)
    segment_part = part_of_vertex[segment]
    segment_line = line_of_part[segment_part]
    # Metres along the whole line (over its parts, in order) to each segment's start.
    cumulative = np.cumsum(length) - length
    line_start = np.zeros(len(lines))
    first_of_line = np.ones(len(segment), dtype=bool)
    first_of_line[1:] = segment_line[1:] != segment_line[:-1]
    line_start[segment_line[first_of_line]] = cumulative[first_of_line]
    offset = cumulative - line_start[segment_line]

    real = length > 0
    n_edges = int(real.sum())
    return LaneGraph(
        nodes=coords[first_vertex],
        u=node_of_vertex[segment][real],
        v=node_of_vertex[segment + 1][real],
        start=start[real],
        end=end[real],
        length=length[real],
        line=segment_line[real],
        part=segment_part[real],
        offset=offset[real],
        parent=np.arange(n_edges),
        parent_t=np.zeros(n_edges),
    )


def _cluster(coords: np.ndarray, tolerance: float) -> np.ndarray:
    if len(coords) == 0:
        return np.array([], dtype=np.int64)
    vertices = shapely.points(coords)
    near_a, near_b = shapely.STRtree(vertices).query(vertices, predicate="dwithin", distance=tolerance)
    graph = coo_matrix((np.ones(len(near_a)), (near_a, near_b)), shape=(len(coords),) * 2)
    return connected_components(graph, directed=False)[1]


@dataclass(frozen=True, eq=False)
class Stretches:
    """A set of stretches of a graph's edges: [start, end] metres along `edge`, disjoint and sorted once merged."""

    edge: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> Stretches:
        return cls(np.array([], dtype=np.int64), np.array([]), np.array([]))

    @classmethod
    def whole(cls, graph: LaneGraph) -> Stretches:
        return cls(np.arange(graph.n_edges), np.zeros(graph.n_edges), graph.length.copy())

    @classmethod
    def of(cls, edge, start, end) -> Stretches:
        """Any intervals (overlapping, unsorted, empty ones dropped) as a merged set."""
        edge = np.asarray(edge, dtype=np.int64)
        start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
        keep = end > start
        return cls(edge[keep], start[keep], end[keep])._merged()

    def __len__(self) -> int:
        return len(self.edge)

    @property
    def lengths(self) -> np.ndarray:
        return self.end - self.start

    def total(self) -> float:
        return float(self.lengths.sum())

    def __or__(self, other: Stretches) -> Stretches:
        return Stretches.of(
            np.concatenate([self.edge, other.edge]),
            np.concatenate([self.start, other.start]),
            np.concatenate([self.end, other.end]),
        )

    def __and__(self, other: Stretches) -> Stretches:
        return self._overlay(other, keep=(3,))

    def __sub__(self, other: Stretches) -> Stretches:
        return self._overlay(other, keep=(1,))

    def contains(self, edge: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Whether each position (edge, t) lies in the set (ends included)."""
        edge, t = np.asarray(edge, dtype=np.int64), np.asarray(t, dtype=float)
        if len(self) == 0:
            return np.zeros(len(edge), dtype=bool)
        scale = 2.0 * max(float(self.end.max()), float(np.max(t, initial=0.0))) + 1.0
        keys = self.edge * scale + self.start
        i = np.searchsorted(keys, edge * scale + t, side="right") - 1
        found = i >= 0
        i = np.maximum(i, 0)
        return found & (self.edge[i] == edge) & (t <= self.end[i]) & (t >= self.start[i])

    def _merged(self) -> Stretches:
        if len(self) == 0:
            return Stretches.empty()
        order = np.lexsort((self.start, self.edge))
        edge, start, end = self.edge[order], self.start[order], self.end[order]
        # Running maximum of the ends within each edge: shift each edge past the previous ones.
        shift = (edge - edge.min()) * (2.0 * float(np.abs(end).max()) + 1.0)
        reach = np.maximum.accumulate(end + shift) - shift
        begins = np.ones(len(edge), dtype=bool)
        begins[1:] = (edge[1:] != edge[:-1]) | (start[1:] > reach[:-1])
        first = np.flatnonzero(begins)
        # The ends themselves, not the shifted running maximum, which has lost a few bits.
        return Stretches(edge[first], start[first], np.maximum.reduceat(end, first))

    def _overlay(self, other: Stretches, keep: tuple[int, ...]) -> Stretches:
        """Where the level is in `keep`: self counts 1, other 2 (so 1 = only self, 3 = both)."""
        edge = np.concatenate([self.edge, self.edge, other.edge, other.edge])
        at = np.concatenate([self.start, self.end, other.start, other.end])
        ones, twos = np.ones(len(self)), np.full(len(other), 2.0)
        step = np.concatenate([ones, -ones, twos, -twos])
        if len(edge) == 0:
            return Stretches.empty()
        order = np.lexsort((at, edge))
        edge, at, step = edge[order], at[order], step[order]
        level = np.cumsum(step)
        piece = (edge[:-1] == edge[1:]) & np.isin(level[:-1], keep) & (at[1:] > at[:-1])
        return Stretches.of(edge[:-1][piece], at[:-1][piece], at[1:][piece])
