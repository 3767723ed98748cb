"""Reading a request's JSON object body: size-limited, strictly parsed, refused with a clear message."""
from __future__ import annotations

import json
from typing import Any

from flask import abort, request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_BODY_BYTES = 1024 * 1024
JSON_TYPES = ("application/json",)


JSON_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false"}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_object() -> dict[str, Any]:
    """The body as a dict, or a 400 (not JSON, not an object) / 413 (over 1 MiB) JSON error.

    The Content-Type must be JSON: a browser cannot send that cross-site without
    asking first, so other sites cannot post forms here.
    """
    too_large = f"the body is larger than {MAX_BODY_BYTES // 1024} KiB"
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        abort(413, description=too_large)
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        abort(400, description="send the body as JSON, with Content-Type: application/json")
    request.max_content_length = MAX_BODY_BYTES
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        abort(413, description=too_large)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        abort(400, description="the body is not UTF-8 text")
    except RecursionError:
        abort(400, description="the body is nested too deeply")
    except ValueError as problem:
        abort(400, description=f"the body is not valid JSON: {problem}")
    if not isinstance(body, dict):
        abort(400, description=f"the body must be a JSON object, not {JSON_NAMES.get(type(body), 'null')}")
    return body
