"""Which named places a grid cell covers: the compounds and lanes to name when ranking hot spots."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import METRIC_CRS

# Less than this is an edge shared or a corner clipped, not a place the cell covers.
MIN_OVERLAP_M2 = 1.0
MIN_LANE_M = 1.0


def cell_places(
    cells: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame,
    lanes: gpd.GeoDataFrame,
    *,
    name_column: str = "name",
) -> pd.DataFrame:
    """For each cell (same index), `compounds` and `lanes`: the distinct names it covers, most covered first.

    A compound counts when at least 1 m² of it lies in the cell, a lane when at
    least 1 m of it does; equal shares go by name. Any CRS in, measured in metres.
    """
    return pd.DataFrame(
        {
            "compounds": _names_by_overlap(cells, compounds, name_column, shapely.area, MIN_OVERLAP_M2),
            "lanes": _names_by_overlap(cells, lanes, name_column, shapely.length, MIN_LANE_M),
        },
        index=cells.index,
    )


def _names_by_overlap(cells, places, name_column, measure, minimum) -> list[list[str]]:
    cell_shapes = cells.geometry.to_crs(METRIC_CRS).to_numpy()
    place_shapes = places.geometry.to_crs(METRIC_CRS).to_numpy()
    names = places[name_column].to_numpy(dtype=object)
    out: list[list[str]] = [[] for _ in range(len(cells))]
    if len(cell_shapes) == 0 or len(place_shapes) == 0:
        return out
    place_idx, cell_idx = shapely.STRtree(cell_shapes).query(place_shapes, predicate="intersects")
    amounts = measure(shapely.intersection(cell_shapes[cell_idx], place_shapes[place_idx]))
    found = pd.DataFrame({"cell": cell_idx, "name": names[place_idx], "amount": amounts})
    found = found[found["name"].notna() & (found["name"] != "")]
    # A lane drawn as several segments is one lane: add up its pieces in the cell.
    found = found.groupby(["cell", "name"], as_index=False)["amount"].sum()
    found = found[found["amount"] >= minimum]
    found = found.sort_values(["cell", "amount", "name"], ascending=[True, False, True], kind="stable")
    for cell, name in zip(found["cell"].to_numpy(), found["name"].to_numpy()):
        out[int(cell)].append(str(name))
    return out

