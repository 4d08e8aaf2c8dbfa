"""How people reach the conference and move around it: the reception group's lists of arrivals
and departures, pickup groups (接送站) meeting them, and the shuttle timetable between hotels
and venues.

Flight and train numbers are sealed (an itinerary is sensitive, PIPL art. 28): a list that
shows them is a reveal, written to the audit log once with how many lines it showed. A
driver's sheet shows what the driver needs to find and drop people: names, numbers, times and
hotels, never an identity number or a personal phone.

The shuttle is generated from the published programme: for each day, each venue where sessions
happen, runs from the hotels arriving before the first session and back after the last, and
between venues when people go on from one to the other. Regenerating replaces what was generated
and keeps what an organizer added or edited.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from conference.core import audit
from conference.core.database import hold_rows
from conference.core.deletion import Dependent, depends_on
from conference.core.schedule import HARD, SOFT, Conflict, confirm_or_refuse
from conference.editions.localtime import at_local, local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.models import (
    DIRECTIONS,
    HOLDING,
    SHUTTLE_LEGS,
    Hotel,
    Journey,
    PickupGroup,
    ShuttleRun,
    Stay,
    TravelPlace,
)
from conference.hotels.services import HotelError, around_conference, journey_number
from conference.people.models import Person
from conference.programme.models import Session
from conference.programme.services import settings_for
from conference.registration.models import Registration
from conference.venues.models import Hall, Venue

MAX_CAPACITY = 100  # a coach; more people need another group
# People reach a venue this long before its first session (security, seating) and leave it this
# long after the last; a run is timed to the 5 minutes.
ARRIVE_BEFORE = timedelta(minutes=30)
LEAVE_AFTER = timedelta(minutes=15)
REPLACES = timedelta(minutes=45)  # an organizer's run within this of a planned one is that run, edited
SHUTTLE_KINDS = ("guest", "audience")  # hotels served even before anyone is placed in them
GONE = ("cancelled", "rejected")  # registrations whose people are met by no one


# Places --------------------------------------------------------------------------------------


def places_of(edition: Edition) -> list[TravelPlace]:
    return list(db.session.execute(
        select(TravelPlace).where(TravelPlace.edition_id == edition.id).order_by(TravelPlace.position, TravelPlace.code)
    ).scalars())


def get_place(edition: Edition, place_id: int | None) -> TravelPlace | None:
    place = db.session.get(TravelPlace, place_id) if place_id else None
    return place if place is not None and place.edition_id == edition.id else None


# Arrivals and departures ---------------------------------------------------------------------


@dataclass(frozen=True)
class TravelFilters:
    day: date | None = None
    place_id: int | None = None
    direction: str | None = None

    def as_args(self) -> dict:
        """As the list's address has them; the day always, empty for every day."""
        args = {"day": self.day.isoformat() if self.day else ""}
        return args | {key: value for key, value in (("place_id", self.place_id), ("direction", self.direction)) if value}


def check_filters(edition: Edition, filters: TravelFilters) -> None:
    errors = {}
    if filters.direction is not None and filters.direction not in DIRECTIONS:
        errors["direction"] = _l("Arrival or departure?")
    if filters.place_id is not None and get_place(edition, filters.place_id) is None:
        errors["place_id"] = _l("Choose a place from the list.")
    if filters.day is not None and not around_conference(edition, filters.day):
        errors["day"] = _l("Choose a day around the conference.")
    if errors:
        raise HotelError(errors=errors)


def _still_coming():
    """Journeys of people whose registration was cancelled or rejected are nobody's to meet."""
    return ~exists().where(Registration.person_id == Journey.person_id, Registration.status.in_(GONE))


def journeys_of(edition: Edition, filters: TravelFilters = TravelFilters()) -> list[Journey]:
    """The journeys matching the filters, in time order (numbers still sealed)."""
    query = (select(Journey).join(Journey.person)
             .where(Journey.edition_id == edition.id, _still_coming())
             .options(selectinload(Journey.person), selectinload(Journey.place),
                      selectinload(Journey.pickup_group))
             .order_by(Journey.at, Person.name_pinyin, Journey.id))
    if filters.direction:
        query = query.where(Journey.direction == filters.direction)
    if filters.place_id:
        query = query.where(Journey.place_id == filters.place_id)
    if filters.day:
        start = at_local(edition, filters.day, time(0))
        query = query.where(Journey.at >= start, Journey.at < start + timedelta(days=1))
    return list(db.session.execute(query).scalars())


