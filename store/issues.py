"""Issue operations for any front end: plain values and dataclasses in, model objects out.

Each function works inside the caller's session and leaves committing to it
(store.database.transaction). Bad input raises ValidationError naming each
field; a missing issue raises NotFound.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, selectinload

from store.errors import NotFound, ValidationError
from store.filters import IssueFilters, conditions_and_box, order_by, paging
from store.idempotent import add_once
from store.issue_pages import READING_ORDERS, parse_position, read_page, read_rows
from store.models import Category, Issue, IssueEvent
from store.spatial import distance_metres, within_metres
from store.timestamps import as_utc, utcnow
from store.validation import (
    COMMENT_MAX,
    NAME_MAX,
    FieldErrors,
    Invalid,
    NewIssue,
    calendar_date,
    choice,
    latitude,
    longitude,
    number,
    text,
    validate_new_issue,
)
from store.validation import public_id as client_uuid
from store.vocabulary import EventKind, OPEN_STATUSES, Priority, RejectionReason, Status

__all__ = [
    "IssueFilters",
    "NearbyIssue",
    "NewIssue",
    "create_issue",
    "get_issue",
    "list_categories",
    "list_issues",
    "nearby_open_issues",
    "update_issue",
    "validate_new_issue",
]

UPDATABLE_FIELDS = ("status", "rejection_reason", "priority", "assignee", "due_date")
NEARBY_RADIUS_MAX_M = 5000.0


@dataclass(frozen=True)
class NearbyIssue:
    issue: Issue
    distance_m: float


def _actor(actor: Any) -> str:
    try:
        return text(actor, max_length=NAME_MAX, required=True)
    except Invalid as problem:
        raise ValidationError({"actor": str(problem)}) from None


def _by_public_id(public_id: str):
    return select(Issue).where(Issue.public_id == public_id)


def _known_category(session: Session, category_id: str) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise ValidationError({"category": f"unknown category {category_id!r}"})
    return category


def create_issue(session: Session, data: NewIssue, actor: str, *, at: datetime | None = None) -> tuple[Issue, bool]:
    """Store a new issue with its `created` event; (issue, True).

    `at` is when it was entered (default now): records taken over from paper keep their own time.

    Idempotent on data.public_id: if an issue with that id exists, even one
    being stored concurrently, it is returned as (issue, False) and nothing is written.
    """
    actor = _actor(actor)
    public_id = data.public_id or str(uuid.uuid4())
    existing = session.scalar(_by_public_id(public_id))
    if existing is not None:
        return existing, False
    category = _known_category(session, data.category)

    now = utcnow() if at is None else as_utc(at)
    issue = Issue(
        public_id=public_id,
        category=category,
        title=data.title,
        description=data.description,
        lon=data.lon,
        lat=data.lat,
        building_id=data.building_id,
        compound_id=data.compound_id,
        address=data.address,
        source=data.source,
        status=Status.REPORTED.value,
        priority=data.priority,
        reported_at=data.reported_at or now,
        reporter=data.reporter,
        assignee=data.assignee,
        due_date=data.due_date,
        is_typical_case=data.is_typical_case,
        location_note=data.location_note,
        location_source=data.location_source,
        location_accuracy_m=data.location_accuracy_m,
        created_at=now,
        updated_at=now,
    )
    issue, added = add_once(session, issue, _by_public_id(public_id))
    if not added:  # someone stored the same public_id since we looked
        return issue, False
    session.add(IssueEvent(issue=issue, kind=EventKind.CREATED.value, to_value=issue.status, actor=actor, at=now))
    session.flush()
    return issue, True


def _with_events(session: Session, public_id: str, *, for_update: bool = False) -> Issue:
    try:
        public_id = str(uuid.UUID(str(public_id)))
    except ValueError:
        raise NotFound("issue", public_id) from None
    query = _by_public_id(public_id).options(selectinload(Issue.events))
    if for_update:
        # Lock the row and read it afresh, even if this session loaded it before.
        query = query.with_for_update(of=Issue).execution_options(populate_existing=True)
    issue = session.scalar(query)
    if issue is None:
        raise NotFound("issue", public_id)
    return issue


def get_issue(session: Session, public_id: str) -> Issue:
    """The issue with its events (oldest first) loaded."""
    return _with_events(session, public_id)


def list_categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.sort_order, Category.id)))


def list_issues(
    session: Session,
    filters: IssueFilters | None = None,
    *,
    sort: str = "-reported_at",
    limit: int = 100,
    offset: int = 0,
    after: str | None = None,
) -> tuple[list[Issue], int]:
    """One page of matching issues, and how many match in all.

    `after`: the position (store.issue_pages.position_of) of the last issue of the page before, with
    `sort` reported_at or -reported_at; the page then goes on from there, whatever was added meanwhile."""
    conditions, box, order, paged = _page_request(session, filters, sort, limit, offset, after)
    return read_page(session, conditions, box, order, **paged)


def list_issue_rows(
    session: Session,
    filters: IssueFilters | None = None,
    *,
    sort: str = "-reported_at",
    limit: int = 100,
    offset: int = 0,
    after: str | None = None,
) -> tuple[list[Row], int, bool]:
    """list_issues as rows of store.issue_pages.ROW_COLUMNS, and whether more issues follow the page."""
    conditions, box, order, paged = _page_request(session, filters, sort, limit, offset, after)
    return read_rows(session, conditions, box, order, **paged)


def _page_request(session: Session, filters: IssueFilters | None, sort: str, limit: int, offset: int,
                  after: str | None) -> tuple[Any, ...]:
    """read_page's arguments for a list request, or ValidationError naming every bad parameter."""
    known_categories = set(session.scalars(select(Category.id)))
    errors: dict[str, str] = {}

    def collect(check, *args):
        try:
            return check(*args)
        except ValidationError as problem:
            errors.update(problem.field_errors)
            return None

    filtered = collect(conditions_and_box, filters or IssueFilters(), known_categories)
    order = collect(order_by, sort)
    page = collect(paging, limit, offset)
    descending = READING_ORDERS.get(sort.strip()) if isinstance(sort, str) else None
    position = None
    if after is not None and after != "":
        if descending is None:
            errors.setdefault("after", f"only with sort {' or '.join(READING_ORDERS)}")
        else:
            position = collect(parse_position, after)
    if errors:
        raise ValidationError(errors)
    (conditions, box), (limit, offset) = filtered, page
    return conditions, box, order, {"limit": limit, "offset": offset, "after": position, "descending": descending}


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parse_changes(changes: Mapping[str, Any], comment: Any) -> tuple[dict[str, Any], str | None]:
    errors = FieldErrors()
    if not isinstance(changes, Mapping):
        raise ValidationError({"changes": "must be an object"})
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "status":
            parsed[name] = errors.check(name, choice, value, Status)
        elif name == "rejection_reason":
            parsed[name] = None if value is None else errors.check(name, choice, value, RejectionReason)
        elif name == "priority":
            parsed[name] = errors.check(name, choice, value, Priority)
        elif name == "assignee":
            parsed[name] = errors.check(name, text, value, max_length=NAME_MAX)
        elif name == "due_date":
            parsed[name] = None if value is None else errors.check(name, calendar_date, value)
        else:
            errors.add(str(name), f"cannot be changed; changeable: {', '.join(UPDATABLE_FIELDS)}")
    comment = errors.check("comment", text, comment, max_length=COMMENT_MAX)
    errors.raise_if_any()
    return parsed, comment


