"""/api/v1/issues: list (filtered, paged), report, read with history, change."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from store import issues as store_issues
from store.errors import ValidationError
from store.issue_access import refused_changes
from store.filters import LIMIT_MAX
from store.intake import submit_issue
from store.issue_pages import READING_ORDERS, categories_by_id, position_of
from store.photos import photo_counts
from store.timestamps import utcnow
from store.user_vocabulary import Permission
from webmap.access import requires
from webmap.accounts import current_actor
from webmap.api import bp
from webmap.api.issue_geojson import iso, issue_feature, row_feature
from webmap.api.json_body import json_object, unusable_fields
from webmap.api.paging import paging_links
from webmap.api.photos import photo_summary
from webmap.api.query import FILTERS, issue_filters, no_parameters, parameters, read, refusals, whole_number
from webmap.api.time_range import OUT_OF_RANGE, out_of_range
from webmap.api.responses import geojson_response, invalid_issue, json_response
from webmap.base_layers import base_layers
from webmap.database import session, transaction
from webmap.i18n import current_language

LIST_PARAMETERS = (*FILTERS, "limit", "offset", "after", "sort")
DEFAULT_LIMIT = 100
MAX_OFFSET = 2**31 - 1  # beyond every issue there will ever be, well within SQL integers
DEFAULT_SORT = "-reported_at"
# The client's UUID for a report is `id` here and `public_id` in the store.
CLIENT_ID = "id"


@bp.get("/issues")
def list_issues():
    args, errors = parameters(LIST_PARAMETERS)
    limit = read(args, errors, "limit", whole_number, default=DEFAULT_LIMIT, minimum=1, maximum=LIMIT_MAX)
    offset = read(args, errors, "offset", whole_number, default=0, minimum=0, maximum=MAX_OFFSET)
    sort = args.get("sort", DEFAULT_SORT)
    with refusals(errors):
        rows, matched, more = store_issues.list_issue_rows(
            session(),
            issue_filters(args, errors),
            sort=sort,
            limit=limit or DEFAULT_LIMIT,
            offset=offset or 0,
            after=args.get("after"),
        )
    lang = current_language()
    counts = photo_counts(session(), [row.id for row in rows])
    categories = categories_by_id(session())
    positioned = more and sort.strip() in READING_ORDERS
    return geojson_response(
        {
            "type": "FeatureCollection",
            "numberMatched": matched,
            "numberReturned": len(rows),
            "timeStamp": iso(utcnow()),
            "links": paging_links("api.list_issues", args, limit, offset, more,
                                  position_of(rows[-1]) if positioned else None),
            "features": [row_feature(row, categories[row.category_id], lang, counts.get(row.id, 0)) for row in rows],
        }
    )


@bp.post("/issues")
@requires(Permission.REPORT)
def create_issue():
    payload, problems = _submission(json_object())
    if problems:
        return invalid_issue(problems)
    try:
        with transaction() as s:
            try:
                issue, created = submit_issue(s, payload, base_layers().locator, current_actor())
            except ValidationError as problem:
                # The store looks the category up only once all else is right; name it now too.
                raise ValidationError({**_unknown_category(s, payload), **problem.field_errors}) from None
            feature = issue_record(issue)
    except ValidationError as problem:
        return invalid_issue(_client_names(problem.field_errors))
    response = geojson_response(feature, 201 if created else 200)
    response.headers["Location"] = url_for("api.get_issue", issue_id=issue.public_id)
    return response


def _submission(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The store's payload for a submitted body, or the problems only this layer can see."""
    problems = unusable_fields(body)
    if "public_id" in body:
        problems["public_id"] = f"unknown field; send the client's UUID as {CLIENT_ID!r}"
    if body.get("reported_at") is not None and out_of_range(body["reported_at"]):
        problems["reported_at"] = OUT_OF_RANGE
    if problems:
        return body, problems
    payload = dict(body)
    if CLIENT_ID in payload:
        payload["public_id"] = payload.pop(CLIENT_ID)
    return payload, {}


def _unknown_category(s, payload: dict[str, Any]) -> dict[str, str]:
    category = payload.get("category")
    if not isinstance(category, str) or not category.strip():
        return {}
    if category.strip() in {c.id for c in store_issues.list_categories(s)}:
        return {}
    return {"category": f"unknown category {category.strip()!r}"}


def _client_names(field_errors: dict[str, str]) -> dict[str, str]:
    return {CLIENT_ID if name == "public_id" else name: message for name, message in field_errors.items()}


def issue_record(issue) -> dict[str, Any]:
    """What every answer about one issue is: the issue with its history and its photos."""
    photos = [photo_summary(photo) for photo in issue.photos]
    return issue_feature(issue, current_language(), events=True, photo_count=len(photos), photos=photos)


@bp.get("/issues/<public_id:issue_id>")
def get_issue(issue_id: str):
    no_parameters()
    issue = store_issues.get_issue(session(), issue_id)
    return geojson_response(issue_record(issue))


@bp.patch("/issues/<public_id:issue_id>")
@requires(Permission.REPORT)
def update_issue(issue_id: str):
    changes = json_object()
    if problems := unusable_fields(changes):
        return invalid_issue(problems)
    comment = changes.pop("comment", None)
    update_id = changes.pop("update_id", None)
    try:
        with transaction() as s:
            issue = store_issues.get_issue(s, issue_id)  # an unknown issue is a 404 whatever the body says
            if refused := refused_changes(current_user.role, current_user.username, issue, changes):
                return json_response(
                    {"error": "forbidden", "message": "your role may not make these changes", "fields": refused}, 403
                )
            issue = store_issues.update_issue(s, issue_id, changes, current_actor(), comment, update_id=update_id)
            feature = issue_record(issue)
    except ValidationError as problem:
        return invalid_issue(problem.field_errors)
    return geojson_response(feature)
