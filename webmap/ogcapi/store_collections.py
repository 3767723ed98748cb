"""Issues and projects as /ogcapi collections, read from the store with this request's session."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from store import feature_queries
from store.errors import NotFound
from store.issues import get_issue
from store.projects import get_project
from webmap.api.issue_geojson import issue_feature
from webmap.api.projects import project_feature
from webmap.ogcapi.collection import Collection, Feature, Page
from webmap.ogcapi.query import ItemQuery
from webmap.page_context import ISSUE_STATUS_LABELS
from webmap.project_pages import STATUS_LABELS as PROJECT_STATUS_LABELS


class IssueCollection(Collection):
    id = "issues"
    title = _l("问题")
    description = _l("居民反映的问题；时间是上报时间")
    temporal = "reported_at"
    columns = ("title", "category_name", "status", "address", "reported_at")
    labels = {"status": ISSUE_STATUS_LABELS}

    def __init__(self, session: Session):
        self.session = session

    def extent(self) -> feature_queries.Extent:
        return feature_queries.issue_extent(self.session)

    def items(self, query: ItemQuery, lang: str) -> Page:
        issues, matched = feature_queries.issues_page(
            self.session, query.boxes, query.start, query.end, limit=query.limit, offset=query.offset
        )
        return Page([issue_feature(issue, lang) for issue in issues], matched)

    def item(self, feature_id: str, lang: str) -> Feature | None:
        try:
            return issue_feature(get_issue(self.session, feature_id), lang)
        except NotFound:
            return None


class ProjectCollection(Collection):
    id = "projects"
    title = _l("项目")
    description = _l("改造项目；时间是计划工期，没有计划工期的项目按任何时间都算")
    temporal = "planned_start, planned_end"
    columns = ("name", "kind_name", "status", "planned_start", "planned_end")
    labels = {"status": PROJECT_STATUS_LABELS}

    def __init__(self, session: Session):
        self.session = session

    def extent(self) -> feature_queries.Extent:
        return feature_queries.project_extent(self.session)

    def items(self, query: ItemQuery, lang: str) -> Page:
        projects, matched = feature_queries.projects_page(
            self.session, query.boxes, query.start, query.end, limit=query.limit, offset=query.offset
        )
        return Page([project_feature(project, lang) for project in projects], matched)

    def item(self, feature_id: str, lang: str) -> Feature | None:
        try:
            return project_feature(get_project(self.session, feature_id), lang)
        except NotFound:
            return None
