"""The neighbourhood dataset: every schema layer found in a folder, read, validated, in WGS 84."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo.crs import to_display, to_metric
from geo.loader import ENCODING_SOURCES, LayerError, read_vector
from geo.schema import LAYER_NAMES, LAYERS, LayerSchema
from geo.validation import LayerReport, validate_layer

LAYER_FORMATS = (".shp", ".gpkg", ".geojson", ".zip")


class DatasetError(Exception):
    """The dataset has errors; the message lists them per layer."""


@dataclass
class Dataset:
    layers: dict[str, gpd.GeoDataFrame]  # in geo.crs.DISPLAY_CRS
    reports: dict[str, LayerReport]

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.reports.values())

    def errors(self) -> list[str]:
        """Every error, as "<layer>: <message>"."""
        return [f"{name}: {m}" for name, report in self.reports.items() for m in report.errors]

    def layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in self.layers:
            raise KeyError(f"no layer {name!r} in the dataset; it has {', '.join(self.layers)}")
        return self.layers[name]

    def metric(self, name: str) -> gpd.GeoDataFrame:
        return to_metric(self.layer(name))


def load_dataset(data_dir: str | Path) -> Dataset:
    """Read and validate every layer; raise DatasetError listing all errors if any."""
    dataset = _read_dataset(Path(data_dir))
    if not dataset.ok:
        errors = "\n".join(f"  {e}" for e in dataset.errors())
        raise DatasetError(f"{data_dir} is not a usable dataset:\n{errors}")
    return dataset


def check_dataset(data_dir: str | Path) -> dict[str, LayerReport]:
    """The report for every layer, errors included; never raises for bad data."""
    return _read_dataset(Path(data_dir)).reports


def read_dataset(data_dir: str | Path) -> Dataset:
    """Every layer that can be read, validated, with every report; never raises for bad data."""
    return _read_dataset(Path(data_dir))


def format_report(reports: Mapping[str, LayerReport] | Iterable[LayerReport]) -> str:
    """A multi-line, human-readable account of each layer's reading and validation."""
    reports = list(reports.values() if isinstance(reports, Mapping) else reports)
    lines = []
    for r in reports:
        counts = [
            _count(len(r.errors), "error"),
            _count(len(r.warnings), "warning"),
            _count(len(r.repairs), "repair"),
        ]
        lines.append(f"{r.name}: " + ", ".join(["ok" if r.ok else "NOT OK", *filter(None, counts)]))
        if r.source:
            lines.append(f"  file      {r.source}")
            lines.append(f"  features  {r.feature_count}")
            lines.append(f"  CRS       {r.crs or 'unknown'}")
        if r.encoding:
            how = ENCODING_SOURCES.get(r.encoding_source, r.encoding_source)
            lines.append(f"  encoding  {r.encoding} ({how})")
        lines += [f"  repaired  {m}" for m in r.repairs]
        lines += [f"  ERROR     {m}" for m in r.errors]
        lines += [f"  warning   {m}" for m in r.warnings]
    failed = sum(not r.ok for r in reports)
    lines.append(f"{len(reports)} layers: {len(reports) - failed} ok, {failed} with errors")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""


def _read_dataset(data_dir: Path) -> Dataset:
    layers: dict[str, gpd.GeoDataFrame] = {}
    reports: dict[str, LayerReport] = {}
    boundary = None
    # The boundary comes first: the other layers are checked against it.
    for name in ("boundary", *(n for n in LAYER_NAMES if n != "boundary")):
        gdf, reports[name] = _read_layer(data_dir, LAYERS[name], boundary)
        if gdf is not None and gdf.crs is not None:
            layers[name] = to_display(gdf)
        if name == "boundary" and reports[name].ok:
            boundary = gdf
    return Dataset(layers, reports)


def _read_layer(
    data_dir: Path, schema: LayerSchema, boundary: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame | None, LayerReport]:
    files = layer_files(data_dir, schema.name)
    if not files:
        report = LayerReport(schema.name)
        report.error(f"not found: no {schema.name}{', '.join(LAYER_FORMATS)} in {data_dir}")
        return None, report
    try:
        result = read_vector(files[0])
    except LayerError as e:
        report = LayerReport(schema.name, source=str(files[0]))
        report.error(str(e))
        return None, report
    gdf, report = validate_layer(result.gdf, schema, boundary=boundary)
    report.source, report.crs = result.path, result.crs
    report.encoding, report.encoding_source = result.encoding, result.encoding_source
    if len(files) > 1:
        report.warning(f"read {files[0].name}, ignored {', '.join(f.name for f in files[1:])}")
    return gdf, report


def layer_files(data_dir: Path, name: str) -> list[Path]:
    """`<name>.shp`, `.gpkg`, … in `data_dir`, whatever their case, in LAYER_FORMATS order."""
    if not data_dir.is_dir():
        return []
    by_name = {p.name.lower(): p for p in data_dir.iterdir() if p.is_file()}
    return [by_name[name + ext] for ext in LAYER_FORMATS if name + ext in by_name]
