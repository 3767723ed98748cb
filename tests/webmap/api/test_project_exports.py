"""GET /api/v1/projects.gpkg, .shp.zip, .geojson, .csv, .xlsx: the project list's filters, every project an area
(a line or point project its works corridor, its own geometry kept as WKT), on both backends."""
from __future__ import annotations

import csv
import io
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.works_area import WORKS_HALF_WIDTH_M
from store.project_exports import COLUMNS
from tests.webmap.api.helpers import building_point
from tests.webmap.api.export_helpers import download_names, record_project

PREFIX = "/api/v1"


@pytest.fixture()
def projects(api):
    area = record_project(api, name="黄家路55弄美丽家园", description="=cmd|' /C calc'!A0")
    lamps = record_project(api, name="黄家路55弄路灯实事工程", kind="lighting_works", compounds=None, lanes=[64, 65],
                           planned_start="2027-03-01", planned_end="2027-06-30", budget=None)
    where = list(building_point("黄家路55弄3号")[:2])
    lamp = record_project(api, name="一盏灯", kind="lighting_works", compounds=None, planned_start="2027-04-01",
                          planned_end=None, geometry={"type": "Point", "coordinates": where})
    return {"area": area, "lines": lamps, "point": lamp}


def read(api, tmp_path, extension: str, query: str = "", stem: str | None = None) -> gpd.GeoDataFrame:
    response = api.get(f"{PREFIX}/projects.{extension}{query}")
    assert response.status_code == 200, response.get_json()
    path = tmp_path / f"projects.{extension}"
    path.write_bytes(response.get_data())
    return gpd.read_file(f"/vsizip/{path}/{stem}.shp" if stem else path, engine="pyogrio")


