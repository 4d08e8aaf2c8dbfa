"""`flask demo load`: each domain declares its demo steps (Domain.demo_steps); a step runs after
those it requires, returns lines to print (logins, counts) and does not commit. Each must be
idempotent (find-or-create by natural key), so loading twice changes nothing."""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from conference.core.domains import installed
from conference.extensions import db


def database_is_empty() -> bool:
    """No edition yet. The table is named, not imported: core imports no domain."""
    editions = db.metadata.tables["editions"]
    return db.session.execute(select(func.count()).select_from(editions)).scalar_one() == 0


def load_demo(only: set[str] | None = None) -> list[str]:
    """Every step, or only the named ones (tests that need the programme but not 3,000 people)."""
    lines: list[str] = []
    for step in installed().demo_steps:
        if only is None or step.name in only:
            lines.extend(step.run())
    db.session.commit()
    return lines


demo_cli = AppGroup("demo", help="Demo data for the 2023 Xiamen edition.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no edition yet.")
def load_command(if_empty: bool) -> None:
    """Load (or top up) the demo edition; running it twice changes nothing."""
    if if_empty and not database_is_empty():
        click.echo("The database already holds data; the demo was not loaded again.")
    else:
        for line in load_demo():
            click.echo(line)
        where = current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1]
        click.echo(f"Demo data loaded into {where}")
    for note in (note for domain in installed().domains for note in domain.demo_notes):
        for line in note():
            click.echo(line)
