"""/healthz: whether this process can serve — the base layers are loaded and the database answers at the newest schema."""
from __future__ import annotations

import functools
import time

from flask import Blueprint
from sqlalchemy import text

from store.database import current_revision, head_revision
from webmap.api.responses import json_response
from webmap.base_layers import base_layers
from webmap.database import store

bp = Blueprint("health", __name__)
newest_revision = functools.cache(head_revision)  # the migration scripts do not change while the process runs


@bp.get("/healthz")
def healthz():
    started = time.perf_counter()
    checks: dict[str, str] = {"layers": f"{len(base_layers().layers)} loaded"}
    healthy = True
    try:
        with store().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision, head = current_revision(store().engine), newest_revision()
        checks["database"] = "ok" if revision == head else f"at revision {revision}, newest is {head}"
        healthy = revision == head
    except Exception as problem:  # noqa: BLE001 - any failure to reach the database is the answer
        checks["database"] = f"unreachable: {type(problem).__name__}"
        healthy = False
    body = {"status": "ok" if healthy else "unavailable", "checks": checks,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    response = json_response(body, 200 if healthy else 503)
    response.headers["Cache-Control"] = "no-store"
    return response
