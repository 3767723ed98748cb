"""Replacing a base layer with surveyed data: plan it (read, check, compare: a report), then write it
(stage, check the whole dataset, swap the files in with a backup, undo everything on any failure)."""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo.canonical_layer import write_canonical
from geo.crs import METRIC_CRS
from geo.dataset import check_dataset, format_report, read_dataset
from geo.layer_diff import LayerDiff, diff_layers
from geo.layer_swap import STAGING_PREFIX, fingerprint, import_lock, layer_paths, swap_in
from geo.loader import ENCODING_SOURCES, LayerError, read_vector
from geo.progress import Progress, unseen
from geo.schema import LAYER_NAMES, LAYERS, LayerSchema
from geo.validation import LayerReport, validate_layer

SOURCE_FORMATS = {".shp": "Shapefile", ".zip": "zipped Shapefile", ".gpkg": "GeoPackage", ".geojson": "GeoJSON",
                  ".json": "GeoJSON"}
CRS_SOURCES = {"file": "declared by the file", "caller": "from --crs: the file declares none"}
# What a Chinese survey office may call the layers in a file name.
CHINESE_NAMES = {"边界": "boundary", "小区": "compounds", "建筑": "buildings", "房屋": "buildings", "道路": "roads",
                 "弄堂": "lanes", "路灯": "streetlights", "设施": "facilities"}
MAX_LISTED = 10


class ImportRefused(Exception):
    """The file cannot be imported: unreadable, without a CRS, for no clear layer, or the data changed meanwhile."""


class ImportFailed(Exception):
    """Written, the dataset did not pass its check; nothing was changed."""


@dataclass
class SchemaCheck:
    missing: list[str] = field(default_factory=list)  # required fields the file lacks (an error)
    absent_optional: list[str] = field(default_factory=list)  # added empty
    extra: list[str] = field(default_factory=list)  # in the file, not in the schema: dropped
    converted: list[str] = field(default_factory=list)  # "floors: text -> int"


@dataclass
class ImportPlan:
    layer: str
    source: str
    source_format: str
    source_layer: str | None  # the layer read in a GeoPackage or zip, where it has a name of its own
    crs: str
    crs_source: str  # a key of CRS_SOURCES
    encoding: str
    encoding_source: str  # a key of geo.loader.ENCODING_SOURCES
    notes: list[str]
    schema: SchemaCheck
    report: LayerReport
    diff: LayerDiff | None
    data: gpd.GeoDataFrame  # validated: the schema's fields, typed, repaired geometry, in the file's CRS
    data_dir: Path
    fingerprint: dict[str, tuple[int, int]]

    @property
    def ok(self) -> bool:
        return self.report.ok


@dataclass
class ImportResult:
    files: list[Path]
    backup: Path
    reports: dict[str, LayerReport]


# --- which layer -----------------------------------------------------------------------------


def _layer_words() -> dict[str, str]:
    words = {}
    for name in LAYER_NAMES:
        words[name] = name
        words[name.removesuffix("s")] = name
    words.update({"facility": "facilities", "boundaries": "boundary", "streetlamps": "streetlights",
                  "lamps": "streetlights", "lamp": "streetlights"})
    return words


def _layers_named(text: str) -> set[str]:
    words = _layer_words()
    text = text.lower()
    found = {words[w] for w in re.split(r"[^a-z0-9]+", text) if w in words}
    return found | {layer for chinese, layer in CHINESE_NAMES.items() if chinese in text}


def _inner_layers(path: Path) -> list[str]:
    try:
        return [name for name, geometry in pyogrio.list_layers(path) if geometry]
    except (DataSourceError, DataLayerError):
        return []


