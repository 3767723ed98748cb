"""Base-layer features that works add or take away: which stood on a given day.

A feature with `installed` and `removed` dates (either may be empty: there
since before records began, still there) is in service on day d when
installed <= d < removed. Layers without those fields never change.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # the neighbourhood's day


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


def in_service(features: gpd.GeoDataFrame, as_of: date | None = None) -> gpd.GeoDataFrame:
    """The features standing on `as_of` (default: today in Shanghai)."""
    day = pd.Timestamp(as_of or today())
    keep = pd.Series(True, index=features.index)
    if "installed" in features:
        installed = pd.to_datetime(features["installed"])
        keep &= installed.isna() | (installed <= day)
    if "removed" in features:
        removed = pd.to_datetime(features["removed"])
        keep &= removed.isna() | (day < removed)
    return features[keep.to_numpy()]
