"""GET /api/v1/projects.gpkg, .shp.zip, .geojson, .csv and .xlsx: every project matching the list's filters, as a
file (every project an area: store.project_exports)."""
from __future__ import annotations

from geo.export import ExportFormat
from store.project_exports import projects_export
from store.projects import ProjectFilters
from webmap.api.downloads import attachment, export_routes
from webmap.api.projects import FILTERS, site
from webmap.api.query import parameters, refusals
from webmap.database import session


def export_projects(fmt: ExportFormat):
    args, errors = parameters(FILTERS)
    with refusals(errors):
        table = projects_export(session(), ProjectFilters(**{name: args.get(name) for name in FILTERS}), site())
    return attachment(fmt.write(table), fmt, "projects", "项目")


export_routes("/projects", "export_projects", export_projects)
