"""geo.layer_import: a surveyed file in any CRS, encoding and format replaces a base layer after a report;
a dry run, a bad file or a failure at any step leaves the data folder exactly as it was."""
from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import Polygon

import geo.layer_import
from geo.dataset import check_dataset, load_dataset
from geo.layer_import import ImportFailed, ImportRefused, guess_layer, plan_import, write_import
from geo.layer_swap import BACKUP_DIR, ImportBusy, import_lock
from tests.conftest import DATA_DIR, copy_dataset
from tests.geo.surveyed import lamps, shipped, snapshot
from tests.geo.synthetic import set_ldid


def same_field_types(data_dir: Path, name: str) -> bool:
    """The written layer has the shipped layer's fields, types and CRS."""
    written, original = (pyogrio.read_info(folder / f"{name}.shp") for folder in (data_dir, DATA_DIR))
    return all(list(written[key]) == list(original[key]) for key in ("fields", "ogr_types", "crs", "encoding"))


@pytest.fixture()
def data_dir(tmp_path) -> Path:
    return copy_dataset(tmp_path / "data")


@pytest.fixture()
def gbk_compounds(tmp_path) -> Path:
    """The compounds in EPSG:4326, GBK text, no .cpg and no code page in the DBF: the loader must work it out."""
    compounds = shipped("compounds").to_crs(4326)
    compounds.loc[0, "name"] = "通达大厦（测绘）"
    compounds["surveyor"] = "王丽"
    path = tmp_path / "in" / "compounds_survey.shp"
    path.parent.mkdir()
    compounds.to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink()
    set_ldid(path.with_suffix(".dbf"), 0)
    return path


def test_a_gbk_shapefile_without_cpg_in_wgs84_is_reported_and_written_as_the_shipped_data_is(data_dir, gbk_compounds):
    plan = plan_import(gbk_compounds, data_dir)
    assert plan.ok and plan.layer == "compounds"
    assert (plan.crs, plan.crs_source, plan.encoding, plan.encoding_source) == ("EPSG:4326", "file", "GB18030",
                                                                                  "detected")
    assert plan.schema.extra == ["surveyor"] and not plan.schema.missing
    assert (plan.diff.before, plan.diff.after, plan.diff.changed, plan.diff.added) == (13, 13, ["tongda"], [])
    report = geo.layer_import.format_import_report(plan)
    assert "GB18030 (detected from the DBF text" in report and "not in the schema (dropped): surveyor" in report
    assert "13 -> 13 features: 0 added, 0 removed, 1 changed" in report and "changed   tongda" in report
    old = snapshot(data_dir)

    result = write_import(plan)
    assert [p.name for p in result.files] == [f"compounds{s}" for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
    assert (data_dir / "compounds.cpg").read_text().strip() == "UTF-8"
    info = pyogrio.read_info(data_dir / "compounds.shp")
    assert info["crs"] == "EPSG:4549" and info["encoding"] == "UTF-8" and list(info["fields"]) == [
        "id", "name", "name_en", "kind"]
    written = gpd.read_file(data_dir / "compounds.shp", engine="pyogrio")  # no encoding named
    assert written["name"][0] == "通达大厦（测绘）" and written["name"].tolist()[1:] == shipped("compounds")["name"].tolist()[1:]
    kept = {name: data for name, data in snapshot(result.backup).items()}
    assert kept == {name: data for name, data in old.items() if name.startswith("compounds.")}
    assert result.backup.parent == data_dir / BACKUP_DIR
    assert load_dataset(data_dir).ok
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".import-")]  # staging cleaned up


