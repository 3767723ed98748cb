"""The Flask adapter of /ogcapi: routes, the representation asked for (`f`, else Accept), JSON or HTML, errors."""
from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from geo.schema import LAYERS
from store.errors import ValidationError
from store.validation import FieldErrors
from webmap.api.docs import swagger_ui_files
from webmap.api.query import parameters
from webmap.api.responses import encoded, json_response
from webmap.assets import localize
from webmap.database import session
from webmap.folium_page import render_page
from webmap.i18n import LANGUAGES, current_language
from webmap.layer_display import DISPLAY
from webmap.ogcapi import documents, html
from webmap.ogcapi.base_layer_collection import BaseLayerCollection
from webmap.ogcapi.collection import Collection
from webmap.ogcapi.documents import GEOJSON, HTML, JSON, OPENAPI, SCHEMA
from webmap.ogcapi.openapi import FORMATS, openapi_document
from webmap.ogcapi.query import ITEM_PARAMETERS, item_query
from webmap.ogcapi.store_collections import IssueCollection, ProjectCollection

bp = Blueprint("ogcapi", __name__, url_prefix="/ogcapi")
EXTENSION = "ogcapi_base_layers"


@bp.record_once
def _base_layer_collections(state) -> None:
    """One collection per base layer, kept with the app: its features are made once, on first use."""
    layers = state.app.extensions["base_layers"]
    state.app.extensions[EXTENSION] = {
        name: BaseLayerCollection(schema, DISPLAY[name].title, lambda name=name: layers.geojson[name])
        for name, schema in LAYERS.items()
    }


def _collections() -> dict[str, Collection]:
    s = session()
    return {**current_app.extensions[EXTENSION], "issues": IssueCollection(s), "projects": ProjectCollection(s)}


def _collection(collection_id: str) -> Collection:
    found = _collections()
    if collection_id not in found:
        abort(404, description=f"no collection {collection_id!r}; the collections are {', '.join(found)}")
    return found[collection_id]


def _url(endpoint: str, **params: Any) -> str:
    """An absolute link that keeps the language asked for."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        params.setdefault("lang", lang)
    return url_for(endpoint, _external=True, **params)


# --- what is asked for --------------------------------------------------------------------------


def _accepts_html() -> bool:
    return request.accept_mimetypes.best_match([GEOJSON, JSON, HTML], default=JSON) == HTML


def _wants_html() -> bool:
    """HTML, by `f` or else by the Accept header (browsers); anything else is JSON."""
    asked = request.args.get("f")
    return asked == "html" if asked in FORMATS else (asked is None and _accepts_html())


def _parameters(*allowed: str) -> tuple[dict[str, str], FieldErrors]:
    """The parameters (`f` and `lang` always allowed) and their problems so far."""
    values, errors = parameters(("f", *allowed))
    if values.get("f", "json") not in FORMATS:
        errors.add("f", f"must be one of {', '.join(FORMATS)}")
    return values, errors


def _html_asked() -> bool:
    """Whether HTML is wanted, once `f` and `lang` are found to be the only parameters and right."""
    _parameters()[1].raise_if_any()
    return _wants_html()


def _json(document: Any, mimetype: str = JSON) -> Response:
    response = json_response(document, mimetype=mimetype)
    response.vary.add("Accept")
    return response


def _page(template: str, title: str, json_href: str, **context: Any) -> Response:
    response = Response(render_page(template, title=title, json_href=json_href, **context), mimetype=HTML)
    response.vary.add("Accept")
    return response


def _revalidated(response: Response) -> Response:
    """With an ETag of the body, and a 304 for a client sending it back in If-None-Match."""
    response.add_etag()
    return response.make_conditional(request)


def _revalidated_json(document: dict[str, Any], mimetype: str) -> Response:
    """`document` encoded once, with an ETag of all of it but its timeStamp (when it was answered, which would make
    every answer new), and a 304 for a client sending that back. The timeStamp is written last."""
    unstamped = encoded({name: value for name, value in document.items() if name != "timeStamp"})
    body = unstamped
    if "timeStamp" in document:
        body = b"".join((unstamped[:-1], b',"timeStamp":', encoded(document["timeStamp"]), b"}"))
    response = Response(body, mimetype=mimetype)
    response.vary.add("Accept")
    response.set_etag(hashlib.sha1(unstamped).hexdigest())
    return response.make_conditional(request)


def _self(document: dict[str, Any]) -> str:
    return next(link["href"] for link in document["links"] if link["rel"] == "self")


# --- the resources ------------------------------------------------------------------------------

@bp.get("/", strict_slashes=False)
def landing():
    wants_html = _html_asked()
    title = _("金坛路居民区地理数据")
    document = documents.landing(
        _url, title, _("金坛路居民区的基础图层、居民反映的问题和改造项目，按 OGC API - Features 标准提供")
    )
    if wants_html:
        return _page("ogcapi/landing.html", title, _self(document), document=document)
    return _json(document)


@bp.get("/conformance")
def conformance():
    wants_html = _html_asked()
    document = documents.conformance()
    if wants_html:
        return _page("ogcapi/conformance.html", _("符合的标准"), _url("ogcapi.conformance", f="json"),
                     document=document)
    return _json(document)


@bp.get("/api")
def api():
    wants_html = _html_asked()
    if wants_html:
        files = swagger_ui_files()
        page = render_template(
            "api_docs.html",
            openapi_url=url_for("ogcapi.api", f="json"),
            swagger_css=url_for("static", filename=files["css"]),
            swagger_js=url_for("static", filename=files["js"]),
        )
        return Response(localize(page, static_url_path=url_for("static", filename="").rstrip("/")), mimetype=HTML)
    server = url_for("ogcapi.landing", _external=True).rstrip("/")
    document = openapi_document(server, list(_collections()), anonymous_view=current_app.config["ANONYMOUS_VIEW"])
    return _json(document, OPENAPI)


@bp.get("/collections")
def collections():
    wants_html = _html_asked()
    document = documents.collections(_url, list(_collections().values()))
    if wants_html:
        return _page("ogcapi/collections.html", _("数据集"), _self(document), document=document)
    return _json(document)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    wants_html = _html_asked()
    found = _collection(collection_id)
    document = documents.collection(_url, found)
    if wants_html:
        return _page("ogcapi/collection.html", document["title"], _self(document), document=document,
                     collection=found, site_map=html.site_map(found))
    return _json(document)


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    """The features' schema (OGC API - Features Part 5), JSON Schema only."""
    _parameters()[1].raise_if_any()
    return _json(documents.feature_schema(_url, _collection(collection_id), current_language()), SCHEMA)


