"""/api/v1/lighting: the dark stretches of the lanes in an area, and new streetlights that would light them all.

GET  /lighting/gaps          lit and dark stretches, the lamps that light the area, geo.lighting's summary
POST /lighting/plan          proposed lamps (geo.lamp_placement), the buildings they serve, the open lighting
                             issues on the dark stretches
GET  /lighting/plan.geojson  the same plan as a file, its request as query parameters
GET  /lighting/plan.csv      the plan's lamps as a table (UTF-8 with a BOM, for Excel)

An area is a compound id, "all" (the whole neighbourhood) or a GeoJSON Polygon or
MultiPolygon in EPSG:4326. `as_of` (YYYY-MM-DD, default today in Shanghai) picks
the lamps standing that day (installed <= as_of < removed). Analyses are kept in
memory (the base layers never change while the app runs); the issues are read
afresh for every plan.
"""
from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from flask import Response, current_app
from flask_babel import gettext as _
from shapely.geometry import mapping

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS, METRIC_CRS, rounded
from geo.export_csv import csv_bytes
from geo.geojson import geometry_json
from geo.in_service import today
from geo.lamp_placement import DEFAULT_UNIT_COST, LampPlan, plan_lamps
from geo.lighting import (
    NEW_LAMP_HEIGHT_M,
    NEW_LAMP_LUMINAIRE,
    SNAP_DISTANCE_M,
    SPACING_FACTORS,
    GapReport,
    lighting_gaps,
)
from store.aggregates import issue_pins
from store.errors import ValidationError
from store.filters import IssueFilters
from store.timestamps import LOCAL_TZ, utcnow
from store.validation import FieldErrors, Invalid, calendar_date, number
from store.vocabulary import OPEN_STATUSES
from webmap.api import bp
from webmap.api.json_body import json_object, unusable_fields
from webmap.api.query import parameters, read, refusals
from webmap.api.responses import geojson_response, json_response
from webmap.base_layers import base_layers
from webmap.database import session
from webmap.i18n import current_language
from webmap.layer_display import local_name

ALL = "all"
DRAWN = "drawn"  # the id of an area given as a polygon
PLAN_FIELDS = ("area", "mounting_height", "luminaire", "unit_cost", "as_of")
MOUNTING_HEIGHT_M = (2.0, 15.0)
MAX_UNIT_COST = 10_000_000  # yuan a lamp; more is a slip of the finger
MAX_AREA_POSITIONS = 10_000
LIGHTING_CATEGORY = "lighting"
# Issues are looked up in the area's bounding box widened by this much: well beyond
# geo.lamp_placement.ISSUE_REACH_M, which then picks those near a dark stretch.
ISSUE_SEARCH_MARGIN_DEG = 0.0005
CACHE_SIZE = 64
CSV_COLUMNS = ("number", "lane", "lane_id", "lon", "lat", "height", "luminaire", "lit_radius_m", "at_m",
               "on_dark", "newly_lit_m")


# --------------------------------------------------------------------------
# areas and requests
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Area:
    id: str  # compound id, "all" or "drawn"
    key: str  # what analyses of it are kept under
    frame: gpd.GeoDataFrame  # what geo/ gets, EPSG:4326
    record: pd.Series | None  # the compound's or the boundary's attributes; None if drawn

    @property
    def geometry(self) -> shapely.Geometry:
        return self.frame.geometry.union_all()

    def name(self, lang: str) -> str:
        return local_name(self.record, lang) if self.record is not None else _("自绘范围")