def guess_layer(path: Path, layer_name: str | None = None) -> str:
    """The base layer a file is for, from the name of the layer read in it (`layer_name`, or its only layer)
    or else the file's name: buildings_2025.shp, 路灯.gpkg, survey.gpkg holding one layer 建筑物."""
    inner = [layer_name] if layer_name else _inner_layers(path)
    found = _layers_named(inner[0]) if len(inner) == 1 else set()
    if not found:
        found = _layers_named(Path(path).name.split(".")[0])
    if len(found) == 1:
        return found.pop()
    what = f"{Path(path).name}" + (f" (layer {layer_name})" if layer_name else "")
    if not found:
        raise ImportRefused(f"cannot tell which base layer {what} is for; name it with --layer "
                            f"(one of {', '.join(LAYER_NAMES)})")
    raise ImportRefused(f"{what} could be for {' or '.join(sorted(found))}; name the layer with --layer")


# --- planning --------------------------------------------------------------------------------


def _kind(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    return "str"


# A file's type that holds the schema's type as it is (an integer-valued DBF number read as float, say).
_FITS = {("int", "float"), ("float", "int"), ("bool", "int"), ("int", "bool")}


def check_schema(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> SchemaCheck:
    """The file's fields against the schema's, matched without case as geo.validation does."""
    check = SchemaCheck()
    columns = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    for f in schema.fields:
        column = columns.pop(f.name.lower(), None)
        if column is None:
            (check.missing if f.required else check.absent_optional).append(f.name)
            continue
        kind = _kind(gdf[column])
        if kind != f.type and (kind, f.type) not in _FITS and not gdf[column].isna().all():
            check.converted.append(f"{f.name}: {kind} -> {f.type}")
    check.extra = list(columns.values())
    return check


def plan_import(
    path: str | Path,
    data_dir: str | Path,
    *,
    layer: str | None = None,
    layer_name: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    progress: Progress = unseen,
) -> ImportPlan:
    """Read `path` (one layer: `layer_name` in a GeoPackage or zip), check it as layer `layer` (guessed from the
    names if None) and compare it with the layer in data_dir. Nothing is written. Raises ImportRefused when the
    file cannot be read at all; every other problem is in the plan's report."""
    path, data_dir = Path(path), Path(data_dir)
    if layer is not None and layer not in LAYERS:
        raise ImportRefused(f"no base layer {layer!r}; layers are: {', '.join(LAYER_NAMES)}")
    target = layer or guess_layer(path, layer_name)
    inner = [layer_name] if layer_name else _inner_layers(path)
    schema = LAYERS[target]
    before = fingerprint(data_dir)
    try:
        read = read_vector(path, layer=layer_name, crs=crs, encoding=encoding, progress=progress)
    except LayerError as problem:
        raise ImportRefused(str(problem)) from None

    current = read_dataset(data_dir)
    boundary = None
    if target != "boundary" and current.reports["boundary"].ok:
        boundary = current.layers["boundary"]
    data, report = validate_layer(read.gdf, schema, boundary=boundary)
    report.source, report.crs = read.path, read.crs
    report.encoding, report.encoding_source = read.encoding, read.encoding_source
    data = data[[f.name for f in schema.fields if f.name in data] + [data.geometry.name]]
    diff = None
    if schema.id_field in data and data.crs is not None:
        diff = diff_layers(current.layers.get(target), data, schema, progress)
    return ImportPlan(
        layer=target,
        source=str(path),
        source_format=SOURCE_FORMATS.get(path.suffix.lower(), path.suffix),
        source_layer=inner[0] if len(inner) == 1 and inner[0] != path.name.split(".")[0] else None,
        crs=read.crs,
        crs_source=read.crs_source,
        encoding=read.encoding,
        encoding_source=read.encoding_source,
        notes=[n for n in read.notes if not n.startswith(("text encoding", "CRS "))],  # said in their own lines
        schema=check_schema(read.gdf, schema),
        report=report,
        diff=diff,
        data=data,
        data_dir=data_dir,
        fingerprint=before,
    )


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def format_import_report(plan: ImportPlan) -> str:
    """The report before an import, in the style of geo.dataset.format_report."""
    r, s, d = plan.report, plan.schema, plan.diff
    lines = [
        f"{plan.layer}: " + ("ok, ready to replace the current layer" if plan.ok else "NOT OK, it cannot replace "
                             "the current layer"),
        f"  file      {plan.source} ({plan.source_format}"
        + (f", layer {plan.source_layer})" if plan.source_layer else ")"),
        f"  features  {r.feature_count}",
        f"  CRS       {plan.crs} ({CRS_SOURCES[plan.crs_source]}); written as {METRIC_CRS}",
        f"  encoding  {plan.encoding} ({ENCODING_SOURCES[plan.encoding_source]}); written as UTF-8",
    ]
    fields = [f"{len(LAYERS[plan.layer].fields) - len(s.missing) - len(s.absent_optional)} of "
              f"{len(LAYERS[plan.layer].fields)} present"]
    if s.missing:
        fields.append(f"missing: {', '.join(s.missing)}")
    if s.absent_optional:
        fields.append(f"optional, absent (left empty): {', '.join(s.absent_optional)}")
    if s.extra:
        fields.append(f"not in the schema (dropped): {', '.join(s.extra)}")
    if s.converted:
        fields.append(f"converted: {', '.join(s.converted)}")
    lines.append(f"  fields    {'; '.join(fields)}")
    lines += [f"  note      {n}" for n in plan.notes]
    lines += [f"  repaired  {m}" for m in r.repairs]
    lines += [f"  ERROR     {m}" for m in r.errors]
    lines += [f"  warning   {m}" for m in r.warnings]
    if d is not None:
        lines.append(f"  changes   {d.before} -> {d.after} features: {len(d.added)} added, {len(d.removed)} removed, "
                     f"{len(d.changed)} changed" + (" (the same data)" if d.unchanged else ""))
        for label, ids in (("added", d.added), ("removed", d.removed), ("changed", d.changed)):
            if ids:
                lines.append(f"  {label:<9} {_listed(ids)}")
    return "\n".join(lines)


# --- writing ---------------------------------------------------------------------------------


def write_import(plan: ImportPlan, *, progress: Progress = unseen) -> ImportResult:
    """Replace the layer in plan.data_dir with the plan's data, in the shipped form (geo.canonical_layer).

    Under the data folder's lock: refuse if any layer file changed since the plan was made; write into a
    staging folder in data_dir; load the whole dataset from a staging copy (the new layer and the others)
    and refuse unless every layer passes; move the old files to .backup/<time>/ and the new ones in; check
    the folder again. Any failure puts the old files back: a failed import changes nothing.
    """
    if not plan.ok:
        raise ImportRefused("the report has errors, so nothing was written")
    schema = LAYERS[plan.layer]
    data_dir = plan.data_dir
    with import_lock(data_dir):
        if fingerprint(data_dir) != plan.fingerprint:
            raise ImportRefused(f"the layers in {data_dir} changed since the report was made; run the import again")
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
        try:
            with progress(f"Writing {plan.layer}", len(plan.data)) as bar:
                files = write_canonical(plan.data, schema, staging)
                bar.update(len(plan.data))
            for other in LAYER_NAMES:
                if other != plan.layer:
                    for path in layer_paths(data_dir, other):
                        shutil.copy2(path, staging / path.name)
            _check(staging, plan, "the dataset with the new layer (a staging copy)")
            swap = swap_in(data_dir, plan.layer, files)
            try:
                reports = _check(data_dir, plan, "the data folder after the swap")
            except BaseException:
                swap.undo()
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ImportResult([data_dir / f.name for f in files], swap.backup, reports)


def _check(folder: Path, plan: ImportPlan, what: str) -> dict[str, LayerReport]:
    reports = check_dataset(folder)
    written = reports[plan.layer]
    if not all(r.ok for r in reports.values()) or written.feature_count != len(plan.data):
        raise ImportFailed(f"{what} does not pass its check, so nothing was changed:\n" + format_report(reports))
    return reports