def update_issue(
    session: Session,
    public_id: str,
    changes: Mapping[str, Any],
    actor: str,
    comment: str | None = None,
    *,
    at: datetime | None = None,
    update_id: Any = None,
) -> Issue:
    """Change status, rejection_reason, priority, assignee or due_date, with an optional comment.

    `update_id`, a client's UUID for this update, makes a retry change nothing:
    an update already stored under it is not applied again.

    Every field that really changes becomes an event (from, to, actor, time);
    the comment goes with the first of them, or is an event of its own.
    Resolving sets resolved_at (closing does too if unset); reopening clears it.
    `at` is when it happened (default: now), for recording past changes; a
    naive time is Shanghai time.
    """
    actor = _actor(actor)
    parsed, comment = _parse_changes(changes, comment)
    update_id = _update_id(update_id)
    issue = _with_events(session, public_id, for_update=True)  # so from_value is what we overwrite
    if update_id is not None and _already_applied(session, issue, update_id):
        return issue

    new_status = parsed.get("status", issue.status)
    if new_status == Status.REJECTED:
        reason = parsed.get("rejection_reason", issue.rejection_reason)
        if reason is None:
            raise ValidationError({"rejection_reason": "required when the status is rejected"})
    else:
        if parsed.get("rejection_reason") is not None:
            raise ValidationError({"rejection_reason": "only allowed with the status rejected"})
        reason = None

    now = utcnow() if at is None else as_utc(at)
    changed: list[tuple[EventKind, Any, Any]] = []

    def change(kind: EventKind, attribute: str, new: Any) -> None:
        old = getattr(issue, attribute)
        if old != new:
            setattr(issue, attribute, new)
            changed.append((kind, old, new))

    change(EventKind.STATUS, "status", new_status)
    change(EventKind.REJECTION_REASON, "rejection_reason", reason)
    if "priority" in parsed:
        change(EventKind.PRIORITY, "priority", parsed["priority"])
    if "assignee" in parsed:
        change(EventKind.ASSIGNMENT, "assignee", parsed["assignee"])
    if "due_date" in parsed:
        change(EventKind.DUE_DATE, "due_date", parsed["due_date"])

    if any(kind == EventKind.STATUS for kind, _, _ in changed):
        if new_status == Status.RESOLVED or (new_status == Status.CLOSED and issue.resolved_at is None):
            issue.resolved_at = now
        elif new_status not in (Status.RESOLVED, Status.CLOSED):
            issue.resolved_at = None

    if not changed and comment is None:
        return issue
    if not changed:
        changed.append((EventKind.COMMENT, None, None))
    for n, (kind, old, new) in enumerate(changed):
        session.add(
            IssueEvent(
                issue=issue,
                kind=kind.value,
                from_value=_as_text(old),
                to_value=_as_text(new),
                comment=comment if n == 0 else None,
                actor=actor,
                at=now,
                client_id=update_id if n == 0 else None,
            )
        )
    issue.updated_at = now
    session.flush()
    return issue


