"""One page of issues and how many match in all, read the lean way on each backend; positions for seek paging.

    issues, matched = read_page(session, conditions, box, order_by("-reported_at"), limit=100, offset=0,
                                after=parse_position(token), descending=True)
    next_token = position_of(issues[-1])

A page in reading order (`reported_at`, then `id`; either direction) may start after a position, the last
issue of the page before: the index on (reported_at, id) seeks straight to it, and issues added meanwhile
never shift what comes next, so walking the pages sees every issue once. `offset` still works, counted from
the position if there is one.

The box, apart from the other filters, reaches the spatial index directly:
- count: SQLite counts the issues whose R*Tree box lies inside the asked box from the R*Tree alone (its
  float32 boxes are rounded outwards, so their points are inside too) and reads only the rows on the border
  for the exact lon/lat test; with other filters, the R*Tree is joined. PostGIS: the GiST index (`&&`) and
  the exact test.
- page: SQLite either walks the issues in reading order, testing each, until the page is full (when the
  box holds many of them), or joins the R*Tree and sorts its few matches, whichever reads fewer rows;
  PostgreSQL's planner makes that choice itself from its statistics.
Both give exactly the issues and the count the plain `within_bbox` query gives.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import ColumnElement, Row, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from store.errors import ValidationError
from store.models import Category, Issue
from store.spatial import ISSUE_RTREE, exact_bbox, rtree_inside, rtree_overlaps, within_bbox
from store.timestamps import as_utc

Box = tuple[float, float, float, float]
READING_ORDERS = {"reported_at": False, "-reported_at": True}  # the sorts positions work with: descending?
_POSITION = re.compile(r"(\d{8}T\d{6}\.\d{6}Z)_(\d{1,18})")
_POSITION_TIME = "%Y%m%dT%H%M%S.%fZ"
# What a feature of an issue is made of, read as plain rows (read_rows): every column a list or an /ogcapi feature
# shows; `id` for photo counts and positions.
ROW_COLUMNS = (
    Issue.id, Issue.public_id, Issue.category_id, Issue.title, Issue.description, Issue.status,
    Issue.rejection_reason, Issue.priority, Issue.source, Issue.address, Issue.building_id, Issue.compound_id,
    Issue.lon, Issue.lat, Issue.reported_at, Issue.resolved_at, Issue.updated_at, Issue.due_date, Issue.assignee,
    Issue.is_typical_case, Issue.location_source, Issue.location_accuracy_m,
)


@dataclass(frozen=True)
class Position:
    """Where a page ended in reading order: its last issue's reported_at and id."""

    reported_at: datetime
    id: int


def position_of(issue: Issue | Row) -> str:
    """The token a `next` link carries: the page goes on after this issue (or its row of ROW_COLUMNS)."""
    return f"{as_utc(issue.reported_at).strftime(_POSITION_TIME)}_{issue.id}"


def parse_position(token: object, field: str = "after") -> Position:
    match = _POSITION.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise ValidationError({field: "not a position this service gave; follow the `next` link of a page"})
    try:
        moment = datetime.strptime(match[1], _POSITION_TIME).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ValidationError({field: "not a position this service gave; follow the `next` link of a page"}) from None
    return Position(moment, int(match[2]))


def after_position(position: Position, descending: bool) -> ColumnElement[bool]:
    """Issues after the position in reading order; the first term lets the index seek to it."""
    moment, last = position.reported_at, position.id
    if descending:
        return and_(Issue.reported_at <= moment, or_(Issue.reported_at < moment, Issue.id < last))
    return and_(Issue.reported_at >= moment, or_(Issue.reported_at > moment, Issue.id > last))


def read_page(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    box: Box | None,
    order: Sequence[ColumnElement],
    *,
    limit: int,
    offset: int,
    after: Position | None = None,
    descending: bool | None = None,
) -> tuple[list[Issue], int]:
    """The page of issues meeting every condition and lying in the box (None: anywhere), and how many do in all.

    `descending` is given when `order` is a reading order (see READING_ORDERS); only then may `after` be."""
    query, matched = _page_query(session, select(Issue).options(lazyload(Issue.category)), conditions, box, order,
                                 limit=limit, offset=offset, after=after, descending=descending)
    if matched == 0:
        return [], 0
    # The categories (a dozen) read once and handed to each issue, rather than joined to every row, skipped
    # ones included, or looked up by each issue's lazy loader.
    categories = categories_by_id(session)
    issues = list(session.scalars(query))
    for issue in issues:
        set_committed_value(issue, "category", categories[issue.category_id])
    return issues, matched


