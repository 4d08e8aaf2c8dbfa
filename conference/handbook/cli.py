"""`flask handbook pdf`: the handbook from the command line, the same build as the job's."""

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.handbook import services
from conference.handbook.models import LANGUAGES, SIZES

handbook_cli = AppGroup("handbook", help="The conference handbook (会议手册) as a PDF.")


@handbook_cli.command("pdf")
@click.option("--edition", "year", required=True, type=int, help="The edition's year, such as 2023.")
@click.option("--lang", "language", required=True, type=click.Choice(LANGUAGES), help="The book's language.")
@click.option("--size", type=click.Choice(SIZES), default="a5", show_default=True)
@click.option("--bleed", is_flag=True, help="3 mm bleed and crop marks, for the printer.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
def pdf_command(year, language, size, bleed, out) -> None:
    """Write the handbook to --out: the kept one when nothing it shows has changed."""
    edition = edition_for_command(year)
    options = services.check_options(language, size, bleed)
    made = committed(lambda: services.build(edition, options))
    shutil.copyfile(services.file_of(made), out)
    for line in made.log:
        click.echo(line)
    click.echo(f"{made.pages} pages written to {out}.")
