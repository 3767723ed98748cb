from __future__ import annotations

from pathlib import Path

import pytest

from geo.dataset import Dataset, DatasetError, check_dataset, format_report, load_dataset
from geo.schema import LAYER_NAMES
from tests.geo.synthetic import bow_tie, layers, square, write, write_dataset

REAL_DATA = Path(__file__).resolve().parents[2] / "data" / "shapefiles"


def test_synthetic_dataset_loads_in_wgs84(tmp_path):
    dataset = load_dataset(write_dataset(tmp_path))
    assert isinstance(dataset, Dataset) and dataset.ok and dataset.errors() == []
    assert set(dataset.layers) == set(LAYER_NAMES) == set(dataset.reports)
    for name in LAYER_NAMES:
        assert dataset.layer(name).crs.to_epsg() == 4326
        assert dataset.metric(name).crs.to_epsg() == 4549
    minx, miny, maxx, maxy = dataset.layer("boundary").total_bounds
    assert 121.49 < minx < maxx < 121.50 and 31.21 < miny < maxy < 31.23
    assert dataset.layer("compounds")["name"].tolist() == ["黄家路55弄", "集贤村"]
    assert dataset.metric("buildings").area.round().tolist() == [400, 225]
    report = dataset.reports["buildings"]
    assert (report.crs, report.encoding, report.encoding_source) == ("EPSG:4549", "UTF-8", "cpg")
    assert report.source == str(tmp_path / "buildings.shp")


def test_unknown_layer_name_is_a_key_error(tmp_path):
    with pytest.raises(KeyError, match="no layer 'trees'"):
        load_dataset(write_dataset(tmp_path)).layer("trees")


def test_layers_may_come_in_any_supported_format(tmp_path):
    write_dataset(tmp_path)
    for part in tmp_path.glob("boundary.*"):
        part.unlink()
    for part in tmp_path.glob("compounds.*"):
        part.unlink()
    write(layers()["boundary"].to_crs(4326), tmp_path / "boundary.geojson")
    write(layers()["compounds"].to_crs(3857), tmp_path / "compounds.gpkg")
    write(layers()["buildings"], tmp_path / "buildings.shp", encoding="GBK", cpg=False, ldid=0)

    dataset = load_dataset(tmp_path)
    assert dataset.reports["boundary"].crs == "EPSG:4326"
    assert dataset.reports["compounds"].crs == "EPSG:3857"
    assert dataset.reports["buildings"].encoding_source == "detected"
    addresses = dataset.layer("buildings")["address"].tolist()
    assert addresses == ["黄家路55弄1号", "金坛路35弄13号"]
    assert dataset.metric("compounds").area.round().tolist() == [10000, 10000]


def test_missing_layer_is_an_error_in_its_report(tmp_path):
    write_dataset(tmp_path)
    for part in tmp_path.glob("streetlights.*"):
        part.unlink()
    reports = check_dataset(tmp_path)
    assert not reports["streetlights"].ok
    [error] = reports["streetlights"].errors
    assert error.startswith("not found: no streetlights.shp, .gpkg, .geojson")
    assert all(r.ok for name, r in reports.items() if name != "streetlights")


def test_load_dataset_raises_listing_every_error_per_layer(tmp_path):
    compounds = layers()["compounds"]
    compounds.loc[0, "kind"] = "别墅"
    write_dataset(tmp_path, {"compounds": compounds})
    for part in tmp_path.glob("facilities.*"):
        part.unlink()
    with pytest.raises(DatasetError) as raised:
        load_dataset(tmp_path)
    message = str(raised.value)
    assert "compounds: field 'kind': '别墅' not allowed" in message
    assert "facilities: not found" in message


def test_layers_are_checked_against_the_boundary(tmp_path):
    buildings = layers()["buildings"]
    buildings.loc[1, "geometry"] = square(400, 400, 10)
    reports = check_dataset(write_dataset(tmp_path, {"buildings": buildings}))
    assert reports["buildings"].ok
    assert reports["buildings"].warnings == [
        "1 feature(s) lie outside the boundary (by more than 1 m) (features: B002)"
    ]


def test_unreadable_layer_is_reported_not_raised(tmp_path):
    write_dataset(tmp_path)
    (tmp_path / "lanes.prj").unlink()
    reports = check_dataset(tmp_path)
    assert reports["lanes"].errors == [
        "lanes.shp has no coordinate reference system (.prj missing?); "
        "name one with crs=…, e.g. crs='EPSG:4549'"
    ]


def test_missing_folder_reports_every_layer(tmp_path):
    reports = check_dataset(tmp_path / "nowhere")
    assert list(reports) == list(LAYER_NAMES)
    assert not any(r.ok for r in reports.values())


def test_format_report(tmp_path):
    buildings = layers()["buildings"]
    buildings.loc[0, "geometry"] = bow_tie(-140, -140, 20)
    buildings.loc[1, "type"] = "别墅"
    write_dataset(tmp_path, {"buildings": buildings})
    text = format_report(check_dataset(tmp_path))
    lines = text.splitlines()
    assert lines[0] == "boundary: ok"
    assert f"  file      {tmp_path / 'boundary.shp'}" in lines
    assert "buildings: NOT OK, 1 error, 1 repair" in lines
    assert "  encoding  UTF-8 (from the .cpg file)" in lines
    assert any(line.startswith("  repaired  B001: Self-intersection[") for line in lines)
    assert any(line.startswith("  ERROR     field 'type': '别墅' not allowed") for line in lines)
    assert lines[-1] == "7 layers: 6 ok, 1 with errors"


@pytest.mark.skipif(
    not REAL_DATA.is_dir() or not any(REAL_DATA.glob("*.shp")),
    reason="the real dataset in data/shapefiles is not there yet",
)
def test_real_dataset_loads():
    dataset = load_dataset(REAL_DATA)
    assert dataset.ok, format_report(dataset.reports)
