"""`flask --app app db backup PATH` and `db restore PATH`: the database and the photos, in one archive (store/backup.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from store.backup import BackupError, create_backup, describe, restore_backup, stage_backup, check_restorable
from store.database import head_revision


def _counts(counts: dict) -> str:
    def n(name: str) -> int:
        return counts.get(name) or 0

    return (f"{n('issues')} issues ({n('issue_events')} events), {n('projects')} projects, {n('users')} users, "
            f"{n('photos')} photos")


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write the database (DATABASE_URL) and the photos (PHOTO_DIR) to the archive PATH (.tar, or .tar.gz to compress).

    Safe while the server runs: SQLite is copied with its online backup API, PostgreSQL with pg_dump, each one
    consistent instant. The archive holds password and token hashes: keep it as private as the database."""
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; choose another name or add --force")
    config = current_app.config
    try:
        manifest = create_backup(config["DATABASE_URL"], config["PHOTO_DIR"], path)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Backed up {_where(config['DATABASE_URL'])} at schema revision {manifest['schema_revision']}: "
               f"{_counts(manifest['counts'])}, {manifest['counts']['photo_files']} photo files")
    click.echo(f"  → {path} ({_megabytes(path)})")
    if manifest["missing_photo_files"]:
        click.echo(f"Warning: {len(manifest['missing_photo_files'])} photo files the database names were not in "
                   f"{config['PHOTO_DIR']}: {', '.join(manifest['missing_photo_files'][:5])}", err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database (DATABASE_URL) and the photos (PHOTO_DIR) with those in the archive PATH.

    The archive is checked whole first; a damaged one, one from a newer schema or from the other kind of database
    is refused and nothing changes. An older one is migrated to the newest schema. Stop the server first, or its
    requests wait while the database is replaced."""
    config = current_app.config
    url, photo_dir = config["DATABASE_URL"], config["PHOTO_DIR"]
    try:
        staged = stage_backup(path, photo_dir)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    try:
        check_restorable(staged, url)
        manifest = staged.manifest
        now = describe(url)
        click.echo(f"The backup {path}: made {manifest['created_at']} by {manifest.get('code_version') or 'unknown code'}, "
                   f"schema revision {staged.revision}"
                   + ("" if staged.revision == head_revision() else f" (will be migrated to {head_revision()})"))
        click.echo(f"  holds      {_counts(manifest['counts'])}")
        click.echo(f"  replaces   {_counts(now.counts)} in {_where(url)} and {photo_dir}")
        if not yes:
            click.confirm("Replace them?", abort=True)
        current_app.extensions["store"].engine.dispose()  # this process's own connections, before the tables go
        restored = restore_backup(staged, url, photo_dir)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    finally:
        staged.remove()
    current_app.extensions["store"].engine.dispose()
    click.echo(f"Restored in {restored.seconds:.1f} s at schema revision {restored.revision}"
               + (f", migrated to {restored.upgraded_to}" if restored.upgraded_to else "")
               + f"; {restored.photo_files_added} photo files put back, {restored.photo_files_removed} no longer "
               "referred to removed.")
