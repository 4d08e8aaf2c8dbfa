from pathlib import Path

import click
from flask.cli import AppGroup

from conference.badges import services
from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.extensions import db
from conference.people.models import Person

badges_cli = AppGroup("badges", help="Badges: batch PDFs, payloads, the verification key.")


@badges_cli.command("pdf")
@click.option("--edition", "year", required=True, type=int)
@click.option("--category", default=None, help="guest, audience, media, staff or volunteer")
@click.option("--limit", default=None, type=int)
@click.option("--sort", type=click.Choice(["pinyin", "strokes", "organisation", "serial"]), default="pinyin")
@click.option("--layout", type=click.Choice(["single", "a4"]), default="single")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def pdf_command(year, category, limit, sort, layout, out) -> None:
    """Write a batch of badges to a PDF file (the same service as the page); revoked badges are skipped."""
    edition = edition_for_command(year)
    badges = services.select_badges(edition, category, sort=sort, limit=limit)
    skipped = services.count_revoked(edition, category)
    if not badges:
        raise click.ClickException("No badge matches.")
    versions = {badge.id: badge.version for badge in badges}
    services.write_batch(badges, layout, Path(out).resolve())
    committed(lambda: services.record_printing(badges, versions))
    click.echo(f"{len(badges)} badges written to {out}" + (f"; {skipped} revoked skipped" if skipped else ""))


@badges_cli.command("payload")
@click.option("--edition", "year", required=True, type=int)
@click.option("--person", "person_id", required=True, type=int)
def payload_command(year, person_id) -> None:
    """Print one person's badge payload (the text in the QR code)."""
    edition = edition_for_command(year)
    person = db.session.get(Person, person_id)
    if person is None or person.edition_id != edition.id:
        raise click.ClickException(f"No person {person_id} in {year}.")
    badge = services.badge_of(person)
    if badge is None:
        raise click.ClickException(f"Person {person_id} has no badge.")
    click.echo(committed(lambda: services.payload(badge)))  # the edition's key is made on first use


@badges_cli.command("public-key")
@click.option("--edition", "year", required=True, type=int)
def public_key_command(year) -> None:
    """Print the edition's Ed25519 verification key (base64url), for scanners."""
    edition = edition_for_command(year)
    click.echo(committed(lambda: services.key_for(edition).public_key))
