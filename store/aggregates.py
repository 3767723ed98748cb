"""Issues summed up for maps and statistics, in SQL that runs the same on SQLite and PostGIS.

density(): counts per cell of a lon/lat grid about `cell_m` metres square,
grouped in the database (100,000 issues take well under a second on SQLite).
issue_points(): the few columns geo.hotspots needs, without loading whole issues.
issue_pins(): the columns a map pin and a link need, likewise.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Integer, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from store.errors import ValidationError
from store.filters import IssueFilters, filter_conditions
from store.models import Category, Issue
from store.spatial import geodesic_distance_m
from store.validation import FieldErrors, latitude, longitude, number

__all__ = ["DensityCell", "Grid", "density", "issue_pins", "issue_points"]

DENSITY_CELL_MIN_M = 5.0
DENSITY_CELL_MAX_M = 1000.0
_STEP = 0.001  # degrees, to measure how long a degree is at the grid's origin


@dataclass(frozen=True)
class Grid:
    """Cells of dlon x dlat degrees counted from a fixed origin: column = floor((lon - origin) / dlon)."""

    origin_lon: float
    origin_lat: float
    dlon: float
    dlat: float
    cell_m: float

    @classmethod
    def of_metres(cls, origin_lon: float, origin_lat: float, cell_m: float) -> Grid:
        """About cell_m x cell_m metres at the origin's latitude (good to a part in 10^4 across a neighbourhood)."""
        metres_per_degree_lon = geodesic_distance_m(origin_lon, origin_lat, origin_lon + _STEP, origin_lat) / _STEP
        metres_per_degree_lat = geodesic_distance_m(origin_lon, origin_lat, origin_lon, origin_lat + _STEP) / _STEP
        return cls(origin_lon, origin_lat, cell_m / metres_per_degree_lon, cell_m / metres_per_degree_lat, cell_m)

    def centre(self, col: int, row: int) -> tuple[float, float]:
        return self.origin_lon + (col + 0.5) * self.dlon, self.origin_lat + (row + 0.5) * self.dlat


@dataclass(frozen=True)
class DensityCell:
    col: int
    row: int
    count: int
    lon: float  # the mean position of the cell's issues
    lat: float


class _floor(FunctionElement[int]):
    """The largest whole number not above x, as an integer, on any backend."""

    type = Integer()
    inherit_cache = True
    name = "floor"


@compiles(_floor)
def _compile_floor(element: _floor, compiler, **kw) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_floor, "sqlite")
def _compile_floor_sqlite(element: _floor, compiler, **kw) -> str:
    # floor() is optional in SQLite builds; CAST truncates towards zero, so step down below zero.
    # The argument is repeated, so it must be a plain column (no bound parameters).
    x = compiler.process(element.clauses, **kw)
    return f"(CAST({x} AS INTEGER) - ({x} < CAST({x} AS INTEGER)))"


def _conditions(session: Session, filters: IssueFilters | None):
    known_categories = set(session.scalars(select(Category.id)))
    return filter_conditions(filters or IssueFilters(), known_categories)


def density(
    session: Session,
    filters: IssueFilters | None = None,
    *,
    origin: tuple[float, float],
    cell_m: float = 20.0,
) -> tuple[Grid, list[DensityCell]]:
    """How many matching issues lie in each non-empty cell, by row (south first) then column.

    `origin` (lon, lat) fixes the grid, so the same cell has the same column and
    row in every request; pass a point near the area mapped. Bad filters or a
    cell size outside 5-1000 m raise ValidationError naming them.
    """
    errors = FieldErrors()
    cell_m = errors.check("cell_m", number, cell_m, minimum=DENSITY_CELL_MIN_M, maximum=DENSITY_CELL_MAX_M)
    origin_lon = errors.check("origin", longitude, origin[0])
    origin_lat = errors.check("origin", latitude, origin[1])
    try:
        conditions = _conditions(session, filters)
    except ValidationError as problem:
        errors.errors.update(problem.field_errors)
    errors.raise_if_any()
    grid = Grid.of_metres(origin_lon, origin_lat, cell_m)

    steps = (
        select(
            ((Issue.lon - grid.origin_lon) / grid.dlon).label("x"),
            ((Issue.lat - grid.origin_lat) / grid.dlat).label("y"),
            Issue.lon,
            Issue.lat,
        )
        .where(*conditions)
        .subquery()
    )
    col, row = _floor(steps.c.x), _floor(steps.c.y)
    mean_lon, mean_lat = func.avg(steps.c.lon), func.avg(steps.c.lat)
    query = (
        select(col.label("col"), row.label("row"), func.count().label("n"), mean_lon, mean_lat)
        .group_by(col, row)
        .order_by(row, col)
    )
    cells = [
        DensityCell(int(c), int(r), int(n), float(lon), float(lat)) for c, r, n, lon, lat in session.execute(query)
    ]
    return grid, cells


def issue_points(session: Session, filters: IssueFilters | None = None) -> gpd.GeoDataFrame:
    """Matching issues as points (EPSG:4326) with `category` and `reported_at` (aware UTC): what geo.hotspots reads."""
    conditions = _conditions(session, filters)
    rows = session.execute(
        select(Issue.lon, Issue.lat, Issue.category_id, Issue.reported_at).where(*conditions).order_by(Issue.id)
    ).all()
    lon = [r[0] for r in rows]
    lat = [r[1] for r in rows]
    return gpd.GeoDataFrame(
        {
            "category": pd.Series([r[2] for r in rows], dtype=object),
            "reported_at": pd.to_datetime(pd.Series([r[3] for r in rows], dtype=object), utc=True),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def issue_pins(session: Session, filters: IssueFilters | None = None) -> gpd.GeoDataFrame:
    """Matching issues as points (EPSG:4326) with id (the public UUID), category, title and status, oldest first."""
    conditions = _conditions(session, filters)
    rows = session.execute(
        select(Issue.public_id, Issue.category_id, Issue.title, Issue.status, Issue.lon, Issue.lat)
        .where(*conditions)
        .order_by(Issue.reported_at, Issue.id)
    ).all()
    columns = ("id", "category", "title", "status")
    return gpd.GeoDataFrame(
        {name: pd.Series([r[n] for r in rows], dtype=object) for n, name in enumerate(columns)},
        geometry=gpd.points_from_xy([r[4] for r in rows], [r[5] for r in rows]),
        crs="EPSG:4326",
    )
