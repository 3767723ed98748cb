"""The validated base layers, loaded once when the app starts and kept in memory.

Features that works add or take away (streetlights, facilities) carry installed/removed dates:
`layers` are the layers as they stand today (Shanghai), what the maps, /api/v1/layers and every other
page show; `layers_over_time` keep every feature, for analyses as of another day (geo.in_service).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from functools import cached_property

import geopandas as gpd
from flask import Flask, current_app

from geo.crs import rounded
from geo.dataset import Dataset, load_dataset
from geo.in_service import in_service, today
from geo.geojson import geometry_json
from geo.locate import Locator
from geo.schema import LAYERS, LayerSchema


class _Today:
    """The layers as they stand on one day, and what is made from them."""

    def __init__(self, day: dt.date, every: dict[str, gpd.GeoDataFrame]):
        self.day = day
        self.layers = {name: in_service(gdf, day) if _dated(gdf) else gdf for name, gdf in every.items()}
        self.pages: dict[tuple, str] = {}

    @cached_property
    def geojson(self) -> dict[str, bytes]:
        return {name: _to_geojson(self.layers[name], schema) for name, schema in LAYERS.items()}

    @cached_property
    def etags(self) -> dict[str, str]:
        return {name: hashlib.sha1(body).hexdigest() for name, body in self.geojson.items()}


def _dated(gdf: gpd.GeoDataFrame) -> bool:
    return "installed" in gdf or "removed" in gdf


class BaseLayers:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self._today: _Today | None = None
        self._lock = threading.Lock()

    def _standing(self) -> _Today:
        day = today()
        current = self._today
        if current is None or current.day != day:
            with self._lock:
                if self._today is None or self._today.day != day:
                    self._today = _Today(day, self.dataset.layers)
                current = self._today
        return current

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers as they stand today: no feature installed later or removed by now."""
        return self._standing().layers

    @property
    def layers_over_time(self) -> dict[str, gpd.GeoDataFrame]:
        """Every feature, with its installed/removed dates, for analyses as of any day."""
        return self.dataset.layers

    @property
    def geojson(self) -> dict[str, bytes]:
        """Each layer as it stands today as GeoJSON bytes in EPSG:4326, feature id = the layer's id field."""
        return self._standing().geojson

    def encoded(self, name: str) -> tuple[bytes, str]:
        """A layer's GeoJSON bytes as `geojson` has them, and their ETag, both made once a day, not per request."""
        standing = self._standing()
        return standing.geojson[name], standing.etags[name]

    @cached_property
    def locator(self) -> Locator:
        return Locator(self.layers["boundary"], self.layers["buildings"], self.layers["compounds"])

    def page(self, key: tuple, render) -> str:
        """A rendered map page, made once a day per key (language, tiles): the layers change only with the day."""
        pages = self._standing().pages
        if key not in pages:
            pages[key] = render()
        return pages[key]


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _to_geojson(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> bytes:
    gdf = rounded(gdf)
    for field in schema.fields:
        if field.type == "date" and field.name in gdf:
            gdf[field.name] = gdf[field.name].dt.strftime("%Y-%m-%d")
    collection = gdf.to_geo_dict(drop_id=True, na="null")
    for feature, geom in zip(collection["features"], gdf.geometry.to_numpy()):
        feature["id"] = feature["properties"]["id"]
        feature["geometry"] = geometry_json(geom)  # RFC 7946: polygons wound right
    return json.dumps(collection, ensure_ascii=False, default=_json_value).encode("utf-8")


def init_app(app: Flask) -> None:
    app.extensions["base_layers"] = BaseLayers(load_dataset(app.config["DATA_DIR"]))


def base_layers() -> BaseLayers:
    return current_app.extensions["base_layers"]
