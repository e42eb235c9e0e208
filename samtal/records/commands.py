"""Commands for the people who run Samtal: gallring, backup and restore."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from samtal import audit, settings
from samtal.db import get_session
from samtal.records import backup, retention
from samtal.records.owned import TABLE_NAMES


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{TABLE_NAMES.get(table, table)}: {count}" for table, count in rows.items())


@click.command("gallra")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Visa bara vad som skulle raderas.")
def gallra_command(dry_run: bool) -> None:
    """Erase every child whose retention period has passed since the last activity."""
    session = get_session()
    months = settings.retention_months(session=session)
    found = retention.gallra(session=session, months=months, dry_run=dry_run)
    what = "skulle raderas" if dry_run else "raderade"
    held = [item for item in found if item.held]
    click.echo(
        f"Gallringstid {months} månader från barnets senaste aktivitet: "
        f"{len(found) - len(held)} barn {what}."
    )
    for item in found:
        # The child's number only: this output ends up in logs and e-mail.
        said = "hålls kvar: öppen oro" if item.held else _rows(item.rows)
        click.echo(
            f"  barn {item.child_id}, senaste aktivitet {item.last_activity:%Y-%m-%d}: {said}"
        )
    if held:
        click.echo(
            f"{len(held)} barn hålls kvar: oro för barnets säkerhet utan orosanmälan eller "
            "beslut. De gallras när oron är besvarad och tiden har gått från det."
        )


@click.command("backup")
@with_appcontext
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Copy the database and the secret key into DESTINATION (a new directory) while the app
    runs."""
    try:
        manifest = backup.backup(
            engine=current_app.extensions["samtal.engine"],
            secret_key=current_app.config["SECRET_KEY"],
            destination=destination,
        )
    except backup.BackupFailed as failed:
        raise click.ClickException(str(failed)) from failed
    audit.record("backup_made", detail=f"{manifest['database']} {manifest['made_at']}")
    files = ", ".join(manifest["files"])
    click.echo(f"Säkerhetskopia ({manifest['database']}) i {destination}: {files}.")
    click.echo("Den innehåller allt om alla barn och den hemliga nyckeln: förvara den därefter.")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Fråga inte först.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database and the secret key with those of the backup in SOURCE."""
    try:
        manifest = backup.read_manifest(source)
        if not yes:
            click.confirm(
                f"Allt i databasen ersätts med kopian från {manifest['made_at']}. Fortsätta?",
                abort=True,
            )
        key_file = Path(current_app.config["SECRET_KEY_FILE"])
        key = backup.restore(
            engine=current_app.extensions["samtal.engine"], source=source, key_file=key_file
        )
    except backup.BackupFailed as failed:
        raise click.ClickException(str(failed)) from failed
    audit.record("backup_restored", detail=f"{manifest['database']} {manifest['made_at']}")
    click.echo(f"Återställd från kopian {manifest['made_at']}; nyckeln finns i {key_file}.")
    if os.environ.get("SAMTAL_SECRET_KEY") not in (None, key):
        click.echo(
            f"SAMTAL_SECRET_KEY är satt till en annan nyckel: sätt den till innehållet i "
            f"{source / backup.KEY_FILE}, annars fungerar inga länkar från före kopian."
        )
    if current_app.config["SECRET_KEY"] != key:
        click.echo("Starta om appen så att den använder den återställda nyckeln.")


def register(group: click.Group) -> None:
    """Add the commands to the app's command group."""
    for command in (gallra_command, backup_command, restore_command):
        group.add_command(command)
