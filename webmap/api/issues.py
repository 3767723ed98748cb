"""/api/v1/issues: list (filtered, paged), report, read with history, change."""
from __future__ import annotations

from typing import Any

from flask import url_for

from store import issues as store_issues
from store.errors import ValidationError
from store.intake import submit_issue
from store.timestamps import utcnow
from webmap.api import bp
from webmap.api.actor import current_actor
from webmap.api.issue_geojson import iso, issue_feature
from webmap.api.json_body import json_object
from webmap.api.query import FILTERS, issue_filters, no_parameters, parameters, refusals
from webmap.api.responses import geojson_response, invalid_issue
from webmap.base_layers import base_layers
from webmap.database import session, transaction
from webmap.i18n import current_language

LIST_PARAMETERS = (*FILTERS, "limit", "offset", "sort")
DEFAULT_LIMIT = 100
DEFAULT_SORT = "-reported_at"
# The client's UUID for a report is `id` here and `public_id` in the store.
CLIENT_ID = "id"


@bp.get("/issues")
def list_issues():
    args, errors = parameters(LIST_PARAMETERS)
    limit, offset = args.get("limit", DEFAULT_LIMIT), args.get("offset", 0)
    with refusals(errors):
        issues, matched = store_issues.list_issues(
            session(), issue_filters(args), sort=args.get("sort", DEFAULT_SORT), limit=limit, offset=offset
        )
    lang = current_language()
    return geojson_response(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(issues),
            "timeStamp": iso(utcnow()),
            "links": _paging_links(args, int(limit), int(offset), len(issues), matched),
            "features": [issue_feature(issue, lang) for issue in issues],
        }
    )


def _paging_links(args: dict[str, str], limit: int, offset: int, returned: int, matched: int) -> list[dict]:
    def link(rel: str, at: int) -> dict[str, str]:
        href = url_for("api.list_issues", **{**args, "limit": limit, "offset": at})
        return {"rel": rel, "type": "application/geo+json", "href": href}

    links = [link("self", offset)]
    if offset + returned < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    return links


@bp.post("/issues")
def create_issue():
    payload, problems = _submission(json_object())
    if problems:
        return invalid_issue(problems)
    try:
        with transaction() as s:
            issue, created = submit_issue(s, payload, base_layers().locator, current_actor())
            feature = issue_feature(issue, current_language(), events=True)
    except ValidationError as problem:
        return invalid_issue(_client_names(problem.field_errors))
    response = geojson_response(feature, 201 if created else 200)
    response.headers["Location"] = url_for("api.get_issue", issue_id=issue.public_id)
    return response


def _submission(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if "public_id" in body:
        return body, {"public_id": f"unknown field; send the client's UUID as {CLIENT_ID!r}"}
    payload = dict(body)
    if CLIENT_ID in payload:
        payload["public_id"] = payload.pop(CLIENT_ID)
    return payload, {}


def _client_names(field_errors: dict[str, str]) -> dict[str, str]:
    return {CLIENT_ID if name == "public_id" else name: message for name, message in field_errors.items()}


@bp.get("/issues/<issue_id>")
def get_issue(issue_id: str):
    no_parameters()
    issue = store_issues.get_issue(session(), issue_id)
    return geojson_response(issue_feature(issue, current_language(), events=True))


@bp.patch("/issues/<issue_id>")
def update_issue(issue_id: str):
    changes = json_object()
    comment = changes.pop("comment", None)
    try:
        with transaction() as s:
            store_issues.get_issue(s, issue_id)  # an unknown issue is a 404 whatever the body says
            issue = store_issues.update_issue(s, issue_id, changes, current_actor(), comment)
            feature = issue_feature(issue, current_language(), events=True)
    except ValidationError as problem:
        return invalid_issue(problem.field_errors)
    return geojson_response(feature)
