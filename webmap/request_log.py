"""One JSON line per request on the `jintan.requests` logger: what was asked, by whom, the answer and how long it took.

Each request gets an id (the caller's `X-Request-ID` if it sends a sane one), returned in the same header,
so a tablet's report can be found in the log.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

LOGGER = logging.getLogger("jintan.requests")
REQUEST_ID = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class JsonLines(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


JsonLines.converter = time.gmtime


def _start() -> None:
    g.request_started = time.perf_counter()
    asked = request.headers.get(REQUEST_ID, "")
    g.request_id = asked if SANE_ID.fullmatch(asked) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID] = g.get("request_id", "")
    if request.endpoint == "static" and response.status_code < 400:
        return response  # the assets of every page would drown the rest
    LOGGER.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "fields": {
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
                "bytes": response.calculate_content_length(),
                "user": current_user.username if current_user.is_authenticated else None,
                "remote": request.remote_addr,
            }
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