def test_a_geopackage_in_web_mercator_with_added_removed_and_changed_buildings(data_dir, tmp_path):
    buildings = shipped("buildings")
    buildings.loc[buildings["id"] == "B003", "floors"] = 4
    new = buildings.iloc[[0]].copy()
    new["id"], new["address"] = "B900", "黄家路55弄99号"
    buildings = gpd.GeoDataFrame(
        [*buildings.iloc[2:].itertuples(index=False), *new.itertuples(index=False)], columns=buildings.columns,
        crs=buildings.crs).to_crs(3857)
    path = tmp_path / "survey.gpkg"
    buildings.to_file(path, layer="buildings_2025", engine="pyogrio")
    shipped("lanes").to_file(path, layer="lanes", engine="pyogrio")
    with pytest.raises(ImportRefused, match="several layers"):
        plan_import(path, data_dir, layer="buildings")

    plan = plan_import(path, data_dir, layer_name="buildings_2025")
    assert plan.ok and plan.layer == "buildings" and plan.crs == "EPSG:3857"
    d = plan.diff
    assert (d.before, d.after, d.added, d.removed, d.changed) == (167, 166, ["B900"], ["B001", "B002"], ["B003"])
    write_import(plan)
    assert same_field_types(data_dir, "buildings")
    dataset = load_dataset(data_dir)
    assert len(dataset.layer("buildings")) == 166
    assert dataset.layer("buildings").set_index("id").loc["B003", "floors"] == 4


def test_a_geojson_of_facilities(data_dir, tmp_path):
    path = tmp_path / "设施.geojson"
    shipped("facilities").to_crs(4326).to_file(path, driver="GeoJSON", engine="pyogrio")
    plan = plan_import(path, data_dir)
    assert plan.ok and plan.layer == "facilities" and plan.diff.unchanged
    write_import(plan)
    assert load_dataset(data_dir).layer("facilities")["name"].tolist() == shipped("facilities")["name"].tolist()


def test_a_dry_run_changes_nothing(data_dir, gbk_compounds):
    before = snapshot(data_dir)
    names = sorted(p.name for p in data_dir.iterdir())
    plan_import(gbk_compounds, data_dir)
    assert snapshot(data_dir) == before and sorted(p.name for p in data_dir.iterdir()) == names


def refused_and_unchanged(data_dir: Path, plan) -> None:
    before = snapshot(data_dir)
    with pytest.raises(ImportRefused, match="the report has errors"):
        write_import(plan)
    assert snapshot(data_dir) == before


def test_a_file_with_the_wrong_schema_is_refused(data_dir, tmp_path):
    path = tmp_path / "lanes.shp"
    shipped("lanes").drop(columns=["width"]).to_file(path, engine="pyogrio", encoding="UTF-8")
    plan = plan_import(path, data_dir)
    assert not plan.ok and plan.schema.missing == ["width"]
    assert "missing required field 'width'" in geo.layer_import.format_import_report(plan)
    refused_and_unchanged(data_dir, plan)


def test_a_file_without_crs_is_refused_unless_one_is_named(data_dir, tmp_path):
    path = tmp_path / "roads.shp"
    shipped("roads").to_file(path, engine="pyogrio", encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    before = snapshot(data_dir)
    with pytest.raises(ImportRefused, match="no coordinate reference system"):
        plan_import(path, data_dir)
    assert snapshot(data_dir) == before
    plan = plan_import(path, data_dir, crs="EPSG:4549")
    assert plan.ok and plan.crs_source == "caller" and plan.diff.unchanged


def test_broken_geometry_is_repaired_and_named_or_refused_when_nothing_is_left(data_dir, tmp_path):
    compounds = shipped("compounds")
    x0, y0 = compounds.geometry[1].representative_point().coords[0]
    compounds.loc[1, "geometry"] = Polygon([(x0, y0), (x0 + 5, y0 + 5), (x0 + 5, y0), (x0, y0 + 5)])  # a bow tie
    path = tmp_path / "compounds.shp"
    compounds.to_file(path, engine="pyogrio", encoding="UTF-8")
    plan = plan_import(path, data_dir)
    assert plan.ok and len(plan.report.repairs) == 1 and plan.report.repairs[0].startswith("mianjin: Self-intersection")

    compounds.loc[2, "geometry"] = Polygon([(x0, y0), (x0 + 5, y0), (x0 + 10, y0)])  # no area at all
    compounds.to_file(path, engine="pyogrio", encoding="UTF-8")
    plan = plan_import(path, data_dir)
    assert not plan.ok and any(e.startswith("xundao_n: invalid geometry") for e in plan.report.errors)
    refused_and_unchanged(data_dir, plan)


def test_a_failure_during_the_swap_puts_the_old_files_back(data_dir, gbk_compounds, monkeypatch):
    plan = plan_import(gbk_compounds, data_dir)
    before = snapshot(data_dir)
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) > 1:
            raise OSError("disk full (injected)")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="injected"):
        write_import(plan)
    monkeypatch.undo()
    assert snapshot(data_dir) == before
    assert not (data_dir / BACKUP_DIR).exists()
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".import-")]


