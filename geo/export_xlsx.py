"""A table as an Excel workbook (.xlsx) that Excel, WPS and LibreOffice open as it is (openpyxl).

Headers are the fields' Chinese labels; dates and times are real date cells (times in Shanghai local time, as
spreadsheets know no time zones); text is always a text cell, so text that looks like a formula stays text
(never a formula, and without the CSV's defusing quote); the header row is frozen and columns are as wide as
their content. Geometry as in the CSV: lon, lat for points, WKT for anything else. A second sheet, 字段, names
each column's field and type.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.export_table import ExportTable, csv_frame
from geo.export_values import is_missing

LOCAL_ZONE = "Asia/Shanghai"  # the neighbourhood's time: what a clerk reads a time in
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH = 60  # characters; longer text wraps in the cell instead of widening the column
MIN_WIDTH = 6
GEOMETRY_LABELS = {"lon": ("经度", "float"), "lat": ("纬度", "float"), "x": ("X（米）", "float"),
                   "y": ("Y（米）", "float"), "wkt": ("几何（WKT）", "str")}
TYPE_WORDS = {"str": "文本 text", "int": "整数 integer", "float": "数字 number", "bool": "是/否 yes/no",
              "date": "日期 date", "datetime": "时间 datetime (上海时间 Shanghai time)"}


def _width(value: Any) -> int:
    """Display width in character cells: Chinese characters take two."""
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _local(moment: pd.Timestamp | dt.datetime) -> dt.datetime:
    moment = pd.Timestamp(moment)
    if moment.tzinfo is not None:
        moment = moment.tz_convert(LOCAL_ZONE).tz_localize(None)
    return moment.to_pydatetime()


def _cell(sheet, value: Any) -> WriteOnlyCell:
    if is_missing(value):
        return WriteOnlyCell(sheet, None)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        cell = WriteOnlyCell(sheet, _local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return WriteOnlyCell(sheet, value)
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))
    cell.data_type = "s"  # text, even when it starts with "=": a spreadsheet never runs it
    return cell


def xlsx_bytes(table: ExportTable) -> bytes:
    frame = csv_frame(table)
    declared = {f.name: f for f in table.fields}
    labels = [declared[c].zh if c in declared else GEOMETRY_LABELS.get(c, (c,))[0] for c in frame.columns]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.freeze_panes = "A2"
    rows = list(frame.itertuples(index=False, name=None))
    for i, (label, column) in enumerate(zip(labels, frame.columns), start=1):
        widest = max([_width(label)] + [_width(_shown(row[i - 1])) for row in rows[:2000]])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])

    fields = book.create_sheet("字段")
    fields.append(["列名 column", "字段 field", "类型 type"])
    for label, column in zip(labels, frame.columns):
        kind = declared[column].type if column in declared else GEOMETRY_LABELS.get(column, ("", "str"))[1]
        fields.append([label, column, TYPE_WORDS.get(kind, kind)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shown(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return "2020-01-01 00:00:00"
    return str(value)
