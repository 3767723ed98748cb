"""A table of records with the columns their field declarations (geo.record_fields) name, each of its type."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.export_values import is_missing
from geo.record_fields import RecordField


def _date(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def typed_column(values: pd.Series, kind: str, zone: str | dt.tzinfo) -> pd.Series:
    """int and bool as nullable integers and booleans, float as float64, date as datetime.date objects,
    datetime as time-zone aware instants in `zone`, anything else as text objects (None where missing)."""
    if kind == "int":
        return values.astype("Int64")
    if kind == "float":
        return pd.to_numeric(values, errors="raise").astype("float64")
    if kind == "bool":
        return values.astype("boolean")
    if kind == "date":
        return pd.Series([_date(v) for v in values], index=values.index, dtype=object)
    if kind == "datetime":
        return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_convert(zone)
    return pd.Series([None if is_missing(v) else str(v) for v in values], index=values.index, dtype=object)


def typed_frame(table: pd.DataFrame, fields: Sequence[RecordField], zone: str | dt.tzinfo) -> pd.DataFrame:
    """Exactly the declared columns, in their order, each of its declared type."""
    return pd.DataFrame({f.name: typed_column(table[f.name], f.type, zone) for f in fields}, index=table.index)
