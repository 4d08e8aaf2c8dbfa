"""`flask demo load`: each domain registers a step; steps run in registration order and each
must be idempotent (find-or-create by natural key), so loading twice changes nothing."""

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from conference.extensions import db

DemoStep = Callable[[], list[str]]
_steps: list[tuple[int, str, DemoStep]] = []
_notes: list[Callable[[], list[str]]] = []


def demo_step(name: str, order: int) -> Callable[[DemoStep], DemoStep]:
    """Register a step; steps run by `order` (the programme needs the halls first). A step
    returns lines to print (logins, counts) and does not commit."""

    def register(step: DemoStep) -> DemoStep:
        if all(existing != name for _, existing, _ in _steps):
            _steps.append((order, name, step))
            _steps.sort(key=lambda entry: entry[0])
        return step

    return register


def demo_note(note: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """Register lines printed after every load, such as the demo logins."""
    if note not in _notes:
        _notes.append(note)
    return note


def database_is_empty() -> bool:
    from conference.editions.models import Edition

    return db.session.execute(select(func.count(Edition.id))).scalar_one() == 0


def load_demo(only: set[str] | None = None) -> list[str]:
    """Every step, or only the named ones (tests that need the programme but not 3,000 people)."""
    lines: list[str] = []
    for _order, name, step in _steps:
        if only is None or name in only:
            lines.extend(step())
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
    for note in _notes:
        for line in note():
            click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
