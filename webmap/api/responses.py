"""JSON and GeoJSON responses of the API, and its kinds of per-field refusal."""
from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response

JSON = "application/json"
GEOJSON = "application/geo+json"


def dumps(value: Any) -> str:
    """Compact UTF-8 JSON in which no text can ever read as markup, even if a browser sniffs it."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_MARKUP = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def encoded(value: Any) -> bytes:
    """dumps as UTF-8 bytes, by orjson (a page of 1,000 features in a few ms); what orjson cannot write (an
    integer beyond 64 bits, a type it does not know) by dumps. orjson writes NaN as null where dumps refuses."""
    try:
        body = orjson.dumps(value)
    except orjson.JSONEncodeError:
        return dumps(value).encode("utf-8")
    for markup, escaped in _MARKUP:  # <, > and & only ever stand inside strings
        body = body.replace(markup, escaped)
    return body


def json_response(value: Any, status: int = 200, *, mimetype: str = JSON) -> Response:
    return Response(encoded(value), status=status, mimetype=mimetype)


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
