"""Checking untrusted input field by field, so the caller can show every problem at once.

Checks that need geography (inside the neighbourhood? which building?) are
the caller's, done with geo/ before create_issue.
"""
from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from store.errors import ValidationError
from store.timestamps import as_utc, utcnow
from store.vocabulary import LocationSource, Priority, Source

T = TypeVar("T")

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
COMMENT_MAX = 5000
NAME_MAX = 100  # reporter, assignee, actor
ADDRESS_MAX = 300
FEATURE_ID_MAX = 64  # building_id, compound_id
LOCATION_NOTE_MAX = 500
LOCATION_ACCURACY_MAX_M = 10000.0
# A phone's clock may run a little fast; anything later than this is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)


class Invalid(Exception):
    """One field's problem; FieldErrors files it under the field's name."""


class FieldErrors:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, name: str, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return parse(*args, **kwargs)
        except Invalid as problem:
            self.errors.setdefault(name, str(problem))
            return None

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def text(value: Any, *, max_length: int, required: bool = False) -> str | None:
    """Stripped text; blank counts as absent."""
    if value is None:
        if required:
            raise Invalid("required")
        return None
    if not isinstance(value, str):
        raise Invalid("must be text")
    value = value.strip()
    if not value:
        if required:
            raise Invalid("required")
        return None
    if len(value) > max_length:
        raise Invalid(f"too long: {len(value)} characters, at most {max_length}")
    return value


def number(value: Any, *, minimum: float, maximum: float) -> float:
    if isinstance(value, bool) or value is None:
        raise Invalid("must be a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise Invalid("must be a number") from None
    if not isinstance(value, (int, float)):
        raise Invalid("must be a number")
    value = float(value)
    if not math.isfinite(value):
        raise Invalid("must be a finite number")
    if not minimum <= value <= maximum:
        raise Invalid(f"must be between {minimum:g} and {maximum:g}")
    return value


def longitude(value: Any) -> float:
    return number(value, minimum=-180.0, maximum=180.0)


def latitude(value: Any) -> float:
    return number(value, minimum=-90.0, maximum=90.0)


def bounding_box(value: Sequence[float] | str) -> tuple[float, float, float, float]:
    """minlon, minlat, maxlon, maxlat (EPSG:4326) from four numbers or their comma-separated text."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    if len(parts) != 4:
        raise Invalid("must be four numbers: minlon,minlat,maxlon,maxlat")
    try:
        minlon, maxlon = longitude(parts[0]), longitude(parts[2])
        minlat, maxlat = latitude(parts[1]), latitude(parts[3])
    except Invalid as problem:
        raise Invalid(f"minlon,minlat,maxlon,maxlat: {problem}") from None
    if minlon > maxlon or minlat > maxlat:
        raise Invalid("minimum greater than maximum")
    return minlon, minlat, maxlon, maxlat


def choice(value: Any, allowed: type[StrEnum]) -> str:
    if value is None:
        raise Invalid("required")
    if not isinstance(value, str) or value not in allowed._value2member_map_:
        options = ", ".join(member.value for member in allowed)
        raise Invalid(f"unknown value {value!r}; expected one of {options}")
    return allowed(value).value


def public_id(value: Any) -> str:
    """Any UUID spelling, normalised to the 36-character lower-case form."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise Invalid("must be a UUID string")
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise Invalid(f"not a UUID: {value!r}") from None


def instant(value: Any, *, not_in_future: bool = False) -> datetime:
    """An aware UTC datetime from a datetime or ISO 8601 text; without an offset it is Shanghai time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"not an ISO 8601 date-time: {value!r}") from None
    if not isinstance(value, datetime):
        raise Invalid("must be a date-time")
    value = as_utc(value)
    if not_in_future and value > utcnow() + FUTURE_TOLERANCE:
        raise Invalid("is in the future")
    return value


def calendar_date(value: Any) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"not a date (YYYY-MM-DD): {value!r}") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid("must be a date (YYYY-MM-DD)")
    return value


def date_or_instant(value: Any) -> date | datetime:
    """`2024-05-01` stays a calendar day; anything with a time is an instant."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        return calendar_date(value)
    return instant(value)


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def point_geometry(value: Any) -> tuple[float, float]:
    if not isinstance(value, Mapping) or value.get("type") != "Point":
        raise Invalid('must be a GeoJSON Point: {"type": "Point", "coordinates": [lon, lat]}')
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, (list, tuple)) or len(coordinates) not in (2, 3):
        raise Invalid("coordinates must be [lon, lat]")
    try:
        return longitude(coordinates[0]), latitude(coordinates[1])
    except Invalid as problem:
        raise Invalid(f"coordinates: {problem}") from None


