"""GET /api/v1/layers and /api/v1/layers/{name}: the base layers as GeoJSON in EPSG:4326."""
from __future__ import annotations

from flask import Response, abort, jsonify, request, url_for

from geo.crs import DISPLAY_CRS
from geo.schema import LAYERS
from webmap.api import bp
from webmap.base_layers import base_layers
from webmap.layer_display import DISPLAY
from flask_babel import force_locale


@bp.get("/layers")
def list_layers():
    layers = base_layers().layers
    entries = []
    for name, schema in LAYERS.items():
        with force_locale("zh"):
            title_zh = str(DISPLAY[name].title)
        with force_locale("en"):
            title_en = str(DISPLAY[name].title)
        entries.append(
            {
                "name": name,
                "title": title_zh,
                "title_en": title_en,
                "geometry_type": schema.geometry,
                "feature_count": int(len(layers[name])),
                "crs": DISPLAY_CRS,
                "fields": [f.name for f in schema.fields],
                "bbox": [round(float(v), 7) for v in layers[name].total_bounds],
                "href": url_for("api.get_layer", name=name),
            }
        )
    return jsonify({"layers": entries})


@bp.get("/layers/<name>")
def get_layer(name: str):
    if name not in LAYERS:
        abort(404, description=f"no layer named {name!r}; layers are: {', '.join(LAYERS)}")
    body, etag = base_layers().encoded(name)
    response = Response(body, mimetype="application/geo+json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)