def _update_id(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return client_uuid(value)
    except Invalid as problem:
        raise ValidationError({"update_id": str(problem)}) from None


def _already_applied(session: Session, issue: Issue, update_id: str) -> bool:
    """Whether this update is stored; checked under the issue's lock, so a racing retry waits and then sees it."""
    stored = session.scalar(select(IssueEvent).where(IssueEvent.client_id == update_id))
    if stored is None:
        return False
    if stored.issue_id != issue.id:
        raise ValidationError({"update_id": "already used for an update of another issue"})
    return True


def nearby_open_issues(
    session: Session,
    lon: float,
    lat: float,
    category: str | None = None,
    radius_m: float = 30.0,
    *,
    limit: int = 20,
) -> list[NearbyIssue]:
    """Open issues (reported, acknowledged, in progress) within radius_m, nearest first.

    For spotting a duplicate before reporting the same problem again.
    """
    errors = FieldErrors()
    lon = errors.check("lon", longitude, lon)
    lat = errors.check("lat", latitude, lat)
    radius_m = errors.check("radius_m", number, radius_m, minimum=0.0, maximum=NEARBY_RADIUS_MAX_M)
    errors.raise_if_any()
    limit, _ = paging(limit, 0)
    if category is not None:
        _known_category(session, category)

    distance = distance_metres(lon, lat).label("distance_m")
    query = (
        select(Issue, distance)
        .where(within_metres(lon, lat, radius_m), Issue.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(distance, Issue.id)
        .limit(limit)
    )
    if category is not None:
        query = query.where(Issue.category_id == category)
    return [NearbyIssue(issue, float(metres)) for issue, metres in session.execute(query)]
