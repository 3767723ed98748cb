"""Lines as a walkable network: which of them connect, with vertices closer than a tolerance as one node."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

NODE_TOLERANCE_M = 0.5


def component_labels(lines: Iterable[shapely.LineString], tolerance: float = NODE_TOLERANCE_M) -> np.ndarray:
    """For each line, the id of the connected part of the network it belongs to.

    Lines are in a metric CRS; a line joins another where any of their vertices
    lie within `tolerance` of each other (a lane ending on a road's vertex).
    """
    lines = list(lines)
    if not lines:
        return np.array([], dtype=int)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    vertices = shapely.points(coords)
    near_a, near_b = shapely.STRtree(vertices).query(vertices, predicate="dwithin", distance=tolerance)
    same_a = np.flatnonzero(owner[1:] == owner[:-1])
    rows = np.concatenate([near_a, same_a])
    cols = np.concatenate([near_b, same_a + 1])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(vertices),) * 2)
    _, vertex_labels = connected_components(graph, directed=False)
    first_vertex = np.searchsorted(owner, np.arange(len(lines)))
    return vertex_labels[first_vertex]


def count_components(lines: Iterable[shapely.LineString], tolerance: float = NODE_TOLERANCE_M) -> int:
    return len(np.unique(component_labels(lines, tolerance)))