@bp.get("/collections/<collection_id>/feature-schema")
def feature_schema(collection_id: str):
    """The schema of the GeoJSON features (type, id, geometry, properties), for GDAL's OAPIF driver."""
    _parameters()[1].raise_if_any()
    return _json(documents.geojson_feature_schema(_url, _collection(collection_id), current_language()), SCHEMA)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """What a client may ask about the features (OGC API - Features Part 3), JSON Schema only."""
    _parameters()[1].raise_if_any()
    return _json(documents.feature_schema(_url, _collection(collection_id), current_language(), queryables=True),
                 SCHEMA)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    values, errors = _parameters(*ITEM_PARAMETERS)
    found = _collection(collection_id)
    query = item_query(values, errors)
    if query.after and not found.positioned:
        errors.add("after", f"the collection {found.id!r} pages by offset only")
    errors.raise_if_any()
    wants_html = _wants_html()
    page = found.items(query, current_language())
    document = documents.items(_url, found, query, values, page)
    if wants_html:
        names = found.columns
        return _revalidated(_page(
            "ogcapi/items.html", str(found.title), _self(document), document=document, collection=found,
            query=query, site_map=html.site_map(found), headings=[html.heading(name, found) for name in names],
            rows=[html.row(found, feature, names) for feature in page.features],
            pages=documents.page_links(_url, found, query, values, page, f="html"),
        ))
    return _revalidated_json(document, GEOJSON)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    wants_html = _html_asked()
    found = _collection(collection_id)
    feature = found.item(feature_id, current_language())
    if feature is None:
        abort(404, description=f"no feature {feature_id!r} in the collection {collection_id!r}")
    document = documents.item(_url, found, feature)
    if wants_html:
        properties = feature.get("properties") or {}
        return _revalidated(_page(
            "ogcapi/item.html", str(found.title), _self(document), document=document, collection=found,
            facts=[(html.heading(name, found), html.shown(found, name, value)) for name, value in properties.items()],
            site=html.site_page(found, feature),
        ))
    return _revalidated_json(document, GEOJSON)


@bp.get("/<path:unknown>")
def unknown_path(unknown: str):
    """Any other path under /ogcapi: a 404 in the OGC exception's shape, or its page for a browser. (A path no
    route matches never reaches a blueprint's error handlers.)"""
    abort(404, description=f"no resource /ogcapi/{unknown}; start from {_url('ogcapi.landing')}")


@bp.after_request
def no_sniffing(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- refusals -----------------------------------------------------------------------------------


@bp.errorhandler(ValidationError)
def invalid_parameters(error: ValidationError):
    """400 naming each parameter that is unknown, repeated or bad."""
    description = "; ".join(f"{name}: {message}" for name, message in error.field_errors.items())
    return _refusal(400, "InvalidParameterValue", description, fields=error.field_errors)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _refusal(error.code or 500, error.name.replace(" ", ""), error.description or "")


def _refusal(status: int, code: str, description: str, **extra: Any) -> Response:
    if _wants_html():
        page = render_page("ogcapi/error.html", title=_("请求无法完成"), status=status, description=description,
                           fields=extra.get("fields", {}))
        response = Response(page, status=status, mimetype=HTML)
    else:
        response = json_response({"code": code, "description": description, **extra}, status)
    response.vary.add("Accept")
    return response
