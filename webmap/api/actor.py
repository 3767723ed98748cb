"""Who is acting: the one place that decides it, so signing in can replace it."""
from __future__ import annotations

from flask import request

ANONYMOUS = "anonymous"


def current_actor() -> str:
    """The X-Actor header (UTF-8, e.g. 社工小王), or "anonymous". Not authentication: anyone can send it."""
    value = request.headers.get("X-Actor", "")
    try:
        # WSGI hands header bytes over as Latin-1; names are sent as UTF-8.
        value = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.replace("\x00", "").strip() or ANONYMOUS
