"""GET /api/v1/openapi.json and /api/v1/docs: the API described, and browsable with Swagger UI served from here."""
from __future__ import annotations

from flask import render_template, url_for

from webmap.api import bp
from webmap.api.openapi import openapi_document
from webmap.api.query import no_parameters
from webmap.api.responses import json_response
from webmap.assets import load_manifest, localize

SWAGGER_UI = "swagger-ui-dist"


def swagger_ui_files() -> dict[str, str]:
    """The vendored Swagger UI's stylesheet and script, relative to /static (scripts/vendor_assets.py)."""
    manifest = load_manifest()
    folder = f"vendor/{SWAGGER_UI}@{manifest['packages'][SWAGGER_UI]['version']}/"
    files = [path for path in manifest["assets"].values() if path and path.startswith(folder)]
    return {
        "css": next(path for path in files if path.endswith("/swagger-ui.css")),
        "js": next(path for path in files if path.endswith("/swagger-ui-bundle.js")),
    }


@bp.get("/openapi.json")
def openapi_json():
    no_parameters()
    # Where /api/v1 is, including any prefix the app is mounted under.
    server_url = url_for("api.openapi_json").removesuffix("/openapi.json")
    return json_response(openapi_document(server_url))


@bp.get("/docs")
def api_docs():
    no_parameters()
    files = swagger_ui_files()
    html = render_template(
        "api_docs.html",
        openapi_url=url_for("api.openapi_json"),
        swagger_css=url_for("static", filename=files["css"]),
        swagger_js=url_for("static", filename=files["js"]),
    )
    # Refuses (500) rather than serve a page that would fetch anything from another host.
    return localize(html, static_url_path=url_for("static", filename="").rstrip("/"))