@dataclass(frozen=True)
class NewIssue:
    """A checked submission, ready for create_issue. Times are aware UTC."""

    category: str
    title: str
    lon: float
    lat: float
    source: str
    description: str = ""
    public_id: str | None = None  # chosen by the client so a retried submission is stored once
    priority: str = Priority.NORMAL.value
    reported_at: datetime | None = None  # None: when it is stored
    reporter: str | None = None
    assignee: str | None = None
    due_date: date | None = None
    building_id: str | None = None
    compound_id: str | None = None
    address: str | None = None
    is_typical_case: bool = False
    location_note: str | None = None
    location_source: str | None = None
    location_accuracy_m: float | None = None  # the radius GPS reported


NEW_ISSUE_FIELDS = frozenset(NewIssue.__dataclass_fields__) | {"geometry"}


def validate_new_issue(payload: Any, categories: Collection[str] | None = None) -> NewIssue:
    """Clean values from a submitted dict, or ValidationError naming each bad field.

    Location: `lon` and `lat`, or a GeoJSON Point `geometry`. With `categories`
    (e.g. the ids from list_categories) the category is checked against them;
    create_issue checks it against the database in any case.
    """
    if not isinstance(payload, Mapping):
        raise ValidationError({"payload": "must be an object"})
    errors = FieldErrors()
    for name in payload:
        if name not in NEW_ISSUE_FIELDS:
            errors.add(str(name), "unknown field")

    category = errors.check("category", text, payload.get("category"), max_length=40, required=True)
    if category is not None and categories is not None and category not in categories:
        errors.add("category", f"unknown category {category!r}")

    lon = lat = None
    if payload.get("geometry") is not None:
        if payload.get("lon") is not None or payload.get("lat") is not None:
            errors.add("geometry", "give either geometry or lon and lat, not both")
        else:
            lon, lat = errors.check("geometry", point_geometry, payload["geometry"]) or (None, None)
    else:
        lon = errors.check("lon", longitude, payload.get("lon"))
        lat = errors.check("lat", latitude, payload.get("lat"))

    def optional(name: str, parse: Callable[..., T], *args: Any, default: T | None = None, **kwargs: Any):
        if payload.get(name) is None:
            return default
        return errors.check(name, parse, payload[name], *args, **kwargs)

    values = dict(
        category=category,
        title=errors.check("title", text, payload.get("title"), max_length=TITLE_MAX, required=True),
        lon=lon,
        lat=lat,
        source=errors.check("source", choice, payload.get("source"), Source),
        description=optional("description", text, max_length=DESCRIPTION_MAX) or "",
        public_id=optional("public_id", public_id),
        priority=optional("priority", choice, Priority, default=Priority.NORMAL.value),
        reported_at=optional("reported_at", instant, not_in_future=True),
        reporter=optional("reporter", text, max_length=NAME_MAX),
        assignee=optional("assignee", text, max_length=NAME_MAX),
        due_date=optional("due_date", calendar_date),
        building_id=optional("building_id", text, max_length=FEATURE_ID_MAX),
        compound_id=optional("compound_id", text, max_length=FEATURE_ID_MAX),
        address=optional("address", text, max_length=ADDRESS_MAX),
        is_typical_case=optional("is_typical_case", flag, default=False),
        location_note=optional("location_note", text, max_length=LOCATION_NOTE_MAX),
        location_source=optional("location_source", choice, LocationSource),
        location_accuracy_m=optional("location_accuracy_m", number, minimum=0.0, maximum=LOCATION_ACCURACY_MAX_M),
    )
    errors.raise_if_any()
    return NewIssue(**values)