def test_a_dataset_that_fails_its_check_after_the_swap_is_put_back(data_dir, gbk_compounds, monkeypatch):
    plan = plan_import(gbk_compounds, data_dir)
    before = snapshot(data_dir)
    real_check = geo.layer_import.check_dataset
    checked = []

    def check_failing_the_second_time(folder):
        reports = real_check(folder)
        checked.append(folder)
        if len(checked) == 2:
            reports["roads"].error("injected")
        return reports

    monkeypatch.setattr(geo.layer_import, "check_dataset", check_failing_the_second_time)
    with pytest.raises(ImportFailed, match="after the swap does not pass"):
        write_import(plan)
    assert Path(checked[0]).name.startswith(".import-") and Path(checked[1]) == data_dir
    assert snapshot(data_dir) == before


def test_a_staging_copy_that_fails_its_check_changes_nothing(data_dir, gbk_compounds, monkeypatch):
    plan = plan_import(gbk_compounds, data_dir)
    before = snapshot(data_dir)

    def failing(folder):
        reports = check_dataset(folder)
        reports["buildings"].error("injected")
        return reports

    monkeypatch.setattr(geo.layer_import, "check_dataset", failing)
    with pytest.raises(ImportFailed, match="a staging copy"):
        write_import(plan)
    assert snapshot(data_dir) == before


def test_data_changed_since_the_report_or_another_import_running_is_refused(data_dir, gbk_compounds):
    plan = plan_import(gbk_compounds, data_dir)
    with import_lock(data_dir):
        with pytest.raises(ImportBusy, match="another import"):
            write_import(plan)
    (data_dir / "roads.cpg").write_text("UTF-8\n")
    with pytest.raises(ImportRefused, match="changed since the report"):
        write_import(plan)


def test_the_layer_is_guessed_from_names_and_refused_when_unclear(tmp_path):
    assert guess_layer(Path("buildings_2025.shp")) == "buildings"
    assert guess_layer(Path("Streetlight-survey.geojson")) == "streetlights"
    assert guess_layer(Path("黄浦区路灯普查.shp")) == "streetlights"
    assert guess_layer(Path("survey.gpkg"), "lanes") == "lanes"
    with pytest.raises(ImportRefused, match="could be for lanes or roads; name the layer with --layer"):
        guess_layer(Path("roads_and_lanes.shp"))
    with pytest.raises(ImportRefused, match="cannot tell which base layer survey.shp is for"):
        guess_layer(Path("survey.shp"))


class Recorder:
    def __init__(self):
        self.bars: dict[str, list[int]] = {}

    def __call__(self, label: str, total: int):
        recorder = self

        class Bar:
            def __enter__(self):
                recorder.bars[label] = [total, 0]
                return self

            def __exit__(self, *exc):
                return False

            def update(self, n: int) -> None:
                recorder.bars[label][1] += n

        return Bar()


def test_a_large_file_reports_its_progress(data_dir, tmp_path):
    progress = Recorder()
    plan = plan_import(lamps(5000, tmp_path), data_dir, progress=progress)
    assert plan.ok, plan.report.errors
    assert progress.bars == {"Reading streetlights.shp": [5000, 5000], "Comparing with the current layer": [5000, 5000]}
    write_import(plan, progress=progress)
    assert progress.bars["Writing streetlights"] == [5000, 5000]
    assert same_field_types(data_dir, "streetlights")  # installed a DBF date, as shipped
    assert len(load_dataset(data_dir).layer("streetlights")) == 5000
