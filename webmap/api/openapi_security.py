"""How the API authenticates, in the OpenAPI document: read from the `requires` guards on the views themselves."""
from __future__ import annotations

import re
from typing import Any

from flask import current_app

from store.user_vocabulary import ROLE_CAN, Permission

Schema = dict[str, Any]
PREFIX = "/api/v1"
ERROR = {"$ref": "#/components/schemas/Error"}

SECURITY_SCHEMES: Schema = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "a personal API token (`flask --app app users token USERNAME` prints one)",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "a browser signed in at /login; writes also send the page's CSRF token as `X-CSRFToken`",
    },
}
SECURITY = [{"bearerToken": []}, {"session": []}]

UNAUTHORIZED = {"description": "not signed in, or the API token is unknown or revoked",
                "content": {"application/json": {"schema": ERROR}}}
FORBIDDEN = {"description": "the user's role does not allow this",
             "content": {"application/json": {"schema": ERROR}}}


def _roles_with(permission: Permission) -> str:
    return ", ".join(role.value for role, allowed in ROLE_CAN.items() if permission in allowed)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def secure(paths: dict[str, Schema]) -> dict[str, Schema]:
    """`paths` with each guarded operation saying who may call it and what a refusal looks like."""
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        permission = getattr(current_app.view_functions[rule.endpoint], "required_permission", None)
        if permission is None:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths.get(_openapi_path(rule.rule), {}).get(method.lower())
            if operation is None:
                continue
            operation["security"] = SECURITY
            operation["responses"] = {**operation["responses"], "401": UNAUTHORIZED, "403": FORBIDDEN}
            operation["description"] = (
                operation.get("description", "") + f"\n\nNeeds a user whose role may {permission.value}: "
                f"{_roles_with(permission)}. Recorded as done by that user."
            ).strip()
    return paths
