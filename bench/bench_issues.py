"""Issue-map figures at scale: 100,000 issues in the database, timed as a user meets them.

    .venv/bin/python bench/bench_issues.py [--issues 100000] [--runs 7] [--database-url URL]

Generates the issues straight into a fresh database (SQLite in a temp folder
unless --database-url names another), then prints a Markdown table of median
times over --runs runs: a bbox plus filter query over a neighbourhood-sized
window, an API page of 1,000 issues, the issue map page (and its size), the
density aggregate, Gi* over all issues, and for comparison the naive way:
one Folium marker per issue, at 10,000 issues.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import folium
import numpy as np
import shapely
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from app import create_app  # noqa: E402
from store.filters import IssueFilters  # noqa: E402
from store.issues import list_issues  # noqa: E402
from store.models import Category, Issue  # noqa: E402

START = datetime(2018, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 8 * 365


def random_points(boundary: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points in the boundary: 70 % uniform, 30 % around three spots (sd about 15 m)."""
    minx, miny, maxx, maxy = boundary.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        found = np.vstack([found, np.c_[x, y][shapely.contains_xy(boundary, x, y)]])
    uniform = found[: int(n * 0.7)]
    spots = uniform[rng.choice(len(uniform), 3, replace=False)]
    rest = n - len(uniform)
    clustered = spots[rng.integers(0, 3, rest)] + rng.normal(0, 0.00015, (rest, 2))
    return np.vstack([uniform, clustered])


def fill(app, n: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    boundary = app.extensions["base_layers"].layers["boundary"].geometry.iloc[0]
    points = random_points(boundary, n, rng)
    store = app.extensions["store"]
    with store.sessions() as session:
        categories = list(session.scalars(select(Category.id)))
        statuses = ["reported", "acknowledged", "in_progress", "resolved", "closed"]
        now = datetime.now(timezone.utc)
        rows = []
        for i, (lon, lat) in enumerate(points):
            reported = START + timedelta(minutes=int(rng.integers(0, SPAN_DAYS * 1440)))
            rows.append(
                {
                    "public_id": str(uuid.UUID(int=rng.integers(0, 2**63) << 64 | i)),
                    "category_id": categories[int(rng.integers(0, len(categories)))],
                    "title": f"测试问题 {i}",
                    "description": "",
                    "lon": float(lon),
                    "lat": float(lat),
                    "source": "patrol",
                    "status": statuses[int(rng.integers(0, len(statuses)))],
                    "priority": "normal",
                    "reported_at": reported,
                    "created_at": now,
                    "updated_at": now,
                    "is_typical_case": False,
                }
            )
            if len(rows) == 10_000:
                session.execute(insert(Issue), rows)
                rows = []
        if rows:
            session.execute(insert(Issue), rows)
        session.commit()


def median_ms(run, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def naive_map(app, n: int) -> str:
    layers = app.extensions["base_layers"].layers
    minx, miny, maxx, maxy = layers["boundary"].total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=17)
    rng = np.random.default_rng(2)
    for lon, lat in random_points(layers["boundary"].geometry.iloc[0], n, rng):
        folium.Marker([lat, lon], popup=folium.Popup("测试问题")).add_to(m)
    return m.get_root().render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--naive-markers", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='jintan-bench-')}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url})
    start = time.perf_counter()
    fill(app, args.issues)
    print(f"generated {args.issues:,} issues in {time.perf_counter() - start:.1f} s ({url.split(':')[0]})\n")

    client = app.test_client()
    minx, miny, maxx, maxy = app.extensions["base_layers"].layers["boundary"].total_bounds
    window = f"{minx},{miny},{(minx + maxx) / 2},{maxy}"  # the western half: a neighbourhood-sized window
    rows = []

    def query():
        with app.extensions["store"].sessions() as session:
            return list_issues(session, IssueFilters(bbox=window, category="sanitation", status="reported,acknowledged"), limit=100)

    ms, (items, matched) = median_ms(query, args.runs)
    rows.append(("bbox + category + status query (store)", ms, f"{matched:,} matched, 100 returned"))

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    ms, response = median_ms(lambda: get("/api/v1/issues?limit=1000"), args.runs)
    rows.append(("API page of 1,000 issues, newest first", ms, f"{len(response.data) / 1024:,.0f} KB"))

    ms, response = median_ms(lambda: get(f"/api/v1/issues?limit=1000&bbox={window}"), args.runs)
    matched = response.get_json()["numberMatched"]
    rows.append(("API page of 1,000 issues in the bbox", ms, f"{matched:,} matched and counted"))

    get("/issues")  # the map page is built once, then served from memory
    ms, response = median_ms(lambda: get("/issues"), args.runs)
    rows.append(("issue map page /issues (cached)", ms, f"{len(response.data) / 1024:,.0f} KB"))

    ms, response = median_ms(lambda: get("/api/v1/issues/density?cell_m=20"), args.runs)
    rows.append(("density aggregate, all issues", ms, f"{len(response.get_json()['features']):,} cells"))

    ms, response = median_ms(lambda: get("/api/v1/hotspots"), max(3, args.runs // 2))
    summary = response.get_json()["summary"]
    rows.append(("hotspots API: load all issues + Gi*", ms, f"{summary.get('n_cells', '?')} cells"))

    ms, html = median_ms(lambda: naive_map(app, args.naive_markers), 1)
    rows.append((f"naive: one Folium marker per issue ({args.naive_markers:,})", ms, f"{len(html) / 1024:,.0f} KB"))

    print("| measurement | median ms | notes |")
    print("|---|---:|---|")
    for name, ms, note in rows:
        print(f"| {name} | {ms:,.1f} | {note} |")


if __name__ == "__main__":
    main()
