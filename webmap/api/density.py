"""GET /api/v1/issues/density: issue counts on a grid of about cell_m metres, for heat maps and clusters."""
from __future__ import annotations

from store.aggregates import density
from webmap.api import bp
from webmap.api.issue_geojson import point
from webmap.api.query import FILTERS, issue_filters, parameters, refusals
from webmap.api.responses import geojson_response
from webmap.base_layers import base_layers
from webmap.database import session

PARAMETERS = (*FILTERS, "cell_m")
DEFAULT_CELL_M = 20.0


@bp.get("/issues/density")
def issue_density():
    args, errors = parameters(PARAMETERS)
    # The boundary's south-west corner: the same cell has the same column and row in every request.
    minlon, minlat, _, _ = base_layers().layers["boundary"].total_bounds
    with refusals(errors):
        grid, cells = density(
            session(),
            issue_filters(args, errors),
            origin=(float(minlon), float(minlat)),
            cell_m=args.get("cell_m") or DEFAULT_CELL_M,
        )
    return geojson_response(
        {
            "type": "FeatureCollection",
            "numberMatched": sum(cell.count for cell in cells),
            "grid": {
                "cell_m": grid.cell_m,
                "origin": [grid.origin_lon, grid.origin_lat],
                "dlon": grid.dlon,
                "dlat": grid.dlat,
            },
            "features": [
                {
                    "type": "Feature",
                    "id": f"c{cell.col}r{cell.row}",
                    "geometry": point(cell.lon, cell.lat),
                    "properties": {"count": cell.count, "col": cell.col, "row": cell.row},
                }
                for cell in cells
            ],
        }
    )
