"""Dates and times too near year 1 or 9999 to shift between Shanghai time and UTC, caught before the store overflows."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from store.timestamps import local_day_end, local_day_start
from store.validation import Invalid, date_or_instant

OUT_OF_RANGE = "out of range"


def out_of_range(value: Any) -> bool:
    """Whether `value` (as a since, until or reported_at) reads as a time that cannot be computed with.

    A value that does not read at all is not out of range: the store names that problem.
    """
    try:
        moment = date_or_instant(value)
        if not isinstance(moment, datetime):
            local_day_start(moment)
            local_day_end(moment)
    except Invalid:
        return False
    except OverflowError:
        return True
    return False