def test_every_format_holds_every_project_with_its_derived_counts(api, projects, tmp_path):
    expected = {p["id"]: p["properties"]["households_affected"] for p in projects.values()}
    assert expected[projects["area"]["id"]] == 230

    for extension in ("gpkg", "geojson"):
        table = read(api, tmp_path, extension)
        assert table.crs.to_epsg() == 4326 and len(table) == 3, extension
        assert dict(zip(table["id"], table["households_affected"])) == expected
        assert set(table["name"]) == {"黄家路55弄美丽家园", "黄家路55弄路灯实事工程", "一盏灯"}
        assert set(table.geom_type) == {"MultiPolygon"}, extension  # one kind: QGIS draws them all
        kinds = dict(zip(table["id"], table["works_kind"]))
        assert (kinds[projects["area"]["id"]], kinds[projects["point"]["id"]]) == ("Polygon", "Point")
        assert kinds[projects["lines"]["id"]] in ("LineString", "MultiLineString")

    shapes = read(api, tmp_path, "shp.zip", stem="projects")
    assert len(shapes) == 3 and shapes.crs.to_epsg() == 4326 and set(shapes.geom_type) <= {"Polygon", "MultiPolygon"}
    by_name = shapes.set_index("name")
    area = by_name.loc["黄家路55弄美丽家园"]
    assert (area["households"], area["kind_name"], area["works_kind"]) == (230, "美丽家园", "Polygon")
    assert shapes["plan_start"].dt.strftime("%Y-%m-%d")[shapes["name"] == "黄家路55弄美丽家园"].item() == "2019-06-01"
    assert pd.isna(by_name.loc["黄家路55弄路灯实事工程", "budget"])
    assert "works_geom" not in shapes.columns and "works_geometry_wkt" not in shapes.columns

    response = api.get(f"{PREFIX}/projects.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download_names(response)[1].startswith("金坛路居民区-项目-")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [*COLUMNS, "wkt"]
    by_id = {row["id"]: row for row in rows}
    area = by_id[projects["area"]["id"]]
    assert (area["planned_start"], area["planned_end"], area["budget"]) == ("2019-06-01", "2020-08-31", "2450000.0")
    assert area["description"].startswith("'=cmd|")  # defused for spreadsheets
    assert area["wkt"].startswith("MULTIPOLYGON (((121.") and area["created_at"].endswith("+08:00")
    assert all(row["wkt"].startswith("MULTIPOLYGON") for row in rows)  # every row the same kind
    point = by_id[projects["point"]["id"]]
    assert point["works_kind"] == "Point" and point["works_geometry_wkt"].startswith("POINT (121.")


def test_a_line_or_point_project_is_its_works_corridor_and_keeps_its_own_geometry(api, projects):
    features = {f["id"]: f for f in api.get(f"{PREFIX}/projects.geojson").get_json()["features"]}
    for key in ("lines", "point"):
        own = shapely.geometry.shape(projects[key]["geometry"])
        exported = features[projects[key]["id"]]
        corridor = shapely.geometry.shape(exported["geometry"])
        assert corridor.geom_type == "MultiPolygon" and corridor.is_valid
        assert shapely.from_wkt(exported["properties"]["works_geometry_wkt"]).equals_exact(own, 1e-7)
        assert corridor.buffer(1e-7).contains(own)
        corridor_m, own_m = gpd.GeoSeries([corridor, own], crs=4326).to_crs(4549)
        vertices = shapely.points(shapely.get_coordinates(corridor_m.boundary))
        assert (abs(shapely.distance(vertices, own_m) - WORKS_HALF_WIDTH_M) < 0.05).all(), key  # 3 m each side
    area = features[projects["area"]["id"]]
    assert shapely.geometry.shape(area["geometry"]).equals(shapely.geometry.shape(projects["area"]["geometry"]))


def test_the_api_keeps_the_stored_geometry(api, projects):
    for project in projects.values():
        assert api.get(f"{PREFIX}/projects/{project['id']}").get_json()["geometry"]["type"] == project["geometry"]["type"]
    assert projects["point"]["geometry"]["type"] == "Point"


def test_the_list_filters_apply(api, projects, tmp_path):
    def ids(query: str) -> set[str]:
        return {f["id"] for f in api.get(f"{PREFIX}/projects.geojson{query}").get_json()["features"]}

    assert ids("?kind=lighting_works") == {projects["lines"]["id"], projects["point"]["id"]}
    assert ids("?year=2019") == {projects["area"]["id"]}
    assert ids("?status=completed") == set()
    x, y, _ = building_point("黄家路55弄3号")
    assert projects["point"]["id"] in ids(f"?bbox={x - 0.0001},{y - 0.0001},{x + 0.0001},{y + 0.0001}")
    bad = api.get(f"{PREFIX}/projects.shp.zip?kind=castle&limit=5")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"kind", "limit"}


def test_an_empty_export_is_still_every_file(api, tmp_path):
    response = api.get(f"{PREFIX}/projects.shp.zip")
    names = set(zipfile.ZipFile(io.BytesIO(response.get_data())).namelist())
    assert {"projects.shp", "projects.dbf", "README.txt", "fields.csv"} <= names
    assert api.get(f"{PREFIX}/projects.geojson").get_json()["features"] == []
    assert api.get(f"{PREFIX}/projects.csv").get_data().decode("utf-8-sig").strip() == ",".join([*COLUMNS, "wkt"])
    assert len(read(api, tmp_path, "gpkg")) == 0


def test_too_many_projects_are_refused_not_cut(api, projects, monkeypatch):
    import store.exports

    monkeypatch.setattr(store.exports, "EXPORT_MAX_ROWS", 2)
    response = api.get(f"{PREFIX}/projects.csv")
    assert response.status_code == 400 and "3 projects match" in response.get_json()["fields"]["filters"]


@pytest.mark.parametrize("path", ["/projects.csv", "/issues.shp.zip", "/layers/roads.gpkg"])
def test_exports_are_reads_open_to_visitors_only_with_anonymous_view(api_app, anonymous, path):
    assert anonymous.get(PREFIX + path).status_code == 200
    api_app.config["ANONYMOUS_VIEW"] = False
    assert anonymous.get(PREFIX + path).status_code == 401
