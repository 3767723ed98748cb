"""Where residents' issues cluster: Getis-Ord Gi* hot spots on a square grid.

Pipeline: :func:`issue_grid` (square cells in EPSG:4549, clipped to the
boundary) -> :func:`count_issues` -> :func:`getis_ord`; :func:`hotspots` runs
all three after filtering the issues by category and time window.
:func:`rates_by_area` gives counts per building and compound per 100
households; :func:`compare_windows` compares two time windows cell by cell.

Statistical choices
-------------------
* Weights: binary, each cell plus the 8 cells around it (a distance band of
  1.5 x the cell size between full-cell centres, i.e. queen contiguity on the
  full lattice). Binary because esda computes the Gi* moments for binary
  weights and recommends passing them binary; star=True adds the cell itself
  with weight 1, the classic Gi*. Neighbours come from the integer row/col of
  the full cells, not from the clipped shapes, so a cell trimmed by the
  boundary keeps its neighbours.
* ``z`` is esda's analytical Gi* z-score. ``p`` is a two-sided pseudo p-value
  from esda's conditional randomisation: twice the share of permutations at
  least as extreme as observed on the side ``z`` points to. We recount the
  tails from the simulations instead of using ``p_sim`` because esda's default
  p_sim is one-sided (folded), and its ``>=`` tie rule gives a cell whose
  neighbourhood is empty p = 0.001 even when most permutations are empty too,
  flagging every empty patch of sparse data as a cold spot.
* Benjamini-Hochberg adjusted p-values (``p_fdr``) are compared with 0.01,
  0.05 and 0.10 for the 99/95/90 % classes: the same as running BH at each
  of those levels. With 999 permutations the smallest p is 0.002, so after
  BH over N cells ``hot99`` needs at least N/5 cells at that floor; use more
  permutations if the 99 % class matters.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from libpysal.weights import WSP
from scipy import stats

from geo.crs import DISPLAY_CRS, METRIC_CRS

__all__ = [
    "CLASSES",
    "Comparison",
    "Summary",
    "compare_windows",
    "count_issues",
    "filter_issues",
    "getis_ord",
    "hotspots",
    "issue_grid",
    "rates_by_area",
]

CLASSES = ("hot99", "hot95", "hot90", "cold90", "cold95", "cold99", "ns")
CONFIDENCE_LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))

MIN_COVERAGE = 0.25
MIN_ISSUES = 30
MAX_EMPTY_SHARE = 0.90
MAX_OUTSIDE_SHARE = 0.05
NEAREST_BUILDING_M = 10.0
LOCAL_TZ = "Asia/Shanghai"


# --------------------------------------------------------------------------
# grid and counts
# --------------------------------------------------------------------------
def issue_grid(
    boundary: gpd.GeoDataFrame | gpd.GeoSeries,
    cell_size_m: float = 20,
    *,
    min_coverage: float = MIN_COVERAGE,
) -> gpd.GeoDataFrame:
    """Square cells aligned to multiples of ``cell_size_m`` in EPSG:4549, clipped to the boundary.

    A cell is kept when at least ``min_coverage`` of it lies inside the
    boundary. Row and column are absolute (``floor(y / size)``,
    ``floor(x / size)``), so a cell's id ``"r{row}c{col}"`` is the same for any
    boundary and any time window. Rows run north first, then columns west to
    east.

    Columns: id, row, col, x_m, y_m (full-cell centre in EPSG:4549),
    area_m2 (clipped), coverage (clipped share of a full cell), geometry
    (clipped, EPSG:4326).
    """
    size = float(cell_size_m)
    if not size > 0:
        raise ValueError(f"cell_size_m must be positive, got {cell_size_m!r}")
    area = _metric_union(boundary)
    minx, miny, maxx, maxy = area.bounds
    cols = np.arange(math.floor(minx / size), math.ceil(maxx / size))
    rows = np.arange(math.floor(miny / size), math.ceil(maxy / size))[::-1]
    row, col = (a.ravel() for a in np.meshgrid(rows, cols, indexing="ij"))

    shapely.prepare(area)
    cells = shapely.box(col * size, row * size, (col + 1) * size, (row + 1) * size)
    inside = shapely.intersects(area, cells)
    row, col, cells = row[inside], col[inside], cells[inside]
    clipped = _polygonal(shapely.intersection(cells, area))
    coverage = shapely.area(clipped) / size**2
    keep = coverage >= min_coverage
    row, col, clipped, coverage = row[keep], col[keep], clipped[keep], coverage[keep]

    grid = gpd.GeoDataFrame(
        {
            "id": [f"r{r}c{c}" for r, c in zip(row, col)],
            "row": row.astype(np.int64),
            "col": col.astype(np.int64),
            "x_m": (col + 0.5) * size,
            "y_m": (row + 0.5) * size,
            "area_m2": coverage * size**2,
            "coverage": coverage,
        },
        geometry=clipped,
        crs=METRIC_CRS,
    )
    return grid.to_crs(DISPLAY_CRS)


def count_issues(grid: gpd.GeoDataFrame, issues: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame:
    """A copy of ``grid`` with ``count``: the issues (points, any CRS) in each full cell.

    Cells are found arithmetically from metric coordinates, not by a spatial
    join. A point counts in a kept cell's full square even if it lies just
    outside the boundary (GPS jitter); points in no kept cell are not counted.
    """
    out = grid.copy()
    out["count"] = _cell_counts(grid, issues)[0]
    return out


def _cell_counts(grid: gpd.GeoDataFrame, issues) -> tuple[np.ndarray, int]:
    """Counts per grid row, and how many issues fell in no kept cell."""
    x, y = _metric_xy(issues)
    counts = np.zeros(len(grid), dtype=np.int64)
    if len(grid) == 0:
        return counts, len(x)
    size = _cell_size(grid)
    rows, cols = grid["row"].to_numpy(), grid["col"].to_numpy()
    lookup, r0, c0 = _lookup(rows, cols)
    ok = np.isfinite(x) & np.isfinite(y)
    r = np.floor(y[ok] / size).astype(np.int64) - r0
    c = np.floor(x[ok] / size).astype(np.int64) - c0
    inside = (r >= 0) & (r < lookup.shape[0]) & (c >= 0) & (c < lookup.shape[1])
    cell = lookup[r[inside], c[inside]]
    cell = cell[cell >= 0]
    counts += np.bincount(cell, minlength=len(grid))
    return counts, len(x) - len(cell)


# --------------------------------------------------------------------------
# Getis-Ord Gi*
# --------------------------------------------------------------------------
@dataclass
class Summary:
    method: str
    cell_size_m: float
    weights: str
    n_cells: int
    n_issues: int
    classes: dict[str, int]
    warnings: list[dict[str, str]]
    permutations: int
    seed: int | None
    fdr_q: float | None
    n_outside_grid: int = 0
    filters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def getis_ord(
    grid_counts: gpd.GeoDataFrame,
    *,
    permutations: int = 999,
    seed: int | None = 0,
    fdr: float | None = 0.10,
) -> tuple[gpd.GeoDataFrame, Summary]:
    """Gi* hot and cold spots of ``count`` over the grid from :func:`count_issues`.

    ``fdr`` is the Benjamini-Hochberg q: cells are classed from the adjusted
    p-values and nothing above q is significant (``None`` classes raw p-values,
    uncorrected). Adds columns count, z, p, p_fdr, class. When the data are too
    thin to conclude anything, every cell is ``ns`` and ``Summary.warnings``
    says why in Chinese and English (z and p are still given where they can be
    computed).
    """
    if permutations < 1:
        raise ValueError("permutations must be at least 1 (pseudo p-values need them)")
    if fdr is not None and not 0 < fdr <= 0.10:
        raise ValueError("fdr must be in (0, 0.10] (the weakest class is 90 %) or None")
    out = grid_counts.copy()
    y = out["count"].to_numpy(dtype=float)
    n_cells, n_issues = len(y), int(y.sum())
    size = _cell_size(out) if n_cells else float("nan")
    notes: list[dict[str, str]] = []

    z = np.full(n_cells, np.nan)
    p = np.full(n_cells, np.nan)
    testable = n_cells >= 2 and np.ptp(y) > 0
    if testable:
        z, p = _gi_star(y, out["row"].to_numpy(), out["col"].to_numpy(), permutations, seed)
        p_fdr = stats.false_discovery_control(p, method="bh") if fdr is not None else p
    else:
        p_fdr = p.copy()
        notes.append(_warning_no_variation(n_cells))
    if testable and n_issues < MIN_ISSUES:
        notes.append(_warning_few_issues(n_issues))
    empty_share = float((y == 0).mean()) if n_cells else 1.0
    if testable and empty_share > MAX_EMPTY_SHARE:
        notes.append(_warning_sparse(empty_share))

    out["z"], out["p"], out["p_fdr"] = z, p, p_fdr
    out["class"] = _classes(z, p_fdr, fdr if fdr is not None else 0.10) if not notes else "ns"

    summary = Summary(
        method=_method_text(permutations, fdr),
        cell_size_m=size,
        weights=(
            f"binary: each cell and the 8 around it (distance band {1.5 * size:g} m "
            f"between {size:g} m cell centres, queen contiguity on the full lattice), "
            "self-weight 1 (Gi*)"
        ),
        n_cells=n_cells,
        n_issues=n_issues,
        classes={c: int((out["class"] == c).sum()) for c in CLASSES},
        warnings=notes,
        permutations=permutations,
        seed=seed,
        fdr_q=fdr,
    )
    return out, summary


def _gi_star(y, rows, cols, permutations, seed) -> tuple[np.ndarray, np.ndarray]:
    w = WSP(_queen_lattice(rows, cols)).to_W(silence_warnings=True)
    rng_state = np.random.get_state()  # esda reseeds numpy's global generator
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
            gi = esda.G_Local(
                y, w, transform="B", star=True, permutations=permutations,
                keep_simulations=True, n_jobs=1, seed=seed,
            )
    finally:
        np.random.set_state(rng_state)
    z = np.asarray(gi.Zs, dtype=float)
    observed = gi.Gs[:, None]
    sims = gi.rGs  # (cells, permutations)
    tol = 1e-9 * np.abs(observed).max()
    as_high = (sims >= observed - tol).sum(axis=1)
    as_low = (sims <= observed + tol).sum(axis=1)
    tail = np.where(z >= 0, as_high, as_low)
    p = np.minimum(1.0, 2 * (tail + 1) / (permutations + 1))
    return z, p


def _queen_lattice(rows: np.ndarray, cols: np.ndarray) -> sp.csr_matrix:
    """Binary links between cells whose row and column both differ by at most 1."""
    n = len(rows)
    lookup, r0, c0 = _lookup(rows, cols, pad=1)
    r, c = rows - r0, cols - c0
    me, them = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == dc == 0:
                continue
            other = lookup[r + dr, c + dc]
            found = other >= 0
            me.append(np.flatnonzero(found))
            them.append(other[found])
    me, them = np.concatenate(me), np.concatenate(them)
    return sp.csr_matrix((np.ones(len(me)), (me, them)), shape=(n, n))


def _classes(z: np.ndarray, p_fdr: np.ndarray, q: float) -> np.ndarray:
    out = np.full(len(z), "ns", dtype=object)
    for level, label in sorted(CONFIDENCE_LEVELS, reverse=True):
        if level > q + 1e-12:
            continue
        sig = p_fdr <= level
        out[sig & (z > 0)] = "hot" + label
        out[sig & (z < 0)] = "cold" + label
    return out


def _method_text(permutations: int, fdr: float | None) -> str:
    correction = f"Benjamini-Hochberg FDR q={fdr:g}" if fdr is not None else "no multiple-testing correction"
    return (
        f"Getis-Ord Gi*, {permutations} permutations, {correction}; "
        "two-sided pseudo p-values from conditional randomisation"
    )


def _warning_no_variation(n_cells: int) -> dict[str, str]:
    if n_cells < 2:
        return {
            "zh": "网格不足两个格子，无法做热点分析；所有格子记为“不显著”。",
            "en": "The grid has fewer than two cells, so there is nothing to compare; all cells are marked not significant.",
        }
    return {
        "zh": "所有格子的问题数都相同（例如都为零），没有可检验的空间差异；所有格子记为“不显著”。",
        "en": "Every cell has the same number of issues (e.g. none), so there is no pattern to test; all cells are marked not significant.",
    }


def _warning_few_issues(n: int) -> dict[str, str]:
    return {
        "zh": f"只有 {n} 条问题记录（少于 {MIN_ISSUES} 条），数据太少，无法区分真正的聚集和偶然；所有格子记为“不显著”。",
        "en": f"Only {n} issues (fewer than {MIN_ISSUES}): too few to tell real clustering from chance; all cells are marked not significant.",
    }


def _warning_sparse(share: float) -> dict[str, str]:
    pct = f"{share * 100:.0f}"
    return {
        "zh": f"{pct}% 的格子没有问题记录（超过 {MAX_EMPTY_SHARE:.0%}），数据过于稀疏，无法可靠判断聚集；所有格子记为“不显著”。可尝试更大的格子或更长的时间段。",
        "en": f"{pct}% of cells have no issues (more than {MAX_EMPTY_SHARE:.0%}): the data are too sparse to judge clustering; all cells are marked not significant. Try larger cells or a longer period.",
    }


def _warning_outside(n_out: int, n_all: int) -> dict[str, str]:
    pct = f"{n_out / n_all * 100:.0f}"
    return {
        "zh": f"{n_out} 条问题记录（{pct}%）不在任何格子内（在边界外，或在不足四分之一格的边角），未计入。",
        "en": f"{n_out} issues ({pct}%) fall in no grid cell (outside the boundary, or in edge slivers under a quarter of a cell) and were not counted.",
    }


# --------------------------------------------------------------------------
# pipeline
# --------------------------------------------------------------------------
def filter_issues(
    issues: gpd.GeoDataFrame,
    *,
    category: str | Iterable[str] | None = None,
    since: Any = None,
    until: Any = None,
) -> gpd.GeoDataFrame:
    """Issues of the given category (or categories) reported in [since, until].

    ``since``/``until`` take a date, datetime, pandas Timestamp or ISO string.
    A date (or ``"YYYY-MM-DD"``) means that whole day in Shanghai time, so
    ``until=date(2024, 3, 31)`` includes everything reported on 31 March.
    Naive datetimes are read as Shanghai time.
    """
    keep = np.ones(len(issues), dtype=bool)
    if category is not None:
        wanted = [category] if isinstance(category, str) else list(category)
        keep &= issues["category"].isin(wanted).to_numpy()
    if since is not None or until is not None:
        start, stop, stop_inclusive = _window(since, until)
        when = _as_local(issues["reported_at"])
        if start is not None:
            keep &= (when >= start).to_numpy()
        if stop is not None:
            keep &= (when <= stop if stop_inclusive else when < stop).to_numpy()
    return issues[keep]


def hotspots(
    issues: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    cell_size_m: float = 20,
    category: str | Iterable[str] | None = None,
    since: Any = None,
    until: Any = None,
    permutations: int = 999,
    seed: int | None = 0,
    fdr: float | None = 0.10,
) -> tuple[gpd.GeoDataFrame, Summary]:
    """Filter issues, grid the boundary, count, and run :func:`getis_ord`."""
    chosen = filter_issues(issues, category=category, since=since, until=until)
    grid = issue_grid(boundary, cell_size_m)
    counts, n_outside = _cell_counts(grid, chosen)
    grid["count"] = counts
    result, summary = getis_ord(grid, permutations=permutations, seed=seed, fdr=fdr)
    summary.n_outside_grid = n_outside
    if len(chosen) and n_outside / len(chosen) > MAX_OUTSIDE_SHARE:
        summary.warnings.append(_warning_outside(n_outside, len(chosen)))
    summary.filters = {
        "category": category if category is None or isinstance(category, str) else list(category),
        "since": _describe(since),
        "until": _describe(until),
    }
    return result, summary


# --------------------------------------------------------------------------
# rates per building and compound
# --------------------------------------------------------------------------
def rates_by_area(
    issues: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Issue counts and issues per 100 households, per building and per compound.

    An issue belongs to the building it lies in, else to the nearest building
    within 10 m (issues reported in a lane outside a door). It belongs to the
    compound whose polygon contains it, else to its building's compound.
    Buildings without households (public buildings) get a NaN rate. Both
    tables are sorted by count, highest first; ``attrs["unassigned"]`` holds
    how many issues matched no building (or no compound).

    per building: id, address, compound, households, count, per_100_households
    per compound: id, name, name_en, households, buildings, count, per_100_households
    """
    points = gpd.GeoDataFrame(geometry=issues.geometry.to_crs(METRIC_CRS).reset_index(drop=True))
    blds = buildings.to_crs(METRIC_CRS).reset_index(drop=True)
    cmps = compounds.to_crs(METRIC_CRS).reset_index(drop=True)

    building_of = _containing(points, blds)
    lane = building_of < 0
    if lane.any():
        near = gpd.sjoin_nearest(
            points[lane], blds[["geometry"]], how="inner", max_distance=NEAREST_BUILDING_M, distance_col="d"
        )
        near = near.sort_values("d", kind="stable")
        near = near[~near.index.duplicated()]
        building_of[near.index.to_numpy()] = near["index_right"].to_numpy()

    in_compound = _containing(points, cmps)
    compound_of = _take(cmps["id"], in_compound)
    fallback = (in_compound < 0) & (building_of >= 0)
    compound_of[fallback] = _take(blds["compound"], building_of[fallback])
    compound_of = pd.Series(compound_of, dtype=object)

    per_building = pd.DataFrame(blds[["id", "address", "compound", "households"]])
    per_building["count"] = np.bincount(building_of[building_of >= 0], minlength=len(blds))
    per_building["per_100_households"] = _per_100(per_building["count"], per_building["households"])
    per_building = per_building.sort_values(["count", "id"], ascending=[False, True], kind="stable")
    per_building = per_building.reset_index(drop=True)
    per_building.attrs["unassigned"] = int((building_of < 0).sum())

    households = blds.groupby("compound")["households"].agg(["sum", "size"])
    per_compound = pd.DataFrame(cmps[["id", "name", "name_en"]].copy())
    per_compound["households"] = per_compound["id"].map(households["sum"]).fillna(0).astype(np.int64)
    per_compound["buildings"] = per_compound["id"].map(households["size"]).fillna(0).astype(np.int64)
    per_compound["count"] = per_compound["id"].map(compound_of.value_counts()).fillna(0).astype(np.int64)
    per_compound["per_100_households"] = _per_100(per_compound["count"], per_compound["households"])
    per_compound = per_compound.sort_values(["count", "id"], ascending=[False, True], kind="stable")
    per_compound = per_compound.reset_index(drop=True)
    per_compound.attrs["unassigned"] = int(compound_of.isna().sum())
    return per_building, per_compound


