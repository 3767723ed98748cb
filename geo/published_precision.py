"""Geometries must stay valid at the precision we publish them in.

A vertex a hair's breadth from an edge is valid in full double precision and
a self-intersection once the coordinates are rounded to 1e-7 degree (the
GeoJSON and OGC API outputs, EPSG:4326) or to the millimetre (the shapefiles
and the metric exports, EPSG:4549). Such a geometry is refused, not repaired:
the fix belongs in the data's source.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import PUBLISHED_DECIMALS


@dataclass(frozen=True)
class RoundingProblem:
    position: int  # 0-based row in the GeoSeries given
    crs: str
    decimals: int
    reason: str  # GEOS's, e.g. "Self-intersection[121.4920308 31.2178539]"

    def describe(self, layer: str, label: str) -> str:
        return (
            f"{layer} {label}: invalid once rounded to {self.decimals} decimals in {self.crs} "
            f"({self.reason}); fix the geometry at its source"
        )


def rounded_coordinates(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def invalid_when_published(geoms: gpd.GeoSeries) -> list[RoundingProblem]:
    """Every geometry that is invalid after rounding in a published CRS (missing or empty ones are skipped)."""
    if geoms.crs is None:
        raise ValueError("the geometries have no CRS")
    present = ~(geoms.isna() | geoms.is_empty).to_numpy()
    problems = []
    for crs, decimals in PUBLISHED_DECIMALS.items():
        published = rounded_coordinates(geoms.to_crs(crs).to_numpy(), decimals)
        bad = np.flatnonzero(present & ~shapely.is_valid(np.where(present, published, None)))
        reasons = shapely.is_valid_reason(published[bad]) if len(bad) else []
        problems += [RoundingProblem(int(i), crs, decimals, str(r)) for i, r in zip(bad, reasons)]
    return sorted(problems, key=lambda p: (p.position, p.crs))