def travel_days(edition: Edition) -> list[date]:
    """The host city's days on which someone arrives or leaves, for the day filter."""
    return sorted({local_day(edition, at) for at in db.session.execute(
        select(Journey.at).where(Journey.edition_id == edition.id)).scalars()})


def hotels_of_people(edition: Edition, person_ids: set[int]) -> dict[int, list[Stay]]:
    """Each person's placed stays, first night first: where a driver takes them."""
    found: dict[int, list[Stay]] = defaultdict(list)
    if not person_ids:
        return found
    for stay in db.session.execute(
        select(Stay).where(Stay.edition_id == edition.id, Stay.person_id.in_(person_ids), Stay.status.in_(HOLDING))
        .options(selectinload(Stay.hotel)).order_by(Stay.check_in)
    ).scalars():
        found[stay.person_id].append(stay)
    return found


def hotel_for(stays: list[Stay], journey: Journey, edition: Edition) -> Hotel | None:
    """The hotel a person arrives at (the stay beginning that day or holding that night) or
    leaves from (the stay ending that day), else their first."""
    day = local_day(edition, journey.at)
    for stay in stays:
        if stay.check_in <= day < stay.check_out or (journey.direction == "departure" and stay.check_out == day):
            return stay.hotel
    return stays[0].hotel if stays else None


@dataclass(frozen=True)
class TravelLine:
    """One line of the reception group's list or of a driver's sheet, the number unsealed;
    plain values, so that a page renders it after the audit entry is committed."""

    journey_id: int
    direction: str
    mode: str
    at: datetime  # the host city's clock
    name: str  # as written (张伟), for the sign held up at the exit
    latin_name: str  # and in Latin letters when that differs
    number: str
    place: str
    hotel: str
    group_id: int | None
    group: str  # the vehicle
    needs_pickup: bool


def _lines(edition: Edition, journeys: list[Journey]) -> list[TravelLine]:
    stays = hotels_of_people(edition, {journey.person_id for journey in journeys})
    lines = []
    for journey in journeys:
        hotel = hotel_for(stays.get(journey.person_id, []), journey, edition)
        lines.append(TravelLine(
            journey.id, journey.direction, journey.mode, local(edition, journey.at), journey.person.name,
            "" if journey.person.latin_name == journey.person.name else journey.person.latin_name,
            journey_number(journey), journey.place.name if journey.place else "", hotel.name if hotel else "",
            journey.pickup_group_id, journey.pickup_group.vehicle if journey.pickup_group else "", journey.needs_pickup))
    return lines


def travel_list(edition: Edition, filters: TravelFilters, purpose: str = "list", actor=None) -> list[TravelLine]:
    """The reception group's list: a reveal of itineraries, audited once with its count."""
    check_filters(edition, filters)
    lines = _lines(edition, journeys_of(edition, filters))
    audit.record("journey.reveal", edition, detail={"purpose": purpose, "rows": len(lines),
                                                    "filters": filters.as_args()}, actor=actor)
    return lines


# Pickup groups -------------------------------------------------------------------------------


@dataclass
class PickupFields:
    place_id: int | None
    direction: str
    day: date | None
    starts: time | None
    ends: time | None
    vehicle: str = ""
    capacity: int | None = None
    driver: str = ""
    driver_phone: str = ""
    note: str = ""


def get_group(edition: Edition, group_id: int) -> PickupGroup | None:
    group = db.session.get(PickupGroup, group_id)
    return group if group is not None and group.edition_id == edition.id else None


def groups_of(edition: Edition) -> list[PickupGroup]:
    return list(db.session.execute(
        select(PickupGroup).where(PickupGroup.edition_id == edition.id)
        .options(selectinload(PickupGroup.place)).order_by(PickupGroup.starts_at, PickupGroup.id)).scalars())