def read_rows(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    box: Box | None,
    order: Sequence[ColumnElement],
    *,
    limit: int,
    offset: int,
    after: Position | None = None,
    descending: bool | None = None,
) -> tuple[list[Row], int, bool]:
    """read_page as rows of ROW_COLUMNS, no ORM objects (their category: categories_by_id), and whether more issues
    follow the page (a `next` link is due)."""
    # One row more than the page: whether it comes back says if a `next` link is due.
    query, matched = _page_query(session, select(*ROW_COLUMNS), conditions, box, order, limit=limit + 1, offset=offset,
                                 after=after, descending=descending)
    if matched == 0:
        return [], 0, False
    rows = session.connection().execute(query).all()  # plain Core: no ORM result machinery
    return rows[:limit], matched, len(rows) > limit


def categories_by_id(session: Session) -> dict[str, Category]:
    return {category.id: category for category in session.scalars(select(Category))}


def _page_query(session: Session, query: Select, conditions, box: Box | None, order, *, limit: int, offset: int,
                after: Position | None, descending: bool | None) -> tuple[Select, int]:
    """The page's query over `query`'s columns, and how many issues match in all (0: no query worth running)."""
    if after is not None and descending is None:
        raise ValueError("a position needs a reading order")
    matched = count_matching(session, conditions, box)
    if matched == 0:
        return query, 0
    query = query.where(*conditions).order_by(*order).limit(limit).offset(offset)
    if after is not None:
        query = query.where(after_position(after, descending))
    if box is not None:
        if session.get_bind().dialect.name != "sqlite":
            query = query.where(within_bbox(*box))
        elif descending is not None and _walk_is_cheaper(session, conditions, box, matched, limit + offset):
            query = query.where(exact_bbox(*box))  # the (reported_at, id) index gives the order
        else:
            query = query.join(ISSUE_RTREE, ISSUE_RTREE.c.id == Issue.id).where(rtree_overlaps(*box), exact_bbox(*box))
    return query, matched


def count_matching(session: Session, conditions: Sequence[ColumnElement[bool]], box: Box | None) -> int:
    if box is None:
        return int(session.scalar(select(func.count()).select_from(Issue).where(*conditions)) or 0)
    if session.get_bind().dialect.name != "sqlite":
        return int(session.scalar(select(func.count()).select_from(Issue).where(*conditions, within_bbox(*box))) or 0)
    joined = select(func.count()).select_from(ISSUE_RTREE).join(Issue, Issue.id == ISSUE_RTREE.c.id)
    if conditions:
        return int(session.scalar(joined.where(rtree_overlaps(*box), exact_bbox(*box), *conditions)) or 0)
    inside = select(func.count()).select_from(ISSUE_RTREE).where(rtree_inside(*box)).scalar_subquery()
    border = joined.where(rtree_overlaps(*box), not_(rtree_inside(*box)), exact_bbox(*box)).scalar_subquery()
    return int(session.scalar(select(inside + border)) or 0)


def _walk_is_cheaper(session: Session, conditions, box: Box, matched: int, rows_wanted: int) -> bool:
    """SQLite: walking in reading order reads about rows_wanted × all ÷ matched rows; the R*Tree path reads every
    row in the box (and sorts the matches). Matches spread unevenly in time make the walk longer, never the
    answer different."""
    if matched <= rows_wanted:  # the walk would read every issue to fill the page
        return False
    in_box = matched
    if conditions:  # the other filters are tested on the rows the R*Tree finds: count those, from it alone
        in_box = session.scalar(select(func.count()).select_from(ISSUE_RTREE).where(rtree_overlaps(*box))) or 0
    every = session.scalar(select(func.max(Issue.id))) or 0  # about how many there are, without counting them
    return rows_wanted * every < matched * in_box
