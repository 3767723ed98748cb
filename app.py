"""The application factory and entry point: `flask --app app run`."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from webmap import access, accounts, api, base_layers, cli, compression, csrf, database, field_pages, health
from webmap import hotspot_pages, i18n, issue_pages, ogcapi, pages, planning_pages, project_pages, request_log
from webmap import settings, sign_in_pages

HERE = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(HERE / "instance"),
        static_folder=str(HERE / "webmap" / "static"),
        template_folder=str(HERE / "webmap" / "templates"),
    )
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    settings.check(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["PHOTO_DIR"]).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or settings.secret_key(app.instance_path)

    request_log.init_app(app)  # first: its after_request runs last and times the whole request
    i18n.init_app(app)
    base_layers.init_app(app)  # refuses to start, saying why, if the data is broken
    database.init_app(app)
    accounts.init_app(app)  # before csrf and access: who is asking is settled before they check
    csrf.init_app(app)
    access.init_app(app)
    api.init_app(app)
    sign_in_pages.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(issue_pages.bp)
    app.register_blueprint(hotspot_pages.bp)
    app.register_blueprint(planning_pages.bp)
    app.register_blueprint(project_pages.bp)
    app.register_blueprint(field_pages.bp)
    app.register_blueprint(ogcapi.bp)
    cli.init_app(app)
    compression.init_app(app)  # last: it compresses what every other after_request has finished
    return app