def aboard_counts(edition: Edition) -> dict[int, int]:
    return dict(db.session.execute(
        select(Journey.pickup_group_id, func.count(Journey.id))
        .where(Journey.edition_id == edition.id, Journey.pickup_group_id.is_not(None))
        .group_by(Journey.pickup_group_id)).all())


def _aboard(group: PickupGroup) -> int:
    return db.session.execute(select(func.count(Journey.id)).where(Journey.pickup_group_id == group.id)).scalar_one()


def aboard(group: PickupGroup) -> list[Journey]:
    return list(db.session.execute(
        select(Journey).join(Journey.person).where(Journey.pickup_group_id == group.id)
        .options(selectinload(Journey.person), selectinload(Journey.place))
        .order_by(Journey.at, Person.name_pinyin, Journey.id)).scalars())


def in_window(group: PickupGroup, at: datetime) -> bool:
    """The window holds both its ends: a train due at 14:30 is met by the 13:00–14:30 group."""
    return group.starts_at <= at <= group.ends_at


def check_group(edition: Edition, fields: PickupFields) -> None:
    """Every wrong field at once."""
    errors = {}
    if get_place(edition, fields.place_id) is None:
        errors["place_id"] = _l("Choose a place from the list.")
    if fields.direction not in DIRECTIONS:
        errors["direction"] = _l("Arrival or departure?")
    if fields.day is None:
        errors["day"] = _l("Give the day.")
    elif not around_conference(edition, fields.day):
        errors["day"] = _l("Choose a day around the conference.")
    if fields.starts is None:
        errors["starts"] = _l("Give the time the window opens.")
    if fields.ends is None:
        errors["ends"] = _l("Give the time the window closes.")
    elif fields.starts is not None and fields.ends <= fields.starts:
        errors["ends"] = _l("The window closes after it opens, on the same day.")
    if fields.capacity is None or not 1 <= fields.capacity <= MAX_CAPACITY:
        errors["capacity"] = _l("Give the seats for passengers, from 1 to %(n)d.", n=MAX_CAPACITY)
    if not (fields.vehicle or "").strip():
        errors["vehicle"] = _l("Name the vehicle, such as 考斯特 闽D·12345.")
    if errors:
        raise HotelError(errors=errors)


def save_group(edition: Edition, fields: PickupFields, group: PickupGroup | None = None, actor=None) -> PickupGroup:
    check_group(edition, fields)
    if group is not None:
        _lock(group)
        count = _aboard(group)
        if count and (group.place_id != fields.place_id or group.direction != fields.direction):
            raise HotelError(_l("People are in this group: take them out before it changes place or direction."),
                             "place_id")
        if fields.capacity < count:
            raise HotelError(_l("%(n)d people are in this group: it cannot seat fewer.", n=count), "capacity")
    else:
        group = PickupGroup(edition_id=edition.id)
        db.session.add(group)
    group.place_id, group.direction = fields.place_id, fields.direction
    group.starts_at, group.ends_at = at_local(edition, fields.day, fields.starts), at_local(edition, fields.day, fields.ends)
    group.vehicle, group.capacity = fields.vehicle.strip(), fields.capacity
    group.driver, group.driver_phone = (fields.driver or "").strip(), (fields.driver_phone or "").strip()
    group.note = (fields.note or "").strip()
    db.session.flush()
    audit.record("pickup.save", group, detail={"place": group.place_id, "direction": group.direction,
                                               "capacity": group.capacity}, actor=actor)
    return group


@depends_on("pickup_groups")
def _group_passengers(group: PickupGroup) -> list[Dependent]:
    count = _aboard(group)
    return [Dependent(_l("%(n)d people in it are unplaced again.", n=count), blocks=False)] if count else []


def delete_group(group: PickupGroup, actor=None) -> int:
    """Delete a group; the people in it are unplaced again. Returns how many."""
    freed = db.session.execute(
        update(Journey).where(Journey.pickup_group_id == group.id).values(pickup_group_id=None)
        .execution_options(synchronize_session="fetch")).rowcount
    audit.record("pickup.delete", group, detail={"vehicle": group.vehicle, "unplaced": freed}, actor=actor)
    db.session.delete(group)
    db.session.flush()
    return freed


