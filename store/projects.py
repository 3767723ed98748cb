"""Renovation project operations for any front end: plain values in, model objects out.

Each function works inside the caller's session and leaves committing to it
(store.database.transaction). Bad input raises ValidationError naming each
field; a missing project raises NotFound. Every change is an event: a field
from one value to another, a link or unlink (on the project and on the issue),
or a comment. Where the project lies is checked against, and picked from, a
geo.picking.Site built from the base layers.
"""
from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from geo.crs import DISPLAY_CRS
from geo.picking import AREA_LAYERS, LINE_LAYERS, NEAR_BOUNDARY_M, PICKABLE, Site, on_display_grid
from geo.project_impact import CONFLICT_MARGIN_M, NEAR_M, affected_buildings, conflicts, issues_inside
from geo.project_impact import households_affected as households_per_project
from store.errors import NotFound, ValidationError
from store.filters import paging
from store.idempotent import add_once
from store.issues import update_issue
from store.models import Issue, Project, ProjectEvent, ProjectIssue
from store.project_vocabulary import ProjectEventKind, ProjectKind, ProjectStatus
from store.spatial import bbox_around, within_bbox
from store.timestamps import as_utc, utcnow
from store.validation import (
    bounding_box,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    FieldErrors,
    Invalid,
    calendar_date,
    choice,
    latitude,
    longitude,
    public_id,
    text,
)
from store.vocabulary import OPEN_STATUSES, Status

__all__ = [
    "AffectedBuilding",
    "NewProject",
    "ProjectFacts",
    "ProjectFilters",
    "complete_project",
    "create_project",
    "get_project",
    "households_affected",
    "link_issues",
    "list_projects",
    "matching_projects",
    "project_facts",
    "unlink_issue",
    "update_project",
    "validate_new_project",
]

PROJECT_NAME_MAX = 200
CONTRACTOR_MAX = 200
BUDGET_MAX = Decimal("999999999999.99")  # Numeric(14, 2): up to a trillion yuan, to the fen
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
LINKS_MAX = 500  # issues linked in one request
IDS_MAX = 1000  # features picked in one request
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
# How deep each type nests its [lon, lat] positions.
GEOMETRY_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end")
DATE_PAIRS = (("planned_start", "planned_end"), ("actual_start", "actual_end"))
UPDATABLE_FIELDS = ("name", "status", *DATE_FIELDS, "budget", "contractor", "description", "geometry", *PICKABLE)
NEW_PROJECT_FIELDS = frozenset(
    {"public_id", "name", "kind", "status", *DATE_FIELDS, "budget", "contractor", "description", "geometry",
     *PICKABLE, "link_issues"}
)


def linked_comment(name: str) -> str:
    return f"关联项目「{name}」"


def unlinked_comment(name: str) -> str:
    return f"取消关联项目「{name}」"


def resolved_comment(name: str) -> str:
    return f"由项目「{name}」解决"


@dataclass(frozen=True)
class NewProject:
    """A checked project, ready for create_project; the geometry is EPSG:4326 on the display grid."""

    name: str
    kind: str
    geometry: BaseGeometry
    status: str = ProjectStatus.PROPOSED.value
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    budget: Decimal | None = None
    contractor: str | None = None
    description: str = ""
    public_id: str | None = None  # chosen by the client so a retried submission is stored once
    link_issues: tuple[str, ...] = ()  # issue public ids


@dataclass(frozen=True)
class ProjectFilters:
    """Values may be text as a query string gives it: "a,b" lists, "minlon,minlat,maxlon,maxlat"."""

    status: str | Sequence[str] | None = None
    kind: str | Sequence[str] | None = None
    year: int | str | None = None  # its planned or actual period overlaps that calendar year
    bbox: str | Sequence[float] | None = None  # its geometry intersects the box (EPSG:4326)


@dataclass(frozen=True)
class AffectedBuilding:
    id: str
    address: str
    households: int


@dataclass(frozen=True)
class ProjectFacts:
    """What follows from where and when a project is, against the base layers and the other records."""

    buildings: tuple[AffectedBuilding, ...]
    households: int
    open_issues_inside: tuple[Issue, ...]  # not linked yet: offered for linking
    linked: tuple[ProjectIssue, ...]
    conflicts: tuple[Project, ...]


