"""Shapefile field names for a table's columns: at most 10 characters (the DBF limit), unique, always the same.

A name of at most 10 characters is kept; a longer one known below gets its
abbreviation; any other is cut to 10 characters. A name already taken (DBF
readers compare them without case) ends in _2, _3, … instead. Names are given
in column order, so the same columns always get the same names.
"""
from __future__ import annotations

from collections.abc import Iterable

MAX_BYTES = 10

# Readable abbreviations for the long column names of the issue and project exports.
ABBREVIATIONS = {
    "category_name_zh": "cat_name",
    "category_name_en": "cat_nm_en",
    "rejection_reason": "reject_rsn",
    "location_flagged": "loc_flag",
    "typical_case": "typical",
    "description": "descr",
    "reported_at": "reported",
    "resolved_at": "resolved",
    "location_source": "loc_source",
    "location_accuracy_m": "loc_acc_m",
    "photo_count": "photos",
    "kind_name_zh": "kind_name",
    "kind_name_en": "kind_nm_en",
    "planned_start": "plan_start",
    "planned_end": "plan_end",
    "actual_start": "act_start",
    "actual_end": "act_end",
    "households_affected": "households",
    "linked_issues": "linked",
}


def _cut(name: str, limit: int) -> str:
    """The longest start of `name` of at most `limit` UTF-8 bytes."""
    encoded = name.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def shapefile_names(columns: Iterable[str]) -> dict[str, str]:
    """Column -> its shapefile field name."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        wanted = column if len(column.encode("utf-8")) <= MAX_BYTES else ABBREVIATIONS.get(column, column)
        name = _cut(wanted, MAX_BYTES)
        n = 1
        while name.lower() in taken:
            n += 1
            suffix = f"_{n}"
            name = _cut(wanted, MAX_BYTES - len(suffix)) + suffix
        taken.add(name.lower())
        names[column] = name
    return names
