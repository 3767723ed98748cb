"""GDAL's OAPIF driver (through pyogrio), as QGIS uses it, reads every /ogcapi collection from a live server."""
from __future__ import annotations

import math

import pandas as pd
import pyogrio
import pytest
import shapely
from pyogrio.errors import DataSourceError

from geo.schema import LAYERS
from store.models import Issue, Project
from tests.accounts import token
from tests.live_server import ServerProcess

COLLECTIONS = [*LAYERS, "issues", "projects"]
GEOMETRY_TYPES = {"Polygon": "Polygon", "LineString": "LineString", "Point": "Point"}


@pytest.fixture(scope="module")
def service(demo_app):
    with ServerProcess(DATABASE_URL=demo_app.config["DATABASE_URL"]) as server:
        yield f"OAPIF:{server.url}/ogcapi"


@pytest.fixture(scope="module")
def stored(demo_app):
    """What the store holds: each issue's title and each project's name, by public id."""
    with demo_app.extensions["store"].sessions() as s:
        return {
            "issues": {i.public_id: i.title for i in s.query(Issue)},
            "projects": {p.public_id: p.name for p in s.query(Project)},
        }


def test_gdal_has_the_driver():
    assert "OAPIF" in pyogrio.list_drivers()


def test_every_collection_is_listed_with_its_geometry_type(service):
    listed = dict(pyogrio.list_layers(service))
    assert list(listed) == COLLECTIONS
    for name, schema in LAYERS.items():
        assert listed[name] == GEOMETRY_TYPES[schema.geometry]
    assert listed["issues"] == "Point"


def _text(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else value


@pytest.mark.parametrize("name", list(LAYERS))
def test_each_base_layer_reads_whole_with_its_text_intact(service, demo_app, name):
    source = demo_app.extensions["base_layers"].layers[name]
    read = pyogrio.read_dataframe(service, layer=name)
    assert len(read) == len(source) > 0
    assert read.crs.to_epsg() == 4326
    schema = LAYERS[name]
    assert sorted(map(str, read["id"])) == sorted(map(str, source[schema.id_field]))
    by_id = read.set_index(read["id"].astype(str))
    expected = source.set_index(source[schema.id_field].astype(str))
    for field in (f.name for f in schema.fields if f.type == "str" and f.name != schema.id_field):
        assert {k: _text(v) for k, v in by_id[field].items()} == {k: _text(v) for k, v in expected[field].items()}, field
    distance = shapely.hausdorff_distance(by_id.geometry.sort_index().values, expected.geometry.sort_index().values)
    assert distance.max() < 1e-6  # rounded to 1e-7 degrees on the way


def test_chinese_names_arrive_as_written(service):
    buildings = pyogrio.read_dataframe(service, layer="buildings").set_index("id")
    assert buildings.loc["B001", "address"] == "中华路609号"
    facilities = pyogrio.read_dataframe(service, layer="facilities").set_index("id")
    assert facilities.loc["F01", "name"] == "金坛路居民区居委会"


def test_issues_and_projects_read_whole(service, stored):
    issues = pyogrio.read_dataframe(service, layer="issues")
    assert dict(zip(issues["id"], issues["title"])) == stored["issues"]
    assert len(stored["issues"]) > 100
    assert str(issues["reported_at"].dtype).startswith("datetime64")
    projects = pyogrio.read_dataframe(service, layer="projects")
    assert dict(zip(projects["id"], projects["name"])) == stored["projects"]


@pytest.mark.parametrize("name", ["streetlights", "issues"])
def test_small_pages_are_walked_by_their_next_links(service, demo_app, stored, name):
    whole = pyogrio.read_dataframe(service, layer=name)
    paged = pyogrio.read_dataframe(service, layer=name, PAGE_SIZE=50)
    assert len(whole) > 150 and list(paged["id"]) == list(whole["id"])


def test_a_bbox_is_asked_of_the_server(service, demo_app):
    box = (121.4925, 31.2205, 121.4945, 31.2225)
    read = pyogrio.read_dataframe(service, layer="buildings", bbox=box)
    source = demo_app.extensions["base_layers"].layers["buildings"]
    inside = source[source.intersects(shapely.box(*box))]
    assert 0 < len(read) < len(source)
    assert sorted(read["id"]) == sorted(inside["id"])


def test_the_feature_count_comes_from_the_server(service, demo_app):
    info = pyogrio.read_info(service, layer="lanes", force_feature_count=True)
    assert info["features"] == len(demo_app.extensions["base_layers"].layers["lanes"])


def test_where_signing_in_is_needed_gdal_reads_with_an_api_token(demo_app):
    secret = token(demo_app, "viewer")
    with ServerProcess(DATABASE_URL=demo_app.config["DATABASE_URL"], ANONYMOUS_VIEW=False) as server:
        service = f"OAPIF:{server.url}/ogcapi"
        with pytest.raises(DataSourceError):
            pyogrio.list_layers(service)
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": secret})
        try:
            assert len(pyogrio.read_dataframe(service, layer="compounds")) == len(
                demo_app.extensions["base_layers"].layers["compounds"])
        finally:
            pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None})
