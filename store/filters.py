"""What list_issues may be asked for: filters, sort keys and paging, checked and turned into SQL.

Values may be Python objects or the text of a query string ("a,b" lists,
"minlon,minlat,maxlon,maxlat" boxes, ISO dates), so a web adapter can pass
its parameters straight through.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, or_

from store.models import Issue
from store.spatial import within_bbox
from store.timestamps import local_day_end, local_day_start
from store.validation import NAME_MAX, FieldErrors, Invalid, bounding_box, choice, date_or_instant, text
from store.vocabulary import Priority, Status

LIMIT_MAX = 10_000
Q_MAX = 200

SORT_KEYS: dict[str, ColumnElement[Any]] = {
    "reported_at": Issue.reported_at,
    "updated_at": Issue.updated_at,
    # By meaning, not alphabet: workflow order, and rising urgency.
    "status": case({s.value: n for n, s in enumerate(Status)}, value=Issue.status),
    "priority": case({p.value: n for n, p in enumerate(Priority)}, value=Issue.priority),
}


@dataclass(frozen=True)
class IssueFilters:
    bbox: Sequence[float] | str | None = None  # minlon, minlat, maxlon, maxlat (EPSG:4326)
    category: str | Sequence[str] | None = None  # one or many category ids
    status: str | Sequence[str] | None = None
    since: date | datetime | str | None = None  # reported_at on or after; a date starts that day
    until: date | datetime | str | None = None  # reported_at on or before; a date includes that whole day
    compound: str | None = None  # compound_id
    assignee: str | None = None  # exactly, e.g. a username: "my work" on the tablet
    q: str | None = None  # case-insensitive substring of title, description or address


def _values(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [item.strip() if isinstance(item, str) else item for item in items]
    return [item for item in cleaned if item != ""]


def _category_ids(value: str | Sequence[str], known: Collection[str]) -> list[str]:
    ids = _values(value)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise Invalid(f"unknown category {', '.join(map(repr, unknown))}")
    return ids


def _statuses(value: str | Sequence[str]) -> list[str]:
    return [choice(item, Status) for item in _values(value)]


Box = tuple[float, float, float, float]


def filter_conditions(filters: IssueFilters, known_categories: Collection[str]) -> list[ColumnElement[bool]]:
    conditions, box = conditions_and_box(filters, known_categories)
    return conditions if box is None else [within_bbox(*box), *conditions]


def conditions_and_box(
    filters: IssueFilters, known_categories: Collection[str]
) -> tuple[list[ColumnElement[bool]], Box | None]:
    """The filters but the box as SQL conditions, and the box apart: a page can then reach it by its own index."""
    errors = FieldErrors()
    conditions: list[ColumnElement[bool]] = []
    box = None

    def given(value: Any) -> bool:
        return value is not None and value != "" and value != []

    if given(filters.bbox):
        box = errors.check("bbox", bounding_box, filters.bbox)
    if given(filters.category):
        ids = errors.check("category", _category_ids, filters.category, known_categories)
        if ids:
            conditions.append(Issue.category_id.in_(ids))
    if given(filters.status):
        statuses = errors.check("status", _statuses, filters.status)
        if statuses:
            conditions.append(Issue.status.in_(statuses))
    if given(filters.since):
        since = errors.check("since", date_or_instant, filters.since)
        if isinstance(since, datetime):
            conditions.append(Issue.reported_at >= since)
        elif since is not None:
            conditions.append(Issue.reported_at >= local_day_start(since))
    if given(filters.until):
        until = errors.check("until", date_or_instant, filters.until)
        if isinstance(until, datetime):
            conditions.append(Issue.reported_at <= until)
        elif until is not None:
            conditions.append(Issue.reported_at < local_day_end(until))
    if given(filters.compound):
        compound = errors.check("compound", text, filters.compound, max_length=64)
        if compound:
            conditions.append(Issue.compound_id == compound)
    if given(filters.assignee):
        assignee = errors.check("assignee", text, filters.assignee, max_length=NAME_MAX)
        if assignee:
            conditions.append(Issue.assignee == assignee)
    if given(filters.q):
        q = errors.check("q", text, filters.q, max_length=Q_MAX)
        if q:
            searched = (Issue.title, Issue.description, Issue.address)
            conditions.append(or_(*(column.icontains(q, autoescape=True) for column in searched)))
    errors.raise_if_any()
    return conditions, box


def order_by(sort: str) -> list[ColumnElement[Any]]:
    """`-reported_at`, `priority`, or several: `-priority,reported_at`. Ties go by creation order."""
    errors = FieldErrors()
    keys = _values(sort) if isinstance(sort, str) else []
    if not keys:
        errors.add("sort", "required")
    clauses = []
    for key in keys:
        name = key.lstrip("+-")
        if name not in SORT_KEYS:
            errors.add("sort", f"cannot sort by {name!r}; use {', '.join(SORT_KEYS)} (prefix - for descending)")
            continue
        column = SORT_KEYS[name]
        clauses.append(column.desc() if key.startswith("-") else column.asc())
    errors.raise_if_any()
    clauses.append(Issue.id.desc() if keys[0].startswith("-") else Issue.id.asc())
    return clauses


def _count(value: Any, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("must be a whole number")
    if value < minimum or (maximum is not None and value > maximum):
        raise Invalid(f"must be between {minimum} and {maximum}" if maximum else f"must be at least {minimum}")
    return value


def paging(limit: Any, offset: Any) -> tuple[int, int]:
    errors = FieldErrors()
    limit = errors.check("limit", _count, limit, minimum=1, maximum=LIMIT_MAX)
    offset = errors.check("offset", _count, offset, minimum=0)
    errors.raise_if_any()
    return limit, offset
