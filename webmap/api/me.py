"""/api/v1/me: who the caller is, what they may do, and the CSRF token their scripts send with writes."""
from __future__ import annotations

from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webmap.access import unauthenticated
from webmap.api import bp
from webmap.api.query import no_parameters
from webmap.api.responses import json_response
from webmap.i18n import current_language


@bp.get("/me")
def me():
    no_parameters()
    if not current_user.is_authenticated:
        return unauthenticated()
    response = json_response(
        {
            "username": current_user.username,
            "display_name": current_user.display_name,
            "role": current_user.role,
            "role_name": current_user.role_name(current_language()),
            "permissions": current_user.permissions,
            "language": current_user.language,
            "csrf_token": generate_csrf(),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
