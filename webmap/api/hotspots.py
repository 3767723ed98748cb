"""GET /api/v1/hotspots: Getis-Ord Gi* hot and cold spots of the matching issues on the boundary's grid."""
from __future__ import annotations

import copy
import hashlib
import math
import time
from typing import Any

import pandas as pd
import shapely
from flask import current_app

from geo.cell_places import cell_places
from geo.crs import rounded
from geo.geojson import geometry_json
from geo.hotspots import hotspots
from store.aggregates import issue_points
from store.validation import number
from webmap.api import bp
from webmap.api.query import issue_filters, parameters, read, refusals
from webmap.api.responses import geojson_response
from webmap.base_layers import base_layers
from webmap.database import session
from webmap.i18n import current_language

PARAMETERS = ("category", "status", "since", "until", "cell_m")
DEFAULT_CELL_M = 20.0
MIN_CELL_M, MAX_CELL_M = 10.0, 100.0  # smaller cells make the permutation test slow and the counts thin
PERMUTATIONS = 9999  # the smallest p is then 0.0002, so hot99 is reachable after the FDR correction
SEED = 0  # the same data always gives the same map


@bp.get("/hotspots")
def issue_hotspots():
    args, errors = parameters(PARAMETERS)
    cell_m = read(args, errors, "cell_m", number, default=DEFAULT_CELL_M, minimum=MIN_CELL_M, maximum=MAX_CELL_M)
    recent = _recent_answers()
    key = (tuple(sorted(args.items())), current_language())
    answered_at, body = recent.get(key, (0.0, None))  # only parameters that were answered are kept
    if body is not None and not errors.errors and time.monotonic() - answered_at < current_app.config["HOTSPOT_MAX_AGE"]:
        return geojson_response(body)
    with refusals(errors):
        points = issue_points(session(), issue_filters(args, errors))
    body = _answer(points, cell_m, args)
    if len(recent) >= 64:
        recent.clear()
    recent[key] = (time.monotonic(), body)
    return geojson_response(body)


def _recent_answers() -> dict:
    """Answers by their parameters and language, reused for HOTSPOT_MAX_AGE seconds: a map of months of reports
    need not change with each new one, and Gi* is the API's most expensive request."""
    return current_app.extensions.setdefault("hotspot_answers", {})


def _answer(points, cell_m: float, args: dict[str, str]) -> dict:
    cells, summary = _analysis(points, cell_m)
    # The store applied the filters; say which.
    summary.filters = {name: args.get(name) or None for name in ("category", "status", "since", "until")}
    places = _places(cells, cell_m, "name" if current_language() == "zh" else "name_en")

    cells = rounded(cells)
    features = [
        {
            "type": "Feature",
            "id": cell["id"],
            "geometry": geometry_json(cell.geometry),
            "properties": {
                "id": cell["id"],
                "count": int(cell["count"]),
                "z": _finite(cell["z"]),
                "p": _finite(cell["p"]),
                "p_fdr": _finite(cell["p_fdr"]),
                "class": cell["class"],
                "compounds": places.at[cell["id"], "compounds"],
                "lanes": places.at[cell["id"], "lanes"],
            },
        }
        for _, cell in cells.iterrows()
    ]
    summary_json = _json_safe(summary.as_dict())
    return {"type": "FeatureCollection", "features": features, "summary": summary_json}


def _analysis(points, cell_m: float):
    """Gi* of these points, computed once per distinct set of points and cell size (the same data gives the
    same answer: the permutations are seeded). Most of a request's time otherwise, and asked for again and again."""
    cache: dict[tuple[str, float], tuple] = current_app.extensions.setdefault("hotspot_results", {})
    key = (_fingerprint(points), float(cell_m))
    if key not in cache:
        if len(cache) >= 32:
            cache.clear()
        boundary = base_layers().layers["boundary"]
        cache[key] = hotspots(points, boundary, cell_size_m=cell_m, permutations=PERMUTATIONS, seed=SEED)
    cells, summary = cache[key]
    return cells.copy(), copy.deepcopy(summary)


def _fingerprint(points) -> str:
    digest = hashlib.sha256()
    digest.update(shapely.get_coordinates(points.geometry.values).tobytes())
    digest.update(pd.util.hash_pandas_object(points.drop(columns="geometry"), index=False).values.tobytes())
    return digest.hexdigest()


def _places(cells, cell_m: float, name_column: str) -> pd.DataFrame:
    """The compounds and lanes of each cell by cell id, worked out once per grid: the layers never change."""
    cache: dict[tuple[float, str], pd.DataFrame] = current_app.extensions.setdefault("hotspot_cell_places", {})
    key = (float(cell_m), name_column)
    if key not in cache:
        if len(cache) >= 32:
            cache.clear()
        layers = base_layers().layers
        grid = cells[["id", "geometry"]].set_index("id")
        cache[key] = cell_places(grid, layers["compounds"], layers["lanes"], name_column=name_column)
    return cache[key]


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _json_safe(value: Any) -> Any:
    """NaN and infinity (no cells, no variation) become null: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value
