"""Issues and projects read as feature collections: one page by bounding boxes and a period, and the extent of all.

Boxes are (minlon, minlat, maxlon, maxlat) in EPSG:4326; a feature matches if it
meets any of them (a box across the antimeridian arrives as two). A period's
ends are dates (a whole day in Shanghai time) or instants, either may be open.
Pages are in a stable order (oldest first); walked by position (`after`), they see every issue once
even while issues are added.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import shapely
from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from store.filters import IssueFilters, filter_conditions, order_by, paging
from store.issue_pages import parse_position, read_rows
from store.models import Issue, Project
from store.spatial import within_bbox
from store.timestamps import LOCAL_TZ

Box = tuple[float, float, float, float]
Moment = date | datetime | None


@dataclass(frozen=True)
class Extent:
    bbox: Box | None  # None: nothing stored yet
    first: Moment
    last: Moment


def issue_rows_page(
    session: Session, boxes: Sequence[Box], start: Moment, end: Moment, *, limit: int, offset: int,
    after: str | None = None,
) -> tuple[list[Row], int, bool]:
    """Issues reported within the period and lying in a box, as rows of store.issue_pages.ROW_COLUMNS; how many match
    in all; and whether more issues follow the page.

    `after`: the position (store.issue_pages.position_of) of the previous page's last issue: the page goes on
    from there, so issues added meanwhile neither shift nor repeat what comes next."""
    conditions, box, paged = _issues_request(boxes, start, end, limit, offset, after)
    return read_rows(session, conditions, box, order_by("reported_at"), **paged)


def _issues_request(boxes: Sequence[Box], start: Moment, end: Moment, limit: int, offset: int, after: str | None):
    limit, offset = paging(limit, offset)
    position = None if after is None or after == "" else parse_position(after)
    conditions = filter_conditions(IssueFilters(since=start, until=end), known_categories=())
    box = None
    if len(boxes) == 1:
        box = tuple(boxes[0])  # the one box reaches the spatial index directly
    elif boxes:  # across the antimeridian
        conditions.append(or_(*(within_bbox(*box) for box in boxes)))
    return conditions, box, {"limit": limit, "offset": offset, "after": position, "descending": False}


def issue_extent(session: Session) -> Extent:
    row = session.execute(
        select(
            func.min(Issue.lon), func.min(Issue.lat), func.max(Issue.lon), func.max(Issue.lat),
            func.min(Issue.reported_at), func.max(Issue.reported_at),
        )
    ).one()
    return Extent(None if row[0] is None else tuple(row[:4]), row[4], row[5])


def _day(moment: Moment) -> date | None:
    if isinstance(moment, datetime):
        return moment.astimezone(LOCAL_TZ).date()
    return moment


def _planned_during(start: Moment, end: Moment):
    """The planned period shares a day with start…end; either planned end stands for both if the other is unknown.

    A project planned for no time at all matches every period: OGC API - Features
    matches features without a temporal geometry whatever the datetime asks.
    """
    first, last = _day(start), _day(end)
    overlaps = []
    if last is not None:
        overlaps.append(func.coalesce(Project.planned_start, Project.planned_end) <= last)
    if first is not None:
        overlaps.append(func.coalesce(Project.planned_end, Project.planned_start) >= first)
    if not overlaps:
        return None
    undated = and_(Project.planned_start.is_(None), Project.planned_end.is_(None))
    return or_(undated, and_(*overlaps))


def _boxes_overlap(box: Box):
    minlon, minlat, maxlon, maxlat = box
    return and_(Project.min_lon <= maxlon, Project.max_lon >= minlon, Project.min_lat <= maxlat,
                Project.max_lat >= minlat)


def projects_page(
    session: Session, boxes: Sequence[Box], start: Moment, end: Moment, *, limit: int, offset: int
) -> tuple[list[Project], int]:
    """Projects planned within the period whose geometry meets a box, and how many match in all."""
    limit, offset = paging(limit, offset)
    during = _planned_during(start, end)
    conditions = [] if during is None else [during]
    order = (Project.id.asc(),)
    if not boxes:
        matched = session.scalar(select(func.count()).select_from(Project).where(*conditions))
        page = session.scalars(select(Project).where(*conditions).order_by(*order).limit(limit).offset(offset))
        return list(page), int(matched or 0)
    # The stored bounding boxes narrow it down in SQL; the geometry itself must meet a box.
    conditions.append(or_(*(_boxes_overlap(box) for box in boxes)))
    area = shapely.union_all([shapely.box(*box) for box in boxes])
    candidates = session.execute(select(Project.id, Project.geometry).where(*conditions).order_by(*order))
    ids = [id_ for id_, geometry in candidates if area.intersects(shapely.from_geojson(geometry))]
    chosen = ids[offset:offset + limit]
    by_id = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(chosen)))} if chosen else {}
    return [by_id[i] for i in chosen], len(ids)


def project_extent(session: Session) -> Extent:
    row = session.execute(
        select(
            func.min(Project.min_lon), func.min(Project.min_lat), func.max(Project.max_lon), func.max(Project.max_lat),
            func.min(func.coalesce(Project.planned_start, Project.planned_end)),
            func.max(func.coalesce(Project.planned_end, Project.planned_start)),
        )
    ).one()
    return Extent(None if row[0] is None else tuple(row[:4]), row[4], row[5])
