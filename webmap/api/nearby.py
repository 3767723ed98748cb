"""GET /api/v1/issues/nearby: open issues close to a point, nearest first, to warn of duplicates before reporting."""
from __future__ import annotations

from store.issues import nearby_open_issues
from store.photos import photo_counts
from store.validation import latitude, longitude, number
from webmap.api import bp
from webmap.api.issue_geojson import issue_feature
from webmap.api.query import parameters, read, refusals, whole_number
from webmap.api.responses import geojson_response
from webmap.database import session
from webmap.i18n import current_language

PARAMETERS = ("lon", "lat", "category", "radius", "limit")
DEFAULT_RADIUS_M = 30.0
MAX_RADIUS_M = 200.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@bp.get("/issues/nearby")
def nearby_issues():
    args, errors = parameters(PARAMETERS)
    lon = read(args, errors, "lon", longitude, required=True)
    lat = read(args, errors, "lat", latitude, required=True)
    radius = read(args, errors, "radius", number, default=DEFAULT_RADIUS_M, minimum=0.0, maximum=MAX_RADIUS_M)
    limit = read(args, errors, "limit", whole_number, default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    with refusals(errors):
        errors.raise_if_any()  # before asking the store with values missing
        found = nearby_open_issues(session(), lon, lat, args.get("category") or None, radius, limit=limit)
    lang = current_language()
    counts = photo_counts(session(), [n.issue.id for n in found])
    return geojson_response(
        {
            "type": "FeatureCollection",
            "radius_m": radius,
            "numberReturned": len(found),
            "features": [
                issue_feature(n.issue, lang, distance_m=round(n.distance_m, 1), photo_count=counts.get(n.issue.id, 0))
                for n in found
            ],
        }
    )
