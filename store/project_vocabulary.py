"""The closed sets of values a renovation project's coded fields may take.

Migration 0002 freezes the same lists in CHECK constraints; a new value
needs a new migration as well as an entry here.
"""
from __future__ import annotations

from enum import StrEnum


class ProjectKind(StrEnum):
    BEAUTIFUL_HOME = "beautiful_home"
    LANE_RENOVATION = "lane_renovation"
    HISTORIC_REPAIR = "historic_repair"
    LIGHTING_WORKS = "lighting_works"
    POCKET_PARK = "pocket_park"
    GARBAGE_FACILITIES = "garbage_facilities"
    LIFT_RETROFIT = "lift_retrofit"
    OTHER = "other"


KIND_NAMES = {
    ProjectKind.BEAUTIFUL_HOME: {"zh": "美丽家园", "en": "Beautiful Home renovation"},
    ProjectKind.LANE_RENOVATION: {"zh": "综合改造", "en": "Comprehensive lane renovation"},
    ProjectKind.HISTORIC_REPAIR: {"zh": "历史建筑修缮", "en": "Historic building repair"},
    ProjectKind.LIGHTING_WORKS: {"zh": "路灯实事工程", "en": "Streetlight works (municipal practical project)"},
    ProjectKind.POCKET_PARK: {"zh": "口袋公园", "en": "Pocket park"},
    ProjectKind.GARBAGE_FACILITIES: {"zh": "垃圾分类设施", "en": "Garbage sorting facilities"},
    ProjectKind.LIFT_RETROFIT: {"zh": "加装电梯", "en": "Lift retrofit"},
    ProjectKind.OTHER: {"zh": "其他", "en": "Other"},
}


class ProjectStatus(StrEnum):
    """In workflow order."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_CONSTRUCTION = "in_construction"
    COMPLETED = "completed"
    ACCEPTED = "accepted"


class ProjectEventKind(StrEnum):
    """A project's history: its creation, one kind per changeable field, links to issues, comments."""

    CREATED = "created"
    NAME = "name"
    STATUS = "status"
    PLANNED_START = "planned_start"
    PLANNED_END = "planned_end"
    ACTUAL_START = "actual_start"
    ACTUAL_END = "actual_end"
    BUDGET = "budget"
    CONTRACTOR = "contractor"
    DESCRIPTION = "description"
    GEOMETRY = "geometry"
    LINKED = "linked"  # to: the id
    UNLINKED = "unlinked"  # from: the id
    COMMENT = "comment"
