"""`flask hotels ...`: auto-assign and rooming lists from the command line."""
import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.hotels import assign

hotels_cli = AppGroup("hotels", help="Hotels: auto-assign stays, write rooming lists.")


@hotels_cli.command("assign")
@click.option("--edition", "year", required=True, type=int)
@click.option("--dry-run", is_flag=True, help="Print what would be placed; save nothing.")
def assign_command(year, dry_run) -> None:
    """Place every requested or waiting stay (the same plan as the preview page), then save it."""
    edition = edition_for_command(year)
    plan = assign.plan(edition)
    click.echo(f"{'hotel':<14}{'kind':<10}{'people':>7}{'rooms':>7}")
    for row in plan.by_hotel():
        click.echo(f"{row['hotel'].code:<14}{row['hotel'].kind:<10}{row['people']:>7}{row['rooms']:>7}")
    for row in plan.by_kind():
        click.echo(f"{row['kind'] or 'no kind'}: {row.get('placed', 0)} placed, {row.get('waitlisted', 0)} waitlisted, "
                   f"{row.get('other', 0)} not placed")
    for unplaced in plan.unplaced:
        click.echo(f"not placed: stay {unplaced.stay.id} {unplaced.stay.person.name}: {unplaced.message}")
    for stay, note in plan.notes:
        click.echo(f"note: stay {stay.id} {stay.person.name}: {note}")
    if dry_run:
        click.echo(f"Dry run: {len(plan.placements)} would be placed; nothing saved.")
        return
    try:
        applied = committed(lambda: assign.apply(plan))
    except assign.AssignError as error:
        raise click.ClickException(str(error.message)) from error
    assign.tell(applied)
    click.echo(f"Saved: {len(applied.placed)} placed, {len(applied.waitlisted)} waitlisted.")
