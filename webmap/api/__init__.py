"""The JSON API under /api/v1."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_error(error: HTTPException):
    """Errors on API paths are JSON, never an HTML page."""
    if not request.path.startswith(bp.url_prefix):
        return error
    return jsonify({"error": error.name, "message": error.description}), error.code


def init_app(app: Flask) -> None:
    from webmap.api import layers  # noqa: F401  (registers the routes)

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, json_error)
