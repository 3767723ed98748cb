"""Matching issues as one flat table (a GeoDataFrame), for the file exports and the /ogcapi issues collection.

The same filters and sort keys as store.issues.list_issues, without paging but
with a ceiling: an export of more than EXPORT_MAX_ROWS issues is refused
rather than cut short, so a file never silently lacks rows.
"""
from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
from sqlalchemy import false, func, select
from sqlalchemy.orm import Session

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS
from geo.export_table import ExportTable
from geo.record_fields import ISSUE_FIELDS
from geo.record_table import typed_frame
from store.errors import ValidationError
from store.filters import IssueFilters, filter_conditions, order_by
from store.models import Category, Issue, Photo
from store.timestamps import LOCAL_TZ
from store.vocabulary import ACCURACY_FLAG_M

EXPORT_MAX_ROWS = 200_000

# Field (geo.record_fields.ISSUE_FIELDS) -> what it is read from; location_flagged is worked out from the accuracy.
COLUMNS = {
    "id": Issue.public_id,
    "category": Issue.category_id,
    "category_name_zh": Category.name_zh,
    "category_name_en": Category.name_en,
    "title": Issue.title,
    "description": Issue.description,
    "status": Issue.status,
    "rejection_reason": Issue.rejection_reason,
    "priority": Issue.priority,
    "source": Issue.source,
    "address": Issue.address,
    "building": Issue.building_id,
    "compound": Issue.compound_id,
    "lon": Issue.lon,
    "lat": Issue.lat,
    "location_source": Issue.location_source,
    "location_accuracy_m": Issue.location_accuracy_m,
    "reported_at": Issue.reported_at,
    "resolved_at": Issue.resolved_at,
    "updated_at": Issue.updated_at,
    "due_date": Issue.due_date,
    "assignee": Issue.assignee,
    "typical_case": Issue.is_typical_case,
    "photo_count": select(func.count()).where(Photo.issue_id == Issue.id).correlate(Issue).scalar_subquery(),
}
FIELD_NAMES = tuple(f.name for f in ISSUE_FIELDS)


def _frame(session: Session, conditions, order) -> gpd.GeoDataFrame:
    """The issues meeting `conditions` in `order`, ISSUE_FIELDS typed, point geometry in EPSG:4326, times in
    Shanghai time."""
    query = select(*COLUMNS.values()).join(Issue.category).where(*conditions).order_by(*order)
    table = pd.DataFrame.from_records(session.execute(query).all(), columns=list(COLUMNS), coerce_float=True)
    accuracy = pd.to_numeric(table["location_accuracy_m"]).astype("float64")
    table["location_flagged"] = accuracy > ACCURACY_FLAG_M  # as Issue.location_flagged: unknown is not flagged
    table["lon"] = pd.to_numeric(table["lon"]).astype(float).round(DISPLAY_DECIMALS)
    table["lat"] = pd.to_numeric(table["lat"]).astype(float).round(DISPLAY_DECIMALS)
    table = typed_frame(table, ISSUE_FIELDS, LOCAL_TZ)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=DISPLAY_CRS)


def issues_rows(session: Session, issues: Sequence[Issue]) -> gpd.GeoDataFrame:
    """These issues, in this order, as issues_table has them (an /ogcapi page)."""
    ids = [issue.id for issue in issues]
    frame = _frame(session, [Issue.id.in_(ids)] if ids else [false()], [Issue.id])
    return frame.set_index("id", drop=False).loc[[issue.public_id for issue in issues]].reset_index(drop=True)


def issues_table(
    session: Session,
    filters: IssueFilters | None = None,
    *,
    sort: str = "-reported_at",
    max_rows: int | None = None,
) -> gpd.GeoDataFrame:
    """One row per matching issue with ISSUE_FIELDS, point geometry in EPSG:4326, times in Shanghai time.

    Raises ValidationError naming each bad filter or sort key, or `filters`
    when more than max_rows (default EXPORT_MAX_ROWS) issues match.
    """
    max_rows = EXPORT_MAX_ROWS if max_rows is None else max_rows
    known_categories = set(session.scalars(select(Category.id)))
    errors: dict[str, str] = {}
    conditions = order = None
    try:
        conditions = filter_conditions(filters or IssueFilters(), known_categories)
    except ValidationError as problem:
        errors.update(problem.field_errors)
    try:
        order = order_by(sort)
    except ValidationError as problem:
        errors.update(problem.field_errors)
    if errors:
        raise ValidationError(errors)

    matched = session.scalar(select(func.count()).select_from(Issue).where(*conditions)) or 0
    if matched > max_rows:
        raise ValidationError(
            {"filters": f"{matched} issues match; an export holds at most {max_rows}: narrow the filters"}
        )
    return _frame(session, conditions, order)


def issues_export(
    session: Session, filters: IssueFilters | None = None, *, sort: str = "-reported_at"
) -> ExportTable:
    """issues_table as an export: points whose coordinates are also its lon and lat columns."""
    return ExportTable("issues", issues_table(session, filters, sort=sort), "Point", coordinate_columns=True,
                       fields=ISSUE_FIELDS)
