"""Every project as one kind of geometry, an area: a line's or a point's works corridor.

GIS clients type a layer from its first feature (QGIS over OGC API, a GeoPackage
or GeoJSON loaded the ordinary way, a CSV as delimited text), so a table mixing
areas with lines draws only one kind. The file and OGC outputs therefore publish
each project as a (Multi)Polygon: an area as it is, a line or a point buffered by
WORKS_HALF_WIDTH_M in EPSG:4549 (metres), the ground the works occupy.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS, METRIC_CRS

# Half the width of a works corridor: 3 m each side of a lane's centreline covers the old lanes of the
# neighbourhood (2-5 m wide) with the trench or lamp bases and the working space beside them.
WORKS_HALF_WIDTH_M = 3.0
GRID = 10.0 ** -DISPLAY_DECIMALS  # the precision coordinates are published at (about 1 cm)
AREA_KINDS = ("Polygon", "MultiPolygon")


def works_areas(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Each geometry (EPSG:4326) as a MultiPolygon: an area kept as it is, anything else buffered by
    WORKS_HALF_WIDTH_M. All MultiPolygons, since a client meeting Polygons and MultiPolygons in one GeoJSON
    layer calls its type "unknown" and may again split it. A buffered corridor is snapped to the published
    precision, which keeps it valid once rounded."""
    if geometry.crs is None:
        raise ValueError("works_areas needs geometries with a CRS")
    geometry = geometry.to_crs(DISPLAY_CRS)
    out = geometry.to_numpy().copy()
    other = ~geometry.geom_type.isin(AREA_KINDS).to_numpy() & ~np.asarray(geometry.isna() | geometry.is_empty)
    if other.any():
        metric = geometry[other].to_crs(METRIC_CRS).buffer(WORKS_HALF_WIDTH_M, quad_segs=4)
        out[other] = shapely.set_precision(metric.to_crs(DISPLAY_CRS).to_numpy(), GRID)
    return gpd.GeoSeries([_multi(g) for g in out], index=geometry.index, crs=DISPLAY_CRS)


def _multi(geom):
    if geom is None or geom.is_empty or geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return shapely.MultiPolygon([part for part in shapely.get_parts(geom) if part.geom_type == "Polygon"])
