"""CSRF protection (Flask-WTF) of every state-changing request a browser can make.

Forms carry a hidden `csrf_token`; scripts send the page's token (its
`<meta name="csrf-token">`) as the `X-CSRFToken` header. Requests
authenticated by an API token are exempt: a browser never adds that header
on its own, so another site cannot forge one.
"""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from webmap.access import is_api_request
from webmap.accounts import bearer_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

csrf = CSRFProtect()


def _protect() -> None:
    if request.method in SAFE_METHODS or bearer_token() is not None:
        return
    if is_api_request() and not current_user.is_authenticated:
        return  # no API write is open to anonymous callers: they get a 401 that says how to authenticate
    csrf.protect()


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _protect, which knows about API tokens
    # Valid as long as the session: a tablet's outbox may send hours after its page was loaded.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.before_request(_protect)
