"""The closed sets of values an issue's coded fields may take.

The initial migration freezes the same lists in CHECK constraints; a new
value needs a new migration as well as an entry here.
"""
from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    VISIT = "visit"
    QUESTIONNAIRE = "questionnaire"
    FORUM = "forum"
    ONSITE_MEETING = "onsite_meeting"
    HOTLINE_12345 = "hotline_12345"
    PATROL = "patrol"


SOURCE_NAMES_ZH = {
    Source.VISIT: "走访",
    Source.QUESTIONNAIRE: "问卷",
    Source.FORUM: "座谈会",
    Source.ONSITE_MEETING: "现场三会",
    Source.HOTLINE_12345: "12345热线",
    Source.PATROL: "巡查",
}


class Status(StrEnum):
    """In workflow order; sorting by status follows this order."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


OPEN_STATUSES = (Status.REPORTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class RejectionReason(StrEnum):
    DUPLICATE = "duplicate"
    NOT_OURS = "not_ours"


class Priority(StrEnum):
    """In rising urgency; sorting by -priority puts urgent first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class EventKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    REJECTION_REASON = "rejection_reason"
    PRIORITY = "priority"
    ASSIGNMENT = "assignment"
    DUE_DATE = "due_date"
    COMMENT = "comment"
    PHOTO = "photo"  # to_value: the photo's id; the comment that came with it, if any


class LocationSource(StrEnum):
    """How a report's position was found."""

    GPS = "gps"
    MAP = "map"  # a tap on the map
    LIST = "list"  # a building or lane chosen from a list


# A position whose accuracy (the radius GPS reports, in metres) is worse than this is flagged on the report.
ACCURACY_FLAG_M = 30.0
