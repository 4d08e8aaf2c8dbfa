"""`flask hotels ...`: auto-assign and rooming lists from the command line."""
import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.hotels import assign, rooming, services
from conference.hotels.services import HotelError

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


@hotels_cli.command("rooming-list")
@click.option("--edition", "year", required=True, type=int, help="The edition's year, such as 2023.")
@click.option("--hotel", "code", required=True, help="The hotel's code, such as H-HAIYUE.")
@click.option("--night", type=click.DateTime(["%Y-%m-%d"]), help="One night, YYYY-MM-DD (default: the whole stay).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file to write.")
@click.option("--mark-sent", is_flag=True, help="Also mark the list as sent: later changes are counted from it.")
def rooming_list_command(year, code, night, out, mark_sent) -> None:
    """Write a hotel's rooming list as an Excel file (an export the audit log records)."""
    edition = edition_for_command(year)
    hotel = services.hotel_by_code(edition, code)
    if hotel is None:
        codes = ", ".join(h.code for h in services.hotels_of(edition)) or "none"
        raise click.ClickException(f"The {year} edition has no hotel {code!r} (its hotels: {codes}).")
    try:
        chosen = rooming.parse_night(hotel, night.date().isoformat() if night else None)
    except HotelError as error:
        raise click.ClickException(str(error.message)) from error

    def write():
        listed = rooming.export(hotel, chosen, "cli")
        data = rooming.workbook_of(listed)
        with open(out, "wb") as handle:
            handle.write(data)
        if mark_sent:
            rooming.mark_sent(hotel, chosen)
        return listed

    try:
        written = committed(write)
    except OSError as error:
        raise click.ClickException(f"Cannot write {out}: {error.strerror}.") from error
    click.echo(f"{hotel.code}: {len(written.rooms)} rooms, {len(written.guests)} guests, "
               f"{written.documents} with their identity document, written to {out}"
               + (" and marked as sent." if mark_sent else "."))
