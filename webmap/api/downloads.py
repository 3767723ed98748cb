"""Export routes: one URL per format (`<path>.gpkg`, `.shp.zip`, `.geojson`, `.csv`, `.xlsx`), answered as an
attachment."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Response

from geo.export import FORMATS, ExportFormat
from store.timestamps import LOCAL_TZ, utcnow
from webmap.api import bp

PLACE = "金坛路居民区"


def attachment(data: bytes, fmt: ExportFormat, name: str, title: str) -> Response:
    """`name` (ASCII, e.g. "buildings") names the file for every client; `title` (e.g. "建筑") for those reading
    RFC 5987's filename*: 金坛路居民区-建筑-20250101-0930.gpkg."""
    stamp = f"{utcnow().astimezone(LOCAL_TZ):%Y%m%d-%H%M}.{fmt.extension}"
    response = Response(data, content_type=fmt.mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}-{stamp}\"; filename*=UTF-8''{quote(f'{PLACE}-{title}-{stamp}', safe='')}"
    )
    return response


def export_routes(path: str, endpoint: str, view: Callable[..., Response]) -> None:
    """Route `<path>.<extension>` of every format to view(fmt, **path_values), e.g. /issues.gpkg."""
    for fmt in FORMATS.values():
        def route(_fmt: ExportFormat = fmt, **values) -> Response:
            return view(_fmt, **values)

        bp.add_url_rule(f"{path}.{fmt.extension}", f"{endpoint}_{fmt.extension.replace('.', '_')}", route)
