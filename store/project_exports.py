"""Matching projects as one flat table (a GeoDataFrame), for the file exports and the /ogcapi projects collection.

Every project is an area there (geo.works_area): a line or point project is its
works corridor, its own geometry kept in works_kind and works_geometry_wkt.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.crs import DISPLAY_CRS, DISPLAY_DECIMALS
from geo.export_table import ExportTable
from geo.picking import Site
from geo.record_fields import PROJECT_FIELDS
from geo.record_table import typed_frame
from geo.works_area import works_areas
from store import exports
from store.models import Project, ProjectIssue
from store.project_vocabulary import KIND_NAMES, ProjectKind
from store.projects import DATE_FIELDS, ProjectFilters, households_affected, matching_projects
from store.timestamps import LOCAL_TZ

COLUMNS = tuple(f.name for f in PROJECT_FIELDS)


def _yuan(budget: Decimal | None) -> float | None:
    return None if budget is None else float(budget)


def projects_rows(session: Session, projects: Sequence[Project], site: Site) -> gpd.GeoDataFrame:
    """These projects, in this order: PROJECT_FIELDS (dates as datetime.date, times in Shanghai time) and each
    one's area (EPSG:4326): its own if it is one, else its works corridor."""
    households = households_affected(projects, site)
    linked = dict(
        session.execute(
            select(ProjectIssue.project_id, func.count())
            .where(ProjectIssue.project_id.in_([p.id for p in projects]))
            .group_by(ProjectIssue.project_id)
        ).all()
    ) if projects else {}
    own = [shapely.from_geojson(p.geometry) for p in projects]
    rows = [
        {
            "id": p.public_id,
            "name": p.name,
            "kind": p.kind,
            "kind_name_zh": KIND_NAMES[ProjectKind(p.kind)]["zh"],
            "kind_name_en": KIND_NAMES[ProjectKind(p.kind)]["en"],
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
            "works_kind": geom.geom_type,
            "works_geometry_wkt": shapely.to_wkt(geom, rounding_precision=DISPLAY_DECIMALS, trim=True),
        }
        for p, geom in zip(projects, own)
    ]
    table = typed_frame(pd.DataFrame(rows, columns=list(COLUMNS)), PROJECT_FIELDS, LOCAL_TZ)
    areas = works_areas(gpd.GeoSeries(own, index=table.index, crs=DISPLAY_CRS))
    return gpd.GeoDataFrame(table, geometry=areas, crs=DISPLAY_CRS)


def projects_table(session: Session, filters: ProjectFilters | None, site: Site) -> gpd.GeoDataFrame:
    """One row per matching project, newest entered first, as projects_rows has them. Raises ValidationError as
    list_projects does, or naming `filters` when more than store.exports.EXPORT_MAX_ROWS match."""
    return projects_rows(session, matching_projects(session, filters, max_rows=exports.EXPORT_MAX_ROWS), site)


def projects_export(session: Session, filters: ProjectFilters | None, site: Site) -> ExportTable:
    """projects_table as an export: every project an area."""
    return ExportTable("projects", projects_table(session, filters, site), "Polygon", fields=PROJECT_FIELDS)