def _lock(*groups: PickupGroup) -> None:
    """Hold the groups' rows until the commit, so that two organizers filling one vehicle count
    its seats one after the other, before any seat is counted."""
    hold_rows(PickupGroup.capacity, (group.id for group in groups))


# The rules of putting a journey in a group, one function each.


def same_place_and_direction(journey: Journey, group: PickupGroup) -> list[Conflict]:
    if journey.place_id != group.place_id or journey.direction != group.direction:
        return [Conflict("pickup_place", HARD, _l("This group meets another place or direction."),
                         subject_id=journey.id, other_id=group.id)]
    return []


def seat_left(group: PickupGroup, count: int) -> list[Conflict]:
    if count >= group.capacity:
        return [Conflict("pickup_full", HARD, _l("The vehicle is full (%(n)d seats).", n=group.capacity),
                         other_id=group.id)]
    return []


def within_window(journey: Journey, group: PickupGroup) -> list[Conflict]:
    if not in_window(group, journey.at):
        edition = db.session.get(Edition, group.edition_id)
        return [Conflict("pickup_window", SOFT, _l(
            "%(at)s is outside the group's window %(starts)s–%(ends)s.", at=local(edition, journey.at).strftime("%H:%M"),
            starts=local(edition, group.starts_at).strftime("%H:%M"), ends=local(edition, group.ends_at).strftime("%H:%M")),
            subject_id=journey.id, other_id=group.id)]
    return []


def get_journey(edition: Edition, journey_id: int) -> Journey | None:
    journey = db.session.get(Journey, journey_id)
    return journey if journey is not None and journey.edition_id == edition.id else None


def put_in_group(journey: Journey, group: PickupGroup, confirmed: bool = False, actor=None) -> None:
    """By hand: a person into a vehicle of their place and direction with a seat left; a time
    outside the window (a late flight) waits for the organizer's confirmation."""
    if journey.pickup_group_id == group.id:
        return
    _lock(group)
    conflicts = same_place_and_direction(journey, group) or seat_left(group, _aboard(group))
    confirm_or_refuse(conflicts or within_window(journey, group), confirmed)
    journey.pickup_group_id = group.id
    db.session.flush()
    audit.record("pickup.put", journey, detail={"group": group.id}, actor=actor)


def take_out(journey: Journey, actor=None) -> None:
    if journey.pickup_group_id is None:
        return
    audit.record("pickup.take_out", journey, detail={"group": journey.pickup_group_id}, actor=actor)
    journey.pickup_group_id = None
    db.session.flush()


@dataclass
class Grouping:
    placed: list[tuple[Journey, PickupGroup]] = field(default_factory=list)
    unplaced: list[tuple[Journey, object]] = field(default_factory=list)  # (journey, why)


def waiting_for_pickup(edition: Edition) -> list[Journey]:
    """Journeys that need a pickup and have no group yet, in time order."""
    return list(db.session.execute(
        select(Journey).join(Journey.person)
        .where(Journey.edition_id == edition.id, Journey.needs_pickup.is_(True), Journey.pickup_group_id.is_(None),
               _still_coming())
        .options(selectinload(Journey.person), selectinload(Journey.place))
        .order_by(Journey.at, Person.name_pinyin, Journey.id)).scalars())


def _match(edition: Edition, groups: list[PickupGroup], seats: dict[int, int]) -> Grouping:
    """Each waiting journey of the groups' places to the earliest group of its place and
    direction whose window holds its time and has a seat left (`seats` counts down); the rest
    with why."""
    by_place: dict[tuple[int, str], list[PickupGroup]] = defaultdict(list)
    for group in groups:
        by_place[(group.place_id, group.direction)].append(group)
    result = Grouping()
    for journey in waiting_for_pickup(edition):
        if journey.place_id is None:
            result.unplaced.append((journey, _l("No place given.")))
            continue
        fitting = [group for group in by_place[(journey.place_id, journey.direction)] if in_window(group, journey.at)]
        chosen = next((group for group in fitting if seats[group.id] > 0), None)
        if chosen is None:
            result.unplaced.append((journey, _l("Every group of this time is full.") if fitting
                                    else _l("No group meets this time.")))
            continue
        seats[chosen.id] -= 1
        result.placed.append((journey, chosen))
    return result


