"""GET /api/v1/layers/{name}.gpkg, .shp.zip, .geojson, .csv: every base layer in every format opens as it should.

The layers come from memory, not the database, so these run once on the shared app.
"""
from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from geo.schema import LAYERS
from tests.webmap.api.export_helpers import download_names

PREFIX = "/api/v1"
CHINESE = {"boundary": "name", "compounds": "name", "buildings": "address", "roads": "name", "lanes": "name",
           "facilities": "name"}
FILES = {"gpkg": "application/geopackage+sqlite3", "shp.zip": "application/zip", "geojson": "application/geo+json",
         "csv": "text/csv"}


@pytest.fixture(scope="module")
def served(app):
    """The layers the app serves as GeoJSON, the reference for every export."""
    client = app.test_client()
    return {name: gpd.read_file(io.BytesIO(client.get(f"{PREFIX}/layers/{name}").get_data()), engine="pyogrio")
            for name in LAYERS}


def fetch(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.get_json(silent=True))
    return response


def open_export(response, name: str, extension: str, tmp_path) -> pd.DataFrame:
    path = tmp_path / f"{name}.{extension}"
    path.write_bytes(response.get_data())
    if extension == "csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    if extension == "shp.zip":
        return gpd.read_file(f"/vsizip/{path}/{name}.shp", engine="pyogrio")  # no encoding named: the .cpg says
    return gpd.read_file(path, engine="pyogrio")


@pytest.mark.parametrize("extension", list(FILES))
@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_in_every_format(client, served, name, extension, tmp_path):
    response = fetch(client, f"{PREFIX}/layers/{name}.{extension}")
    assert response.mimetype == FILES[extension]
    ascii_name, full_name = download_names(response)
    assert ascii_name.startswith(f"{name}-") and ascii_name.endswith(f".{extension}")
    assert full_name.startswith("金坛路居民区-") and full_name.endswith(f".{extension}")
    table = open_export(response, name, extension, tmp_path)
    reference = served[name]
    assert len(table) == len(reference)
    if extension != "csv":
        assert table.crs.to_epsg() == 4326
    assert table["id"].astype(str).tolist() == reference["id"].astype(str).tolist()
    if name in CHINESE:
        assert table[CHINESE[name]].tolist() == reference[CHINESE[name]].tolist()
    if extension == "csv":  # points as lon, lat; lines and areas as WKT
        assert list(table.columns[-2:]) == ["lon", "lat"] if LAYERS[name].geometry == "Point" else table.columns[-1] == "wkt"


@pytest.mark.parametrize("extension", ["gpkg", "shp.zip", "csv"])
def test_crs_4549_gives_the_metric_original(client, served, extension, tmp_path):
    response = fetch(client, f"{PREFIX}/layers/streetlights.{extension}?crs=4549")
    table = open_export(response, "streetlights", extension, tmp_path)
    metric = served["streetlights"].to_crs(4549)
    if extension == "csv":
        x, y = table["x"], table["y"]
    else:
        assert table.crs.to_epsg() == 4549
        x, y = table.geometry.x, table.geometry.y
    assert (x - metric.geometry.x).abs().max() < 0.01 and (y - metric.geometry.y).abs().max() < 0.01
    assert 600_000 < x.min() < 700_000  # metres, not degrees


def test_the_shapefile_zip_of_a_layer(client, tmp_path):
    response = fetch(client, f"{PREFIX}/layers/streetlights.shp.zip?crs=EPSG:4549")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == sorted(
        [f"streetlights{part}" for part in (".shp", ".shx", ".dbf", ".prj", ".cpg")] + ["README.txt", "fields.csv"])
    assert archive.read("streetlights.cpg").strip() == b"UTF-8"
    assert "EPSG:4549" in archive.read("README.txt").decode("utf-8")
    dbf = archive.read("streetlights.dbf")
    assert b"installed\x00\x00D" in dbf  # a DBF date field, not text
    lamps = open_export(response, "streetlights", "shp.zip", tmp_path)
    assert lamps["installed"].dt.year.between(2005, 2022).all()


def test_refusals(client):
    missing = client.get(f"{PREFIX}/layers/rivers.gpkg")
    assert missing.status_code == 404 and "rivers" in missing.get_json()["message"]
    wrong = client.get(f"{PREFIX}/layers/roads.csv?crs=3857")
    assert wrong.status_code == 400 and "4549" in wrong.get_json()["fields"]["crs"]
    geojson = client.get(f"{PREFIX}/layers/roads.geojson?crs=4549")
    assert geojson.status_code == 400 and "RFC 7946" in geojson.get_json()["fields"]["crs"]
    assert client.get(f"{PREFIX}/layers/roads.geojson?crs=4326").status_code == 200
    unknown = client.get(f"{PREFIX}/layers/roads.gpkg?format=zip")
    assert unknown.status_code == 400 and "format" in unknown.get_json()["fields"]
