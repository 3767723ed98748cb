"""The validated base layers, loaded once when the app starts and kept in memory."""
from __future__ import annotations

import datetime as dt
import json
from functools import cached_property

import geopandas as gpd
from flask import Flask, current_app

from geo.crs import rounded
from geo.dataset import Dataset, load_dataset
from geo.geojson import geometry_json
from geo.locate import Locator
from geo.schema import LAYERS, LayerSchema


class BaseLayers:
    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self._pages: dict[tuple, str] = {}

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        return self.dataset.layers

    @cached_property
    def geojson(self) -> dict[str, bytes]:
        """Each layer as GeoJSON bytes in EPSG:4326 (RFC 7946), feature id = the layer's id field."""
        return {name: _to_geojson(self.layers[name], schema) for name, schema in LAYERS.items()}

    @cached_property
    def locator(self) -> Locator:
        return Locator(self.layers["boundary"], self.layers["buildings"], self.layers["compounds"])

    def page(self, key: tuple, render) -> str:
        """A rendered map page, made once per key (language, tiles): the layers never change."""
        if key not in self._pages:
            self._pages[key] = render()
        return self._pages[key]


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
