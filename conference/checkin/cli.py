import click
from flask.cli import AppGroup

from conference.checkin import reports, services
from conference.checkin.models import ScannerDevice
from conference.core.database import committed
from conference.editions.cli import edition_for_command
from conference.extensions import db
from conference.venues.services import checkpoint_by_code

checkin_cli = AppGroup("checkin", help="Check-in: checkpoints and their rules, scanner devices.")


def describe_rule(rule) -> str:
    parts = [f"mode={rule.mode}", "categories=" + (",".join(rule.categories) or "all"),
             "zones=" + (",".join(rule.zones) or "any"), f"reentry={'yes' if rule.reentry else 'no'}"]
    if rule.session_id:
        parts.append(f"session={rule.session_id} (invitation only)")
    if rule.opens_at or rule.closes_at:
        parts.append(f"hours={rule.opens_at:%Y-%m-%d %H:%M}–{rule.closes_at:%H:%M} UTC" if rule.opens_at and rule.closes_at
                     else f"hours={rule.opens_at or ''}–{rule.closes_at or ''}")
    if rule.checks_out_elsewhere:
        parts.append("checks out of other halls")
    return " ".join(parts)


@checkin_cli.command("checkpoints")
@click.option("--edition", "year", required=True, type=int)
def checkpoints_command(year) -> None:
    """List the edition's checkpoints with their codes and rules."""
    edition = edition_for_command(year)
    checkpoints = reports.checkpoints_of(edition)
    rules = services.rules_of(checkpoints)
    for checkpoint in checkpoints:
        where = checkpoint.venue.name_zh + (f" / {checkpoint.hall.name_zh}" if checkpoint.hall else "")
        click.echo(f"{checkpoint.code:<12} {checkpoint.name_zh}（{where}）  {describe_rule(rules[checkpoint.id])}")


@checkin_cli.command("pair-device")
@click.option("--edition", "year", required=True, type=int)
@click.option("--checkpoint", "code", required=True, help="The checkpoint's code, such as GT-MAIN.")
@click.option("--name", default="", help="What to call the device in the device list.")
def pair_device_command(year, code, name) -> None:
    """Pair a scanner with a checkpoint and print its device token (shown once)."""
    edition = edition_for_command(year)
    checkpoint = checkpoint_by_code(edition, code)
    if checkpoint is None:
        raise click.ClickException(f"No checkpoint {code!r} in {year}; see `flask checkin checkpoints --edition {year}`.")
    device, token = committed(lambda: services.pair_now(checkpoint, name or f"{checkpoint.code} scanner"))
    click.echo(token)


@checkin_cli.command("devices")
@click.option("--edition", "year", required=True, type=int)
def devices_command(year) -> None:
    """List the edition's scanner devices."""
    for device in services.devices_of(edition_for_command(year)):
        seen = f"{device.last_seen_at:%Y-%m-%d %H:%M}" if device.last_seen_at else "-"
        click.echo(f"{device.id:>5}  {device.checkpoint.code:<12} {device.state:<9} last seen {seen}  {device.name}")


@checkin_cli.command("unpair")
@click.option("--device", "device_id", required=True, type=int)
def unpair_command(device_id) -> None:
    """Unpair a device: its token takes no new scans; scans it made before still arrive."""
    device = db.session.get(ScannerDevice, device_id)
    if device is None:
        raise click.ClickException(f"No device {device_id}.")
    committed(lambda: services.unpair(device))
    click.echo(f"Device {device_id} ({device.name}) unpaired.")
