"""GET /api/v1/layers/{name}.gpkg, .shp.zip, .geojson, .csv and .xlsx: a base layer as a file, in EPSG:4326 or, with
crs=4549, in the metric CRS of the surveyed original (all but GeoJSON, which is EPSG:4326 by definition)."""
from __future__ import annotations

from flask import abort
from flask_babel import force_locale

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.export import ExportFormat
from geo.export_table import layer_table
from geo.schema import LAYERS
from webmap.api.downloads import attachment, export_routes
from webmap.api.query import parameters, refusals
from webmap.base_layers import base_layers
from webmap.layer_display import DISPLAY

EXPORT_CRS = {"4326": DISPLAY_CRS, "4549": METRIC_CRS}
CRS_CHOICES = "4326 (WGS 84, the default) or 4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E, metres)"


def _crs(value: str | None, fmt: ExportFormat, errors) -> str:
    code = (value or "4326").strip().upper().removeprefix("EPSG:")
    if code not in EXPORT_CRS:
        errors.add("crs", f"must be {CRS_CHOICES}")
    elif EXPORT_CRS[code] != DISPLAY_CRS and not fmt.any_crs:
        errors.add("crs", f"{fmt.title} is always EPSG:4326 (RFC 7946)")
    return EXPORT_CRS.get(code, DISPLAY_CRS)


def export_layer(fmt: ExportFormat, name: str):
    if name not in LAYERS:
        abort(404, description=f"no layer named {name!r}; layers are: {', '.join(LAYERS)}")
    args, errors = parameters(("crs",))
    with refusals(errors):
        crs = _crs(args.get("crs"), fmt, errors)
    table = layer_table(base_layers().layers[name], LAYERS[name]).in_crs(crs)
    with force_locale("zh"):
        title = str(DISPLAY[name].title)
    return attachment(fmt.write(table), fmt, name, title)


export_routes("/layers/<name>", "export_layer", export_layer)
