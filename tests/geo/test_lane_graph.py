"""geo.lane_graph: a line network as a graph to measure along, and stretches of its edges."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from shapely import LineString, MultiLineString

from geo.lane_graph import Stretches, lane_graph


def test_edges_are_segments_and_vertices_within_half_a_metre_are_one_node():
    road = LineString([(0, 0), (50, 0), (100, 0)])
    lane = LineString([(50, 0.3), (50, 40)])
    graph = lane_graph([road, lane])
    assert graph.n_edges == 3
    assert graph.n_nodes == 4
    assert graph.length == pytest.approx([50, 50, 39.7])
    assert graph.offset == pytest.approx([0, 50, 0])
    assert graph.line.tolist() == [0, 0, 1]
    assert sorted(graph.degree().tolist()) == [1, 1, 1, 3]


def test_lines_crossing_without_a_shared_vertex_do_not_meet():
    graph = lane_graph([LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)])])
    distance = dijkstra(graph.matrix(), directed=False, indices=int(graph.u[0]))
    assert np.isinf(distance[graph.u[1]])


def test_a_multilinestring_is_one_line_in_parts():
    graph = lane_graph([MultiLineString([[(0, 0), (10, 0)], [(20, 0), (30, 0)]])])
    assert graph.line.tolist() == [0, 0]
    assert graph.part.tolist() == [0, 1]
    assert graph.offset == pytest.approx([0, 10])


def test_snap_finds_the_nearest_point_on_the_nearest_edge():
    graph = lane_graph([LineString([(0, 0), (100, 0)]), LineString([(0, 10), (100, 10)])])
    edge, t, distance = graph.snap(np.array([[30.0, 2.0], [-5.0, 9.0]]))
    assert edge.tolist() == [0, 1]
    assert t == pytest.approx([30, 0])
    assert distance == pytest.approx([2, np.hypot(5, 1)])


def test_split_keeps_lengths_and_leads_back_to_the_parent_edge():
    graph = lane_graph([LineString([(0, 0), (10, 0), (10, 10)])])
    fine = graph.split(np.array([0, 0, 1, 0]), np.array([7.5, 2.5, 4.0, 0.0]))
    assert fine.n_edges == 5
    assert fine.n_nodes == graph.n_nodes + 3
    assert fine.length.sum() == pytest.approx(20)
    assert fine.parent.tolist() == [0, 0, 0, 1, 1]
    assert fine.parent_t == pytest.approx([0, 2.5, 7.5, 0, 4])
    assert fine.offset == pytest.approx([0, 2.5, 7.5, 10, 14])
    distance = dijkstra(fine.matrix(), directed=False, indices=int(fine.u[0]))
    assert distance[fine.v[-1]] == pytest.approx(20)


def test_stretches_merge_intersect_and_subtract():
    a = Stretches.of([0, 0, 1], [0, 5, 2], [6, 10, 3])
    assert a.edge.tolist() == [0, 1]
    assert a.start.tolist() == [0, 2] and a.end.tolist() == [10, 3]
    b = Stretches.of([0, 1], [4, 0], [7, 10])
    both = a & b
    assert (both.edge.tolist(), both.start.tolist(), both.end.tolist()) == ([0, 1], [4, 2], [7, 3])
    only_a = a - b
    assert (only_a.edge.tolist(), only_a.start.tolist(), only_a.end.tolist()) == ([0, 0], [0, 7], [4, 10])
    assert (a | b).total() == pytest.approx(10 + 10)
    assert a.contains(np.array([0, 0, 1, 1]), np.array([10.0, 10.5, 2.5, 4.0])).tolist() == [True, False, True, False]
