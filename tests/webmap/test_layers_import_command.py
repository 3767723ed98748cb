"""`flask --app app layers import PATH`: a report, then (asked, or --yes) the layer replaced; refusals exit 1
and change nothing; a progress bar for a large file at a terminal."""
from __future__ import annotations

from pathlib import Path

import click._termui_impl
import geopandas as gpd
import pytest

import webmap.layer_import_cli
from geo.dataset import load_dataset
from tests.conftest import DATA_DIR, copy_dataset, make_app
from tests.geo.surveyed import lamps, snapshot


@pytest.fixture()
def data_dir(tmp_path) -> Path:
    return copy_dataset(tmp_path / "data")


@pytest.fixture()
def run(data_dir):
    runner = make_app(DATA_DIR=str(data_dir)).test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(args=["layers", "import", *map(str, args)], input=input)

    return invoke


@pytest.fixture()
def gbk_lanes(tmp_path) -> Path:
    lanes = gpd.read_file(DATA_DIR / "lanes.shp", engine="pyogrio").to_crs(4326)
    lanes.loc[0, "name"] = "黄家路55弄（新测）"
    path = tmp_path / "in" / "lanes.shp"
    path.parent.mkdir()
    lanes.to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink()
    return path


def test_a_dry_run_reports_and_changes_nothing(run, data_dir, gbk_lanes):
    before = snapshot(data_dir)
    result = run(gbk_lanes, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "lanes: ok, ready to replace the current layer" in result.output
    assert "EPSG:4326 (declared by the file); written as EPSG:4549" in result.output
    assert "encoding  GB18030 (detected from the DBF text: no .cpg, no code page in its header); written as UTF-8" in (
        result.output)
    assert "96 -> 96 features: 0 added, 0 removed, 1 changed" in result.output
    assert result.output.rstrip().endswith("Dry run: nothing was changed.")
    assert snapshot(data_dir) == before


def test_asked_first_then_replaced(run, data_dir, gbk_lanes):
    before = snapshot(data_dir)
    declined = run(gbk_lanes, input="n\n")
    assert declined.exit_code == 1 and "Replace the layer lanes" in declined.output and "Aborted" in declined.output
    assert snapshot(data_dir) == before

    result = run(gbk_lanes, input="y\n")
    assert result.exit_code == 0, result.output
    assert "Replaced lanes: lanes.shp, lanes.shx, lanes.dbf, lanes.prj, lanes.cpg" in result.output
    assert "restart them" in result.output
    assert load_dataset(data_dir).layer("lanes")["name"][0] == "黄家路55弄（新测）"


def test_yes_replaces_without_asking_and_encoding_can_be_named(run, data_dir, gbk_lanes):
    result = run(gbk_lanes, "--yes", "--encoding", "cp936")
    assert result.exit_code == 0, result.output
    assert "encoding  GBK (named by the caller)" in result.output and "Replace the layer" not in result.output
    assert (data_dir / "lanes.cpg").read_text().strip() == "UTF-8"


def test_a_file_without_crs_needs_crs(run, data_dir, tmp_path):
    path = tmp_path / "roads.shp"
    gpd.read_file(DATA_DIR / "roads.shp", engine="pyogrio").to_file(path, engine="pyogrio", encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    before = snapshot(data_dir)
    refused = run(path, "--yes")
    assert refused.exit_code == 1 and "has no coordinate reference system" in refused.output
    assert snapshot(data_dir) == before
    result = run(path, "--yes", "--crs", "EPSG:4549")
    assert result.exit_code == 0 and "EPSG:4549 (from --crs: the file declares none)" in result.output


def test_a_bad_file_is_refused_with_its_report_and_changes_nothing(run, data_dir, tmp_path):
    path = tmp_path / "facilities.geojson"
    facilities = gpd.read_file(DATA_DIR / "facilities.shp", engine="pyogrio").to_crs(4326)
    facilities.loc[0, "kind"] = "castle"
    facilities.to_file(path, driver="GeoJSON", engine="pyogrio")
    before = snapshot(data_dir)
    result = run(path, "--yes")
    assert result.exit_code == 1
    assert "facilities: NOT OK" in result.output and "'castle' not allowed" in result.output
    assert result.output.rstrip().endswith("Nothing was changed.")
    assert snapshot(data_dir) == before


def test_the_layer_must_be_clear(run, data_dir, tmp_path):
    path = tmp_path / "survey.geojson"
    gpd.read_file(DATA_DIR / "roads.shp", engine="pyogrio").to_crs(4326).to_file(path, driver="GeoJSON")
    unclear = run(path, "--dry-run")
    assert unclear.exit_code == 1 and "name it with --layer" in unclear.output
    assert run(path, "--dry-run", "--layer", "roads").exit_code == 0


@pytest.mark.parametrize("terminal", [True, False])
def test_a_large_file_shows_a_progress_bar_only_at_a_terminal(run, data_dir, tmp_path, monkeypatch, terminal):
    monkeypatch.setattr(webmap.layer_import_cli, "is_terminal", lambda: terminal)
    monkeypatch.setattr(click._termui_impl, "isatty", lambda stream: terminal)  # the test runner's stdout is a pipe
    result = run(lamps(5000, tmp_path), "--yes")
    assert result.exit_code == 0, result.output
    assert ("Reading streetlights.shp" in result.output) is terminal
    assert ("Comparing with the current layer" in result.output) is terminal
    assert ("100%" in result.output) is terminal
    assert len(load_dataset(data_dir).layer("streetlights")) == 5000
