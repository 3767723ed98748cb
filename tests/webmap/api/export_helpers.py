"""Reading an export's response: its attachment names; recording projects to export."""
from __future__ import annotations

import re
import uuid
from urllib.parse import unquote

from tests.accounts import as_user


def download_names(response) -> tuple[str, str]:
    """The ASCII filename and the RFC 5987 filename* (decoded) of an attachment."""
    header = response.headers["Content-Disposition"]
    assert header.isascii()
    match = re.fullmatch(r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)", header)
    assert match, header
    return match[1], unquote(match[2], errors="strict")


def record_project(api, **overrides) -> dict:
    """POST a project (by default 黄家路55弄美丽家园, 2019–2020) as a planner; its Feature."""
    values = {
        "id": str(uuid.uuid4()),
        "name": "黄家路55弄美丽家园",
        "kind": "beautiful_home",
        "compounds": ["hjl55"],
        "planned_start": "2019-06-01",
        "planned_end": "2020-08-31",
        "budget": 2450000,
    }
    values.update(overrides)
    body = {name: value for name, value in values.items() if value is not None}
    response = api.post("/api/v1/projects", json=body, headers=as_user(api, "chengjian"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()
