"""`flask volunteers certificates`: every certificate of an edition (or a group) in one PDF.
Attached to the volunteers command group (conference/volunteers/cli.py)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from conference.core import clock
from conference.core.database import committed
from conference.core.i18n import LOCALES
from conference.editions.cli import edition_for_command
from conference.volunteers import records, services
from conference.volunteers.services import VolunteerError


@click.command("certificates")
@click.option("--edition", "year", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--group", "group_code", default=None, help="a working group's code: only its volunteers")
@click.option("--language", type=click.Choice(list(LOCALES)), default=None,
              help="all certificates in this language; by default each in its volunteer's own")
@with_appcontext
def certificates_command(year, out, group_code, language) -> None:
    """Issue (or keep, when the hours are unchanged) the service record certificate of every
    accepted volunteer with recorded hours, and write them all to one PDF."""
    edition = edition_for_command(year)
    group = None
    if group_code is not None:
        group = next((g for g in services.groups_of(edition) if g.code.casefold() == group_code.strip().casefold()), None)
        if group is None:
            raise click.ClickException(f"There is no working group {group_code!r} in {year}.")
    issued, skipped = committed(lambda: records.issue_for(edition, clock.now(), group))
    if not issued:
        raise click.ClickException("No accepted volunteer has recorded hours: there is no certificate to write.")
    try:
        pages = records.write_certificates(issued, Path(out).resolve(), language)
    except VolunteerError as refusal:
        raise click.ClickException(str(refusal.message)) from refusal
    click.echo(f"{len(issued)} certificates ({pages} pages) written to {out}"
               + (f"; {skipped} volunteers without recorded hours skipped" if skipped else ""))
