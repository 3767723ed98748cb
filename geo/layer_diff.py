"""What replacing a layer changes: features added, removed and changed, matched by the layer's id field."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd

from geo.crs import METRIC_CRS
from geo.export_values import is_missing
from geo.progress import Progress, unseen
from geo.schema import LayerSchema

GEOMETRY_TOLERANCE_M = 0.01  # closer than a centimetre everywhere is the same place (reprojection noise)


@dataclass
class LayerDiff:
    before: int
    after: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _key(value) -> str:
    return str(value)


def _same(a, b) -> bool:
    a_missing, b_missing = is_missing(a), is_missing(b)
    if a_missing or b_missing:
        return bool(a_missing and b_missing)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return a == b


def diff_layers(
    old: gpd.GeoDataFrame | None, new: gpd.GeoDataFrame, schema: LayerSchema, progress: Progress = unseen
) -> LayerDiff:
    """Both validated (geo.validation), any CRS. Ids in the order of the new layer, then the old."""
    new = new.to_crs(METRIC_CRS)
    if old is None:
        return LayerDiff(0, len(new), added=[_key(v) for v in new[schema.id_field]])
    old = old.to_crs(METRIC_CRS)
    old_by_id = {_key(v): i for i, v in enumerate(old[schema.id_field])}
    new_ids = [_key(v) for v in new[schema.id_field]]
    diff = LayerDiff(len(old), len(new))
    names = [f.name for f in schema.fields if f.name in old and f.name in new]
    old_rows = old[names].to_numpy(dtype=object)
    new_rows = new[names].to_numpy(dtype=object)
    old_geoms, new_geoms = old.geometry.to_numpy(), new.geometry.to_numpy()
    with progress("Comparing with the current layer", len(new)) as bar:
        for i, key in enumerate(new_ids):
            j = old_by_id.get(key)
            if j is None:
                diff.added.append(key)
            elif not (
                all(_same(a, b) for a, b in zip(old_rows[j], new_rows[i]))
                and _same_place(old_geoms[j], new_geoms[i])
            ):
                diff.changed.append(key)
            bar.update(1)
    kept = set(new_ids)
    diff.removed = [key for key in old_by_id if key not in kept]
    return diff


def _same_place(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.geom_type == b.geom_type and a.equals_exact(b, GEOMETRY_TOLERANCE_M)
