"""`flask volunteers ...`: the edition's shifts from the command line."""

import click
from flask.cli import AppGroup

from conference.editions.cli import edition_for_command
from conference.editions.localtime import local
from conference.volunteers import staffing
from conference.volunteers.records_cli import certificates_command

volunteers_cli = AppGroup("volunteers", help="Volunteers: shifts and their crews, service record certificates.")
volunteers_cli.add_command(certificates_command)


@volunteers_cli.command("shifts")
@click.option("--edition", "year", required=True, type=int, help="The edition's year, such as 2023.")
@click.option("--post", "code", help="One post's code, such as USHER-8.")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="One local day, YYYY-MM-DD.")
def shifts_command(year, code, day) -> None:
    """The shifts with their times, post, and places needed, taken and checked in."""
    edition = edition_for_command(year)
    post = None
    if code is not None:
        post = staffing.post_by_code(edition, code)
        if post is None:
            codes = ", ".join(p.code for p in staffing.posts_by_code(edition)) or "none"
            raise click.ClickException(f"The {year} edition has no post {code!r} (its posts: {codes}).")
    chosen = day.date() if day else None
    if chosen is not None:
        days = staffing.shift_days(edition)
        if chosen not in days:
            listed = ", ".join(d.isoformat() for d in days) or "none"
            raise click.ClickException(f"The {year} edition has no shifts on {chosen.isoformat()} (its days: {listed}).")
    rows = staffing.shift_rows(edition, post, chosen)
    click.echo(f"{'day':<11}{'time':<12}{'post':<16}{'needed':>7}{'taken':>7}{'in':>5}  short")
    for shift, checked_in in rows:
        start, end = local(edition, shift.starts_at), local(edition, shift.ends_at)
        missing = shift.needed - shift.taken
        click.echo(f"{start.date().isoformat():<11}{start:%H:%M}–{end:%H:%M}  {shift.post.code:<16}{shift.needed:>7}"
                   f"{shift.taken:>7}{checked_in:>5}  {missing if missing > 0 else ''}")
    needed = sum(shift.needed for shift, _ in rows)
    taken = sum(shift.taken for shift, _ in rows)
    click.echo(f"{len(rows)} shifts: {needed} places needed, {taken} taken, {sum(c for _, c in rows)} checked in.")
