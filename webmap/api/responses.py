"""JSON and GeoJSON responses of the API, and its kinds of per-field refusal."""
from __future__ import annotations

import json
from typing import Any

from flask import Response

JSON = "application/json"
GEOJSON = "application/geo+json"


def dumps(value: Any) -> str:
    """Compact UTF-8 JSON in which no text can ever read as markup, even if a browser sniffs it."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_response(value: Any, status: int = 200, *, mimetype: str = JSON) -> Response:
    return Response(dumps(value), status=status, mimetype=mimetype)


def geojson_response(value: Any, status: int = 200) -> Response:
    return json_response(value, status, mimetype=GEOJSON)


def invalid_request(fields: dict[str, str]) -> Response:
    """400: query parameters (or a body's shape) the API cannot read, each named."""
    message = "; ".join(f"{name}: {problem}" for name, problem in fields.items())
    return json_response({"error": "invalid request", "message": message, "fields": fields}, 400)


def invalid_issue(fields: dict[str, str]) -> Response:
    """422: a readable submission or change that breaks the rules for issues, each field named."""
    return json_response({"error": "invalid issue", "fields": fields}, 422)


def invalid_photo(fields: dict[str, str], status: int = 422) -> Response:
    """422: an upload that is not a photo we take (413: one too large to read), each field named."""
    return json_response({"error": "invalid photo", "fields": fields}, status)
