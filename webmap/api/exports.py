"""GET /api/v1/issues.gpkg, .shp.zip, .geojson, .csv and .xlsx: every issue matching the list's filters, as a file
to download."""
from __future__ import annotations

from geo.export import ExportFormat
from store.exports import issues_export
from webmap.api.downloads import attachment, export_routes
from webmap.api.query import FILTERS, issue_filters, parameters, refusals
from webmap.database import session

PARAMETERS = (*FILTERS, "sort")
DEFAULT_SORT = "-reported_at"


def export_issues(fmt: ExportFormat):
    args, errors = parameters(PARAMETERS)
    with refusals(errors):
        table = issues_export(session(), issue_filters(args, errors), sort=args.get("sort", DEFAULT_SORT))
    return attachment(fmt.write(table), fmt, "issues", "问题")


export_routes("/issues", "export_issues", export_issues)
