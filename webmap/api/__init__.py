"""The JSON API under /api/v1."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from store.errors import NotFound, ValidationError
from webmap.api.responses import invalid_request
from webmap.i18n import LANGUAGES

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class PublicId(BaseConverter):
    """A record's public id in a path: a UUID, in either case. Anything else matches no route: a 404,
    or a 405 where a fixed path sits beside it (PATCH /issues/nearby)."""

    regex = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"


@bp.before_request
def readable_language():
    """`lang`, which every operation takes, is zh or en, given once."""
    asked = request.args.getlist("lang")
    if len(asked) > 1:
        return invalid_request({"lang": "given more than once"})
    if asked and asked[0] not in LANGUAGES:
        return invalid_request({"lang": f"must be one of {', '.join(LANGUAGES)}"})
    return None


def json_error(error: HTTPException):
    """Errors on API paths are JSON, never an HTML page."""
    if not request.path.startswith(bp.url_prefix):
        return error
    response = jsonify({"error": error.name, "message": error.description})
    response.status_code = error.code
    for name, value in error.get_response().headers.items():  # Allow on a 405, Retry-After, WWW-Authenticate …
        if name not in ("Content-Type", "Content-Length"):
            response.headers[name] = value
    return response


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    return jsonify({"error": "Not Found", "message": str(error)}), 404


@bp.errorhandler(ValidationError)
def invalid_parameters(error: ValidationError):
    """Query parameters the store refused; endpoints taking a body answer 422 themselves."""
    return invalid_request(error.field_errors)


@bp.after_request
def no_sniffing(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    # Importing the modules registers their routes.
    from webmap.api import (  # noqa: F401
        categories,
        density,
        docs,
        exports,
        hotspots,
        issues,
        layer_exports,
        layers,
        lighting,
        me,
        nearby,
        photos,
        project_exports,
        projects,
    )

    app.url_map.converters["public_id"] = PublicId
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, json_error)
