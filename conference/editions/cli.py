import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions import services

editions_cli = AppGroup("editions", help="Conference editions, one a year.")


def edition_for_command(year: int):
    """The edition of --edition YEAR, or the command stops saying there is none."""
    edition = services.get_edition(year) if 1 <= year <= 9999 else None  # beyond: no database integer holds it
    if edition is None:
        raise click.ClickException(f"There is no {year} edition.")
    return edition


@editions_cli.command("list")
def list_command() -> None:
    """Every edition, newest first."""
    for edition in services.list_editions():
        click.echo(
            f"{edition.year}\t{edition.city_zh}\t{edition.starts_on}–{edition.ends_on}\t{edition.theme_zh}"
        )


@editions_cli.command("clone")
@click.argument("source_year", type=int)
@click.option("--year", required=True, type=int, help="Year of the new edition.")
@click.option("--city", "city_zh", required=True, help="Host city in Chinese, e.g. 福州.")
@click.option("--city-en", default="", help="Host city in English (default: pinyin).")
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
def clone_command(source_year, year, city_zh, city_en, starts, ends) -> None:
    """Start next year's edition from SOURCE_YEAR: its structure, never its people."""
    source = edition_for_command(source_year)
    try:
        edition = committed(lambda: services.clone_edition(
            source,
            year,
            city_zh,
            city_en,
            starts_on=starts.date() if starts else None,
            ends_on=ends.date() if ends else None,
        ))
    except services.EditionError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(
        f"Edition {edition.year} ({edition.city_zh}, {edition.starts_on}–{edition.ends_on}) "
        f"created from {source.year}: {', '.join(services.clone_step_names())}."
    )
