"""Time counting 100,000 issues into the grid plus Gi* (999 permutations).

    .venv/bin/python bench/bench_hotspots.py [--points 100000] [--runs 7] [--permutations 999]

Prints one Markdown table row: points, area, cells, permutations, and the
median and best of the runs of count + Gi* (the grid is built once, outside
the timing; the points are EPSG:4326, so the timing includes reprojection).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely import affinity

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from geo.hotspots import count_issues, getis_ord, issue_grid  # noqa: E402

METRIC = "EPSG:4549"


def j_polygon() -> shapely.Polygon:
    """A J-shaped 0.111 km2 polygon near Jintan Road, edges at an angle to the grid."""
    x0, y0 = Transformer.from_crs(4326, 4549, always_xy=True).transform(121.4935, 31.2200)
    j = shapely.union_all(
        [shapely.box(0, 0, 300, 170), shapely.box(120, 0, 300, 400), shapely.box(0, 0, 120, 325)]
    )
    return affinity.translate(affinity.rotate(j, 17, origin=(150, 200)), x0 - 150, y0 - 200)


def issues_in(polygon: shapely.Polygon, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """70 % uniform, 30 % in three Gaussian clusters (sd 15 m), as EPSG:4326 points."""
    minx, miny, maxx, maxy = polygon.bounds
    xy = np.empty((0, 2))
    n_uniform = int(n * 0.7)
    while len(xy) < n_uniform:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        xy = np.vstack([xy, np.c_[x, y][shapely.contains_xy(polygon, x, y)]])
    xy = xy[:n_uniform]
    centres = xy[rng.choice(len(xy), 3, replace=False)]
    per = np.array_split(np.arange(n - n_uniform), 3)
    clusters = np.vstack([c + rng.normal(0, 15, (len(ids), 2)) for c, ids in zip(centres, per)])
    xy = np.vstack([xy, clusters])
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC).to_crs(4326)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()

    polygon = j_polygon()
    boundary = gpd.GeoDataFrame(geometry=[polygon], crs=METRIC).to_crs(4326)
    issues = issues_in(polygon, args.points, np.random.default_rng(0))
    grid = issue_grid(boundary, 20)
    getis_ord(count_issues(grid, issues), permutations=args.permutations)  # warm-up

    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        getis_ord(count_issues(grid, issues), permutations=args.permutations, seed=run)
        times.append(time.perf_counter() - start)

    print(
        f"| hotspots count+Gi* | {len(issues):,} points | {polygon.area / 1e6:.3f} km² | {len(grid)} cells "
        f"| {args.permutations} permutations | median {statistics.median(times):.3f} s "
        f"({args.runs} runs, best {min(times):.3f} s) |"
    )


if __name__ == "__main__":
    main()
