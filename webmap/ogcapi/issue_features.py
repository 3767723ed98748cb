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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def issue_features(rows: Sequence[Any], categories: Mapping[str, Category], photo_counts: Mapping[int, int]
                   ) -> list[dict[str, Any]]:
    """Each row as a Feature (id = the issue's public id), in the rows' order."""
    if not rows:
        return []
    lons = np.round(np.array([row.lon for row in rows], dtype="float64"), DISPLAY_DECIMALS).tolist()
    lats = np.round(np.array([row.lat for row in rows], dtype="float64"), DISPLAY_DECIMALS).tolist()
    features = []
    for row, lon, lat in zip(rows, lons, lats):
        category = categories[row.category_id]
        accuracy = None if row.location_accuracy_m is None else float(row.location_accuracy_m)
        typical = row.is_typical_case
        values = (
            _text(row.public_id), _text(row.category_id), category.name_zh, category.name_en, _text(row.title),
            _text(row.description), _text(row.status), _text(row.rejection_reason), _text(row.priority),
            _text(row.source), _text(row.address), _text(row.building_id), _text(row.compound_id), lon, lat,
            _text(row.location_source), accuracy, accuracy is not None and accuracy > ACCURACY_FLAG_M,
            _instant(row.reported_at), _instant(row.resolved_at), _instant(row.updated_at), _day(row.due_date),
            _text(row.assignee), None if typical is None else bool(typical), photo_counts.get(row.id, 0),
        )
        features.append({
            "type": "Feature",
            "id": values[0],
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": dict(zip(FIELD_NAMES, values)),
        })
    return features
