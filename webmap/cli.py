"""`flask --app app layers ...` and `flask --app app seed`: commands for the base layers and the demo data."""
from __future__ import annotations

import sys
from datetime import date, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from geo.dataset import check_dataset, format_report
from store.demo_issues import NEWER_FIRST_DAY, SURVEY_LAST_DAY, plan_demo_issues, store_demo_issues, summarise
from store.demo_projects import plan_demo_projects, store_demo_projects
from store.issues import list_issues
from store.timestamps import LOCAL_TZ
from webmap.base_layers import base_layers
from webmap.database import transaction

layers_cli = AppGroup("layers", help="Check and manage the base layers (data/shapefiles).")


@layers_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def check(directory: str | None) -> None:
    """Report on every layer in DIRECTORY (default: the DATA_DIR setting); exit 1 on errors."""
    reports = check_dataset(directory or current_app.config["DATA_DIR"])
    click.echo(format_report(reports))
    if not all(report.ok for report in reports.values()):
        sys.exit(1)


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database holds any issue.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day the demo stands at (default: today in Shanghai).")
@with_appcontext
def seed(if_empty: bool, today: datetime | None) -> None:
    """Store the demo issues (the 2018–2020 survey's 98 and the reports since, up to TODAY) and projects; each once."""
    now = datetime.now(LOCAL_TZ).date()
    day: date = now if today is None else today.date()
    if not SURVEY_LAST_DAY < day <= now:
        raise click.BadParameter(f"must be after {SURVEY_LAST_DAY} and not after {now}", param_hint="--today")
    with transaction() as session:
        _, existing = list_issues(session, limit=1)
        if if_empty and existing:
            click.echo(f"The database already holds {existing} issues; seeded nothing.")
            return
        plan = plan_demo_issues(base_layers().layers, day)
        written = store_demo_issues(session, plan, base_layers().locator)
        projects = plan_demo_projects(base_layers().layers, day)
        projects_written = store_demo_projects(session, projects, base_layers().layers)
    summary = summarise(plan)
    click.echo(f"Demo issues as of {day}: {summary.total}")
    click.echo(f"  {summary.survey} from the 2018–2020 survey, {summary.typical_cases} of them typical cases")
    click.echo(f"  {summary.newer} newer, reported since {NEWER_FIRST_DAY:%Y-%m}")
    click.echo(f"  {summary.open} still open")
    click.echo(f"Stored {written} new issues; {summary.total - written} were already there.")
    click.echo(f"Demo projects: {len(projects)}; stored {projects_written} new, {len(projects) - projects_written} were already there.")


def init_app(app: Flask) -> None:
    app.cli.add_command(layers_cli)
    app.cli.add_command(seed)
