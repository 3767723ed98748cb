"""geo.network: which lines connect into one walkable network."""
from __future__ import annotations

from shapely import LineString

from geo.network import component_labels, count_components


def test_a_lane_ending_on_a_road_vertex_joins_it():
    road = LineString([(0, 0), (50, 0), (100, 0)])
    lane = LineString([(50, 0.3), (50, 40)])
    assert count_components([road, lane]) == 1


def test_a_gap_wider_than_the_tolerance_splits_the_network():
    road = LineString([(0, 0), (100, 0)])
    lane = LineString([(50, 2), (50, 40)])
    branch = LineString([(50, 40), (80, 40)])
    labels = component_labels([road, lane, branch])
    assert count_components([road, lane, branch]) == 2
    assert labels[1] == labels[2] != labels[0]


def test_crossing_without_a_shared_vertex_does_not_connect():
    assert count_components([LineString([(0, 0), (10, 0)]), LineString([(5, -5), (5, 5)])]) == 2


def test_empty_network():
    assert count_components([]) == 0
