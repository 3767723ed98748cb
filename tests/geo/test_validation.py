from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from shapely import LineString, MultiLineString, MultiPoint, MultiPolygon, Polygon

from geo.schema import LAYERS
from geo.validation import validate_layer
from tests.geo.synthetic import X0, Y0, at, bow_tie, layers, line, square

OUTSIDE_B002 = "1 feature(s) lie outside the boundary (by more than 1 m) (features: B002)"


def validate(name: str, gdf=None, **kwargs):
    return validate_layer(layers()[name] if gdf is None else gdf, LAYERS[name], **kwargs)


@pytest.fixture()
def boundary():
    return layers()["boundary"]


@pytest.mark.parametrize("name", LAYERS)
def test_synthetic_layers_are_valid(name, boundary):
    gdf, report = validate(name, boundary=boundary)
    assert report.ok, report.problems
    assert report.problems == [] and report.repairs == []
    assert (report.name, report.feature_count, report.crs) == (name, len(gdf), "EPSG:4549")


def test_types_are_coerced():
    buildings = layers()["buildings"]
    buildings["floors"] = ["6", "2.0"]
    buildings["protected"] = ["no", "是"]
    gdf, report = validate("buildings", buildings)
    assert report.ok, report.problems
    assert gdf["floors"].tolist() == [6, 2] and str(gdf["floors"].dtype) == "Int64"
    assert gdf["protected"].tolist() == [False, True]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ([1, 0, None], [True, False, pd.NA]),
        (["true", "FALSE", " yes "], [True, False, True]),
        (["1", "0", "n"], [True, False, False]),
        ([True, False, True], [True, False, True]),
    ],
)
def test_bool_coercion(raw, expected):
    buildings = pd.concat([layers()["buildings"]] * 2).iloc[:3].assign(id=["a", "b", "c"])
    buildings["protected"] = raw
    gdf, report = validate("buildings", buildings)
    assert report.ok, report.problems
    assert gdf["protected"].tolist() == expected


def test_date_coercion():
    lights = pd.concat([layers()["streetlights"]] * 2).assign(id=["a", "b", "c", "d"])
    lights["installed"] = ["2020-05-01", "2020/05/02 00:00:00", dt.date(2020, 5, 3), "20200504"]
    gdf, report = validate("streetlights", lights)
    assert report.ok, report.problems
    assert [d.date() for d in gdf["installed"]] == [dt.date(2020, 5, d) for d in (1, 2, 3, 4)]


def test_bad_values_name_field_and_ids():
    lights = layers()["streetlights"]
    lights["power"] = ["60", "many"]
    lights["installed"] = ["2020-05-01", "last spring"]
    _, report = validate("streetlights", lights)
    assert not report.ok
    assert "field 'power': 1 value(s) are not int, e.g. 'many' (features: L002)" in report.errors
    assert any(e.startswith("field 'installed'") and "L002" in e for e in report.errors)


def test_missing_required_field_is_named():
    _, report = validate("compounds", layers()["compounds"].drop(columns=["kind", "name_en"]))
    assert "missing required field 'kind'" in report.errors
    assert "missing required field 'name_en'" in report.errors


def test_missing_optional_field_is_added_empty():
    gdf, report = validate("buildings", layers()["buildings"].drop(columns=["name"]))
    assert report.ok
    assert gdf["name"].isna().all()


def test_field_names_match_case_insensitively():
    shouting = layers()["compounds"].rename(columns=str.upper).set_geometry("GEOMETRY")
    gdf, report = validate("compounds", shouting)
    assert report.ok, report.problems
    assert {"id", "name", "name_en", "kind"} <= set(gdf.columns)


def test_value_outside_choices_is_an_error():
    compounds = layers()["compounds"]
    compounds.loc[1, "kind"] = "别墅"
    _, report = validate("compounds", compounds)
    assert not report.ok
    [error] = report.errors
    assert "field 'kind'" in error and "'别墅'" in error and "C02" in error


