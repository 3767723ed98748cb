"""What an items request asks for: `bbox`, `datetime`, `limit` and `offset` read as OGC API - Features Core says;
`after`, the position a next link of the issues carries.

The values come as text from the web adapter; each problem is filed under its
parameter's name (store.validation.FieldErrors) for one 400 naming them all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from store.feature_queries import Box, Moment
from store.filters import LIMIT_MAX
from store.timestamps import local_day_end, local_day_start
from store.validation import FieldErrors, Invalid, date_or_instant
from webmap.api.query import read
from webmap.api.time_range import OUT_OF_RANGE, out_of_range

ITEM_PARAMETERS = ("bbox", "datetime", "limit", "offset", "after")
DEFAULT_LIMIT = 100
MAX_LIMIT = LIMIT_MAX  # a larger limit is served as this one, as the standard asks
MAX_OFFSET = 2**31 - 1
OPEN = ("", "..")  # an open end of an interval


@dataclass(frozen=True)
class ItemQuery:
    boxes: tuple[Box, ...] = ()  # none: anywhere; two: one box across the antimeridian
    start: Moment = None  # both None: any time; a date is a whole day in Shanghai time
    end: Moment = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after: str | None = None  # a position a next link gave (store.issue_pages), checked by the collection

    @property
    def timed(self) -> bool:
        return self.start is not None or self.end is not None


def _coordinate(text: str, minimum: float, maximum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise Invalid("numbers must be finite")
    if not minimum <= value <= maximum:
        raise Invalid(f"{value:g} is outside {minimum:g}…{maximum:g}")
    return value


def bounding_boxes(text: str) -> tuple[Box, ...]:
    """Four numbers (CRS84: minlon,minlat,maxlon,maxlat) or six (with heights, which 2D features ignore)."""
    parts = text.split(",")
    if len(parts) == 6:
        bottom, top = (_coordinate(parts[i], -math.inf, math.inf) for i in (2, 5))
        if bottom > top:
            raise Invalid("the bottom height is above the top")
        parts = [parts[0], parts[1], parts[3], parts[4]]
    elif len(parts) != 4:
        raise Invalid("must be four numbers, minlon,minlat,maxlon,maxlat (CRS84), or six with heights")
    minlon, maxlon = (_coordinate(parts[i], -180, 180) for i in (0, 2))
    minlat, maxlat = (_coordinate(parts[i], -90, 90) for i in (1, 3))
    if minlat > maxlat:
        raise Invalid("the minimum latitude is greater than the maximum")
    if minlon > maxlon:  # the box spans the antimeridian
        return (minlon, minlat, 180.0, maxlat), (-180.0, minlat, maxlon, maxlat)
    return ((minlon, minlat, maxlon, maxlat),)


def _moment(text: str) -> Moment:
    if out_of_range(text):
        raise Invalid(f"{text!r} is {OUT_OF_RANGE}")
    try:
        return date_or_instant(text)
    except Invalid:
        raise Invalid(f"{text!r} is not an RFC 3339 date-time (or a date)") from None


def _span(moment: date | datetime) -> tuple[datetime, datetime]:
    """The first and last instant of a moment: a date lasts its whole day in Shanghai."""
    if isinstance(moment, datetime):
        return moment, moment
    return local_day_start(moment), local_day_end(moment) - timedelta(microseconds=1)


def period(text: str) -> tuple[Moment, Moment]:
    """An instant or a date (start = end), or an interval `start/end` with `..` or nothing for an open end."""
    if "/" not in text:
        moment = _moment(text.strip())
        return moment, moment
    ends = text.split("/")
    if len(ends) != 2:
        raise Invalid("must be one date-time or an interval start/end")
    start, end = (None if part.strip() in OPEN else _moment(part.strip()) for part in ends)
    if start is None and end is None:
        raise Invalid("an interval needs at least one end; leave datetime out for any time")
    if start is not None and end is not None and _span(start)[0] > _span(end)[1]:
        raise Invalid("the interval ends before it starts")
    return start, end


def _digits(text: str) -> str:
    """A whole number's significant digits ("" for zero), never turned into an int of any length."""
    if not (text.isascii() and text.isdigit()):
        raise Invalid("must be a whole number")
    return text.lstrip("0")


def _limit(text: str) -> int:
    """At least 1; more than MAX_LIMIT is served as MAX_LIMIT, as the standard prefers to an error."""
    digits = _digits(text)
    if not digits:
        raise Invalid("must be at least 1")
    return MAX_LIMIT if len(digits) > len(str(MAX_LIMIT)) else min(int(digits), MAX_LIMIT)


def _offset(text: str) -> int:
    digits = _digits(text)
    if len(digits) > len(str(MAX_OFFSET)) or int(digits or 0) > MAX_OFFSET:
        raise Invalid(f"must be at most {MAX_OFFSET}")
    return int(digits or 0)


def item_query(values: dict[str, str], errors: FieldErrors) -> ItemQuery:
    """The items query in `values` (text by name); problems filed in `errors`, defaults for what is bad or absent."""
    boxes = read(values, errors, "bbox", bounding_boxes, default=())
    start, end = read(values, errors, "datetime", period) or (None, None)
    limit = read(values, errors, "limit", _limit, default=DEFAULT_LIMIT)
    offset = read(values, errors, "offset", _offset, default=0)
    return ItemQuery(boxes or (), start, end, limit or DEFAULT_LIMIT, offset or 0, values.get("after") or None)
