"""What every collection of /ogcapi is: a provider of GeoJSON features in CRS84, paged and filtered by an ItemQuery."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from geo.record_fields import RecordField
from store.feature_queries import Extent
from webmap.ogcapi.query import ItemQuery

Feature = dict[str, Any]


@dataclass(frozen=True)
class Page:
    features: list[Feature]
    matched: int
    # Collections paged by position (Collection.positioned): whether features follow, and the position of the
    # page's last feature that the next link carries (`after`).
    more: bool | None = None  # None: offset + features < matched tells
    next_after: str | None = None


class Collection(ABC):
    id: str
    title: Any  # a lazy translated string
    description: Any
    # The property the datetime parameter filters on (None: the features have no time and always match).
    temporal: str | None = None
    # The properties an HTML table of the items shows, after the feature id.
    columns: tuple[str, ...] = ()
    # Labels for coded values, by property: what HTML pages show instead of the code.
    labels: dict[str, dict] = {}
    # The features' properties, declared once (geo.record_fields): the schema and queryables are made of them.
    fields: tuple[RecordField, ...] = ()
    # The JSON Schema format of the features' geometry (OGC API - Features Part 5).
    geometry_format: str = "geometry-any"
    # Whether `after` (a position from a next link) is understood, besides offset.
    positioned: bool = False

    @abstractmethod
    def extent(self) -> Extent: ...

    @abstractmethod
    def items(self, query: ItemQuery, lang: str) -> Page: ...

    @abstractmethod
    def item(self, feature_id: str, lang: str) -> Feature | None: ...
