"""Rows of issues (store.issue_pages.ROW_COLUMNS) as /ogcapi features: the fields of geo.record_fields.ISSUE_FIELDS
with exactly the values the .geojson export gives them (store.exports, geo.record_table), without its table.

Coordinates are rounded as the export rounds them (numpy, to geo.crs.DISPLAY_DECIMALS); times are ISO 8601 in
Shanghai time, dates YYYY-MM-DD; unknown values null, as every export of the record has them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from geo.crs import DISPLAY_DECIMALS
from geo.record_fields import ISSUE_FIELDS
from store.models import Category
from store.timestamps import LOCAL_TZ
from store.vocabulary import ACCURACY_FLAG_M

# The order of the properties is the declaration's.
FIELD_NAMES = tuple(f.name for f in ISSUE_FIELDS)


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).isoformat()


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def issue_features(rows: Sequence[Any], categories: Mapping[str, Category], photo_counts: Mapping[int, int]
                   ) -> list[dict[str, Any]]:
    """Each row as a Feature (id = the issue's public id), in the rows' order."""
    if not rows:
        return []
    lons = np.round(np.array([row.lon for row in rows], dtype="float64"), DISPLAY_DECIMALS).tolist()
    lats = np.round(np.array([row.lat for row in rows], dtype="float64"), DISPLAY_DECIMALS).tolist()
    features = []
    # Unpacked by position (ROW_COLUMNS' order), which is several times quicker than by name; the text columns
    # come from the database as str or None already.
    for (id_, public_id, category_id, title, description, status, rejection_reason, priority, source, address,
         building, compound, _, _, reported_at, resolved_at, updated_at, due_date, assignee, typical, location_source,
         accuracy), lon, lat in zip(rows, lons, lats):
        category = categories[category_id]
        if accuracy is not None:
            accuracy = float(accuracy)
        values = (
            public_id, category_id, category.name_zh, category.name_en, title, description, status,
            rejection_reason, priority, source, address, building, compound, lon, lat, location_source, accuracy,
            accuracy is not None and accuracy > ACCURACY_FLAG_M, _instant(reported_at), _instant(resolved_at),
            _instant(updated_at), _day(due_date), assignee, None if typical is None else bool(typical),
            photo_counts.get(id_, 0),
        )
        features.append({
            "type": "Feature",
            "id": public_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": dict(zip(FIELD_NAMES, values)),
        })
    return features