# --- checking values ----------------------------------------------------------------------


def _actor(actor: Any) -> str:
    try:
        return text(actor, max_length=NAME_MAX, required=True)
    except Invalid as problem:
        raise ValidationError({"actor": str(problem)}) from None


def _day(value: Any) -> date:
    day = calendar_date(value)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return day


def _budget(value: Any) -> Decimal:
    """Yuan, to the fen at most, from a number or its text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise Invalid("must be a number of yuan")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("must be a finite number")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise Invalid("must be a number of yuan") from None
    if not amount.is_finite():
        raise Invalid("must be a finite number")
    if not Decimal(0) <= amount <= BUDGET_MAX:
        raise Invalid(f"must be between 0 and {BUDGET_MAX}")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("at most two decimal places (fen)")
    return amount.quantize(Decimal("0.01"))


def _positions(value: Any, depth: int) -> None:
    if depth == 0:
        if not isinstance(value, list) or len(value) not in (2, 3):
            raise Invalid("a position must be [lon, lat]")
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
            raise Invalid("a position must be [lon, lat] numbers")
        longitude(value[0])
        latitude(value[1])
        return
    if not isinstance(value, list):
        raise Invalid("coordinates are not nested as the type needs")
    for item in value:
        _positions(item, depth - 1)


def geojson_geometry(value: Any) -> BaseGeometry:
    """A valid, non-empty GeoJSON geometry of GEOMETRY_TYPES in EPSG:4326, on the display grid, 2D."""
    if not isinstance(value, Mapping):
        raise Invalid("must be a GeoJSON geometry object")
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        raise Invalid(f"type must be one of {', '.join(GEOMETRY_TYPES)}")
    unknown = set(value) - {"type", "coordinates", "bbox", "crs"}
    if unknown:
        raise Invalid(f"unknown member {sorted(unknown)[0]!r}")
    coordinates = value.get("coordinates")
    _positions(coordinates, GEOMETRY_DEPTH[kind])
    try:
        geometry = shapely.force_2d(shape({"type": kind, "coordinates": coordinates}))
    except (ValueError, TypeError, IndexError, shapely.errors.GEOSException) as problem:
        raise Invalid(f"not a {kind}: {problem}") from None
    if geometry.is_empty:
        raise Invalid("is empty")
    if not geometry.is_valid:
        raise Invalid(f"not a valid {kind}: {shapely.is_valid_reason(geometry)}")
    geometry = on_display_grid(geometry)
    if geometry.is_empty or geometry.geom_type not in GEOMETRY_TYPES:
        raise Invalid("collapses to nothing at 1 cm precision")
    return geometry


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise Invalid("must be a non-empty list of ids")
    if len(value) > IDS_MAX:
        raise Invalid(f"at most {IDS_MAX} ids")
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int)) or not str(item).strip():
            raise Invalid("must be a list of ids (text or whole numbers)")
        ids.append(str(item).strip())
    return list(dict.fromkeys(ids))


def _issue_ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("must be a list of issue ids (UUIDs)")
    if len(value) > LINKS_MAX:
        raise Invalid(f"at most {LINKS_MAX} issues at a time")
    return list(dict.fromkeys(public_id(item) for item in value))


def _place(values: Mapping[str, Any], site: Site, errors: FieldErrors, *, required: bool) -> BaseGeometry | None:
    """The geometry given, or picked from the base layers by id; problems filed under each field."""
    given = [name for name in ("geometry", *PICKABLE) if values.get(name) is not None]
    if not given:
        if required:
            errors.add("geometry", "required: give a GeoJSON geometry, or compounds, buildings or lanes to pick")
        return None
    if "geometry" in given:
        if len(given) > 1:
            errors.add("geometry", "give either geometry or compounds/buildings/lanes, not both")
            return None
        geometry = errors.check("geometry", geojson_geometry, values["geometry"])
        if geometry is not None and site.reaches_beyond(geometry, NEAR_BOUNDARY_M):
            errors.add("geometry", f"outside the neighbourhood: parts lie more than {NEAR_BOUNDARY_M:g} m "
                                   "beyond its boundary")
            return None
        return geometry
    picks: dict[str, list[str]] = {}
    for name in given:
        ids = errors.check(name, _ids, values[name])
        if ids is None:
            continue
        unknown = site.unknown(name, ids)
        if unknown:
            errors.add(name, f"unknown {name[:-1]} id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
        else:
            picks[name] = ids
    if set(given) & set(AREA_LAYERS) and set(given) & set(LINE_LAYERS):
        errors.add("lanes", "cannot be picked together with compounds or buildings: a project is areas or lines")
        return None
    if len(picks) != len(given):
        return None
    return site.pick(picks)


def _dates_in_order(values: Mapping[str, date | None], errors: FieldErrors) -> None:
    for start, end in DATE_PAIRS:
        if values.get(start) and values.get(end) and values[start] > values[end]:
            errors.add(end, f"before {start} ({values[start].isoformat()})")


def validate_new_project(payload: Any, site: Site) -> NewProject:
    """Clean values from a submitted dict, or ValidationError naming each bad field.

    Where: `geometry` (GeoJSON, EPSG:4326), or ids to pick from the base layers:
    `compounds` and/or `buildings` (areas), or `lanes` (lines).
    """
    if not isinstance(payload, Mapping):
        raise ValidationError({"payload": "must be an object"})
    errors = FieldErrors()
    for name in payload:
        if name not in NEW_PROJECT_FIELDS:
            errors.add(str(name), "unknown field")

    def optional(name: str, parse, *args: Any, default: Any = None, **kwargs: Any):
        if payload.get(name) is None:
            return default
        return errors.check(name, parse, payload[name], *args, **kwargs)

    values = dict(
        name=errors.check("name", text, payload.get("name"), max_length=PROJECT_NAME_MAX, required=True),
        kind=errors.check("kind", choice, payload.get("kind"), ProjectKind),
        geometry=_place(payload, site, errors, required=True),
        status=optional("status", choice, ProjectStatus, default=ProjectStatus.PROPOSED.value),
        **{name: optional(name, _day) for name in DATE_FIELDS},
        budget=optional("budget", _budget),
        contractor=optional("contractor", text, max_length=CONTRACTOR_MAX),
        description=optional("description", text, max_length=DESCRIPTION_MAX) or "",
        public_id=optional("public_id", public_id),
        link_issues=tuple(optional("link_issues", _issue_ids, default=[]) or ()),
    )
    _dates_in_order(values, errors)
    errors.raise_if_any()
    return NewProject(**values)


# --- storing ------------------------------------------------------------------------------


def geometry_text(geometry: BaseGeometry) -> str:
    return json.dumps(mapping(geometry), separators=(",", ":"))


def _by_public_id(public_id_: str):
    return select(Project).where(Project.public_id == public_id_)


def _issues_by_id(session: Session, ids: Sequence[str], field: str) -> list[Issue]:
    """The issues, in the order asked; ValidationError under `field` naming any unknown id."""
    found = {issue.public_id: issue for issue in session.scalars(select(Issue).where(Issue.public_id.in_(ids)))}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise ValidationError({field: f"no issue {', '.join(map(repr, unknown))}"})
    return [found[i] for i in ids]


def _event(project: Project, kind: ProjectEventKind, actor: str, at: datetime, *, old: Any = None,
           new: Any = None, comment: str | None = None) -> ProjectEvent:
    return ProjectEvent(project=project, kind=kind.value, from_value=_as_text(old), to_value=_as_text(new),
                        comment=comment, actor=actor, at=at)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _link(session: Session, project: Project, issue: Issue, actor: str, at: datetime, comment: str | None) -> None:
    session.add(ProjectIssue(project=project, issue=issue, linked_by=actor, linked_at=at))
    session.add(_event(project, ProjectEventKind.LINKED, actor, at, new=issue.public_id, comment=comment))
    update_issue(session, issue.public_id, {}, actor, linked_comment(project.name), at=at)


def create_project(
    session: Session, data: NewProject, actor: str, *, at: datetime | None = None
) -> tuple[Project, bool]:
    """Store a new project with its `created` event and its links; (project, True).

    Idempotent on data.public_id: if a project with that id exists, even one being
    stored concurrently, it is returned as (project, False) and nothing is written.
    `at` is when it was entered (default now), for records of earlier work.
    """
    actor = _actor(actor)
    public_id_ = data.public_id or str(uuid.uuid4())
    existing = session.scalar(_by_public_id(public_id_))
    if existing is not None:
        return existing, False
    issues = _issues_by_id(session, data.link_issues, "link_issues")

    now = utcnow() if at is None else as_utc(at)
    min_lon, min_lat, max_lon, max_lat = data.geometry.bounds
    project = Project(
        public_id=public_id_,
        name=data.name,
        kind=data.kind,
        status=data.status,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        actual_start=data.actual_start,
        actual_end=data.actual_end,
        budget=data.budget,
        contractor=data.contractor,
        description=data.description,
        geometry=geometry_text(data.geometry),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    project, added = add_once(session, project, _by_public_id(public_id_))
    if not added:  # someone stored the same public_id since we looked
        return project, False
    session.add(_event(project, ProjectEventKind.CREATED, actor, now, new=project.status))
    for issue in issues:
        _link(session, project, issue, actor, now, None)
    session.flush()
    return project, True


def _loaded(session: Session, public_id_: str, *, for_update: bool = False) -> Project:
    try:
        public_id_ = str(uuid.UUID(str(public_id_)))
    except ValueError:
        raise NotFound("project", public_id_) from None
    query = _by_public_id(public_id_).options(selectinload(Project.events), selectinload(Project.issue_links))
    if for_update:
        # Lock the row and read it afresh, even if this session loaded it before.
        query = query.with_for_update(of=Project).execution_options(populate_existing=True)
    project = session.scalar(query)
    if project is None:
        raise NotFound("project", public_id_)
    return project


def get_project(session: Session, public_id_: str) -> Project:
    """The project with its events (oldest first) and issue links loaded."""
    return _loaded(session, public_id_)


# --- listing ------------------------------------------------------------------------------


def _values(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [item.strip() if isinstance(item, str) else item for item in items]
    return [item for item in cleaned if item not in ("", None)]


def _choices(value: str | Sequence[str], allowed) -> list[str]:
    return [choice(item, allowed) for item in _values(value)]


def _year(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("must be a year, e.g. 2020")
    if not FIRST_DAY.year <= value <= LAST_DAY.year:
        raise Invalid(f"must be between {FIRST_DAY.year} and {LAST_DAY.year}")
    return value


def _during(start, end, first: date, last: date):
    """The period (either end standing for both if the other is unknown) shares a day with first…last."""
    return and_(func.coalesce(start, end) <= last, func.coalesce(end, start) >= first)


def _boxes_overlap(minlon: float, minlat: float, maxlon: float, maxlat: float):
    return and_(Project.min_lon <= maxlon, Project.max_lon >= minlon, Project.min_lat <= maxlat,
                Project.max_lat >= minlat)


def _conditions(filters: ProjectFilters) -> tuple[list, tuple[float, float, float, float] | None]:
    errors = FieldErrors()
    conditions = []

    def given(value: Any) -> bool:
        return value is not None and value != "" and value != []

    if given(filters.status):
        statuses = errors.check("status", _choices, filters.status, ProjectStatus)
        if statuses:
            conditions.append(Project.status.in_(statuses))
    if given(filters.kind):
        kinds = errors.check("kind", _choices, filters.kind, ProjectKind)
        if kinds:
            conditions.append(Project.kind.in_(kinds))
    if given(filters.year):
        year = errors.check("year", _year, filters.year)
        if year is not None:
            first, last = date(year, 1, 1), date(year, 12, 31)
            conditions.append(or_(_during(Project.planned_start, Project.planned_end, first, last),
                                  _during(Project.actual_start, Project.actual_end, first, last)))
    box = None
    if given(filters.bbox):
        box = errors.check("bbox", bounding_box, filters.bbox)
        if box is not None:
            conditions.append(_boxes_overlap(*box))
    errors.raise_if_any()
    return conditions, box


def list_projects(
    session: Session, filters: ProjectFilters | None = None, *, limit: int = 100, offset: int = 0
) -> tuple[list[Project], int]:
    """One page of matching projects, newest entered first, and how many match in all."""
    errors: dict[str, str] = {}
    try:
        conditions, box = _conditions(filters or ProjectFilters())
    except ValidationError as problem:
        errors.update(problem.field_errors)
    try:
        limit, offset = paging(limit, offset)
    except ValidationError as problem:
        errors.update(problem.field_errors)
    if errors:
        raise ValidationError(errors)

    order = (Project.created_at.desc(), Project.id.desc())
    if box is None:
        matched = session.scalar(select(func.count()).select_from(Project).where(*conditions))
        page = session.scalars(select(Project).where(*conditions).order_by(*order).limit(limit).offset(offset))
        return list(page), int(matched or 0)
    # Bounding boxes only narrow it down; the geometry itself must meet the box.
    area = shapely.box(*box)
    candidates = session.execute(select(Project.id, Project.geometry).where(*conditions).order_by(*order))
    ids = [id_ for id_, geometry in candidates if area.intersects(shapely.from_geojson(geometry))]
    chosen = ids[offset:offset + limit]
    by_id = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(chosen)))} if chosen else {}
    return [by_id[i] for i in chosen], len(ids)


def matching_projects(session: Session, filters: ProjectFilters | None = None, *, max_rows: int) -> list[Project]:
    """Every matching project, newest entered first, for an export: more than max_rows is refused, not cut."""
    conditions, box = _conditions(filters or ProjectFilters())
    order = (Project.created_at.desc(), Project.id.desc())
    projects = list(session.scalars(select(Project).where(*conditions).order_by(*order)))
    if box is not None:
        area = shapely.box(*box)
        projects = [p for p in projects if area.intersects(shapely.from_geojson(p.geometry))]
    if len(projects) > max_rows:
        raise ValidationError(
            {"filters": f"{len(projects)} projects match; an export holds at most {max_rows}: narrow the filters"}
        )
    return projects


# --- changing -----------------------------------------------------------------------------


def _parse_changes(
    changes: Mapping[str, Any], comment: Any, site: Site | None
) -> tuple[dict[str, Any], str | None]:
    if not isinstance(changes, Mapping):
        raise ValidationError({"changes": "must be an object"})
    errors = FieldErrors()
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "name":
            parsed[name] = errors.check(name, text, value, max_length=PROJECT_NAME_MAX, required=True)
        elif name == "status":
            parsed[name] = errors.check(name, choice, value, ProjectStatus)
        elif name in DATE_FIELDS:
            parsed[name] = None if value is None else errors.check(name, _day, value)
        elif name == "budget":
            parsed[name] = None if value is None else errors.check(name, _budget, value)
        elif name == "contractor":
            parsed[name] = errors.check(name, text, value, max_length=CONTRACTOR_MAX)
        elif name == "description":
            parsed[name] = errors.check(name, text, value, max_length=DESCRIPTION_MAX) or ""
        elif name not in ("geometry", *PICKABLE):
            errors.add(str(name), f"cannot be changed; changeable: {', '.join(UPDATABLE_FIELDS)}")
    if any(changes.get(name) is not None for name in ("geometry", *PICKABLE)):
        if site is None:
            raise TypeError("changing where a project lies needs the site to check it against")
        geometry = _place(changes, site, errors, required=False)
        if geometry is not None:
            parsed["geometry"] = geometry
    elif "geometry" in changes:
        errors.add("geometry", "cannot be removed: a project must lie somewhere")
    comment = errors.check("comment", text, comment, max_length=COMMENT_MAX)
    errors.raise_if_any()
    return parsed, comment


# The fields a change writes, in the order their events are recorded.
CHANGE_ORDER = (
    ("name", ProjectEventKind.NAME),
    ("status", ProjectEventKind.STATUS),
    ("planned_start", ProjectEventKind.PLANNED_START),
    ("planned_end", ProjectEventKind.PLANNED_END),
    ("actual_start", ProjectEventKind.ACTUAL_START),
    ("actual_end", ProjectEventKind.ACTUAL_END),
    ("budget", ProjectEventKind.BUDGET),
    ("contractor", ProjectEventKind.CONTRACTOR),
    ("description", ProjectEventKind.DESCRIPTION),
    ("geometry", ProjectEventKind.GEOMETRY),
)


def update_project(
    session: Session,
    public_id_: str,
    changes: Mapping[str, Any],
    actor: str,
    comment: str | None = None,
    *,
    site: Site | None = None,
    at: datetime | None = None,
) -> Project:
    """Change name, status, dates, budget, contractor, description or where it lies, with an optional comment.

    Where: `geometry`, or `compounds`/`buildings`/`lanes` to pick (needs `site`).
    Every field that really changes becomes an event (from, to, actor, time), the
    whole old geometry included; the comment goes with the first, or is an event
    of its own. `at` is when it happened (default now); a naive time is Shanghai time.
    """
    actor = _actor(actor)
    parsed, comment = _parse_changes(changes, comment, site)
    project = _loaded(session, public_id_, for_update=True)  # so from_value is what we overwrite

    errors = FieldErrors()
    _dates_in_order({name: parsed.get(name, getattr(project, name)) for name in DATE_FIELDS}, errors)
    errors.raise_if_any()

    now = utcnow() if at is None else as_utc(at)
    events: list[ProjectEvent] = []
    for name, kind in CHANGE_ORDER:
        if name not in parsed:
            continue
        new = geometry_text(parsed[name]) if name == "geometry" else parsed[name]
        old = getattr(project, name)
        if old == new:
            continue
        setattr(project, name, new)
        if name == "geometry":
            project.min_lon, project.min_lat, project.max_lon, project.max_lat = parsed[name].bounds
        events.append(_event(project, kind, actor, now, old=old, new=new, comment=None if events else comment))
    if not events and comment is None:
        return project
    if not events:
        events.append(_event(project, ProjectEventKind.COMMENT, actor, now, comment=comment))
    session.add_all(events)
    project.updated_at = now
    session.flush()
    return project


def complete_project(
    session: Session,
    public_id_: str,
    actor: str,
    comment: str | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    resolve_linked_issues: bool = True,
    site: Site | None = None,
    at: datetime | None = None,
) -> tuple[Project, list[Issue]]:
    """Mark the project completed (with any other `changes`) and resolve its linked open issues.

    Each issue is resolved through store.issues.update_issue, with a comment naming
    the project. All of it or nothing: on any failure the session is as it was.
    Returns the project and the issues it resolved.
    """
    changes = dict(changes or {})
    if changes.setdefault("status", ProjectStatus.COMPLETED.value) != ProjectStatus.COMPLETED:
        raise ValidationError({"status": f"must be {ProjectStatus.COMPLETED.value} to complete the project"})
    with session.begin_nested():
        project = update_project(session, public_id_, changes, actor, comment, site=site, at=at)
        resolved: list[Issue] = []
        if resolve_linked_issues:
            open_linked = (
                select(Issue)
                .join(ProjectIssue, ProjectIssue.issue_id == Issue.id)
                .where(ProjectIssue.project_id == project.id, Issue.status.in_([s.value for s in OPEN_STATUSES]))
                .order_by(Issue.id)
            )
            for issue in session.scalars(open_linked).all():
                resolved.append(
                    update_issue(session, issue.public_id, {"status": Status.RESOLVED.value}, actor,
                                 resolved_comment(project.name), at=at)
                )
    return project, resolved


def link_issues(
    session: Session,
    public_id_: str,
    issue_ids: Any,
    actor: str,
    comment: str | None = None,
    *,
    at: datetime | None = None,
) -> tuple[Project, list[Issue]]:
    """Link issues to the project; those already linked are left as they are.

    Each new link is an event on the project (`linked`, to the issue's id) and a
    comment event on the issue naming the project. Returns the project and the
    issues newly linked.
    """
    actor = _actor(actor)
    errors = FieldErrors()
    ids = errors.check("issues", _issue_ids, issue_ids)
    comment = errors.check("comment", text, comment, max_length=COMMENT_MAX)
    errors.raise_if_any()
    project = _loaded(session, public_id_, for_update=True)
    issues = _issues_by_id(session, ids, "issues")
    already = {link.issue_id for link in project.issue_links}
    now = utcnow() if at is None else as_utc(at)
    new = [issue for issue in issues if issue.id not in already]
    for issue in new:
        _link(session, project, issue, actor, now, comment)
    if new:
        project.updated_at = now
    session.flush()
    return project, new


def unlink_issue(
    session: Session,
    public_id_: str,
    issue_id: str,
    actor: str,
    comment: str | None = None,
    *,
    at: datetime | None = None,
) -> Project:
    """Remove the link; an `unlinked` event on the project and a comment event on the issue keep its trace."""
    actor = _actor(actor)
    errors = FieldErrors()
    comment = errors.check("comment", text, comment, max_length=COMMENT_MAX)
    errors.raise_if_any()
    project = _loaded(session, public_id_, for_update=True)
    try:
        issue_id = public_id(issue_id)
    except Invalid:
        raise NotFound("issue linked to this project", issue_id) from None
    link = next((link for link in project.issue_links if link.issue.public_id == issue_id), None)
    if link is None:
        raise NotFound("issue linked to this project", issue_id)
    now = utcnow() if at is None else as_utc(at)
    project.issue_links.remove(link)
    session.add(_event(project, ProjectEventKind.UNLINKED, actor, now, old=issue_id, comment=comment))
    update_issue(session, issue_id, {}, actor, unlinked_comment(project.name), at=now)
    project.updated_at = now
    session.flush()
    return project


# --- derived facts ------------------------------------------------------------------------


def _frame(projects: Sequence[Project]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {name: [getattr(p, name) for p in projects] for name in DATE_FIELDS},
        geometry=[shapely.from_geojson(p.geometry) for p in projects],
        index=[p.public_id for p in projects],
        crs=DISPLAY_CRS,
    )


def _grown_box(project: Project, metres: float) -> tuple[float, float, float, float]:
    """The project's bounding box grown by at least `metres` on every side."""
    west, south = bbox_around(project.min_lon, project.min_lat, metres)[:2]
    east, north = bbox_around(project.max_lon, project.max_lat, metres)[2:]
    return west, south, east, north


def households_affected(projects: Sequence[Project], site: Site) -> dict[str, int]:
    """Households in the buildings each project affects, by public id."""
    if not projects:
        return {}
    return {key: int(n) for key, n in households_per_project(_frame(projects), site.buildings).items()}


def project_facts(session: Session, project: Project, site: Site) -> ProjectFacts:
    """The buildings and households it affects, open issues on its ground, its links, and its conflicts."""
    mine = _frame([project])
    buildings = affected_buildings(mine, site.buildings)
    affected = tuple(
        AffectedBuilding(str(row["id"]), str(row["address"]), int(row["households"])) for _, row in buildings.iterrows()
    )

    linked_ids = {link.issue_id for link in project.issue_links}
    candidates = [
        issue
        for issue in session.scalars(
            select(Issue)
            .where(within_bbox(*_grown_box(project, NEAR_M)), Issue.status.in_([s.value for s in OPEN_STATUSES]))
            .order_by(Issue.reported_at, Issue.id)
        )
        if issue.id not in linked_ids
    ]
    inside: tuple[Issue, ...] = ()
    if candidates:
        points = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy([i.lon for i in candidates], [i.lat for i in candidates]), crs=DISPLAY_CRS
        )
        found = issues_inside(mine, points)
        inside = tuple(candidates[position] for position in found.index)

    others = list(
        session.scalars(
            select(Project)
            .where(Project.id != project.id, _boxes_overlap(*_grown_box(project, CONFLICT_MARGIN_M)))
            .order_by(Project.created_at, Project.id)
        )
    )
    clashing: tuple[Project, ...] = ()
    if others:
        by_id = {p.public_id: p for p in others}
        clashing = tuple(by_id[key] for key in conflicts(mine, _frame(others)).index)

    return ProjectFacts(
        buildings=affected,
        households=sum(b.households for b in affected),
        open_issues_inside=inside,
        linked=tuple(sorted(project.issue_links, key=lambda link: (link.linked_at, link.issue_id))),
        conflicts=clashing,
    )
