"""`flask --app app layers|seed|users ...`: commands for the base layers, the demo data and the accounts."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from geo.dataset import check_dataset, format_report
from store.demo_issues import NEWER_FIRST_DAY, SURVEY_LAST_DAY, plan_demo_issues, store_demo_issues, summarise
from store.demo_projects import plan_demo_projects, store_demo_projects
from store.demo_users import CreatedUser, assign_demo_work, store_demo_users
from store.errors import NotFound, ValidationError
from store.issues import list_issues
from store.timestamps import LOCAL_TZ
from store.user_vocabulary import ROLE_NAMES, Role
from store.users import check_new_user, create_user, get_user, issue_token, list_users, set_active, set_role
from webmap.base_layers import base_layers
from webmap.database import transaction
from webmap.database import session as read_session
from webmap.layer_import_cli import import_command

layers_cli = AppGroup("layers", help="Check and manage the base layers (data/shapefiles).")
layers_cli.add_command(import_command)


@layers_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def check(directory: str | None) -> None:
    """Report on every layer in DIRECTORY (default: the DATA_DIR setting); exit 1 on errors."""
    reports = check_dataset(directory or current_app.config["DATA_DIR"])
    click.echo(format_report(reports))
    if not all(report.ok for report in reports.values()):
        sys.exit(1)


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Store no issues or projects if the database holds any issue.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day the demo stands at (default: today in Shanghai).")
@with_appcontext
def seed(if_empty: bool, today: datetime | None) -> None:
    """Store the demo issues (the 2018–2020 survey's 98 and the reports since, up to TODAY) and projects, each once;
    and, in a database without accounts, one demo account per role, printing their passwords."""
    now = datetime.now(LOCAL_TZ).date()
    day: date = now if today is None else today.date()
    if not SURVEY_LAST_DAY < day <= now:
        raise click.BadParameter(f"must be after {SURVEY_LAST_DAY} and not after {now}", param_hint="--today")
    with transaction() as session:
        created_users = store_demo_users(session)
        _, existing = list_issues(session, limit=1)
        if if_empty and existing:
            if created_users:
                assign_demo_work(session)
            click.echo(f"The database already holds {existing} issues; seeded no issues or projects.")
            _echo_users(created_users)
            return
        plan = plan_demo_issues(base_layers().layers, day)
        written = store_demo_issues(session, plan, base_layers().locator)
        projects = plan_demo_projects(base_layers().layers, day)
        projects_written = store_demo_projects(session, projects, base_layers().layers)
        if created_users:
            assigned = assign_demo_work(session)
    summary = summarise(plan)
    click.echo(f"Demo issues as of {day}: {summary.total}")
    click.echo(f"  {summary.survey} from the 2018–2020 survey, {summary.typical_cases} of them typical cases")
    click.echo(f"  {summary.newer} newer, reported since {NEWER_FIRST_DAY:%Y-%m}")
    click.echo(f"  {summary.open} still open")
    click.echo(f"Stored {written} new issues; {summary.total - written} were already there.")
    click.echo(f"Demo projects: {len(projects)}; stored {projects_written} new, {len(projects) - projects_written} were already there.")
    if created_users:
        click.echo(f"{assigned} open issues assigned to wang.li for the tablet's 'my work'.")
    _echo_users(created_users)


def _echo_users(created: list[CreatedUser]) -> None:
    if not created:
        return
    click.echo("Demo accounts (passwords are shown this once; change them with `flask --app app users` commands):")
    for item in created:
        click.echo(f"  {item.user.username:<10} {item.user.role.value:<12} {item.password}  {item.user.display_name}")


users_cli = AppGroup("users", help="The accounts of those who sign in: create, list, set-role, token, deactivate.")
ROLES_HELP = ", ".join(f"{role} ({ROLE_NAMES[role]['zh']})" for role in Role)


@contextmanager
def refusals_as_errors() -> Iterator[None]:
    """The store's refusal, said in one line with exit code 1 instead of a traceback."""
    try:
        yield
    except (ValidationError, NotFound) as refusal:
        raise click.ClickException(str(refusal)) from None


def read_password() -> str:
    """Asked twice at a terminal; otherwise the first line of stdin, for scripts."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help=f"One of {ROLES_HELP}.")
@click.option("--display-name", help="The name others see, e.g. 王丽 (default: the username).")
def create_user_command(username: str, role: str, display_name: str | None) -> None:
    """Create USERNAME, asking for the password twice (or reading it from stdin when piped)."""
    with refusals_as_errors():
        # Checked before the password is asked for, and without holding a write lock while it is typed.
        check_new_user(read_session(), username, role, display_name)
        password = read_password()
        with transaction() as session:
            user = create_user(session, username, password, role, display_name)
    click.echo(f"Created {user.username} ({user.display_name}): {user.role} {ROLE_NAMES[user.role]['zh']}.")


@users_cli.command("list")
def list_users_command() -> None:
    """Every user: username, role, whether active, last sign-in (Shanghai time)."""
    users = list_users(read_session())
    if not users:
        click.echo("No users yet. Create one: flask --app app users create USERNAME --role admin")
        return
    rows = [("username", "role", "active", "last sign-in")]
    for user in users:
        last = user.last_sign_in_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if user.last_sign_in_at else "never"
        rows.append((user.username, user.role, "yes" if user.active else "no", last))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        click.echo("  ".join([*(value.ljust(width) for value, width in zip(row, widths)), row[3]]))


@users_cli.command("set-role", help=f"Give USERNAME another ROLE: {ROLES_HELP}.")
@click.argument("username")
@click.argument("role")
def set_role_command(username: str, role: str) -> None:
    with refusals_as_errors(), transaction() as session:
        user = get_user(session, username)
        before = user.role
        set_role(session, user, role)
    click.echo(f"{user.username}: {before} → {user.role} {ROLE_NAMES[user.role]['zh']}")


@users_cli.command("token")
@click.argument("username")
@click.option("--label", help="What the token is for, e.g. 'tablet 3'.")
def token_command(username: str, label: str | None) -> None:
    """Print a new API token for USERNAME: shown this once, only its hash is kept."""
    with refusals_as_errors(), transaction() as session:
        user = get_user(session, username)
        token, secret = issue_token(session, user, label)
    click.echo(secret)
    click.echo(f"API token {token.id} for {user.username}: store it now, it cannot be shown again.", err=True)


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stop USERNAME signing in and their API tokens working; nothing is deleted."""
    with refusals_as_errors(), transaction() as session:
        user = get_user(session, username)
        set_active(session, user, False)
    click.echo(f"{user.username} deactivated: cannot sign in, and their API tokens no longer work.")


def init_app(app: Flask) -> None:
    app.cli.add_command(layers_cli)
    app.cli.add_command(seed)
    app.cli.add_command(users_cli)
