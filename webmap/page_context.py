"""Small things several pages hand to their templates and scripts."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from store.users import display_names
from webmap.api import bp as api
from webmap.base_layers import base_layers
from webmap.database import session
from webmap.layer_display import local_name

ISSUE_STATUS_LABELS = {
    "reported": _l("已上报"),
    "acknowledged": _l("已受理"),
    "in_progress": _l("处理中"),
    "resolved": _l("已解决"),
    "closed": _l("已关闭"),
    "rejected": _l("已退回"),
}


def label(labels: dict, value) -> str:
    return str(labels[value]) if value in labels else ("" if value is None else str(value))


def compound_names(lang: str) -> list[dict]:
    return [
        {"id": str(r["id"]), "name": local_name(r, lang)}
        for _i, r in base_layers().layers["compounds"].iterrows()
    ]


def people(usernames) -> dict[str, str]:
    """Who did what, as pages show it: an account's display name, or the name as recorded."""
    names = display_names(session(), list(usernames))
    return {name: names.get(name, name) for name in usernames}


def api_root() -> str:
    return request.script_root + api.url_prefix