def _containing(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Position of the first polygon containing (or touching) each point, -1 if none."""
    point_idx, poly_idx = polygons.sindex.query(points.geometry, predicate="intersects")
    found = np.full(len(points), -1, dtype=np.int64)
    order = np.lexsort((poly_idx, point_idx))
    point_idx, poly_idx = point_idx[order], poly_idx[order]
    first = np.r_[True, point_idx[1:] != point_idx[:-1]] if len(point_idx) else np.array([], dtype=bool)
    found[point_idx[first]] = poly_idx[first]
    return found


def _take(values: pd.Series, positions: np.ndarray) -> np.ndarray:
    """values[positions] as objects, None where the position is -1."""
    out = np.full(len(positions), None, dtype=object)
    found = positions >= 0
    out[found] = values.to_numpy(dtype=object)[positions[found]]
    return out


def _per_100(count: pd.Series, households: pd.Series) -> pd.Series:
    hh = households.astype(float).where(households > 0)
    return count / hh * 100


# --------------------------------------------------------------------------
# before / after
# --------------------------------------------------------------------------
@dataclass
class Comparison:
    window_a: dict[str, Any]
    window_b: dict[str, Any]
    total_a: int
    total_b: int
    per_day_a: float
    per_day_b: float
    rate_ratio: float | None
    rate_ratio_ci95: tuple[float | None, float | None]
    p_value: float
    significant: bool
    test: str
    statement: dict[str, str]
    filters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare_windows(
    issues: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame | gpd.GeoSeries,
    window_a: tuple[Any, Any],
    window_b: tuple[Any, Any],
    *,
    cell_size_m: float = 20,
    category: str | Iterable[str] | None = None,
    alpha: float = 0.05,
) -> tuple[gpd.GeoDataFrame, Comparison]:
    """Issue counts per cell in two time windows (``(since, until)`` each, both ends required).

    Cell columns: id, row, col, count_a, count_b, change (b - a),
    change_scaled (b minus a scaled to window b's length), geometry.
    The total change is tested with the exact conditional binomial test: if
    issues arrive as a Poisson process with the same rate in both windows, the
    share of all issues that fall in window B follows Binomial(total,
    len_b / (len_a + len_b)).
    """
    spans = []
    for since, until in (window_a, window_b):
        if since is None or until is None:
            raise ValueError("each window needs both a start and an end")
        start, stop, _ = _window(since, until)
        if stop <= start:
            raise ValueError(f"window ends before it starts: {since!r} - {until!r}")
        spans.append((start, stop))
    (start_a, stop_a), (start_b, stop_b) = spans
    if start_a < stop_b and start_b < stop_a:
        raise ValueError("the two windows overlap; the test needs disjoint windows")
    days_a = (stop_a - start_a) / pd.Timedelta(days=1)
    days_b = (stop_b - start_b) / pd.Timedelta(days=1)

    grid = issue_grid(boundary, cell_size_m)
    counts = []
    for since, until in (window_a, window_b):
        chosen = filter_issues(issues, category=category, since=since, until=until)
        counts.append(_cell_counts(grid, chosen)[0])
    out = grid[["id", "row", "col", "geometry"]].copy()
    out["count_a"], out["count_b"] = counts
    out["change"] = out["count_b"] - out["count_a"]
    out["change_scaled"] = out["count_b"] - out["count_a"] * (days_b / days_a)
    out = out[["id", "row", "col", "count_a", "count_b", "change", "change_scaled", "geometry"]]

    total_a, total_b = int(out["count_a"].sum()), int(out["count_b"].sum())
    comparison = _compare_totals(total_a, total_b, days_a, days_b, alpha)
    comparison.window_a = {"since": _describe(window_a[0]), "until": _describe(window_a[1]), "days": days_a}
    comparison.window_b = {"since": _describe(window_b[0]), "until": _describe(window_b[1]), "days": days_b}
    comparison.filters = {
        "category": category if category is None or isinstance(category, str) else list(category),
        "cell_size_m": float(cell_size_m),
    }
    return out, comparison


def _compare_totals(a: int, b: int, days_a: float, days_b: float, alpha: float) -> Comparison:
    share_b = days_b / (days_a + days_b)
    rate_a, rate_b = a / days_a, b / days_b
    if a + b == 0:
        p_value, ratio, ci = 1.0, None, (None, None)
    else:
        test = stats.binomtest(b, a + b, share_b)
        p_value = float(test.pvalue)
        low, high = test.proportion_ci(confidence_level=0.95, method="exact")
        ratio = _odds_to_ratio(b / (a + b), share_b)
        ci = (_odds_to_ratio(low, share_b), _odds_to_ratio(high, share_b))
    significant = p_value < alpha
    return Comparison(
        window_a={}, window_b={},
        total_a=a, total_b=b, per_day_a=rate_a, per_day_b=rate_b,
        rate_ratio=ratio, rate_ratio_ci95=ci, p_value=p_value, significant=significant,
        test="exact conditional binomial test of the two totals, windows scaled by length (two-sided)",
        statement=_statement(a, b, days_a, days_b, ratio, ci, p_value, significant, alpha),
    )


def _odds_to_ratio(share: float, expected_share: float) -> float | None:
    """Rate ratio B/A implied by B's share of the issues, given B's share of the time."""
    if share >= 1:
        return None
    return float(share / (1 - share) * (1 - expected_share) / expected_share)


def _statement(a, b, days_a, days_b, ratio, ci, p_value, significant, alpha) -> dict[str, str]:
    counts_en = (
        f"Window A: {a} issues in {days_a:g} days ({a / days_a:.2f} a day); "
        f"window B: {b} issues in {days_b:g} days ({b / days_b:.2f} a day)."
    )
    counts_zh = (
        f"时段A：{days_a:g} 天 {a} 条（每天 {a / days_a:.2f} 条）；"
        f"时段B：{days_b:g} 天 {b} 条（每天 {b / days_b:.2f} 条）。"
    )
    if a + b == 0:
        return {
            "en": counts_en + " There are no issues in either window, so there is nothing to compare.",
            "zh": counts_zh + "两个时段都没有问题记录，无从比较。",
        }
    if ratio is None:
        change_en, change_zh = "Issues were reported only in window B.", "只有时段B有问题记录。"
    else:
        pct = (ratio - 1) * 100
        more_en, more_zh = ("more", "多") if pct >= 0 else ("fewer", "少")
        ci_txt = f"{ci[0]:.2f}–{ci[1]:.2f}" if ci[1] is not None else f"{ci[0]:.2f}–∞"
        change_en = f"Per day, window B had {abs(pct):.0f}% {more_en} issues than A (rate ratio {ratio:.2f}, 95% CI {ci_txt})."
        change_zh = f"按天计算，时段B比时段A{more_zh} {abs(pct):.0f}%（比率 {ratio:.2f}，95% 置信区间 {ci_txt}）。"
    p_txt = f"{p_value:.2g}"
    if significant:
        verdict_en = (
            f"If the underlying rate had stayed the same, a difference at least this large would happen by "
            f"chance with probability p = {p_txt}, so the change is statistically significant (p < {alpha:g})."
        )
        verdict_zh = f"如果实际发生率没有变化，出现至少这么大差异的概率只有 p = {p_txt}，因此这一变化在统计上显著（p < {alpha:g}）。"
    else:
        verdict_en = (
            f"A difference this large would happen by chance with probability p = {p_txt} even if the rate had "
            f"not changed, so these counts cannot show a real change (p ≥ {alpha:g}); that is not proof that nothing changed."
        )
        verdict_zh = f"即使发生率没有变化，偶然出现这么大差异的概率也有 p = {p_txt}，因此这些数字不足以说明有真实变化（p ≥ {alpha:g}）；但这也不能证明没有变化。"
    caveat_en = (
        " The test compares totals only and assumes issues arrive independently at a steady rate within each "
        "window; it cannot say what caused a change (the works, the season, or how actively issues were recorded)."
    )
    caveat_zh = "该检验只比较总数，假设每个时段内问题独立、按稳定速率发生；它不能说明变化的原因（工程、季节或登记力度的变化）。"
    return {
        "en": " ".join([counts_en, change_en, verdict_en]) + caveat_en,
        "zh": counts_zh + change_zh + verdict_zh + caveat_zh,
    }


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _metric_union(boundary) -> shapely.Geometry:
    if boundary.crs is None:
        raise ValueError("boundary has no CRS; cannot tell what its coordinates mean")
    geoms = boundary.geometry if isinstance(boundary, gpd.GeoDataFrame) else boundary
    area = geoms.to_crs(METRIC_CRS).union_all()
    if area.is_empty or area.area == 0:
        raise ValueError("boundary has no area")
    return area


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop the line and point bits that clipping along a shared edge can leave."""
    mixed = shapely.get_type_id(geoms) == shapely.GeometryType.GEOMETRYCOLLECTION
    for i in np.flatnonzero(mixed):
        parts = shapely.get_parts(geoms[i])
        geoms[i] = shapely.union_all(parts[shapely.area(parts) > 0])
    return geoms


def _lookup(rows: np.ndarray, cols: np.ndarray, pad: int = 0) -> tuple[np.ndarray, int, int]:
    """A dense (row, col) -> position table, -1 where there is no cell; with its origin."""
    r0, c0 = int(rows.min()) - pad, int(cols.min()) - pad
    table = np.full((int(rows.max()) - r0 + 1 + pad, int(cols.max()) - c0 + 1 + pad), -1, dtype=np.int64)
    table[rows - r0, cols - c0] = np.arange(len(rows))
    return table, r0, c0


def _cell_size(grid: gpd.GeoDataFrame) -> float:
    """The cell size, recovered from a cell centre and its column: x_m = (col + 0.5) * size."""
    first = grid.iloc[0]
    return float(np.round(first["x_m"] / (first["col"] + 0.5), 9))


@functools.lru_cache(maxsize=16)
def _to_metric(crs: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, METRIC_CRS, always_xy=True)


def _metric_xy(issues) -> tuple[np.ndarray, np.ndarray]:
    geoms = issues.geometry if isinstance(issues, gpd.GeoDataFrame) else issues
    if len(geoms) and geoms.crs is None:
        raise ValueError("issues have no CRS; cannot tell what their coordinates mean")
    x, y = geoms.x.to_numpy(dtype=float), geoms.y.to_numpy(dtype=float)
    if len(geoms) and not geoms.crs.equals(pyproj.CRS(METRIC_CRS)):
        x, y = _to_metric(geoms.crs.to_wkt()).transform(x, y)
    return np.asarray(x), np.asarray(y)


def _window(since, until) -> tuple[pd.Timestamp | None, pd.Timestamp | None, bool]:
    """(start, stop, stop_inclusive); a date as ``until`` becomes the next midnight, exclusive."""
    start = _as_moment(since)[0] if since is not None else None
    stop, inclusive = None, True
    if until is not None:
        stop, is_day = _as_moment(until)
        if is_day:
            stop, inclusive = stop + pd.Timedelta(days=1), False
    return start, stop, inclusive


def _as_moment(value) -> tuple[pd.Timestamp, bool]:
    """A tz-aware timestamp, and whether the value named a whole day."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = pd.Timestamp(value)
    is_day = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    moment = pd.Timestamp(value)
    if moment.tzinfo is None:
        moment = moment.tz_localize(LOCAL_TZ)
    return moment, is_day


def _as_local(when: pd.Series) -> pd.Series:
    when = pd.to_datetime(when)
    return when.dt.tz_localize(LOCAL_TZ) if when.dt.tz is None else when


def _describe(value) -> str | None:
    return None if value is None else str(value)
