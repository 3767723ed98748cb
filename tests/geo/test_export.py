"""geo/export*: a table written as GeoPackage, zipped Shapefile, GeoJSON and CSV, and read back as any GIS would."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely import LineString, Point, Polygon

from geo.export import FORMATS
from geo.export_table import ExportTable, csv_frame, layer_table
from geo.schema import LAYERS
from geo.shapefile_names import ABBREVIATIONS, shapefile_names
from geo.shapefile_zip import TEXT_MAX_BYTES, MixedGeometry, shapefile_zip
from geo.validation import validate_layer
from tests.geo.synthetic import layers

HOSTILE = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
LONG = "弄堂口垃圾" * 60  # 300 characters, 900 bytes


def points() -> ExportTable:
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "title": ["黄家路55弄路灯不亮", HOSTILE, SCRIPT],
            "description": [LONG, "短", None],
            "category_name_zh": ["路灯照明", "环境卫生", "环境卫生"],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "accuracy": [4.5, None, 12.0],
            "urgent": pd.array([True, False, None], dtype="boolean"),
            "due": pd.Series([dt.date(2024, 5, 1), None, dt.date(2025, 1, 31)], dtype=object),
            "reported_at": pd.to_datetime(["2024-05-01T02:30:00Z", "2024-05-02T16:00:00Z", "2024-05-03T00:00:00Z"],
                                          utc=True).tz_convert("Asia/Shanghai"),
        },
        geometry=[Point(121.4935123, 31.22), Point(121.494, 31.221), Point(121.495, 31.2215)],
        crs="EPSG:4326",
    )
    return ExportTable("issues", frame, "Point")


def read_zip(data: bytes, tmp_path, name: str = "export.zip") -> zipfile.ZipFile:
    path = tmp_path / name
    path.write_bytes(data)
    return zipfile.ZipFile(path)


# --- field names --------------------------------------------------------------------------------


def test_shapefile_names_are_short_unique_and_stable():
    columns = ["id", "category_name_zh", "category_name_en", "category_name_zh_x", "location_accuracy_m", "ID_2",
               "abcdefghijkl", "abcdefghijxx", "名称很长很长的字段"]
    names = shapefile_names(columns)
    assert names == shapefile_names(columns)  # stable
    assert list(names) == columns
    assert all(len(n.encode("utf-8")) <= 10 for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(columns)  # unique, as DBF readers compare them
    assert names["id"] == "id" and names["category_name_zh"] == "cat_name"
    assert names["location_accuracy_m"] == "loc_acc_m"
    assert names["abcdefghijkl"] == "abcdefghij" and names["abcdefghijxx"] == "abcdefgh_2"
    assert names["category_name_en"] == "cat_nm_en" and names["category_name_zh_x"] == "category_n"
    assert names["名称很长很长的字段"] == "名称很"  # 9 bytes: cut on a character boundary


def test_the_abbreviations_fit():
    assert all(len(short) <= 10 for short in ABBREVIATIONS.values())
    assert len(set(ABBREVIATIONS.values())) == len(ABBREVIATIONS)


# --- zipped Shapefile ---------------------------------------------------------------------------


def test_shapefile_zip_reads_back_as_utf8_without_being_told(tmp_path):
    archive = read_zip(shapefile_zip(points()), tmp_path)
    assert sorted(archive.namelist()) == sorted(
        ["issues.shp", "issues.shx", "issues.dbf", "issues.prj", "issues.cpg", "fields.csv", "README.txt"]
    )
    assert archive.read("issues.cpg").decode().strip() == "UTF-8"
    assert "GEOGCS" in archive.read("issues.prj").decode()
    back = gpd.read_file(f"/vsizip/{tmp_path / 'export.zip'}/issues.shp", engine="pyogrio")  # no encoding given
    assert back.crs.to_epsg() == 4326 and len(back) == 3
    assert back["title"].tolist() == ["黄家路55弄路灯不亮", HOSTILE, SCRIPT]
    assert back["cat_name"].tolist() == ["路灯照明", "环境卫生", "环境卫生"]
    assert back.geometry.x.round(7).tolist() == [121.4935123, 121.494, 121.495]


def test_shapefile_fields_have_their_types_dates_as_dates_times_as_iso_text(tmp_path):
    read_zip(shapefile_zip(points()), tmp_path)
    info = pyogrio.read_info(f"/vsizip/{tmp_path / 'export.zip'}/issues.shp")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["due"] == "OFTDate"
    assert types["count"] in ("OFTInteger", "OFTInteger64") and types["accuracy"] == "OFTReal"
    assert types["reported"] == "OFTString"
    back = gpd.read_file(f"/vsizip/{tmp_path / 'export.zip'}/issues.shp", engine="pyogrio")
    assert back["due"].dt.date.tolist()[0] == dt.date(2024, 5, 1) and pd.isna(back["due"][1])
    assert back["reported"].tolist()[0] == "2024-05-01T10:30:00+08:00"
    assert back["urgent"].tolist()[:2] == [True, False]


def test_long_text_is_cut_at_254_bytes_on_a_character_boundary_and_the_readme_says_so(tmp_path):
    archive = read_zip(shapefile_zip(points()), tmp_path)
    back = gpd.read_file(f"/vsizip/{tmp_path / 'export.zip'}/issues.shp", engine="pyogrio")
    cut = back["descr"][0]
    assert len(cut.encode("utf-8")) <= TEXT_MAX_BYTES and LONG.startswith(cut) and len(cut) == 84  # 252 bytes
    readme = archive.read("README.txt").decode("utf-8")
    assert "254 bytes" in readme and "description (1 value)" in readme and "UTF-8" in readme
    mapping = list(csv.DictReader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    assert {row["column"]: row["field"] for row in mapping}["description"] == "descr"
    assert {row["column"]: row["type"] for row in mapping}["due"] == "date"


def test_mixed_geometry_is_split_into_one_shapefile_per_kind_always_all_three(tmp_path):
    frame = gpd.GeoDataFrame(
        {"id": ["p", "l", "a", "a2"], "name": ["点", "线", "面", "多面"]},
        geometry=[
            Point(121.49, 31.22),
            LineString([(121.49, 31.22), (121.491, 31.221)]),
            Polygon([(121.49, 31.22), (121.491, 31.22), (121.491, 31.221)]),
            Polygon([(121.492, 31.22), (121.493, 31.22), (121.493, 31.221)]),
        ],
        crs="EPSG:4326",
    )
    read_zip(shapefile_zip(ExportTable("projects", frame, None)), tmp_path)  # as export.zip
    for stem, names in (("projects_points", ["点"]), ("projects_lines", ["线"]), ("projects_polygons", ["面", "多面"])):
        back = gpd.read_file(f"/vsizip/{tmp_path / 'export.zip'}/{stem}.shp", engine="pyogrio")
        assert back["name"].tolist() == names
    points_only = read_zip(shapefile_zip(ExportTable("projects", frame.iloc[:1], None)), tmp_path, "one.zip")
    assert {n for n in points_only.namelist() if n.endswith(".shp")} == {
        "projects_points.shp", "projects_lines.shp", "projects_polygons.shp"}
    assert len(gpd.read_file(f"/vsizip/{tmp_path / 'one.zip'}/projects_lines.shp", engine="pyogrio")) == 0


def test_a_layer_of_one_kind_holding_another_is_refused():
    table = points()
    table.frame.loc[1, "geometry"] = LineString([(121.49, 31.22), (121.491, 31.221)])
    with pytest.raises(MixedGeometry, match="Point features only, but some are LineString"):
        shapefile_zip(table)


def test_an_empty_table_is_still_a_shapefile_of_its_kind(tmp_path):
    table = points()
    empty = ExportTable("issues", table.frame.iloc[:0], "Point")
    read_zip(shapefile_zip(empty), tmp_path)
    info = pyogrio.read_info(f"/vsizip/{tmp_path / 'export.zip'}/issues.shp")
    assert info["features"] == 0 and info["geometry_type"] == "Point"


# --- the other formats --------------------------------------------------------------------------


def test_gpkg_keeps_types_times_in_utc_and_the_whole_text(tmp_path):
    path = tmp_path / "issues.gpkg"
    path.write_bytes(FORMATS["gpkg"].write(points()))
    info = pyogrio.read_info(path, layer="issues")
    assert dict(zip(info["fields"], info["ogr_types"]))["due"] == "OFTDate"
    back = gpd.read_file(path, layer="issues", engine="pyogrio")
    assert back.crs.to_epsg() == 4326 and back["description"][0] == LONG
    assert back["reported_at"][0] == pd.Timestamp("2024-05-01T02:30:00Z")


def test_geojson_is_wgs84_with_ids_and_no_markup():
    data = FORMATS["geojson"].write(points())
    assert b"<" not in data and b">" not in data
    collection = json.loads(data)
    first = collection["features"][0]
    assert first["id"] == "a" and first["geometry"] == {"type": "Point", "coordinates": [121.4935123, 31.22]}
    assert first["properties"]["due"] == "2024-05-01" and first["properties"]["urgent"] is True
    assert first["properties"]["reported_at"] == "2024-05-01T10:30:00+08:00"
    assert collection["features"][2]["properties"]["title"] == SCRIPT
    with pytest.raises(ValueError, match="RFC 7946"):
        FORMATS["geojson"].write(points().in_crs("EPSG:4549"))


def test_csv_defuses_formulas_and_writes_points_as_lon_lat_or_x_y():
    data = FORMATS["csv"].write(points())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1]["title"] == "'" + HOSTILE and rows[2]["title"] == SCRIPT
    assert (rows[0]["lon"], rows[0]["lat"], rows[0]["due"], rows[1]["due"]) == ("121.4935123", "31.22", "2024-05-01", "")
    metric = csv_frame(points().in_crs("EPSG:4549"))
    assert list(metric.columns[-2:]) == ["x", "y"] and metric["x"].round(3).equals(metric["x"])


def test_csv_of_lines_and_areas_has_wkt():
    table = layer_table(validate_layer(layers()["roads"], LAYERS["roads"])[0], LAYERS["roads"]).in_crs(4326)
    frame = csv_frame(table)
    assert frame.columns[-1] == "wkt" and frame["wkt"][0].startswith("LINESTRING (121.")


def test_a_base_layer_round_trips_through_every_format_in_both_crs(tmp_path):
    schema = LAYERS["streetlights"]
    table = layer_table(validate_layer(layers()["streetlights"], schema)[0], schema)
    for crs in (4326, 4549):
        for extension, fmt in FORMATS.items():
            if not fmt.any_crs and crs != 4326:
                continue
            data = fmt.write(table.in_crs(crs))
            if extension == "csv":
                assert len(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")) == 2
                continue
            if extension == "xlsx":
                rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].values)
                assert len(rows) == 3 and rows[0][0] == "编号"
                continue
            path = tmp_path / f"lamps-{crs}.{extension}"
            path.write_bytes(data)
            back = gpd.read_file(f"/vsizip/{path}/streetlights.shp" if extension == "shp.zip" else path,
                                 engine="pyogrio")
            assert back.crs.to_epsg() == crs and len(back) == 2, (crs, extension)
            assert back["installed"].dt.strftime("%Y-%m-%d").tolist() == ["2020-05-01", "2020-05-01"]
            again, report = validate_layer(back, schema)
            assert report.ok, (crs, extension, report.errors)


# --- RFC 7946 -----------------------------------------------------------------------------------


def test_geojson_polygons_are_wound_as_rfc7946_says_whatever_they_came_as():
    from geo.geojson import geometry_json

    clockwise = Polygon([(0, 0), (0, 10), (10, 10), (10, 0)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
    assert clockwise.exterior.is_ccw is False and clockwise.interiors[0].is_ccw is True
    for given in (clockwise, clockwise.__geo_interface__):
        written = shapely.geometry.shape(geometry_json(given))
        assert written.exterior.is_ccw and not written.interiors[0].is_ccw
        assert written.equals(clockwise)
    repeated = Polygon([(0, 0), (1, 0), (1, 0), (1, 1), (0, 0)])
    assert geometry_json(repeated)["coordinates"] == [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]
    assert geometry_json(Point(1, 2)) == {"type": "Point", "coordinates": [1.0, 2.0]}
    assert geometry_json(None) is None and geometry_json(Polygon()) is None


def test_the_geojson_export_winds_polygons_as_rfc7946_says(tmp_path):
    schema = LAYERS["buildings"]
    table = layer_table(validate_layer(layers()["buildings"], schema)[0], schema).in_crs(4326)
    for feature in json.loads(FORMATS["geojson"].write(table))["features"]:
        ring = shapely.geometry.shape(feature["geometry"])
        for polygon in getattr(ring, "geoms", [ring]):
            assert polygon.exterior.is_ccw and not any(hole.is_ccw for hole in polygon.interiors)


# --- works areas --------------------------------------------------------------------------------


def test_a_line_or_point_becomes_its_works_corridor_and_an_area_stays_itself():
    from geo.works_area import WORKS_HALF_WIDTH_M, works_areas

    metric = gpd.GeoSeries([LineString([(642200, 3456100), (642260, 3456100)]), Point(642300, 3456200),
                            Polygon([(642100, 3456000), (642150, 3456000), (642150, 3456050)]), None], crs=4549)
    areas = works_areas(metric.to_crs(4326))
    assert list(areas.geom_type[:3]) == ["MultiPolygon"] * 3 and areas.iloc[3] is None
    assert areas.is_valid[:3].all()
    back = areas.to_crs(4549)
    assert back.iloc[0].area == pytest.approx(60 * 2 * WORKS_HALF_WIDTH_M + 3.14 * WORKS_HALF_WIDTH_M ** 2, rel=0.03)
    assert back.iloc[1].area == pytest.approx(3.1416 * WORKS_HALF_WIDTH_M ** 2, rel=0.03)
    assert back.iloc[2].area == pytest.approx(1250, rel=1e-6)
    rounded_again = shapely.transform(areas.iloc[0], lambda xy: xy.round(7))
    assert rounded_again.is_valid  # snapped to the published precision already


# --- one declaration, typed everywhere ----------------------------------------------------------


def _records_table() -> ExportTable:
    from geo.record_fields import RecordField
    from geo.record_table import typed_frame

    fields = (RecordField("id", "str", "编号", "ID", role="id"), RecordField("done", "bool", "完成", "Done"),
              RecordField("due", "date", "期限", "Due"), RecordField("at", "datetime", "时间", "At"),
              RecordField("n", "int", "数", "N"))
    raw = pd.DataFrame({"id": ["a", "b"], "done": [True, None], "due": [None, None],
                        "at": ["2021-03-29T20:29:00+08:00", None], "n": [1, None]})
    frame = typed_frame(raw, fields, "Asia/Shanghai")
    points = gpd.GeoDataFrame(frame, geometry=[Point(121.49, 31.22)] * 2, crs=4326)
    return ExportTable("records", points, "Point", fields=fields)


def test_declared_types_reach_the_geopackage_even_for_an_empty_column(tmp_path):
    import sqlite3

    path = tmp_path / "records.gpkg"
    path.write_bytes(FORMATS["gpkg"].write(_records_table()))
    info = pyogrio.read_info(path)
    assert dict(zip(info["fields"], info["dtypes"])) == {
        "id": "object", "done": "bool", "due": "datetime64[D]", "at": "datetime64[ms]", "n": "int64"}
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT at, due FROM records ORDER BY fid").fetchall() == [
            ("2021-03-29T12:29:00.000Z", None), (None, None)]
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10300  # GeoPackage 1.3


def test_shapefile_yes_no_fields_are_integers(tmp_path):
    path = tmp_path / "records.zip"
    path.write_bytes(shapefile_zip(_records_table()))
    info = pyogrio.read_info(f"/vsizip/{path}/records.shp")
    types = dict(zip(info["fields"], info["dtypes"]))
    assert types["done"].startswith("int") and types["due"] == "datetime64[D]"
    back = gpd.read_file(f"/vsizip/{path}/records.shp", engine="pyogrio")
    assert back["done"].tolist()[0] == 1 and pd.isna(back["done"].tolist()[1])
    readme = zipfile.ZipFile(path).read("README.txt").decode("utf-8")
    assert "1 = yes, 0 = no" in readme