@dataclass(frozen=True)
class PlanRequest:
    area: Area
    mounting_height: float = NEW_LAMP_HEIGHT_M
    luminaire: str = NEW_LAMP_LUMINAIRE
    unit_cost: float = float(DEFAULT_UNIT_COST)
    as_of: date | None = None  # None: today in Shanghai, whenever asked

    def query(self) -> dict[str, str]:
        """The request as query parameters (for the downloads and the print page)."""
        area = self.area.id if self.area.id != DRAWN else json.dumps(mapping(self.area.geometry), separators=(",", ":"))
        query = {
            "area": area,
            "mounting_height": _number_text(self.mounting_height),
            "luminaire": self.luminaire,
            "unit_cost": _number_text(self.unit_cost),
        }
        if self.as_of is not None:
            query["as_of"] = self.as_of.isoformat()
        return query

    @property
    def day(self) -> date:
        return self.as_of or today()


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def read_area(value: Any) -> Area:
    """A compound id, "all", or a GeoJSON Polygon/MultiPolygon (an object, or its JSON text)."""
    if value is None:
        raise Invalid("required")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise Invalid("required")
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                raise Invalid("not valid JSON; give a compound id, \"all\" or a GeoJSON polygon") from None
        else:
            return _named_area(text)
    if isinstance(value, dict):
        return _drawn_area(value)
    raise Invalid("must be a compound id, \"all\" or a GeoJSON Polygon or MultiPolygon")


def _named_area(area_id: str) -> Area:
    layers = base_layers().layers
    if area_id == ALL:
        boundary = layers["boundary"]
        return Area(ALL, ALL, boundary, boundary.iloc[0])
    compounds = layers["compounds"]
    chosen = compounds[compounds["id"].astype(str) == area_id]
    if chosen.empty:
        known = ", ".join(compounds["id"].astype(str))
        raise Invalid(f"unknown compound {area_id!r}; give \"all\" or one of {known}")
    return Area(area_id, f"compound:{area_id}", chosen, chosen.iloc[0])


def _drawn_area(geometry: dict) -> Area:
    polygon = _polygon(geometry)
    boundary = base_layers().layers["boundary"].geometry.union_all()
    if not polygon.intersects(boundary):
        raise Invalid("the polygon lies outside the neighbourhood")
    key = "polygon:" + shapely.to_wkt(shapely.normalize(polygon), rounding_precision=DISPLAY_DECIMALS)
    return Area(DRAWN, key, gpd.GeoDataFrame(geometry=[polygon], crs=DISPLAY_CRS), None)


def _polygon(geometry: dict) -> shapely.Geometry:
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise Invalid("must be a GeoJSON Polygon or MultiPolygon (EPSG:4326 lon/lat)")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise Invalid(f"a {kind} needs coordinates")
    parts = [coordinates] if kind == "Polygon" else coordinates
    polygons, positions = [], 0
    for rings in parts:
        if not isinstance(rings, list) or not rings:
            raise Invalid("each polygon needs at least one ring of positions")
        checked = []
        for ring in rings:
            checked.append(_ring(ring))
            positions += len(ring)
        if positions > MAX_AREA_POSITIONS:
            raise Invalid(f"too many positions: at most {MAX_AREA_POSITIONS:,}")
        polygons.append(shapely.Polygon(checked[0], checked[1:]))
    polygon = polygons[0] if kind == "Polygon" else shapely.MultiPolygon(polygons)
    if not polygon.is_valid:
        raise Invalid(f"not a valid polygon: {shapely.is_valid_reason(polygon)}")
    if polygon.is_empty or polygon.area <= 0:
        raise Invalid("the polygon has no inside")
    return polygon


def _ring(ring: Any) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise Invalid("each ring needs at least 4 positions, the last the same as the first")
    points = []
    for position in ring:
        if not isinstance(position, list) or len(position) not in (2, 3):
            raise Invalid("each position must be [lon, lat]")
        if any(isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) for c in position):
            raise Invalid("each position must be [lon, lat] numbers")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Invalid("positions must be lon/lat in EPSG:4326 degrees")
        points.append((lon, lat))
    if points[0] != points[-1]:
        raise Invalid("each ring must end where it starts")
    return points


