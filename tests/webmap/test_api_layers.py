"""GET /api/v1/layers and /api/v1/layers/{name}."""
from __future__ import annotations

import pytest

from geo.schema import LAYERS


def test_lists_every_base_layer_with_counts(client, app):
    body = client.get("/api/v1/layers").get_json()
    names = [entry["name"] for entry in body["layers"]]
    assert names == list(LAYERS)
    layers = app.extensions["base_layers"].layers
    for entry in body["layers"]:
        assert entry["feature_count"] == len(layers[entry["name"]]) > 0
        assert entry["crs"] == "EPSG:4326"
        assert entry["href"] == f"/api/v1/layers/{entry['name']}"
    assert {e["name"]: e["title"] for e in body["layers"]}["lanes"] == "弄堂"
    assert {e["name"]: e["title_en"] for e in body["layers"]}["lanes"] == "Lanes"


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_is_geojson_in_wgs84(client, name):
    response = client.get(f"/api/v1/layers/{name}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    ids = [f["id"] for f in collection["features"]]
    assert len(ids) == len(set(ids)) > 0
    fields = {f.name for f in LAYERS[name].fields if f.required}
    for feature in collection["features"]:
        assert fields <= set(feature["properties"])
        lon, lat = _first_position(feature["geometry"]["coordinates"])
        assert 121.48 < lon < 121.50 and 31.21 < lat < 31.23


def test_dates_and_chinese_text_survive(client):
    lamps = client.get("/api/v1/layers/streetlights").get_json()["features"]
    assert all(len(f["properties"]["installed"]) == 10 for f in lamps)
    buildings = client.get("/api/v1/layers/buildings").get_data(as_text=True)
    assert "黄家路55弄3号" in buildings


def test_unknown_layer_is_a_json_404_naming_it(client):
    response = client.get("/api/v1/layers/parks")
    assert response.status_code == 404
    assert "parks" in response.get_json()["message"]


def test_layers_are_cacheable(client):
    first = client.get("/api/v1/layers/boundary")
    assert first.headers["ETag"]
    again = client.get("/api/v1/layers/boundary", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def _first_position(coordinates):
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates


def test_only_the_features_standing_today_are_served(tmp_path):
    """A lamp removed before today and one not yet installed are hidden; the lighting analyses still see them."""
    import datetime as dt

    import pandas as pd

    from geo.in_service import today
    from tests.conftest import copy_dataset, make_app, rewrite_layer

    data_dir = copy_dataset(tmp_path / "data")

    def date_two(gdf):
        gdf["removed"] = pd.to_datetime(gdf["removed"])
        gdf.loc[gdf["id"] == "L001", "removed"] = pd.Timestamp("2021-03-01")
        gdf.loc[gdf["id"] == "L002", "installed"] = pd.Timestamp(today() + dt.timedelta(days=30))
        return gdf

    rewrite_layer(data_dir, "streetlights", date_two)
    app = make_app(DATA_DIR=str(data_dir))
    client = app.test_client()
    served = {f["id"] for f in client.get("/api/v1/layers/streetlights").get_json()["features"]}
    assert "L001" not in served and "L002" not in served and "L003" in served
    assert len(served) == 243
    listed = {e["name"]: e["feature_count"] for e in client.get("/api/v1/layers").get_json()["layers"]}
    assert listed["streetlights"] == 243
    page = client.get("/").get_data(as_text=True)
    assert '"L003"' in page and '"L001"' not in page
    assert len(app.extensions["base_layers"].layers_over_time["streetlights"]) == 245
    early = client.get("/api/v1/lighting/gaps?area=all&as_of=2020-01-01").get_json()
    assert "L001" in {f["id"] for f in early["features"] if f["properties"]["kind"] == "lamp"}
