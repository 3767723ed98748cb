"""`flask --app app layers ...`: commands for the base layers."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from geo.dataset import check_dataset, format_report

layers_cli = AppGroup("layers", help="Check and manage the base layers (data/shapefiles).")


@layers_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def check(directory: str | None) -> None:
    """Report on every layer in DIRECTORY (default: the DATA_DIR setting); exit 1 on errors."""
    reports = check_dataset(directory or current_app.config["DATA_DIR"])
    click.echo(format_report(reports))
    if not all(report.ok for report in reports.values()):
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(layers_cli)
