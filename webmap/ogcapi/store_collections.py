"""Issues and projects as /ogcapi collections, read from the store with this request's session.

Their features have the fields of the file exports (geo.record_fields): issues read as rows and made into
features directly (webmap.ogcapi.issue_features, the export's values without its table), projects by the export's
code (store.project_exports.projects_rows): every project an area.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.geojson import geojson_features
from geo.record_fields import ISSUE_FIELDS, PROJECT_FIELDS
from store import feature_queries
from store.errors import NotFound
from store.issue_pages import ROW_COLUMNS, categories_by_id, position_of
from store.models import Issue
from store.photos import photo_counts
from store.project_exports import projects_rows
from store.projects import get_project
from webmap.api.projects import site
from webmap.ogcapi.collection import Collection, Feature, Page
from webmap.ogcapi.issue_features import issue_features
from webmap.ogcapi.query import ItemQuery
from webmap.page_context import ISSUE_STATUS_LABELS
from webmap.project_pages import STATUS_LABELS as PROJECT_STATUS_LABELS


class IssueCollection(Collection):
    id = "issues"
    title = _l("问题")
    description = _l("居民反映的问题；时间是上报时间")
    temporal = "reported_at"
    fields = ISSUE_FIELDS
    geometry_format = "geometry-point"
    columns = ("title", "category_name_zh", "status", "address", "reported_at")
    labels = {"status": ISSUE_STATUS_LABELS}

    def __init__(self, session: Session):
        self.session = session

    def extent(self) -> feature_queries.Extent:
        return feature_queries.issue_extent(self.session)

    positioned = True

    def items(self, query: ItemQuery, lang: str) -> Page:
        rows, matched, more = feature_queries.issue_rows_page(
            self.session, query.boxes, query.start, query.end, limit=query.limit, offset=query.offset,
            after=query.after,
        )
        return Page(self._features(rows), matched, more, position_of(rows[-1]) if more else None)

    def item(self, feature_id: str, lang: str) -> Feature | None:
        rows = self.session.execute(select(*ROW_COLUMNS).where(Issue.public_id == feature_id)).all()
        return self._features(rows)[0] if rows else None

    def _features(self, rows) -> list[Feature]:
        if not rows:
            return []
        counts = photo_counts(self.session, [row.id for row in rows])
        return issue_features(rows, categories_by_id(self.session), counts)


class ProjectCollection(Collection):
    id = "projects"
    title = _l("项目")
    description = _l("改造项目；时间是计划工期，没有计划工期的项目按任何时间都算")
    temporal = "planned_start, planned_end"
    fields = PROJECT_FIELDS
    geometry_format = "geometry-polygon-or-multipolygon"  # every project an area: geo.works_area
    columns = ("name", "kind_name_zh", "status", "planned_start", "planned_end")
    labels = {"status": PROJECT_STATUS_LABELS}

    def __init__(self, session: Session):
        self.session = session

    def extent(self) -> feature_queries.Extent:
        return feature_queries.project_extent(self.session)

    def items(self, query: ItemQuery, lang: str) -> Page:
        projects, matched = feature_queries.projects_page(
            self.session, query.boxes, query.start, query.end, limit=query.limit, offset=query.offset
        )
        return Page(geojson_features(projects_rows(self.session, projects, site())), matched)

    def item(self, feature_id: str, lang: str) -> Feature | None:
        try:
            project = get_project(self.session, feature_id)
        except NotFound:
            return None
        return geojson_features(projects_rows(self.session, [project], site()))[0]
