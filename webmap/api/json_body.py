"""Reading a request's JSON object body: size-limited, strictly parsed, refused with a clear message."""
from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_BODY_BYTES = 1024 * 1024
JSON_TYPES = ("application/json",)


JSON_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false"}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


INTEGER_RANGE = range(-(2**63), 2**63)  # what a database integer or a float can take
# A tag, a closing tag, a comment or a processing instruction; "温度<5度" and "a < b" stay writable.
MARKUP = re.compile(r"<[A-Za-z/!?]")  # as browsers start a tag: no space after the <


def _unusable(value: Any) -> str | None:
    """Why a JSON value cannot be stored or computed with, if it cannot."""
    if isinstance(value, str):
        if "\x00" in value:
            return "contains a NUL character"
        if MARKUP.search(value):
            return "looks like HTML markup (a '<' before a letter, '/', '!' or '?'); write it without angle brackets"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate: not Unicode text"
    elif isinstance(value, int) and not isinstance(value, bool) and value not in INTEGER_RANGE:
        return "number too large"
    elif isinstance(value, dict):
        return next((p for k, v in value.items() if (p := _unusable(k) or _unusable(v))), None)
    elif isinstance(value, list):
        return next((p for v in value if (p := _unusable(v))), None)
    return None


def unusable_fields(body: dict[str, Any]) -> dict[str, str]:
    """A problem for each field whose value (or name) no database can store, e.g. a NUL character."""
    problems = {}
    for name, value in body.items():
        problem = _unusable(name) or _unusable(value)
        if problem:
            printable = name.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
            problems[printable] = problem
    return problems


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