def _plan_request(values: Mapping[str, Any], errors: FieldErrors) -> PlanRequest | None:
    """The request in `values` (a JSON body or query parameters), each bad field filed in `errors`."""
    area = errors.check("area", read_area, values.get("area"))
    height = _optional(values, errors, "mounting_height", number, NEW_LAMP_HEIGHT_M,
                       minimum=MOUNTING_HEIGHT_M[0], maximum=MOUNTING_HEIGHT_M[1])
    luminaire = _optional(values, errors, "luminaire", _luminaire, NEW_LAMP_LUMINAIRE)
    unit_cost = _optional(values, errors, "unit_cost", number, float(DEFAULT_UNIT_COST),
                          minimum=0, maximum=MAX_UNIT_COST)
    as_of = _optional(values, errors, "as_of", calendar_date, None)
    if errors.errors:
        return None
    return PlanRequest(area, height, luminaire, unit_cost, as_of)


def _optional(values, errors: FieldErrors, name: str, parse: Callable, default, **limits):
    value = values.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return errors.check(name, parse, value, **limits)


def _luminaire(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in SPACING_FACTORS:
        shown = repr(value) if isinstance(value, str) else "a " + type(value).__name__
        raise Invalid(f"unknown luminaire {shown}; expected one of {', '.join(SPACING_FACTORS)}")
    return value.strip()


def plan_request_from_query() -> PlanRequest:
    """The plan asked for in the query string; ValidationError (400) naming each bad parameter."""
    args, errors = parameters(PLAN_FIELDS)
    with refusals(errors):
        request = _plan_request(args, errors)
    return request


def plan_request_from_body(body: dict[str, Any]) -> PlanRequest:
    """The plan asked for in a JSON body; ValidationError naming each bad field."""
    errors = FieldErrors()
    for name, problem in unusable_fields(body).items():
        errors.add(name, problem)
    for name in body:
        if name not in PLAN_FIELDS:
            errors.add(name, f"unknown field; a plan takes {', '.join(PLAN_FIELDS)}")
    request = _plan_request({name: value for name, value in body.items() if name not in errors.errors}, errors)
    errors.raise_if_any()
    return request


def invalid_plan(fields: dict[str, str]) -> Response:
    """422: a readable plan request whose values cannot be planned with, each field named."""
    return json_response({"error": "invalid plan request", "fields": fields}, 422)


# --------------------------------------------------------------------------
# analyses, kept
# --------------------------------------------------------------------------
class Analyses:
    """Finished analyses by key, the CACHE_SIZE most recently used."""

    def __init__(self) -> None:
        self._done: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
        result = compute()  # outside the lock: a slow plan must not hold up a quick one
        with self._lock:
            self._done[key] = result
            while len(self._done) > CACHE_SIZE:
                self._done.popitem(last=False)
        return result


def analyses() -> Analyses:
    return current_app.extensions.setdefault("lighting_analyses", Analyses())


def gap_report(area: Area, include_roads: bool = False, as_of: date | None = None) -> GapReport:
    """The gaps with the lamps standing on `as_of` (default today in Shanghai)."""
    layers = base_layers().layers_over_time
    day = as_of or today()
    return analyses().get(
        ("gaps", area.key, include_roads, day),
        lambda: lighting_gaps(
            layers["lanes"], layers["streetlights"], area.frame, roads=layers["roads"], include_roads=include_roads,
            as_of=day,
        ),
    )


def lighting_plan(request: PlanRequest) -> LampPlan:
    """The plan for the request, with the open lighting issues as they are now."""
    layers = base_layers().layers_over_time
    issues = open_lighting_issues(request.area)
    issues_now = tuple(zip(issues["id"], issues["title"], issues["status"], issues.geometry.x, issues.geometry.y))
    day = request.day
    return analyses().get(
        ("plan", request.area.key, request.mounting_height, request.luminaire, request.unit_cost, day, issues_now),
        lambda: plan_lamps(
            layers["lanes"],
            layers["streetlights"],
            request.area.frame,
            roads=layers["roads"],
            mounting_height=request.mounting_height,
            luminaire=request.luminaire,
            unit_cost=request.unit_cost,
            buildings=layers["buildings"],
            issues=issues,
            as_of=day,
        ),
    )


def open_lighting_issues(area: Area) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = area.geometry.bounds
    m = ISSUE_SEARCH_MARGIN_DEG
    filters = IssueFilters(
        category=LIGHTING_CATEGORY,
        status=[status.value for status in OPEN_STATUSES],
        bbox=(max(minx - m, -180), max(miny - m, -90), min(maxx + m, 180), min(maxy + m, 90)),
    )
    try:
        return issue_pins(session(), filters)
    except ValidationError:  # a database without the lighting category has no lighting issues
        return gpd.GeoDataFrame({"id": [], "category": [], "title": [], "status": []}, geometry=[], crs=DISPLAY_CRS)


# --------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python ones, NaN and infinity as null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def plain_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Lengths to the centimetre; shares, counts and money as they are."""
    out = {}
    for name, value in summary.items():
        value = plain(value)
        if name.endswith("_m") and isinstance(value, float):
            value = round(value, 2)
        out[name] = value
    return out


class LineNames:
    """Lane and road names in the page's language, by layer and id."""

    def __init__(self, lang: str):
        layers = base_layers().layers
        self.names = {
            (layer, plain(r["id"])): local_name(r, lang)
            for layer in ("lanes", "roads")
            for _i, r in layers[layer].iterrows()
        }

    def __call__(self, layer: str, line_id: Any, fallback: Any) -> str | None:
        return self.names.get((layer, plain(line_id))) or plain(fallback)


def area_json(area: Area, lang: str) -> dict[str, Any]:
    geometry = shapely.transform(area.geometry, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return {"id": area.id, "name": area.name(lang), "geometry": geometry_json(geometry)}


def stretch_features(stretches: gpd.GeoDataFrame, kind: str, names: LineNames) -> list[dict[str, Any]]:
    features = []
    for n, row in enumerate(rounded(stretches).itertuples(index=False), start=1):
        features.append(
            {
                "type": "Feature",
                "id": f"{kind}-{n}",
                "geometry": geometry_json(row.geometry),
                "properties": {
                    "kind": kind,
                    "layer": row.layer,
                    "lane": plain(row.lane),
                    "lane_name": names(row.layer, row.lane_id, row.lane),
                    "lane_id": plain(row.lane_id),
                    "compound": plain(row.compound),
                    "from_m": round(float(row.from_m), 2),
                    "to_m": round(float(row.to_m), 2),
                    "length_m": round(float(row.length_m), 2),
                },
            }
        )
    return features


def lamps_around(lamps: gpd.GeoDataFrame, area: Area) -> gpd.GeoDataFrame:
    """The lamps that can light some of the area (within their lit radius of it), and the broken ones in it."""
    metric_area = gpd.GeoSeries([area.geometry], crs=DISPLAY_CRS).to_crs(METRIC_CRS).iloc[0]
    distance = lamps.to_crs(METRIC_CRS).distance(metric_area)
    return lamps[distance <= lamps["lit_radius_m"] + SNAP_DISTANCE_M + 1.0]


def lamp_features(lamps: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    return [
        {
            "type": "Feature",
            "id": plain(row.id),
            "geometry": geometry_json(row.geometry),
            "properties": {
                "kind": "lamp",
                "id": plain(row.id),
                "status": plain(row.status),
                "role": plain(row.role),
                "height": plain(row.height),
                "luminaire": plain(row.luminaire),
                "lit_radius_m": round(float(row.lit_radius_m), 2),
            },
        }
        for row in rounded(lamps).itertuples(index=False)
    ]


def gaps_collection(report: GapReport, area: Area, lang: str, as_of: date) -> dict[str, Any]:
    names = LineNames(lang)
    return {
        "type": "FeatureCollection",
        "area": area_json(area, lang),
        "as_of": as_of.isoformat(),
        "summary": plain_summary(report.summary),
        "features": [
            *stretch_features(report.lit, "lit", names),
            *stretch_features(report.dark, "dark", names),
            *lamp_features(lamps_around(report.lamps, area)),
        ],
    }


def proposed_lamp_features(plan: LampPlan, names: LineNames) -> list[dict[str, Any]]:
    return [
        {
            "type": "Feature",
            "id": f"proposed-{int(row.number)}",
            "geometry": {"type": "Point", "coordinates": [plain(row.lon), plain(row.lat)]},
            "properties": {
                "kind": "proposed_lamp",
                "number": int(row.number),
                "lane": plain(row.lane),
                "lane_name": names("lanes", row.lane_id, row.lane),
                "lane_id": plain(row.lane_id),
                "at_m": plain(row.at_m),
                "lon": plain(row.lon),
                "lat": plain(row.lat),
                "height": plain(row.height),
                "luminaire": plain(row.luminaire),
                "lit_radius_m": round(float(row.lit_radius_m), 2),
                "on_dark": bool(row.on_dark),
                "newly_lit_m": plain(row.newly_lit_m),
            },
        }
        for row in plan.lamps.itertuples(index=False)
    ]


def buildings_served(plan: LampPlan) -> list[dict[str, Any]]:
    served = plan.buildings_served.sort_values("address", key=lambda s: s.map(_address_order))
    return [
        {
            "id": plain(row.id),
            "address": plain(row.address),
            "compound": plain(row.compound),
            "households": plain(row.households),
        }
        for row in served.itertuples(index=False)
    ]


def _address_order(address: Any) -> tuple:
    """黄家路55弄2号 before 黄家路55弄10号: numbers compared as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", str(address or "")))


def plan_issues(plan: LampPlan) -> list[dict[str, Any]]:
    return [
        {
            "id": plain(row.id),
            "title": plain(row.title),
            "status": plain(row.status),
            "lane": plain(row.lane),
            "distance_m": round(float(row.distance_m), 2),
            "lon": round(float(row.geometry.x), DISPLAY_DECIMALS),
            "lat": round(float(row.geometry.y), DISPLAY_DECIMALS),
        }
        for row in plan.issues.itertuples(index=False)
    ]


def plan_collection(plan: LampPlan, request: PlanRequest, lang: str) -> dict[str, Any]:
    names = LineNames(lang)
    return {
        "type": "FeatureCollection",
        "area": area_json(request.area, lang),
        "as_of": request.day.isoformat(),
        "summary": plain_summary(plan.summary),
        "buildings_served": buildings_served(plan),
        "issues": plan_issues(plan),
        "features": [*proposed_lamp_features(plan, names), *stretch_features(plan.dark_before, "dark", names)],
    }


# --------------------------------------------------------------------------
# routes
# --------------------------------------------------------------------------
@bp.get("/lighting/gaps")
def get_lighting_gaps():
    args, errors = parameters(("area", "include_roads", "as_of"))
    with refusals(errors):
        area = errors.check("area", read_area, args.get("area") or ALL)
        include_roads = read(args, errors, "include_roads", _boolean, default=False)
        as_of = read(args, errors, "as_of", calendar_date)
    day = as_of or today()
    report = gap_report(area, include_roads, day)
    return geojson_response(gaps_collection(report, area, current_language(), day))


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise Invalid("must be true or false")


@bp.post("/lighting/plan")
def post_lighting_plan():
    body = json_object()
    try:
        request = plan_request_from_body(body)
    except ValidationError as problem:
        return invalid_plan(problem.field_errors)
    plan = lighting_plan(request)
    return geojson_response(plan_collection(plan, request, current_language()))


@bp.get("/lighting/plan.geojson")
def download_lighting_plan_geojson():
    request = plan_request_from_query()
    collection = plan_collection(lighting_plan(request), request, current_language())
    response = geojson_response(collection)
    return _attachment(response, request, "geojson")


@bp.get("/lighting/plan.csv")
def download_lighting_plan_csv():
    request = plan_request_from_query()
    lamps = lighting_plan(request).lamps
    table = gpd.GeoDataFrame(lamps[list(CSV_COLUMNS)], geometry=lamps.geometry, crs=lamps.crs)
    response = Response(csv_bytes(table), mimetype="text/csv")  # Flask adds "; charset=utf-8"
    return _attachment(response, request, "csv")


def _attachment(response: Response, request: PlanRequest, extension: str) -> Response:
    name = f"lighting-plan-{request.area.id}-{utcnow().astimezone(LOCAL_TZ):%Y%m%d-%H%M}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
