"""/api/v1/projects: list (filtered, paged), create, read with derived facts and history, change, link issues.

A project is a GeoJSON Feature (id = its public UUID); read, created or changed
one by one it also carries `derived` (buildings and households affected, open
issues on its ground, linked issues, conflicting projects) and `events` (its
history, oldest first), as foreign members beside `properties`.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import current_app, url_for
from sqlalchemy.orm import Session

from geo.geojson import geometry_json
from geo.picking import Site
from store import projects as store_projects
from store.errors import ValidationError
from store.filters import LIMIT_MAX
from store.models import Project
from store.project_vocabulary import KIND_NAMES, ProjectKind, ProjectStatus
from store.projects import ProjectFacts, ProjectFilters
from store.timestamps import utcnow
from store.user_vocabulary import Permission
from webmap.access import requires
from webmap.accounts import current_actor
from webmap.api import bp
from webmap.api.issue_geojson import event_json, iso
from webmap.api.json_body import json_object, unusable_fields
from webmap.api.paging import paging_links
from webmap.api.query import no_parameters, parameters, read, refusals, whole_number
from webmap.api.responses import geojson_response, json_response
from webmap.base_layers import base_layers
from webmap.database import session, transaction
from webmap.i18n import current_language

FILTERS = ("status", "kind", "year", "bbox")
LIST_PARAMETERS = (*FILTERS, "limit", "offset")
DEFAULT_LIMIT = 100
MAX_OFFSET = 2**31 - 1
# The client's UUID for a project is `id` here and `public_id` in the store.
CLIENT_ID = "id"
RESOLVE = "resolve_linked_issues"
LINK_FIELDS = ("issues", "comment")


def invalid_project(fields: dict[str, str]):
    """422: a readable submission or change that breaks the rules for projects, each field named."""
    return json_response({"error": "invalid project", "fields": fields}, 422)


def site() -> Site:
    """The base layers as projects are placed on and measured against, made once per app."""
    if "project_site" not in current_app.extensions:
        current_app.extensions["project_site"] = Site(base_layers().layers)
    return current_app.extensions["project_site"]


# --- as GeoJSON ---------------------------------------------------------------------------


def _money(budget: Decimal | None) -> int | float | None:
    if budget is None:
        return None
    return int(budget) if budget == budget.to_integral_value() else float(budget)


def project_properties(project: Project, lang: str) -> dict[str, Any]:
    return {
        "id": project.public_id,
        "name": project.name,
        "kind": project.kind,
        "kind_name": KIND_NAMES[ProjectKind(project.kind)]["zh" if lang == "zh" else "en"],
        "status": project.status,
        "planned_start": iso(project.planned_start),
        "planned_end": iso(project.planned_end),
        "actual_start": iso(project.actual_start),
        "actual_end": iso(project.actual_end),
        "budget": _money(project.budget),
        "contractor": project.contractor,
    }


def project_feature(project: Project, lang: str, **extra: Any) -> dict[str, Any]:
    properties = project_properties(project, lang)
    properties.update(extra)
    geometry = geometry_json(json.loads(project.geometry))  # as stored, polygons wound as RFC 7946 says
    return {"type": "Feature", "id": project.public_id, "geometry": geometry, "properties": properties}


def _issue_summary(issue) -> dict[str, Any]:
    return {"id": issue.public_id, "title": issue.title, "category": issue.category_id, "status": issue.status}


def derived_json(facts: ProjectFacts) -> dict[str, Any]:
    return {
        "buildings_affected": [{"id": b.id, "address": b.address, "households": b.households} for b in facts.buildings],
        "households_affected": facts.households,
        "open_issues_inside": [_issue_summary(issue) for issue in facts.open_issues_inside],
        "linked_issues": [
            {**_issue_summary(link.issue), "linked_by": link.linked_by, "linked_at": iso(link.linked_at)}
            for link in facts.linked
        ],
        "conflicts": [
            {"id": p.public_id, "name": p.name, "status": p.status, "planned_start": iso(p.planned_start),
             "planned_end": iso(p.planned_end), "actual_start": iso(p.actual_start), "actual_end": iso(p.actual_end)}
            for p in facts.conflicts
        ],
    }


def project_record(s: Session, project: Project) -> dict[str, Any]:
    """The project with its description and times, its derived facts and its events, oldest first."""
    facts = store_projects.project_facts(s, project, site())
    feature = project_feature(
        project,
        current_language(),
        households_affected=facts.households,
        description=project.description,
        created_by=project.created_by,
        created_at=iso(project.created_at),
        updated_at=iso(project.updated_at),
    )
    feature["derived"] = derived_json(facts)
    feature["events"] = [event_json(e) for e in sorted(project.events, key=lambda e: (e.at, e.id or 0))]
    return feature


# --- the routes ---------------------------------------------------------------------------


@bp.get("/projects")
def list_projects():
    args, errors = parameters(LIST_PARAMETERS)
    limit = read(args, errors, "limit", whole_number, default=DEFAULT_LIMIT, minimum=1, maximum=LIMIT_MAX)
    offset = read(args, errors, "offset", whole_number, default=0, minimum=0, maximum=MAX_OFFSET)
    with refusals(errors):
        projects, matched = store_projects.list_projects(
            session(),
            ProjectFilters(**{name: args.get(name) for name in FILTERS}),
            limit=limit or DEFAULT_LIMIT,
            offset=offset or 0,
        )
    households = store_projects.households_affected(projects, site())
    lang = current_language()
    return geojson_response(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(projects),
            "timeStamp": iso(utcnow()),
            "links": paging_links("api.list_projects", args, limit, offset, offset + len(projects) < matched),
            "features": [project_feature(p, lang, households_affected=households[p.public_id]) for p in projects],
        }
    )


@bp.post("/projects")
@requires(Permission.PLAN)
def create_project():
    body = json_object()
    problems = unusable_fields(body)
    if "public_id" in body:
        problems["public_id"] = f"unknown field; send the client's UUID as {CLIENT_ID!r}"
    if problems:
        return invalid_project(problems)
    payload = dict(body)
    if CLIENT_ID in payload:
        payload["public_id"] = payload.pop(CLIENT_ID)
    try:
        data = store_projects.validate_new_project(payload, site())
        with transaction() as s:
            project, created = store_projects.create_project(s, data, current_actor())
            feature = project_record(s, project)
    except ValidationError as problem:
        return invalid_project(_client_names(problem.field_errors))
    response = geojson_response(feature, 201 if created else 200)
    response.headers["Location"] = url_for("api.get_project", project_id=project.public_id)
    return response


def _client_names(field_errors: dict[str, str]) -> dict[str, str]:
    return {CLIENT_ID if name == "public_id" else name: message for name, message in field_errors.items()}


@bp.get("/projects/<public_id:project_id>")
def get_project(project_id: str):
    no_parameters()
    s = session()
    return geojson_response(project_record(s, store_projects.get_project(s, project_id)))


@bp.patch("/projects/<public_id:project_id>")
@requires(Permission.PLAN)
def update_project(project_id: str):
    changes = json_object()
    if problems := unusable_fields(changes):
        return invalid_project(problems)
    comment = changes.pop("comment", None)
    resolve = changes.pop(RESOLVE, False)
    if not isinstance(resolve, bool):
        return invalid_project({RESOLVE: "must be true or false"})
    try:
        with transaction() as s:
            store_projects.get_project(s, project_id)  # an unknown project is a 404 whatever the body says
            if resolve:
                if changes.get("status") != ProjectStatus.COMPLETED:
                    raise ValidationError({RESOLVE: f"only together with status: {ProjectStatus.COMPLETED.value}"})
                project, _ = store_projects.complete_project(
                    s, project_id, current_actor(), comment, changes=changes, site=site()
                )
            else:
                project = store_projects.update_project(s, project_id, changes, current_actor(), comment, site=site())
            feature = project_record(s, project)
    except ValidationError as problem:
        return invalid_project(problem.field_errors)
    return geojson_response(feature)


@bp.post("/projects/<public_id:project_id>/issues")
@requires(Permission.PLAN)
def link_issues(project_id: str):
    body = json_object()
    problems = unusable_fields(body)
    for name in body:
        if name not in LINK_FIELDS:
            problems.setdefault(name, f"unknown field; send {', '.join(LINK_FIELDS)}")
    if "issues" not in body:
        problems["issues"] = "required: a list of issue ids (UUIDs)"
    if problems:
        return invalid_project(problems)
    try:
        with transaction() as s:
            store_projects.get_project(s, project_id)
            project, _ = store_projects.link_issues(s, project_id, body["issues"], current_actor(), body.get("comment"))
            feature = project_record(s, project)
    except ValidationError as problem:
        return invalid_project(problem.field_errors)
    return geojson_response(feature)


@bp.delete("/projects/<public_id:project_id>/issues/<public_id:issue_id>")
@requires(Permission.PLAN)
def unlink_issue(project_id: str, issue_id: str):
    no_parameters()
    try:
        with transaction() as s:
            project = store_projects.unlink_issue(s, project_id, issue_id, current_actor())
            feature = project_record(s, project)
    except ValidationError as problem:
        return invalid_project(problem.field_errors)
    return geojson_response(feature)
