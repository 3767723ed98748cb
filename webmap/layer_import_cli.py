"""`flask --app app layers import PATH`: replace a base layer with surveyed data, after a report (geo.layer_import)."""
from __future__ import annotations

import sys
from contextlib import AbstractContextManager

import click
from flask import current_app
from flask.cli import with_appcontext

from geo.layer_import import ImportFailed, ImportRefused, format_import_report, plan_import, write_import
from geo.layer_swap import ImportBusy
from geo.progress import Bar, unseen
from geo.schema import LAYER_NAMES

PROGRESS_FROM = 1000  # features: a smaller file is done before a bar would show


def is_terminal() -> bool:
    return sys.stdout.isatty()


def terminal_progress(label: str, total: int) -> AbstractContextManager[Bar]:
    """A progress bar for a large file at a terminal; nothing in a pipe or a log."""
    if total <= PROGRESS_FROM or not is_terminal():
        return unseen(label, total)
    return click.progressbar(length=total, label=label)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--layer", type=click.Choice(LAYER_NAMES), help="The base layer to replace (default: from the file's name).")
@click.option("--layer-name", help="Which layer of a GeoPackage (or shapefile in a zip) to read, if it has several.")
@click.option("--encoding", help="The text encoding of a shapefile without .cpg, e.g. GBK (default: decided from the "
                                 "DBF header or its text, and reported).")
@click.option("--crs", help="The CRS of a file that declares none, e.g. EPSG:4549 (a file without one is refused).")
@click.option("--dry-run", is_flag=True, help="Report only; change nothing.")
@click.option("--yes", is_flag=True, help="Replace without asking.")
@with_appcontext
def import_command(path: str, layer: str | None, layer_name: str | None, encoding: str | None, crs: str | None,
                   dry_run: bool, yes: bool) -> None:
    """Replace a base layer in DATA_DIR with PATH (Shapefile, zipped Shapefile, GeoPackage or GeoJSON; any CRS,
    any encoding), written as the shipped data is (Shapefile, EPSG:4549, UTF-8). Shows a report first; an import
    that fails changes nothing."""
    data_dir = current_app.config["DATA_DIR"]
    try:
        plan = plan_import(path, data_dir, layer=layer, layer_name=layer_name, encoding=encoding, crs=crs,
                           progress=terminal_progress)
        click.echo(format_import_report(plan))
        if not plan.ok:
            click.echo("Nothing was changed.")
            sys.exit(1)
        if dry_run:
            click.echo("Dry run: nothing was changed.")
            return
        if not yes:
            click.confirm(f"Replace the layer {plan.layer} in {data_dir} with these {len(plan.data)} features?",
                          abort=True)
        result = write_import(plan, progress=terminal_progress)
    except (ImportRefused, ImportFailed, ImportBusy) as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Replaced {plan.layer}: {', '.join(f.name for f in result.files)} in {data_dir} "
               f"(EPSG:4549, UTF-8); the old files are in {result.backup}.")
    click.echo("Running servers keep the layers they loaded: restart them to serve the new data.")
