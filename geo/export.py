"""The export formats: an ExportTable (geo.export_table) written as GeoPackage, zipped Shapefile, GeoJSON, CSV or
Excel (.xlsx) bytes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geo.export_csv import csv_bytes
from geo.export_geojson import geojson_bytes
from geo.export_gpkg import gpkg_bytes
from geo.export_table import ExportTable, csv_frame
from geo.export_xlsx import xlsx_bytes
from geo.shapefile_zip import shapefile_zip


@dataclass(frozen=True)
class ExportFormat:
    extension: str  # what the file name ends in, after a dot
    mimetype: str
    title: str
    write: Callable[[ExportTable], bytes]
    any_crs: bool = True  # False: EPSG:4326 only


FORMATS: dict[str, ExportFormat] = {
    f.extension: f
    for f in (
        ExportFormat("gpkg", "application/geopackage+sqlite3", "GeoPackage",
                     lambda t: gpkg_bytes(t.frame, t.name, geometry=t.geometry, types=t.types)),
        ExportFormat("shp.zip", "application/zip", "zipped Shapefile", shapefile_zip),
        ExportFormat("geojson", "application/geo+json", "GeoJSON", lambda t: geojson_bytes(t.frame), any_crs=False),
        ExportFormat("csv", "text/csv; charset=utf-8", "CSV", lambda t: csv_bytes(csv_frame(t))),
        ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook",
                     xlsx_bytes),
    )
}