def test_duplicate_and_missing_ids_are_errors():
    facilities = pd.concat([layers()["facilities"]] * 3, ignore_index=True)
    facilities.loc[2, "id"] = None
    _, report = validate("facilities", facilities)
    assert "duplicate id values: F01" in report.errors
    assert "1 feature(s) have no id (features: row 3)" in report.errors


def test_bow_tie_is_repaired_and_reported():
    buildings = layers()["buildings"]
    buildings.loc[0, "geometry"] = bow_tie(-140, -140, 20)
    gdf, report = validate("buildings", buildings)
    assert report.ok, report.problems
    [repair] = report.repairs
    assert repair.startswith("B001: Self-intersection[")
    assert "made valid as MultiPolygon of 2 parts" in repair
    assert gdf.is_valid.all()
    assert gdf.geometry[0].geom_type == "MultiPolygon"
    assert gdf.geometry[0].area == pytest.approx(200)


def test_overlapping_polygon_parts_are_merged_not_cut():
    overlapping = MultiPolygon([square(0, 0, 10), square(5, 0, 10)])
    buildings = layers()["buildings"]
    buildings.loc[0, "geometry"] = overlapping
    gdf, report = validate("buildings", buildings)
    assert len(report.repairs) == 1
    assert gdf.geometry[0].area == pytest.approx(150)


def test_repair_keeps_only_the_layer_dimension():
    lanes = layers()["lanes"]
    lanes.loc[0, "geometry"] = line((0, 0), (0, 0))
    gdf, report = validate("lanes", lanes)
    assert not report.ok
    [error] = report.errors
    assert error.startswith("1: invalid geometry (Too few points")
    assert "nothing of type LineString is left" in error


def test_multi_geometries_are_accepted(boundary):
    cases = {
        "buildings": MultiPolygon([square(-140, -140, 10), square(-120, -140, 10)]),
        "lanes": MultiLineString([line((-140, -100), (-100, -100)), line((-100, -90), (-100, -60))]),
        "streetlights": MultiPoint([at(-10, -10), at(10, 10)]),
    }
    for name, geometry in cases.items():
        gdf = layers()[name]
        gdf.loc[0, "geometry"] = geometry
        _, report = validate(name, gdf, boundary=boundary)
        assert report.ok and report.problems == [], (name, report.problems)


def test_points_for_a_polygon_layer_are_an_error():
    compounds = layers()["compounds"]
    compounds["geometry"] = compounds.centroid
    _, report = validate("compounds", compounds)
    assert not report.ok
    assert report.errors == [
        "geometry must be Polygon or MultiPolygon, but 2 feature(s) are Point (features: C01, C02)"
    ]


def test_null_and_empty_geometries_are_errors():
    compounds = layers()["compounds"]
    compounds.loc[0, "geometry"] = None
    compounds.loc[1, "geometry"] = Polygon()
    _, report = validate("compounds", compounds)
    assert report.errors == ["2 feature(s) have no geometry (features: C01, C02)"]


def test_feature_outside_the_boundary_is_a_warning(boundary):
    buildings = layers()["buildings"]
    buildings.loc[1, "geometry"] = square(195, 0, 20)  # 15 m over the edge
    _, report = validate("buildings", buildings, boundary=boundary)
    assert report.ok
    assert report.warnings == [OUTSIDE_B002]


def test_a_feature_on_the_boundary_line_is_within_tolerance(boundary):
    lights = layers()["streetlights"]
    lights.loc[0, "geometry"] = at(200.5, 0)
    _, report = validate("streetlights", lights, boundary=boundary)
    assert report.problems == []


def test_boundary_in_another_crs_is_reprojected(boundary):
    buildings = layers()["buildings"]
    buildings.loc[1, "geometry"] = square(300, 0, 10)
    _, report = validate("buildings", buildings.to_crs(3857), boundary=boundary.to_crs(4326))
    assert report.warnings == [OUTSIDE_B002]


