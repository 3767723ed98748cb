"""Surveyed data for the import tests: the shipped layers, a large generated layer, a folder's exact contents."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely import Point

from geo.dataset import load_dataset
from geo.layer_swap import LOCK_FILE
from tests.conftest import DATA_DIR


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` and its bytes, but the (empty) lock file an import leaves."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != LOCK_FILE}


def shipped(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(DATA_DIR / f"{name}.shp", engine="pyogrio")


def lamps(n: int, tmp_path: Path) -> Path:
    """n streetlights on a grid inside the neighbourhood, as a shapefile."""
    boundary = load_dataset(DATA_DIR).metric("boundary").geometry[0]
    x0, y0, x1, y1 = boundary.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    inside = [Point(x, y) for x, y in zip(xs.ravel(), ys.ravel()) if boundary.contains(Point(x, y))][:n]
    assert len(inside) == n
    frame = gpd.GeoDataFrame(
        {"id": [f"L{i:05d}" for i in range(n)], "height": 4.0, "power": 60, "luminaire": "cut-off",
         "status": "working", "installed": "2024-05-01"},
        geometry=inside, crs="EPSG:4549")
    path = tmp_path / "streetlights.shp"
    frame.to_file(path, engine="pyogrio", encoding="UTF-8")
    return path
