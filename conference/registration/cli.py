import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.registration import services

registration_cli = AppGroup("registration", help="Registration: invitation codes.")


@registration_cli.command("codes")
@click.option("--edition", "year", required=True, type=int)
@click.option("--category", required=True, help="guest, audience, media or staff")
@click.option("--count", default=10, show_default=True, type=int)
@click.option("--uses", default=1, show_default=True, type=int, help="How many registrations one code allows.")
@click.option("--organisation", default="", help="Note which organisation the codes are for.")
def codes(year: int, category: str, count: int, uses: int, organisation: str) -> None:
    """Print fresh invitation codes, one a line. Only their fingerprints are stored."""
    edition = edition_for_command(year)
    found = services.category_by_code(edition, category)
    if found is None:
        raise click.ClickException(f"No category {category!r} in {year}.")
    try:
        made = committed(lambda: services.make_codes(edition, found, count, max_uses=uses, organisation=organisation))
    except services.RegistrationError as error:
        raise click.ClickException("; ".join(str(v) for v in error.errors.values())) from error
    for code in made:
        click.echo(code)
