"""Edition-local time: moments are stored in UTC and read, typed and grouped on the host city's
clock (the edition's time zone). Every domain converts through here: the programme's sessions,
registration windows, check-in hours, and the hotels' nights and volunteers' shifts to come."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from conference.editions.models import Edition


def edition_zone(edition: Edition) -> ZoneInfo:
    return ZoneInfo(edition.timezone)


def utc(moment: datetime) -> datetime:
    """An aware moment in UTC. The first and last hours of the calendar in a far offset have no
    UTC spelling: they become the calendar's first or last moment, as implausible as the time
    they stand for (a filter "since 0001-01-01" means since ever, not a 500)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == datetime.min.year else datetime.max).replace(tzinfo=UTC)


def at_local(edition: Edition, day: date, clock: time) -> datetime:
    """A wall-clock time in the host city, stored as UTC."""
    return utc(datetime.combine(day, clock, tzinfo=edition_zone(edition)))


def local(edition: Edition, moment: datetime) -> datetime:
    return moment.astimezone(edition_zone(edition))


def local_day(edition: Edition, moment: datetime) -> date:
    """The host city's date of a stored moment: the day a session, a scan or a shift falls on."""
    return local(edition, moment).date()


def form_local(edition: Edition, moment: datetime | None) -> datetime | None:
    """A stored UTC moment as the host city's wall clock, for a datetime-local field."""
    return local(edition, moment).replace(tzinfo=None) if moment else None


def form_utc(edition: Edition, value: datetime | None) -> datetime | None:
    """A host-city wall-clock time typed in a form, as UTC."""
    return at_local(edition, value.date(), value.time()) if value else None
