"""A table as CSV bytes that Excel opens as they are: UTF-8 with a BOM, formulas defused, times ISO 8601."""
from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from geo.export_values import plain

BOM = "\ufeff"  # makes Excel read the file as UTF-8, so Chinese shows correctly
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Blank for missing, text with a formula start defused by a leading quote; numbers stay numbers."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """Every column but the geometry, in order (RFC 4180: CRLF line ends, quotes where needed)."""
    geometry = table.geometry.name if hasattr(table, "geometry") else None
    columns = [c for c in table.columns if c != geometry]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in table[columns].itertuples(index=False, name=None):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue().encode("utf-8")
