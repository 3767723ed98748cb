"""GET /api/v1/projects.gpkg, .shp.zip, .geojson, .csv: the project list's filters, geometry as stored, on both backends."""
from __future__ import annotations

import csv
import io
import zipfile

import geopandas as gpd
import pytest

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
        assert set(table.geom_type) >= {"Polygon", "Point"}

    shapes = {stem: read(api, tmp_path, "shp.zip", stem=stem)
              for stem in ("projects_points", "projects_lines", "projects_polygons")}
    assert [len(shapes[s]) for s in ("projects_points", "projects_lines", "projects_polygons")] == [1, 1, 1]
    assert all(t.crs.to_epsg() == 4326 for t in shapes.values())
    polygons = shapes["projects_polygons"]
    assert (polygons["name"][0], polygons["households"][0], polygons["kind_name"][0]) == ("黄家路55弄美丽家园", 230, "美丽家园")
    assert polygons["plan_start"].dt.strftime("%Y-%m-%d")[0] == "2019-06-01"
    assert shapes["projects_lines"]["budget"].isna().all()

    response = api.get(f"{PREFIX}/projects.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download_names(response)[1].startswith("金坛路居民区-项目-")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [*COLUMNS, "wkt"]
    by_id = {row["id"]: row for row in rows}
    area = by_id[projects["area"]["id"]]
    assert (area["planned_start"], area["planned_end"], area["budget"]) == ("2019-06-01", "2020-08-31", "2450000.0")
    assert area["description"].startswith("'=cmd|")  # defused for spreadsheets
    assert area["wkt"].startswith("POLYGON ((121.") and area["created_at"].endswith("+08:00")
    assert by_id[projects["point"]["id"]]["wkt"].startswith("POINT (121.")


def test_the_geometry_is_the_stored_one(api, projects):
    features = {f["id"]: f for f in api.get(f"{PREFIX}/projects.geojson").get_json()["features"]}
    for project in projects.values():
        assert features[project["id"]]["geometry"] == project["geometry"]
        assert features[project["id"]]["properties"]["name"] == project["properties"]["name"]


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
    assert {"projects_points.shp", "projects_lines.shp", "projects_polygons.shp", "README.txt"} <= names
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
