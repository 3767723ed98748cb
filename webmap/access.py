"""Who may do what: the `requires(permission)` guard for pages and API endpoints.

Signed out → 401 (API) or a redirect to the sign-in page; signed in without
the permission → 403. Roles and what each may do are data: store.user_vocabulary.
Whether signed-out visitors may view at all is the ANONYMOUS_VIEW setting.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from store.user_vocabulary import Permission
from webmap.api.responses import json_response

API_PREFIX = "/api/"
# Reachable by anyone whatever ANONYMOUS_VIEW says: signing in, and what the sign-in page needs.
# The tablet app's service worker and manifest too, and the favicon: a browser fetches them on its own, without the page's session.
ALWAYS_OPEN = frozenset({
    "sign_in.sign_in", "sign_in.sign_out", "static", "health.healthz",
    "field_pages.service_worker", "field_pages.web_app_manifest", "pages.favicon",
})


OGC_PREFIX = "/ogcapi"


def is_api_request() -> bool:
    """Whether a program is asking: /api/, or /ogcapi unless a person asked for its HTML pages."""
    if request.path.startswith(API_PREFIX):
        return True
    if request.path == OGC_PREFIX or request.path.startswith(OGC_PREFIX + "/"):
        asked = request.args.get("f")
        if asked:
            return asked != "html"
        return request.accept_mimetypes.best_match(["application/json", "text/html"], "application/json") != "text/html"
    return False


def unauthenticated():
    """401 for API clients (saying how to authenticate), the sign-in page for people."""
    if is_api_request():
        refused_token = g.get("bearer_refused", False)
        response = json_response(
            {
                "error": "unauthorized",
                "message": "the API token is unknown, revoked or its user deactivated"
                if refused_token
                else "sign in, or send an API token as 'Authorization: Bearer <token>'",
            },
            401,
        )
        challenge = 'Bearer realm="jintan"'
        if refused_token:
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
        return response
    return redirect(url_for("sign_in.sign_in", next=_here()))


def forbidden(permission: Permission):
    if is_api_request():
        return json_response(
            {"error": "forbidden", "message": f"your role ({current_user.role}) may not {permission.value}"}, 403
        )
    abort(403)


def _here() -> str:
    return request.full_path.rstrip("?") if request.query_string else request.path


def refusal(permission: Permission):
    """The response refusing the current user `permission`, or None if they have it."""
    if not current_user.is_authenticated:
        if permission == Permission.VIEW and current_app.config["ANONYMOUS_VIEW"]:
            return None
        return unauthenticated()
    if not current_user.can(permission):
        return forbidden(permission)
    return None


def requires(permission: Permission | str) -> Callable:
    permission = Permission(permission)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            refused = refusal(permission)
            if refused is not None:
                return refused
            return view(*args, **kwargs)

        guarded.required_permission = permission
        return guarded

    return decorate


def _view_guard():
    if request.endpoint in ALWAYS_OPEN or request.endpoint is None:
        return None
    return refusal(Permission.VIEW)


def init_app(app: Flask) -> None:
    app.before_request(_view_guard)
