"""What a renovation project touches: buildings and households, issues on its ground, other projects.

Projects are a GeoDataFrame indexed by project id, in any CRS; a project's geometry
is areas (Polygon, MultiPolygon), lines or points, never a mix. Each function
answers with the rows of the other layer that the rule picks, and a `project`
column naming the project they belong to (a row appears once per project).
Distances are measured in METRIC_CRS.

- buildings affected: those an area overlaps (touching its edge is not enough); those
  within NEAR_M of a line; for a point, the building it stands in, else the nearest
  one within NEAR_M.
- issues inside: points within NEAR_M of the project's geometry.
- conflicts: two projects within CONFLICT_MARGIN_M of each other (they intersect once
  one is grown by that much) whose periods overlap. A project's periods are its
  planned and its actual one; a period with one end known lasts that day; a project
  without any date conflicts with nothing.
"""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import METRIC_CRS

NEAR_M = 5.0
CONFLICT_MARGIN_M = 2.0
PERIODS = (("planned_start", "planned_end"), ("actual_start", "actual_end"))
PROJECT = "project"

Period = tuple[date, date]


def affected_buildings(projects: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The buildings each project affects (see the module docstring), by project then building order."""
    metric = buildings.to_crs(METRIC_CRS)
    footprints = metric.geometry.values
    tree = metric.sindex
    pairs: list[tuple[object, int]] = []
    for label, part in _parts(projects):
        dimension = shapely.get_dimensions(part)
        if dimension == 2:
            hits = tree.query(part, predicate="intersects")
            hits = [h for h in hits if not part.touches(footprints[h])]
        elif dimension == 1:
            hits = tree.query(part, predicate="dwithin", distance=NEAR_M)
        else:
            hits = _nearest(tree.query(part, predicate="dwithin", distance=NEAR_M), footprints, part)
        pairs += [(label, int(h)) for h in hits]
    return _rows(buildings, pairs)


def households_affected(projects: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> pd.Series:
    """Households in the affected buildings, per project (0 where none), indexed like `projects`."""
    affected = affected_buildings(projects, buildings)
    totals = affected.groupby(PROJECT)["households"].sum() if len(affected) else pd.Series(dtype="int64")
    return totals.reindex(projects.index, fill_value=0).astype("int64")


def issues_inside(projects: gpd.GeoDataFrame, issues: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The issue points within NEAR_M of each project's geometry."""
    metric = issues.to_crs(METRIC_CRS)
    tree = metric.sindex
    pairs = [
        (label, int(h))
        for label, geometry in _geometries(projects)
        for h in tree.query(geometry, predicate="dwithin", distance=NEAR_M)
    ]
    return _rows(issues, pairs)


def conflicts(projects: gpd.GeoDataFrame, others: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The other projects each project conflicts with: close in space and overlapping in time.

    Both frames carry the date columns of PERIODS (missing ones count as unknown); a
    project never conflicts with a row of `others` that has its own id.
    """
    metric = others.to_crs(METRIC_CRS)
    tree = metric.sindex
    their_periods = [project_periods(row) for _, row in others.iterrows()]
    pairs = []
    for (label, geometry), (_, row) in zip(_geometries(projects), projects.iterrows()):
        mine = project_periods(row)
        if not mine:
            continue
        for h in sorted(tree.query(geometry, predicate="dwithin", distance=CONFLICT_MARGIN_M)):
            if others.index[h] != label and periods_overlap(mine, their_periods[h]):
                pairs.append((label, int(h)))
    return _rows(others, pairs)


def project_periods(row: pd.Series | dict) -> list[Period]:
    """The planned and the actual period, as far as they are known (first day, last day)."""
    periods = []
    for start_name, end_name in PERIODS:
        start, end = _day(row.get(start_name)), _day(row.get(end_name))
        if start is None and end is None:
            continue
        start, end = start or end, end or start
        periods.append((min(start, end), max(start, end)))
    return periods


def periods_overlap(a: list[Period], b: list[Period]) -> bool:
    """Whether any period of a shares a day with any period of b."""
    return any(a_start <= b_end and b_start <= a_end for a_start, a_end in a for b_start, b_end in b)


def _day(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _geometries(projects: gpd.GeoDataFrame):
    """(project id, geometry in METRIC_CRS) for each project with a geometry."""
    metric = projects.to_crs(METRIC_CRS)
    return [(label, g) for label, g in zip(metric.index, metric.geometry.values) if g is not None and not g.is_empty]


def _parts(projects: gpd.GeoDataFrame):
    """(project id, single part in METRIC_CRS): a MultiPoint's points are judged one by one."""
    for label, geometry in _geometries(projects):
        for part in shapely.get_parts(geometry):
            if not part.is_empty:
                yield label, part


def _nearest(hits: np.ndarray, footprints: np.ndarray, point) -> list[int]:
    """Of the buildings hit, the one the point stands in (distance 0), else the nearest; the first of equals."""
    if len(hits) == 0:
        return []
    hits = np.sort(hits)
    return [int(hits[np.argmin(shapely.distance(footprints[hits], point))])]


def _rows(frame: gpd.GeoDataFrame, pairs: list[tuple[object, int]]) -> gpd.GeoDataFrame:
    """The frame's rows at the given positions, each with its project: once per pair, by project, then frame order."""
    unique = list(dict.fromkeys(pairs))
    project_order = {label: n for n, label in enumerate(dict.fromkeys(label for label, _ in unique))}
    unique.sort(key=lambda pair: (project_order[pair[0]], pair[1]))
    rows = frame.iloc[[position for _, position in unique]].copy()
    rows.insert(0, PROJECT, [label for label, _ in unique])
    return rows