def waiting_with_reasons(edition: Edition) -> Grouping:
    """What putting the waiting people in groups would do now (nothing is saved)."""
    groups = groups_of(edition)
    counts = aboard_counts(edition)
    return _match(edition, groups, {group.id: group.capacity - counts.get(group.id, 0) for group in groups})


def group_automatically(edition: Edition, actor=None) -> Grouping:
    """Put the waiting journeys in groups by place and window; never over capacity. The
    groups are locked first, so their seats are counted once for the whole run."""
    groups = groups_of(edition)
    _lock(*groups)
    counts = aboard_counts(edition)
    result = _match(edition, groups, {group.id: group.capacity - counts.get(group.id, 0) for group in groups})
    for journey, group in result.placed:
        journey.pickup_group_id = group.id
    db.session.flush()
    audit.record("pickup.group_automatically", edition, detail={"placed": len(result.placed),
                                                                "unplaced": len(result.unplaced)}, actor=actor)
    return result


@dataclass(frozen=True)
class DriverSheet:
    group: PickupGroup
    lines: list[TravelLine]


def driver_sheet(edition: Edition, group: PickupGroup, actor=None) -> DriverSheet:
    """What the driver carries: the window, place and vehicle, and each passenger's name,
    number, time and hotel. A reveal of itineraries, audited once with its count."""
    lines = _lines(edition, aboard(group))
    audit.record("journey.reveal", group, detail={"purpose": "driver_sheet", "rows": len(lines)}, actor=actor)
    return DriverSheet(group, lines)


# The shuttle timetable -----------------------------------------------------------------------


def runs_of(edition: Edition) -> list[ShuttleRun]:
    """The timetable in time order; runs leaving together in the hotels' order."""
    runs = db.session.execute(
        select(ShuttleRun).where(ShuttleRun.edition_id == edition.id)
        .options(selectinload(ShuttleRun.hotel), selectinload(ShuttleRun.venue), selectinload(ShuttleRun.other_venue))
    ).scalars()
    return sorted(runs, key=lambda run: (run.departs_at, run.leg, (run.hotel.position, run.hotel.code) if run.hotel
                                         else (-1, ""), run.arrives_at, run.id))


def runs_by_day(edition: Edition, runs: list[ShuttleRun]) -> list[tuple[date, list[ShuttleRun]]]:
    days: dict[date, list[ShuttleRun]] = defaultdict(list)
    for run in runs:
        days[local_day(edition, run.departs_at)].append(run)
    return sorted(days.items())


def get_run(edition: Edition, run_id: int) -> ShuttleRun | None:
    run = db.session.get(ShuttleRun, run_id)
    return run if run is not None and run.edition_id == edition.id else None


def run_from(run: ShuttleRun) -> str:
    return run.hotel.name if run.leg == "to_venue" and run.hotel else run.venue.name


def run_to(run: ShuttleRun) -> str:
    if run.leg == "to_hotel" and run.hotel:
        return run.hotel.name
    if run.leg == "between_venues" and run.other_venue:
        return run.other_venue.name
    return run.venue.name


@dataclass(frozen=True)
class Stretch:
    """Sessions at one venue one after another on a day, with no session elsewhere between."""

    venue: Venue
    starts_at: datetime
    ends_at: datetime


def programme_stretches(edition: Edition) -> dict[date, list[Stretch]]:
    """The published, scheduled sessions in halls, as stretches per host-city day in time order."""
    sessions = db.session.execute(
        select(Session).join(Session.hall)
        .where(Session.edition_id == edition.id, Session.status == "published",
               Session.starts_at.is_not(None), Session.ends_at.is_not(None))
        .options(selectinload(Session.hall).selectinload(Hall.venue))
        .order_by(Session.starts_at, Session.id)).scalars()
    days: dict[date, list[Stretch]] = defaultdict(list)
    for session in sessions:
        stretches = days[local_day(edition, session.starts_at)]
        if stretches and stretches[-1].venue.id == session.hall.venue_id:
            last = stretches[-1]
            stretches[-1] = Stretch(last.venue, last.starts_at, max(last.ends_at, session.ends_at))
        else:
            stretches.append(Stretch(session.hall.venue, session.starts_at, session.ends_at))
    return days


