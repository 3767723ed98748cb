"""One exported value as plain Python: missing as None, dates and times as ISO 8601 text, numpy scalars unwrapped."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def plain(value: Any) -> Any:
    """None, str, int, float, bool, or ISO 8601 text: a date as YYYY-MM-DD, a time with its offset."""
    if is_missing(value):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):  # datetime and Timestamp are dates too
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def is_date_column(values: pd.Series) -> bool:
    """Calendar dates are kept as datetime.date objects (not datetimes), so every writer can tell them from times."""
    present = values.dropna()
    return (
        values.dtype == object
        and not present.empty
        and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present)
    )
