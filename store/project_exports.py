"""Matching projects as one flat table (a GeoDataFrame), for the GeoPackage, Shapefile, GeoJSON and CSV exports."""
from __future__ import annotations

from decimal import Decimal

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.crs import DISPLAY_CRS
from geo.export_table import ExportTable
from geo.picking import Site
from store import exports
from store.models import ProjectIssue
from store.project_vocabulary import KIND_NAMES, ProjectKind
from store.projects import DATE_FIELDS, ProjectFilters, households_affected, matching_projects
from store.timestamps import LOCAL_TZ

COLUMNS = (
    "id", "name", "kind", "kind_name_zh", "status", *DATE_FIELDS, "budget", "contractor", "description",
    "households_affected", "linked_issues", "created_by", "created_at", "updated_at",
)
TIME_COLUMNS = ("created_at", "updated_at")


def _yuan(budget: Decimal | None) -> float | None:
    return None if budget is None else float(budget)


def projects_table(session: Session, filters: ProjectFilters | None, site: Site) -> gpd.GeoDataFrame:
    """One row per matching project, newest entered first: COLUMNS, the geometry as stored (EPSG:4326),
    dates as datetime.date, times in Shanghai time. Raises ValidationError as list_projects does, or naming
    `filters` when more than store.exports.EXPORT_MAX_ROWS match."""
    projects = matching_projects(session, filters, max_rows=exports.EXPORT_MAX_ROWS)
    households = households_affected(projects, site)
    linked = dict(
        session.execute(
            select(ProjectIssue.project_id, func.count())
            .where(ProjectIssue.project_id.in_([p.id for p in projects]))
            .group_by(ProjectIssue.project_id)
        ).all()
    ) if projects else {}
    rows = [
        {
            "id": p.public_id,
            "name": p.name,
            "kind": p.kind,
            "kind_name_zh": KIND_NAMES[ProjectKind(p.kind)]["zh"],
            "status": p.status,
            **{name: getattr(p, name) for name in DATE_FIELDS},
            "budget": _yuan(p.budget),
            "contractor": p.contractor,
            "description": p.description,
            "households_affected": households.get(p.public_id, 0),
            "linked_issues": linked.get(p.id, 0),
            "created_by": p.created_by,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }
        for p in projects
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for name in COLUMNS:
        if name in TIME_COLUMNS:
            table[name] = pd.to_datetime(table[name], utc=True).dt.tz_convert(LOCAL_TZ)
        elif name == "budget":
            table[name] = table[name].astype("float64")
        elif name in ("households_affected", "linked_issues"):
            table[name] = table[name].astype("int64")
        else:
            table[name] = table[name].astype(object)
    geometry = [shapely.from_geojson(p.geometry) for p in projects]
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometry, crs=DISPLAY_CRS), crs=DISPLAY_CRS)


def projects_export(session: Session, filters: ProjectFilters | None, site: Site) -> ExportTable:
    """projects_table as an export: points, lines and areas mixed."""
    return ExportTable("projects", projects_table(session, filters, site), None)