def _hotels_served(edition: Edition) -> list[Hotel]:
    """Hotels of the guest and audience kinds, and any other hotel someone is placed in."""
    housed = select(Stay.hotel_id).where(Stay.edition_id == edition.id, Stay.status.in_(HOLDING))
    return list(db.session.execute(
        select(Hotel).where(Hotel.edition_id == edition.id, or_(Hotel.kind.in_(SHUTTLE_KINDS), Hotel.id.in_(housed)))
        .options(selectinload(Hotel.travel_times)).order_by(Hotel.position, Hotel.code)).scalars())


def _floor5(moment: datetime) -> datetime:
    return moment - timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)


def _ceil5(moment: datetime) -> datetime:
    floored = _floor5(moment)
    return floored if floored == moment else floored + timedelta(minutes=5)


def planned_runs(edition: Edition) -> list[ShuttleRun]:
    """The runs the programme asks for (not added to the session)."""
    stretches = programme_stretches(edition)
    hotels = _hotels_served(edition)
    between = timedelta(minutes=settings_for(edition).venue_travel_minutes)
    runs = []
    for day_stretches in stretches.values():
        venues: dict[int, tuple[Venue, datetime, datetime]] = {}
        for stretch in day_stretches:
            venue, first, last = venues.get(stretch.venue.id, (stretch.venue, stretch.starts_at, stretch.ends_at))
            venues[stretch.venue.id] = (venue, min(first, stretch.starts_at), max(last, stretch.ends_at))
        for venue, first, last in venues.values():
            arrive = _floor5(first - ARRIVE_BEFORE)
            leave = _ceil5(last + LEAVE_AFTER)
            for hotel in hotels:
                minutes = hotel.minutes_to(venue.id)
                if minutes is None:
                    continue
                trip = timedelta(minutes=minutes)
                runs.append(ShuttleRun(edition_id=edition.id, leg="to_venue", hotel=hotel, venue=venue,
                                       departs_at=_floor5(arrive - trip), arrives_at=arrive, generated=True))
                runs.append(ShuttleRun(edition_id=edition.id, leg="to_hotel", hotel=hotel, venue=venue,
                                       departs_at=leave, arrives_at=leave + trip, generated=True))
        for before, after in zip(day_stretches, day_stretches[1:], strict=False):
            # Only when there is time to go: sessions at both venues at once are reached from the hotels.
            if before.venue.id != after.venue.id and after.starts_at >= before.ends_at:
                leave = _ceil5(before.ends_at + LEAVE_AFTER)
                runs.append(ShuttleRun(edition_id=edition.id, leg="between_venues", venue=before.venue,
                                       other_venue=after.venue, departs_at=leave, arrives_at=leave + between,
                                       generated=True))
    return runs


def _route(run: ShuttleRun, edition: Edition) -> tuple:
    return (run.leg, run.hotel.id if run.hotel else None, run.venue.id, run.other_venue.id if run.other_venue else None,
            local_day(edition, run.departs_at))


def generate_runs(edition: Edition, actor=None) -> tuple[int, int]:
    """Replace the generated runs with those the programme asks for now. Runs an organizer
    added or edited stay; each takes the place of the planned run of its route and day that
    leaves nearest to it, within REPLACES minutes, so an edited run is not doubled.
    Returns (runs generated, runs kept)."""
    db.session.execute(delete(ShuttleRun).where(ShuttleRun.edition_id == edition.id, ShuttleRun.generated.is_(True))
                       .execution_options(synchronize_session="fetch"))
    kept = runs_of(edition)
    planned = planned_runs(edition)
    for run in kept:
        near = [plan for plan in planned if _route(plan, edition) == _route(run, edition)
                and abs(plan.departs_at - run.departs_at) <= REPLACES]
        if near:
            planned.remove(min(near, key=lambda plan: abs(plan.departs_at - run.departs_at)))
    db.session.add_all(planned)
    db.session.flush()
    audit.record("shuttle.generate", edition, detail={"generated": len(planned), "kept": len(kept)}, actor=actor)
    return len(planned), len(kept)


