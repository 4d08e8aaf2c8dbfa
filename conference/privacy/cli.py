from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from conference.core import audit
from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.privacy import backup as backups
from conference.privacy import retention

privacy_cli = AppGroup("privacy", help="Personal data: the retention purge.")


@privacy_cli.command("purge")
@click.option("--edition", "year", required=True, type=int)
@click.option("--dry-run", is_flag=True, help="Print what would go, by kind, and change nothing.")
def purge_command(year: int, dry_run: bool) -> None:
    """Erase the edition's personal data once its retention period is over."""
    edition = edition_for_command(year)
    outcome = committed(lambda: retention.purge_edition(edition, dry_run=dry_run))
    if outcome.purge_from is None:
        raise click.ClickException(f"The {year} edition has no privacy notice, so no retention period.")
    if not outcome.due:
        click.echo(f"The {year} edition keeps its personal data until {outcome.purge_from - timedelta(days=1)}: "
                   "nothing purged.")
        return
    click.echo(("Would erase" if dry_run else "Erased") + f" in {year}:" + ("" if outcome.counts else " nothing"))
    for kind, count in outcome.counts:
        click.echo(f"  {kind}: {count}")


@click.command("backup")
@with_appcontext
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The archive to write (.tar.gz), readable by its owner only.")
def backup_command(out: Path) -> None:
    """Copy the database and the stored files into one archive, without the PII_KEY."""
    try:
        manifest = backups.make_backup(out)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    committed(lambda: audit.record("backup.made", detail={"file": out.name, "files": manifest["files"]}))
    click.echo(f"{out}: {sum(manifest['rows'].values())} rows, {manifest['files']} files")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(archive: Path) -> None:
    """Restore a backup into an empty database, then purge again what is past its period."""
    try:
        manifest = backups.restore(archive)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    purged = committed(lambda: _after_restore(archive))
    click.echo(f"restored {sum(manifest['rows'].values())} rows and {manifest['files']} files from {manifest['made_at']}")
    for year, outcome in purged.items():
        click.echo(f"  {year}: purged again ({sum(count for _, count in outcome.counts)} erased)")


def _after_restore(archive: Path) -> dict:
    audit.record("backup.restored", detail={"file": archive.name})
    return retention.purge_due_editions()
