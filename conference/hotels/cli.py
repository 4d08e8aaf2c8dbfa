"""`flask hotels ...`: auto-assign and rooming lists from the command line."""
import click
from flask.cli import AppGroup

from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.hotels import rooming, services
from conference.hotels.services import HotelError

hotels_cli = AppGroup("hotels", help="Hotels: auto-assign stays, write rooming lists.")


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