@dataclass
class RunFields:
    leg: str
    venue_id: int | None
    day: date | None
    departs: time | None
    arrives: time | None
    hotel_id: int | None = None
    other_venue_id: int | None = None
    note: str = ""


def save_run(edition: Edition, fields: RunFields, run: ShuttleRun | None = None, actor=None) -> ShuttleRun:
    """Add or edit a run; either way it is the organizer's now and regeneration keeps it."""
    errors = {}
    venue = db.session.get(Venue, fields.venue_id) if fields.venue_id else None
    if venue is None or venue.edition_id != edition.id:
        errors["venue_id"] = _l("Choose a venue from the list.")
    hotel = db.session.get(Hotel, fields.hotel_id) if fields.hotel_id else None
    other = db.session.get(Venue, fields.other_venue_id) if fields.other_venue_id else None
    if fields.leg not in SHUTTLE_LEGS:
        errors["leg"] = _l("Choose where the run goes.")
    elif fields.leg == "between_venues":
        if other is None or other.edition_id != edition.id or (venue is not None and other.id == venue.id):
            errors["other_venue_id"] = _l("Choose the other venue the run goes to.")
    elif hotel is None or hotel.edition_id != edition.id:
        errors["hotel_id"] = _l("Choose the hotel the run calls at.")
    if fields.day is None:
        errors["day"] = _l("Give the day.")
    elif not around_conference(edition, fields.day):
        errors["day"] = _l("Choose a day around the conference.")
    if fields.departs is None:
        errors["departs"] = _l("Give the time it leaves.")
    if fields.arrives is None:
        errors["arrives"] = _l("Give the time it arrives.")
    elif fields.departs is not None and fields.arrives <= fields.departs:
        errors["arrives"] = _l("It arrives after it leaves, on the same day.")
    if errors:
        raise HotelError(errors=errors)
    if run is None:
        run = ShuttleRun(edition_id=edition.id)
        db.session.add(run)
    run.leg, run.venue = fields.leg, venue
    run.hotel = None if fields.leg == "between_venues" else hotel
    run.other_venue = other if fields.leg == "between_venues" else None
    run.departs_at, run.arrives_at = at_local(edition, fields.day, fields.departs), at_local(edition, fields.day, fields.arrives)
    run.note, run.generated = (fields.note or "").strip(), False
    db.session.flush()
    audit.record("shuttle.save", run, detail={"leg": run.leg}, actor=actor)
    return run


def delete_run(run: ShuttleRun, actor=None) -> None:
    audit.record("shuttle.delete", run, detail={"leg": run.leg, "generated": run.generated}, actor=actor)
    db.session.delete(run)
    db.session.flush()


@dataclass(frozen=True)
class HotelRuns:
    hotel: Hotel
    outward: list[ShuttleRun]  # to a venue
    back: list[ShuttleRun]  # from a venue


def public_timetable(edition: Edition, **page) -> dict:
    """The public programme page's shuttle section: each day's runs between venues, and each
    hotel's runs out and back, which is how a guest reads a timetable."""
    days = []
    for day, runs in runs_by_day(edition, runs_of(edition)):
        hotels: dict[int, HotelRuns] = {}
        for run in runs:
            if run.hotel is not None:
                found = hotels.setdefault(run.hotel.id, HotelRuns(run.hotel, [], []))
                (found.outward if run.leg == "to_venue" else found.back).append(run)
        ordered = sorted(hotels.values(), key=lambda runs: (runs.hotel.position, runs.hotel.code))
        days.append((day, [run for run in runs if run.leg == "between_venues"], ordered))
    return {"shuttle_days": days, "shuttle_local": lambda moment: local(edition, moment)}
