from __future__ import annotations

import zipfile

import pytest

from geo.loader import LayerError, read_vector
from tests.geo.synthetic import X0, Y0, layers, write

NAMES = ["黄家路55弄", "集贤村"]


@pytest.fixture()
def compounds():
    return layers()["compounds"]


def test_utf8_shapefile_with_cpg(tmp_path, compounds):
    result = read_vector(write(compounds, tmp_path / "compounds.shp"))
    assert result.gdf["name"].tolist() == NAMES
    assert result.gdf["kind"].tolist() == ["售后公房", "历史保护"]
    assert (result.crs, result.encoding, result.encoding_source) == ("EPSG:4549", "UTF-8", "cpg")
    assert result.gdf.crs.to_epsg() == 4549


def test_gbk_shapefile_without_cpg_or_ldid_is_detected_not_mojibake(tmp_path, compounds):
    shp = write(compounds, tmp_path / "compounds.shp", encoding="GBK", cpg=False, ldid=0)
    result = read_vector(shp)
    assert result.gdf["name"].tolist() == NAMES
    assert (result.encoding, result.encoding_source) == ("GB18030", "detected")
    assert any("GB18030" in note and "detected" in note for note in result.notes)


def test_gbk_shapefile_with_language_driver_id(tmp_path, compounds):
    result = read_vector(write(compounds, tmp_path / "c.shp", encoding="GBK", cpg=False, ldid=0x4D))
    assert result.gdf["name"].tolist() == NAMES
    assert (result.encoding, result.encoding_source) == ("GBK", "ldid")


def test_utf8_shapefile_without_cpg(tmp_path, compounds):
    result = read_vector(write(compounds, tmp_path / "c.shp", cpg=False, ldid=0))
    assert result.gdf["name"].tolist() == NAMES
    assert (result.encoding, result.encoding_source) == ("UTF-8", "detected")


def test_caller_names_the_encoding(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp", encoding="GBK", cpg=False, ldid=0)
    result = read_vector(shp, encoding="936")
    assert result.gdf["name"].tolist() == NAMES
    assert (result.encoding, result.encoding_source) == ("GBK", "caller")


def test_undecodable_text_is_a_layer_error(tmp_path, compounds):
    compounds.loc[0, "name"] = "XXXXXXXX"
    shp = write(compounds, tmp_path / "c.shp", cpg=False, ldid=0)
    dbf = shp.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes().replace(b"XXXXXXXX", b"\xff\xfe" * 4))
    with pytest.raises(LayerError, match="c.shp: .*cannot be decoded.*name the encoding"):
        read_vector(shp)


def test_missing_prj_needs_a_crs(tmp_path, compounds):
    shp = write(compounds, tmp_path / "compounds.shp")
    shp.with_suffix(".prj").unlink()
    expected = r"compounds.shp has no coordinate reference system \(.prj missing\?\); name one with crs="
    with pytest.raises(LayerError, match=expected):
        read_vector(shp)

    result = read_vector(shp, crs="EPSG:4549")
    assert result.crs == "EPSG:4549"
    assert result.gdf.crs.to_epsg() == 4549
    assert any("set from crs=" in note for note in result.notes)


def test_given_crs_does_not_override_the_prj(tmp_path, compounds):
    result = read_vector(write(compounds, tmp_path / "c.shp"), crs="EPSG:3857")
    assert result.crs == "EPSG:4549"
    assert any("crs=EPSG:3857 ignored" in note for note in result.notes)


def test_an_invalid_given_crs_is_a_layer_error(tmp_path, compounds):
    shp = write(compounds, tmp_path / "c.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(LayerError, match="not a valid CRS"):
        read_vector(shp, crs="EPSG:999999")


def test_missing_file_is_a_layer_error(tmp_path):
    with pytest.raises(LayerError, match="nowhere.shp not found"):
        read_vector(tmp_path / "nowhere.shp")


def test_unsupported_format_is_a_layer_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LayerError, match="unsupported format '.txt'"):
        read_vector(tmp_path / "notes.txt")


def test_corrupt_file_is_a_layer_error(tmp_path):
    (tmp_path / "broken.geojson").write_text("{ not json")
    with pytest.raises(LayerError, match="broken.geojson cannot be read"):
        read_vector(tmp_path / "broken.geojson")


def test_geojson_in_wgs84_loads(tmp_path, compounds):
    path = write(compounds.to_crs(4326), tmp_path / "compounds.geojson")
    result = read_vector(path)
    assert result.gdf["name"].tolist() == NAMES
    assert (result.crs, result.encoding, result.encoding_source) == ("EPSG:4326", "UTF-8", "format")
    metric = result.to_metric()
    assert metric.crs.to_epsg() == 4549
    assert metric.geom_equals_exact(compounds.geometry, tolerance=0.01).all()


def test_geopackage_in_web_mercator_loads_and_reprojects(tmp_path, compounds):
    result = read_vector(write(compounds.to_crs(3857), tmp_path / "compounds.gpkg"))
    assert result.crs == "EPSG:3857"
    assert result.gdf["name"].tolist() == NAMES
    display = result.to_display()
    assert display.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = display.total_bounds
    assert 121.48 < minx < maxx < 121.50 and 31.21 < miny < maxy < 31.23


def test_geopackage_layers_are_chosen_by_name(tmp_path, compounds):
    path = tmp_path / "data.gpkg"
    compounds.to_file(path, layer="compounds", engine="pyogrio")
    layers()["buildings"].to_file(path, layer="buildings", engine="pyogrio")
    expected = r"several layers \(compounds, buildings\); name one with layer="
    with pytest.raises(LayerError, match=expected):
        read_vector(path)
    assert read_vector(path, layer="buildings").gdf["id"].tolist() == ["B001", "B002"]
    with pytest.raises(LayerError, match="no layer 'roads'"):
        read_vector(path, layer="roads")
    # A layer named like its file is the one meant.
    named = tmp_path / "compounds.gpkg"
    path.rename(named)
    assert read_vector(named).gdf["name"].tolist() == NAMES


def test_zipped_shapefile_loads(tmp_path, compounds):
    shp = write(compounds, tmp_path / "compounds.shp", encoding="GBK", cpg=False, ldid=0)
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("compounds.*"):
            zf.write(part, f"folder/{part.name}")
    result = read_vector(archive)
    assert result.gdf["name"].tolist() == NAMES
    assert (result.crs, result.encoding_source) == ("EPSG:4549", "detected")
    assert result.path == str(archive)
    assert shp.exists()


def test_zip_with_several_shapefiles_needs_a_layer(tmp_path, compounds):
    write(compounds, tmp_path / "compounds.shp")
    write(layers()["buildings"], tmp_path / "buildings.shp")
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("*.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    with pytest.raises(LayerError, match="name the shapefile to read with layer="):
        read_vector(archive)
    assert read_vector(archive, layer="buildings").gdf["id"].tolist() == ["B001", "B002"]


def test_coordinates_are_kept_in_the_source_crs(tmp_path, compounds):
    result = read_vector(write(compounds, tmp_path / "c.shp"))
    assert result.gdf.total_bounds[0] == pytest.approx(X0 - 150)
    assert result.gdf.total_bounds[1] == pytest.approx(Y0 - 150)
