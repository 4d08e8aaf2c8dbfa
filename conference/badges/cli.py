import click
from flask.cli import AppGroup

from conference.badges import services
from conference.editions.cli import edition_for_command
from conference.extensions import db
from conference.people.models import Person
from conference.people.services import photo_dir

badges_cli = AppGroup("badges", help="Badges: batch PDFs, payloads, the verification key.")


@badges_cli.command("pdf")
@click.option("--edition", "year", required=True, type=int)
@click.option("--category", default=None, help="guest, audience, media, staff or volunteer")
@click.option("--limit", default=None, type=int)
@click.option("--sort", type=click.Choice(["pinyin", "strokes", "organisation", "serial"]), default="pinyin")
@click.option("--layout", type=click.Choice(["single", "a4"]), default="single")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def pdf_command(year, category, limit, sort, layout, out) -> None:
    """Write a batch of badges to a PDF file (the same service as the page)."""
    from conference.core import pdf

    edition = edition_for_command(year)
    badges = services.select_badges(edition, category, sort=sort, limit=limit)
    if not badges:
        raise click.ClickException("No badge matches.")
    documents = [pdf.document(services.badges_html(badges[i:i + services.BATCH_CHUNK], layout),
                              folders=(photo_dir(),))
                 for i in range(0, len(badges), services.BATCH_CHUNK)]
    with open(out, "wb") as handle:
        handle.write(pdf.join(documents))
    services.record_printing(badges)
    db.session.commit()
    click.echo(f"{len(badges)} badges written to {out}")


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
    click.echo(services.payload(badge))
    db.session.commit()


@badges_cli.command("public-key")
@click.option("--edition", "year", required=True, type=int)
def public_key_command(year) -> None:
    """Print the edition's Ed25519 verification key (base64url), for scanners."""
    click.echo(services.key_for(edition_for_command(year)).public_key)
    db.session.commit()
