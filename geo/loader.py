"""Read any vector file a user brings: Shapefile (plain or zipped), GeoPackage, GeoJSON."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.crs import to_display, to_metric
from geo.encoding import EncodingError, decide_encoding
from geo.progress import Progress

FORMATS = (".shp", ".zip", ".gpkg", ".geojson", ".json")
CHUNK_FEATURES = 1000  # read at a time when progress is shown
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

ENCODING_SOURCES = {
    "cpg": "from the .cpg file",
    "ldid": "from the DBF header's language driver id",
    "detected": "detected from the DBF text: no .cpg, no code page in its header",
    "caller": "named by the caller",
    "format": "UTF-8 by the format's specification",
}


class LayerError(Exception):
    """A vector file cannot be read into a usable layer."""


@dataclass
class ReadResult:
    gdf: gpd.GeoDataFrame  # in the source CRS
    path: str
    crs: str  # "EPSG:4549" where identifiable, else the CRS name
    encoding: str
    encoding_source: str  # a key of ENCODING_SOURCES
    notes: list[str] = field(default_factory=list)
    crs_source: str = "file"  # "file": declared by the file; "caller": set from crs= as the file declares none

    def to_display(self) -> gpd.GeoDataFrame:
        return to_display(self.gdf)

    def to_metric(self) -> gpd.GeoDataFrame:
        return to_metric(self.gdf)


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | int | CRS | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """Read one layer of `path` in its own CRS.

    `layer` picks a layer of a GeoPackage or a shapefile in a zip; without it a
    file's only layer, or the layer named like the file, is read. `crs` is used
    only when the file declares none; `encoding` overrides detection. With
    `progress` the features are read a chunk at a time, counted as they come.
    """
    path = Path(path)
    if not path.is_file():
        raise LayerError(f"{path} not found")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise LayerError(
            f"{path.name}: unsupported format {suffix!r}; "
            "use a Shapefile (.shp or zipped), GeoPackage (.gpkg) or GeoJSON (.geojson)"
        )
    if suffix == ".zip":
        with TemporaryDirectory() as tmp:
            result = read_vector(
                _extract_shapefile(path, layer, Path(tmp)), crs=crs, encoding=encoding, progress=progress
            )
        result.path = str(path)
        return result

    try:
        choice = decide_encoding(path, encoding=encoding)
    except EncodingError as e:
        raise LayerError(f"{path.name}: {e}") from None
    try:
        gdf = _read_features(
            path, _pick_layer(path, layer), None if choice.source == "format" else choice.encoding, progress
        )
    except (DataSourceError, DataLayerError) as e:
        raise LayerError(f"{path.name} cannot be read: {e}") from None

    notes = [f"text encoding {choice.encoding}, {ENCODING_SOURCES[choice.source]}"]
    fallback = _parse_crs(path, crs) if crs is not None else None
    crs_source = "file"
    if gdf.crs is None:
        if fallback is None:
            raise LayerError(
                f"{path.name} has no coordinate reference system (.prj missing?); "
                "name one with crs=…, e.g. crs='EPSG:4549'"
            )
        gdf = gdf.set_crs(fallback)
        crs_source = "caller"
        notes.append(f"CRS {crs_label(fallback)} set from crs= (the file declares none)")
    elif fallback is not None and fallback != gdf.crs:
        notes.append(f"crs={crs} ignored: the file declares {crs_label(gdf.crs)}")

    return ReadResult(
        gdf=gdf,
        path=str(path),
        crs=crs_label(gdf.crs),
        encoding=choice.encoding,
        encoding_source=choice.source,
        notes=notes,
        crs_source=crs_source,
    )


def _read_features(path: Path, layer: str | None, encoding: str | None, progress: Progress | None) -> gpd.GeoDataFrame:
    total = pyogrio.read_info(path, layer=layer, encoding=encoding)["features"] if progress else 0
    if total <= CHUNK_FEATURES:  # also when the driver cannot count them (-1)
        return gpd.read_file(path, engine="pyogrio", layer=layer, encoding=encoding)
    chunks = []
    with progress(f"Reading {path.name}", total) as bar:
        for start in range(0, total, CHUNK_FEATURES):
            chunks.append(gpd.read_file(path, engine="pyogrio", layer=layer, encoding=encoding,
                                        skip_features=start, max_features=CHUNK_FEATURES))
            bar.update(len(chunks[-1]))
    return pd.concat(chunks, ignore_index=True)


def crs_label(crs: CRS) -> str:
    """'EPSG:4549' where pyproj can identify the authority code, else the CRS name."""
    epsg = crs.to_epsg()
    if epsg:
        return f"EPSG:{epsg}"
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def _parse_crs(path: Path, crs: str | int | CRS) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except CRSError as e:
        raise LayerError(f"{path.name}: crs={crs!r} is not a valid CRS: {e}") from None


def _pick_layer(path: Path, layer: str | None) -> str | None:
    spatial = [name for name, geometry in pyogrio.list_layers(path) if geometry]
    if layer is not None:
        if layer not in spatial:
            raise LayerError(f"{path.name} has no layer {layer!r}; it has {', '.join(spatial)}")
        return layer
    if len(spatial) <= 1:
        return spatial[0] if spatial else None
    if path.stem in spatial:
        return path.stem
    raise LayerError(
        f"{path.name} has several layers ({', '.join(spatial)}); name one with layer=…"
    )


def _extract_shapefile(archive: Path, layer: str | None, into: Path) -> Path:
    """Extract one shapefile's parts from a zip into `into`; return its .shp path."""
    try:
        with zipfile.ZipFile(archive) as zf:
            shps = {
                PurePosixPath(m).stem: PurePosixPath(m)
                for m in zf.namelist()
                if m.lower().endswith(".shp") and not m.startswith("__MACOSX/")
            }
            shp = _choose_shapefile(archive.name, shps, layer)
            for member in map(PurePosixPath, zf.namelist()):
                if (member.parent, member.stem) == (shp.parent, shp.stem) and (
                    member.suffix.lower() in SHAPEFILE_PARTS
                ):
                    (into / member.name).write_bytes(zf.read(str(member)))
    except zipfile.BadZipFile as e:
        raise LayerError(f"{archive.name} is not a readable zip file: {e}") from None
    return into / shp.name


def _choose_shapefile(
    archive: str, shps: dict[str, PurePosixPath], layer: str | None
) -> PurePosixPath:
    if layer is None and len(shps) == 1:
        return next(iter(shps.values()))
    if layer in shps:
        return shps[layer]
    found = ", ".join(shps) or "none"
    if layer is None:
        raise LayerError(f"{archive}: name the shapefile to read with layer=… (found: {found})")
    raise LayerError(f"{archive} has no shapefile {layer!r} (found: {found})")
