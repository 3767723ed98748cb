"""GET /api/v1/issues.xlsx, /projects.xlsx, /layers/{name}.xlsx: workbooks a clerk opens in Excel or WPS as they are:
Chinese headers, real date and time cells in Shanghai time, a frozen header row, widths to fit, text kept as text."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import shapely

from geo.record_fields import ISSUE_FIELDS, PROJECT_FIELDS, layer_fields
from geo.schema import LAYERS
from tests.webmap.api.export_helpers import download_names, record_project
from tests.webmap.api.helpers import report

PREFIX = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def workbook(client, path: str) -> openpyxl.Workbook:
    response = client.get(PREFIX + path)
    assert response.status_code == 200, response.get_json(silent=True)
    assert response.mimetype == XLSX
    name, full_name = download_names(response)
    assert name.endswith(".xlsx") and full_name.startswith("金坛路居民区-") and full_name.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def rows_by_header(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_issues_workbook(api):
    hostile = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    planted = report(api, title=hostile, description="+1 居民反映", location_source="gps", location_accuracy_m=45)
    book = workbook(api, "/issues.xlsx")
    sheet = book["issues"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == [f.zh for f in ISSUE_FIELDS]  # the issue's own lon, lat are among them
    assert all(cell.font.b for cell in next(sheet.iter_rows(max_row=1)))
    [row] = rows_by_header(sheet)
    title = row["标题"]
    assert title.value == hostile and title.data_type == "s"  # text, never a formula, and no quote put before it
    assert row["描述"].value == "+1 居民反映" and row["描述"].data_type == "s"
    reported = row["上报时间"]
    assert isinstance(reported.value, dt.datetime) and reported.value.tzinfo is None and reported.is_date
    instant = dt.datetime.fromisoformat(planted["properties"]["reported_at"])
    wall_clock = instant.astimezone(SHANGHAI).replace(tzinfo=None)  # Shanghai time, as a clerk reads it
    assert abs(reported.value - wall_clock) < dt.timedelta(milliseconds=1)  # a spreadsheet keeps milliseconds
    assert reported.number_format == "yyyy-mm-dd hh:mm:ss"
    assert (row["经度"].value, row["纬度"].value) == tuple(planted["geometry"]["coordinates"])
    assert row["定位精度（米）"].value == 45 and row["定位精度不足"].value is True and row["照片数"].value == 0
    assert row["类别"].value == "环境卫生" and row["解决时间"].value is None
    widths = {letter: sheet.column_dimensions[letter].width for letter in ("A", "E")}
    assert widths["A"] >= 36 and 6 <= widths["E"] <= 60  # the UUID fits; long text wraps rather than widens
    legend = {r[1]: r[2] for r in book["字段"].iter_rows(min_row=2, values_only=True)}
    assert legend["reported_at"].startswith("时间") and legend["photo_count"].startswith("整数")


def test_projects_workbook_has_dates_and_the_area_as_wkt(api):
    record_project(api, name="黄家路55弄美丽家园", description="=cmd|' /C calc'!A0")
    sheet = workbook(api, "/projects.xlsx")["projects"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == [*(f.zh for f in PROJECT_FIELDS), "几何（WKT）"]
    [row] = rows_by_header(sheet)
    assert row["计划开工"].value == dt.datetime(2019, 6, 1) and row["计划开工"].number_format == "yyyy-mm-dd"
    assert row["说明"].value == "=cmd|' /C calc'!A0" and row["说明"].data_type == "s"
    assert row["预算（元）"].value == 2450000 and row["受影响户数"].value == 230
    assert shapely.from_wkt(row["几何（WKT）"].value).geom_type == "MultiPolygon"
    assert row["施工范围原类型"].value == "Polygon"


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_has_a_workbook(api, app, name):
    sheet = workbook(api, f"/layers/{name}.xlsx")[name]
    rows = list(sheet.iter_rows(values_only=True))
    fields = layer_fields(LAYERS[name])
    geometry = ["经度", "纬度"] if LAYERS[name].geometry == "Point" else ["几何（WKT）"]
    assert list(rows[0]) == [*(f.zh for f in fields), *geometry]
    assert len(rows) - 1 == len(app.extensions["base_layers"].layers[name])
    if name == "streetlights":
        installed = [r[[f.name for f in fields].index("installed")] for r in rows[1:]]
        assert all(isinstance(v, dt.datetime) or v is None for v in installed) and any(installed)
    if name == "buildings":
        assert "中华路609号" in [r[1] for r in rows[1:]]


def test_a_layer_workbook_in_metres_says_x_and_y(api):
    rows = list(workbook(api, "/layers/streetlights.xlsx?crs=4549")["streetlights"].iter_rows(values_only=True))
    assert rows[0][-2:] == ("X（米）", "Y（米）") and rows[1][-2] > 100000