def test_roads_only_need_to_come_near_the_boundary(boundary):
    roads = pd.concat([layers()["roads"]] * 3, ignore_index=True).assign(id=[1, 2, 3])
    roads.loc[1, "geometry"] = line((500, -100), (500, 100))
    minx, _, maxx, maxy = boundary.total_bounds
    roads.loc[2, "geometry"] = LineString([(minx, maxy + 30), (maxx, maxy + 30)])  # a far carriageway
    _, report = validate("roads", roads, boundary=boundary)
    assert report.warnings == ["1 feature(s) do not come within 60 m of the boundary (features: 2)"]


def test_an_empty_layer_is_a_warning_but_an_empty_boundary_an_error():
    _, report = validate("facilities", layers()["facilities"].iloc[:0])
    assert report.ok and report.warnings == ["the layer has no features"]
    _, report = validate("boundary", layers()["boundary"].iloc[:0])
    assert report.errors == ["the boundary has no features"]


def test_tz_aware_dates_keep_their_local_day():
    lights = layers()["streetlights"]
    local = pd.to_datetime(["2020-01-01 07:00", "2021-02-02 23:30"], format="%Y-%m-%d %H:%M")
    lights["installed"] = local.tz_localize("Asia/Shanghai")
    gdf, report = validate("streetlights", lights)
    assert report.ok
    assert [d.date() for d in gdf["installed"]] == [dt.date(2020, 1, 1), dt.date(2021, 2, 2)]


def test_layer_without_crs_is_an_error():
    _, report = validate("compounds", layers()["compounds"].set_crs(None, allow_override=True))
    assert "no coordinate reference system" in report.errors


def test_report_as_dict_is_json_ready():
    compounds = layers()["compounds"]
    compounds.loc[1, "kind"] = "别墅"
    _, report = validate("compounds", compounds)
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert data["ok"] is False
    assert data["problems"][0]["level"] == "error"
    assert "别墅" in data["problems"][0]["message"]


def _spike(dx: float, dy: float, size: float, off: float) -> Polygon:
    """A rectangle with a zero-width spike out along its south edge: its corner `off` metres from that edge."""
    x, y = X0 + dx, Y0 + dy
    return Polygon([(x, y), (x + size, y), (x + size / 2, y + off), (x + size / 2, y + size), (x, y + size)])


def test_a_polygon_invalid_once_rounded_is_refused_naming_layer_id_and_crs():
    compounds = layers()["compounds"]
    spiked = _spike(-150, -150, 100, 1e-6)
    assert spiked.is_valid  # in full precision
    compounds.loc[0, "geometry"] = spiked
    _, report = validate_layer(compounds, LAYERS["compounds"])
    assert not report.ok
    for crs, decimals in (("EPSG:4326", 7), ("EPSG:4549", 3)):
        message = next(e for e in report.errors if crs in e)
        assert message.startswith("compounds C01: invalid once rounded to")
        assert f"{decimals} decimals in {crs}" in message and "Self-intersection" in message
    assert not any("C02" in e for e in report.errors)
    assert not report.repairs  # refused, not silently repaired


def test_a_vertex_clear_of_the_edges_at_the_published_precision_passes():
    compounds = layers()["compounds"]
    compounds.loc[0, "geometry"] = _spike(-150, -150, 100, 0.5)
    _, report = validate_layer(compounds, LAYERS["compounds"])
    assert report.ok, report.errors


def test_lines_that_collapse_once_rounded_are_refused():
    lanes = layers()["lanes"]
    lanes.loc[0, "geometry"] = line((0, 0), (0.0001, 0.0001))
    _, report = validate_layer(lanes, LAYERS["lanes"])
    assert any("EPSG:4549" in e and e.startswith("lanes ") for e in report.errors), report.errors
