"""A base layer as an /ogcapi collection: its GeoJSON (webmap.base_layers) read once into features, sliced per request."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l

from geo.record_fields import layer_fields
from geo.schema import LayerSchema
from store.feature_queries import Extent
from webmap.i18n import VALUE_LABELS
from webmap.ogcapi.collection import Collection, Feature, Page
from webmap.ogcapi.query import ItemQuery

DESCRIPTIONS = {
    "boundary": _l("金坛路居民区的边界"),
    "compounds": _l("居民区内的小区：旧里、售后公房、商品房等"),
    "buildings": _l("建筑：地址、所属小区、类型、层数、户数、建成年份、是否保护"),
    "roads": _l("周边道路的中心线和宽度"),
    "lanes": _l("弄堂的中心线和宽度"),
    "streetlights": _l("路灯：高度、功率、灯具、状态、安装日期"),
    "facilities": _l("公共设施：居委会、口袋公园、服务站、垃圾箱房等"),
}


# A layer of one kind holds its Multi* too (geo.schema).
GEOMETRY_FORMATS = {"Point": "geometry-point-or-multipoint", "LineString": "geometry-linestring-or-multilinestring",
                    "Polygon": "geometry-polygon-or-multipolygon"}


class BaseLayerCollection(Collection):
    def __init__(self, schema: LayerSchema, title, geojson: Callable[[], bytes]):
        self.id = schema.name
        self.title = title
        self.description = DESCRIPTIONS[schema.name]
        self.columns = tuple(f.name for f in schema.fields if f.name != schema.id_field)
        self.labels = {f.name: VALUE_LABELS[f.name] for f in schema.fields if f.name in VALUE_LABELS}
        self.fields = layer_fields(schema)
        self.geometry_format = GEOMETRY_FORMATS[schema.geometry]
        self._geojson = geojson

    @cached_property
    def _features(self) -> list[Feature]:
        return json.loads(self._geojson())["features"]

    @cached_property
    def _by_id(self) -> dict[str, Feature]:
        return {str(feature["id"]): feature for feature in self._features}

    @cached_property
    def _geometries(self) -> np.ndarray:
        # From the features as served (coordinates rounded), so a bbox judges what clients see.
        return shapely.from_geojson([json.dumps(feature["geometry"]) for feature in self._features])

    @cached_property
    def _index(self) -> shapely.STRtree:
        return shapely.STRtree(self._geometries)

    def extent(self) -> Extent:
        return Extent(tuple(float(v) for v in shapely.total_bounds(self._geometries)), None, None)

    def items(self, query: ItemQuery, lang: str) -> Page:
        # No feature has a time, so every datetime matches them all (OGC API - Features, /req/core/fc-time-response C).
        if query.boxes:
            hits = np.unique(np.concatenate([self._index.query(shapely.box(*box), predicate="intersects")
                                             for box in query.boxes]))
            chosen = [self._features[i] for i in hits]
        else:
            chosen = self._features
        return Page(chosen[query.offset:query.offset + query.limit], len(chosen))

    def item(self, feature_id: str, lang: str) -> Feature | None:
        return self._by_id.get(feature_id)
