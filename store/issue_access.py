"""Which changes to an issue a role may make: field staff work on what is assigned to them.

Everyone who may report may add a note (a comment alone) to any issue.
Changing the status needs the issue to be assigned to oneself, unless one
may plan; priority, assignee and due date are the planners' to set.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from store.models import Issue
from store.user_vocabulary import ROLE_CAN, Permission, Role

ASSIGNEE_ONLY = frozenset({"status", "rejection_reason"})


def refused_changes(role: str, username: str, issue: Issue, changes: Mapping[str, Any]) -> dict[str, str]:
    """Per field, why this user may not make the change; empty if they may."""
    allowed = ROLE_CAN.get(Role(role), frozenset())
    if Permission.PLAN in allowed:
        return {}
    if Permission.REPORT not in allowed:
        return {name: "your role may not change issues" for name in changes} or {"comment": "your role may not add notes"}
    refusals = {}
    for name in changes:
        if name not in ASSIGNEE_ONLY:
            refusals[name] = "only a planner may change it"
        elif issue.assignee != username:
            refusals[name] = "only the assignee or a planner may change it; add a note instead"
    return refusals
