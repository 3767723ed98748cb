"""Matching issues as one flat table (a GeoDataFrame), for the GeoPackage, Shapefile, GeoJSON and CSV exports.

The same filters and sort keys as store.issues.list_issues, without paging but
with a ceiling: an export of more than EXPORT_MAX_ROWS issues is refused
rather than cut short, so a file never silently lacks rows.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS
from geo.export_table import ExportTable
from store.errors import ValidationError
from store.filters import IssueFilters, filter_conditions, order_by
from store.models import Category, Issue, Photo
from store.timestamps import LOCAL_TZ

EXPORT_MAX_ROWS = 200_000

# Output column -> what it is read from; the order is the file's column order.
COLUMNS = {
    "id": Issue.public_id,
    "category": Issue.category_id,
    "category_name_zh": Category.name_zh,
    "title": Issue.title,
    "description": Issue.description,
    "status": Issue.status,
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
    "assignee": Issue.assignee,
    "photo_count": select(func.count()).where(Photo.issue_id == Issue.id).correlate(Issue).scalar_subquery(),
}
TIME_COLUMNS = ("reported_at", "resolved_at")
NUMBER_COLUMNS = ("lon", "lat", "location_accuracy_m", "photo_count")


def issues_table(
    session: Session,
    filters: IssueFilters | None = None,
    *,
    sort: str = "-reported_at",
    max_rows: int | None = None,
) -> gpd.GeoDataFrame:
    """One row per matching issue with COLUMNS, point geometry in EPSG:4326, times in Shanghai time.

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
    query = select(*COLUMNS.values()).join(Issue.category).where(*conditions).order_by(*order)
    rows = session.execute(query).all()

    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS), coerce_float=True)
    for name in COLUMNS:
        if name not in (*NUMBER_COLUMNS, *TIME_COLUMNS):
            table[name] = table[name].astype(object)
    for name in TIME_COLUMNS:
        table[name] = pd.to_datetime(table[name], utc=True).dt.tz_convert(LOCAL_TZ)
    table["lon"] = table["lon"].astype(float).round(DISPLAY_DECIMALS)
    table["lat"] = table["lat"].astype(float).round(DISPLAY_DECIMALS)
    table["location_accuracy_m"] = table["location_accuracy_m"].astype(float)
    table["photo_count"] = table["photo_count"].astype("int64")
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=DISPLAY_CRS)


def issues_export(
    session: Session, filters: IssueFilters | None = None, *, sort: str = "-reported_at"
) -> ExportTable:
    """issues_table as an export: points whose coordinates are also its lon and lat columns."""
    return ExportTable("issues", issues_table(session, filters, sort=sort), "Point", coordinate_columns=True)
