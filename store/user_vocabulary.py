"""The closed sets of values an account's coded fields may take, and what each role may do.

Migration 0003 freezes the roles and languages in CHECK constraints; a new
value needs a new migration as well as an entry here.
"""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """From least to most trusted; each role may do everything the one before it may."""

    VIEWER = "viewer"
    FIELD_STAFF = "field_staff"
    PLANNER = "planner"
    ADMIN = "admin"


ROLE_NAMES = {
    Role.VIEWER: {"zh": "查看者", "en": "Viewer"},
    Role.FIELD_STAFF: {"zh": "社区工作者", "en": "Community worker"},
    Role.PLANNER: {"zh": "规划人员", "en": "Planner"},
    Role.ADMIN: {"zh": "管理员", "en": "Administrator"},
}


class Language(StrEnum):
    """The language a user works in, remembered with the account."""

    ZH = "zh"
    EN = "en"


class Permission(StrEnum):
    VIEW = "view"  # the map, issues, projects and plans
    REPORT = "report"  # create issues, update those assigned to oneself
    PLAN = "plan"  # projects, lighting plans, assigning issues
    ADMIN = "admin"  # users, categories


ROLE_CAN: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.FIELD_STAFF: frozenset({Permission.VIEW, Permission.REPORT}),
    Role.PLANNER: frozenset({Permission.VIEW, Permission.REPORT, Permission.PLAN}),
    Role.ADMIN: frozenset({Permission.VIEW, Permission.REPORT, Permission.PLAN, Permission.ADMIN}),
}
