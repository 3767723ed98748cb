"""The JSON API under /api/v1."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from store.errors import NotFound, ValidationError
from webmap.api.responses import invalid_request

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_error(error: HTTPException):
    """Errors on API paths are JSON, never an HTML page."""
    if not request.path.startswith(bp.url_prefix):
        return error
    return jsonify({"error": error.name, "message": error.description}), error.code


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

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, json_error)
