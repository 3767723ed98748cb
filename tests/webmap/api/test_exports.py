"""GET /api/v1/issues.csv, .geojson, .gpkg: the list's filters, no paging, files Excel and QGIS open as they are."""
from __future__ import annotations

import csv
import io

import geopandas as gpd
import pandas as pd
import pytest

import store.exports
from store.exports import COLUMNS
from tests.webmap.api.helpers import building_point, report


@pytest.fixture()
def planted(api):
    lon, lat, _ = building_point("黄家路55弄3号")
    return [
        report(api, title="=HYPERLINK(\"http://evil.example\",\"点我\")", description="+1 居民反映", lon=lon, lat=lat),
        report(api, title="-2 楼道灯坏了", description="@SUM(A1:A9)", category="lighting"),
        report(api, title="弄堂口垃圾堆放", description="多行\n描述，含逗号, 和\"引号\""),
    ]


def test_csv_has_a_bom_chinese_intact_and_formulas_defused(api, planted):
    response = api.get("/api/v1/issues.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.csv"')
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 3
    by_id = {row["id"]: row for row in rows}
    hyperlink, lamp, rubbish = (by_id[feature["id"]] for feature in planted)
    assert hyperlink["title"] == "'=HYPERLINK(\"http://evil.example\",\"点我\")"
    assert hyperlink["description"] == "'+1 居民反映"
    assert lamp["title"] == "'-2 楼道灯坏了" and lamp["description"] == "'@SUM(A1:A9)"
    assert rubbish["title"] == "弄堂口垃圾堆放" and rubbish["description"] == "多行\n描述，含逗号, 和\"引号\""
    assert (hyperlink["category_name_zh"], hyperlink["address"], hyperlink["compound"]) == ("环境卫生", "黄家路55弄3号", "hjl55")
    assert lamp["category_name_zh"] == "路灯照明" and lamp["address"] == ""
    assert rubbish["reported_at"].endswith("+08:00") and rubbish["resolved_at"] == ""
    assert float(rubbish["lon"]) == planted[2]["geometry"]["coordinates"][0]


def test_exports_honour_the_list_filters_and_sort(api, planted):
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/issues.csv?category=lighting").get_data().decode("utf-8-sig"))))
    assert [row["id"] for row in rows] == [planted[1]["id"]]
    oldest_first = api.get("/api/v1/issues.geojson?sort=reported_at").get_json()
    assert [f["id"] for f in oldest_first["features"]] == [f["id"] for f in planted]
    bad = api.get("/api/v1/issues.gpkg?category=parking-lots&limit=5")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"category", "limit"}


def test_geojson_export(api, planted):
    response = api.get("/api/v1/issues.geojson?q=垃圾")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    collection = response.get_json()
    [feature] = collection["features"]
    assert feature["id"] == planted[2]["id"]
    assert feature["geometry"] == planted[2]["geometry"]
    assert feature["properties"]["title"] == "弄堂口垃圾堆放"
    assert list(feature["properties"]) == list(COLUMNS)


def test_geopackage_opens_in_geopandas_with_every_issue_in_wgs84(api, planted, tmp_path):
    response = api.get("/api/v1/issues.gpkg")
    assert response.status_code == 200 and response.mimetype == "application/geopackage+sqlite3"
    assert response.headers["Content-Disposition"].endswith('.gpkg"')
    path = tmp_path / "issues.gpkg"
    path.write_bytes(response.get_data())
    issues = gpd.read_file(path, layer="issues", engine="pyogrio")
    assert len(issues) == 3
    assert issues.crs.to_epsg() == 4326
    # A data file, not a spreadsheet: the text is kept exactly.
    assert set(issues["title"]) == {feature["properties"]["title"] for feature in planted}
    assert issues.geometry.x.round(7).tolist() == issues["lon"].tolist()
    reported = {f["id"]: f["properties"]["reported_at"] for f in planted}
    for issue_id, when in zip(issues["id"], issues["reported_at"]):
        assert when.tzinfo is not None and abs(when - pd.Timestamp(reported[issue_id])) < pd.Timedelta(milliseconds=1)


def test_an_empty_export_is_still_a_file(api):
    data = api.get("/api/v1/issues.csv").get_data().decode("utf-8-sig")
    assert data.strip() == ",".join(COLUMNS)
    path_ok = api.get("/api/v1/issues.gpkg")
    assert path_ok.status_code == 200 and len(path_ok.get_data()) > 0
    assert api.get("/api/v1/issues.geojson").get_json()["features"] == []


def test_too_many_rows_are_refused_not_cut(api, planted, monkeypatch):
    monkeypatch.setattr(store.exports, "EXPORT_MAX_ROWS", 2)
    response = api.get("/api/v1/issues.csv")
    assert response.status_code == 400
    assert "3 issues match" in response.get_json()["fields"]["filters"]
