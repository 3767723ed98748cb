"""geo.cell_places: the compounds and lanes each grid cell covers, most covered first."""
from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

from geo.cell_places import cell_places
from geo.crs import METRIC_CRS
from geo.dataset import load_dataset
from geo.hotspots import issue_grid
from tests.conftest import DATA_DIR

X0, Y0 = 500_000.0, 3_450_000.0  # somewhere in EPSG:4549, in metres


def metric(shapes, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(shapes), crs=METRIC_CRS)


@pytest.fixture()
def cells():
    return metric([box(X0, Y0, X0 + 20, Y0 + 20), box(X0 + 20, Y0, X0 + 40, Y0 + 20)], id=["a", "b"])


def test_compounds_are_named_most_covered_first(cells):
    compounds = metric(
        [box(X0 - 10, Y0 - 10, X0 + 5, Y0 + 30), box(X0 + 5, Y0 - 10, X0 + 60, Y0 + 30)],
        name=["西弄", "东弄"],
    )
    places = cell_places(cells, compounds, metric([], name=[]))
    assert places.loc[0, "compounds"] == ["东弄", "西弄"]  # 15 m of 20 is 东弄's
    assert places.loc[1, "compounds"] == ["东弄"]
    assert places.loc[0, "lanes"] == []


def test_a_shared_edge_or_a_clipped_corner_does_not_count(cells):
    compounds = metric([box(X0 + 40, Y0, X0 + 60, Y0 + 20)], name=["邻居"])  # touches cell b's east edge
    lanes = metric([LineString([(X0 + 39.5, Y0 - 1), (X0 + 41, Y0 + 0.5)])], name=["擦角弄"])  # 0.7 m inside b
    places = cell_places(cells, compounds, lanes)
    assert places["compounds"].tolist() == [[], []]
    assert places["lanes"].tolist() == [[], []]


def test_a_lane_drawn_in_pieces_is_named_once_with_its_pieces_added_up(cells):
    lanes = metric(
        [
            LineString([(X0, Y0 + 5), (X0 + 8, Y0 + 5)]),
            LineString([(X0 + 8, Y0 + 5), (X0 + 16, Y0 + 5)]),
            LineString([(X0 + 2, Y0 + 15), (X0 + 14, Y0 + 15)]),
        ],
        name=["金坛路20弄", "金坛路20弄", "短弄"],
    )
    places = cell_places(cells, metric([], name=[]), lanes)
    assert places.loc[0, "lanes"] == ["金坛路20弄", "短弄"]  # 16 m beats 12 m
    assert places.loc[1, "lanes"] == []


def test_any_crs_in_and_the_index_kept(cells):
    lonlat = cells.to_crs("EPSG:4326").set_index("id")
    compounds = metric([box(X0, Y0, X0 + 40, Y0 + 20)], name_en=["Whole"], name=["整片"]).to_crs("EPSG:4326")
    places = cell_places(lonlat, compounds, metric([], name_en=[]), name_column="name_en")
    assert places.index.tolist() == ["a", "b"]
    assert places["compounds"].tolist() == [["Whole"], ["Whole"]]


def test_every_cell_of_the_demo_grid_lies_in_some_compound_or_lane():
    layers = load_dataset(DATA_DIR).layers
    grid = issue_grid(layers["boundary"], 20)
    places = cell_places(grid, layers["compounds"], layers["lanes"])
    assert len(places) == len(grid)
    named = places["compounds"].map(bool) | places["lanes"].map(bool)
    assert named.mean() > 0.9
    all_compounds = {name for names in places["compounds"] for name in names}
    assert all_compounds <= set(layers["compounds"]["name"]) and len(all_compounds) >= 10
