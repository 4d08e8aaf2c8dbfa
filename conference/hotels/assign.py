"""Auto-assign: every requested or waiting stay of an edition gets a room, or a reason why not.

`plan(edition)` reads the edition once and decides in memory (nothing is written), so the
organizer sees the result before anything is saved; `apply(plan)` saves it in one transaction:
each room block it uses is taken with one conditional UPDATE (`taken + k <= rooms`, core/capacity's
statement for k rooms at once), and if any block or stay changed since the plan was made,
nothing is saved and the organizer previews again. The mails go out after the commit, from
one background job (`tell`), so that thousands of placements commit quickly.

The rules are services' (kind_for, one_hotel_a_night, roommates_agree, wishes_respected,
kind_allowed); only the counting of free rooms is done here, on counters in memory.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import selectinload

from conference.core import audit
from conference.core.errors import Refusal
from conference.core.jobs import app_context
from conference.core.models import utcnow
from conference.core.schedule import Interval
from conference.editions.models import Edition
from conference.extensions import db, huey
from conference.hotels import services
from conference.hotels.models import HOLDING, Hotel, RoomBlock, RoomType, Stay
from conference.people.models import Person
from conference.programme.models import AgendaItem, AgendaSpeaker, Session
from conference.registration.models import Registration, SeatBooking
from conference.venues.models import Hall

OPEN = ("requested", "waitlisted")  # the stays auto-assign places
FAR = 24 * 60  # minutes counted for a venue a hotel has no travel time to
WRITTEN = ["status", "hotel_id", "room_type_id", "shares_with_id", "assigned_at", "confirmed_at", "updated_at",
           "hotel", "room_type", "shares_with"]


class AssignError(Refusal):
    pass


@dataclass(frozen=True)
class Placement:
    """A stay put in a room type of a hotel, or in the twin room of another stay (`holder`).
    What the save checks is kept as planned: the stays may change in the database meanwhile."""

    stay: "Request"
    hotel: Hotel
    room_type: RoomType
    holder: "Stay | Request | None" = None
    nights: tuple[date, date] = field(init=False)
    joins: bool = field(init=False)  # into a room held before the plan, not one the plan holds

    def __post_init__(self):
        object.__setattr__(self, "nights", (self.stay.check_in, self.stay.check_out))
        object.__setattr__(self, "joins", self.holder is not None and self.holder.status in HOLDING)

    @property
    def key(self) -> tuple:
        return (self.stay.id, self.room_type.id, self.holder.id if self.holder else None,
                self.nights[0].isoformat(), self.nights[1].isoformat())


@dataclass(frozen=True)
class Unplaced:
    """A stay that could not be placed and why; `waitlisted` when its kind of hotel is full."""

    stay: "Request"
    reason: str  # kind, two_stays, full
    message: str
    waitlisted: bool = False


@dataclass
class Plan:
    edition: Edition
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    # Placed, but a wish could not be honoured (a roommate who asked for someone else).
    notes: list[tuple["Request", str]] = field(default_factory=list)
    takes: Counter = field(default_factory=Counter)  # RoomBlock -> rooms taken
    hotels: list[Hotel] = field(default_factory=list)
    kinds: dict[str, str | None] = field(default_factory=dict)  # category -> hotel kind

    @property
    def saves_anything(self) -> bool:
        """Whether saving would change a stay: place one, or put a requested one on the waiting list."""
        return bool(self.placements) or any(u.waitlisted and u.stay.status == "requested" for u in self.unplaced)

    @property
    def fingerprint(self) -> str:
        """What the plan would save, in 16 hex digits: the page sends it back with the save, so
        that a plan that changed since the preview is shown again instead of saved."""
        lines = sorted(str(p.key) for p in self.placements) + sorted(f"{u.stay.id}:{u.reason}" for u in self.unplaced)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]

    def by_hotel(self) -> list[dict]:
        """People and rooms per hotel, in the hotels' order (hotels without anyone included)."""
        people, rooms = Counter(), Counter()
        for placement in self.placements:
            people[placement.hotel.id] += 1
            rooms[placement.hotel.id] += placement.holder is None
        return [{"hotel": hotel, "people": people[hotel.id], "rooms": rooms[hotel.id]} for hotel in self.hotels]

    def by_kind(self) -> list[dict]:
        """Placed, waitlisted and otherwise not placed, per kind of hotel (None: no kind)."""
        rows: dict[str | None, Counter] = defaultdict(Counter)
        for placement in self.placements:
            rows[placement.hotel.kind]["placed"] += 1
        for unplaced in self.unplaced:
            rows[self.kinds.get(unplaced.stay.person.category)]["waitlisted" if unplaced.waitlisted else "other"] += 1
        order = {kind: n for n, kind in enumerate(("guest", "audience", "staff"))}
        return [{"kind": kind, **counts} for kind, counts in sorted(rows.items(), key=lambda r: order.get(r[0], 9))]


@dataclass
class _Unit:
    """What is placed together: one stay, or two sharing a twin room (the first holds it)."""

    stays: list["Request"]
    kind: str
    group: tuple | None  # (kind, organisation): placed in one hotel when possible
    venues: frozenset[int]

    @property
    def first(self) -> "Request":
        return self.stays[0]

    @property
    def accessible(self) -> bool:
        return any(stay.accessible for stay in self.stays)

    @property
    def non_smoking(self) -> bool:
        return any(stay.non_smoking for stay in self.stays)


# Reading the edition --------------------------------------------------------------------------


class _Person:
    """What the plan reads of a person, in plain values; named as Person names them."""

    __slots__ = ("id", "family_name", "given_name", "name_latin", "category", "organisation", "organisation_en")
    COLUMNS = (Person.id, Person.family_name, Person.given_name, Person.name_latin, Person.category,
               Person.organisation, Person.organisation_en)

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)

    name = property(Person.name.fget)
    latin_name = property(Person.latin_name.fget)
    display_name = property(Person.display_name.fget)
    organisation_text = property(Person.organisation_text.fget)


class Request:
    """An open stay as the plan reads it: plain values, since thousands are read at once (an
    ORM object each would cost more than the plan). Services' rules read it as they read a Stay."""

    __slots__ = ("id", "check_in", "check_out", "room_kind", "accessible", "non_smoking", "roommate_wish_id",
                 "not_with_id", "status", "person_id", "person")
    COLUMNS = (Stay.id, Stay.check_in, Stay.check_out, Stay.room_kind, Stay.accessible, Stay.non_smoking,
               Stay.roommate_wish_id, Stay.not_with_id, Stay.status, Stay.person_id)

    def __init__(self, row):
        for name, value in zip(self.__slots__[:-1], row[:len(self.COLUMNS)], strict=True):
            setattr(self, name, value)
        self.person = _Person(*row[len(self.COLUMNS):])


def _open_stays(edition: Edition) -> list[Request]:
    return [Request(row) for row in db.session.execute(
        select(*Request.COLUMNS, *_Person.COLUMNS).join(Person, Person.id == Stay.person_id)
        .where(Stay.edition_id == edition.id, Stay.status.in_(OPEN)).order_by(Stay.id))]


def _holding_stays(edition: Edition) -> dict[int, list[Stay]]:
    """Placed stays of the people with open stays and of those they would share with: a roommate
    may join one, and nobody gets two a night."""
    open_stays = select(Stay.person_id, Stay.roommate_wish_id).where(Stay.edition_id == edition.id,
                                                                     Stay.status.in_(OPEN)).subquery()
    found = defaultdict(list)
    for stay in db.session.execute(
        select(Stay).where(Stay.edition_id == edition.id, Stay.status.in_(HOLDING),
                           or_(Stay.person_id.in_(select(open_stays.c.person_id)),
                               Stay.person_id.in_(select(open_stays.c.roommate_wish_id))))
        .options(selectinload(Stay.person), selectinload(Stay.room_type))
    ).scalars():
        found[stay.person_id].append(stay)
    return found


def venues_of_people(edition: Edition) -> dict[int, set[int]]:
    """The venues of each person's sessions: their confirmed seats, and the items they speak in."""
    venues = defaultdict(set)
    seats = (select(Registration.person_id, Hall.venue_id)
             .join(SeatBooking, SeatBooking.registration_id == Registration.id)
             .join(Session, Session.id == SeatBooking.session_id).join(Hall, Hall.id == Session.hall_id)
             .where(Registration.edition_id == edition.id, SeatBooking.status == "confirmed"))
    stages = (select(AgendaSpeaker.person_id, Hall.venue_id)
              .join(AgendaItem, AgendaItem.id == AgendaSpeaker.item_id)
              .join(Session, Session.id == AgendaItem.session_id).join(Hall, Hall.id == Session.hall_id)
              .where(Session.edition_id == edition.id))
    for query in (seats, stages):
        for person_id, venue_id in db.session.execute(query.distinct()):
            venues[person_id].add(venue_id)
    return venues


# Planning -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    """A room type as the plan compares them, in plain values (thousands of comparisons)."""

    hotel: Hotel
    room_type: RoomType
    hotel_id: int
    room_type_id: int
    accessible: bool
    smoking: bool
    minutes: dict  # venue id -> minutes from the hotel
    order: tuple  # the hotels' order, then the room types'


class _Rooms:
    """Free rooms per room type and night, counted down as the plan places people."""

    def __init__(self, hotels: list[Hotel]):
        self.blocks: dict[tuple[int, date], RoomBlock] = {}
        self.free: dict[tuple[int, date], int] = {}
        self.options: dict[tuple[str, str], list[_Option]] = defaultdict(list)  # (hotel kind, room kind) -> options
        self._distances: dict[tuple, list[int]] = {}
        for hotel in hotels:
            minutes = {travel.venue_id: travel.minutes for travel in hotel.travel_times}
            for room_type in hotel.room_types:
                self.options[hotel.kind, room_type.kind].append(_Option(
                    hotel, room_type, hotel.id, room_type.id, room_type.accessible, room_type.smoking, minutes,
                    (hotel.position, hotel.code, room_type.position, room_type.id)))
                for block in room_type.blocks:
                    self.blocks[room_type.id, block.night] = block
                    self.free[room_type.id, block.night] = block.rooms - block.taken

    def distances(self, kind: str, room_kind: str, venues: frozenset) -> list[int]:
        """Minutes from each option's hotel to the venues, summed (few people differ in venues)."""
        key = (kind, room_kind, venues)
        if key not in self._distances:
            self._distances[key] = [sum(option.minutes.get(venue, FAR) for venue in venues)
                                    for option in self.options.get((kind, room_kind), ())]
        return self._distances[key]

    def take(self, option: _Option, nights: tuple[date, ...], takes: Counter) -> None:
        for night in nights:
            self.free[option.room_type_id, night] -= 1
            takes[self.blocks[option.room_type_id, night]] += 1


@lru_cache(maxsize=256)
def _nights(check_in: date, check_out: date) -> tuple[date, ...]:
    return tuple(Interval(check_in, check_out).nights())


def _agree(asker: Request, other: "Request | Stay") -> bool:
    """Both asked for each other, or one asked and the other, wishing no one else, accepts."""
    return other.roommate_wish_id in (None, asker.person_id)


def _pair_conflicts(asker: Request, other: Request, kinds: dict) -> str | None:
    """Why two open stays cannot share a twin room, or None."""
    if not _agree(asker, other):
        return str(_l("%(other)s asked to share with someone else.", other=other.person.display_name))
    unwanted = services.wishes_respected(asker, other)
    if unwanted:
        return str(unwanted[0].message)
    if asker.room_kind != "twin" or other.room_kind != "twin":
        return str(_l("Two people share a twin room: both must ask for one."))
    if (asker.check_in, asker.check_out) != (other.check_in, other.check_out):
        return str(_l("%(name)s and %(other)s must share the same nights.", name=asker.person.display_name,
                      other=other.person.display_name))
    if kinds.get(asker.person.category) != kinds.get(other.person.category):
        return str(_l("%(name)s and %(other)s stay in different kinds of hotel.", name=asker.person.display_name,
                      other=other.person.display_name))
    return None


def _join_conflicts(asker: Request, holder: Stay) -> str | None:
    """Why an open stay cannot join the twin room a placed stay holds, or None."""
    if not _agree(asker, holder):
        return str(_l("%(other)s asked to share with someone else.", other=holder.person.display_name))
    conflicts = (services.roommates_agree(asker, holder) or services.wishes_respected(asker, holder)
                 or services.kind_allowed(asker, holder.hotel))
    return str(conflicts[0].message) if conflicts else None


def plan(edition: Edition) -> Plan:
    """Where each requested or waiting stay would go, and why the others cannot; writes nothing."""
    hotels = services.hotels_of(edition)
    stays = _open_stays(edition)
    result = Plan(edition=edition, hotels=hotels)
    result.kinds = kinds = {category: services.kind_for(edition, category)
                            for category in {stay.person.category for stay in stays}}
    holding = _holding_stays(edition)
    venues = venues_of_people(edition)
    rooms = _Rooms(hotels)
    open_by_person = {}
    for stay in stays:
        open_by_person.setdefault(stay.person_id, stay)

    placeable, asked = [], defaultdict(list)  # person -> the nights of their open stays so far
    for stay in stays:
        nights = Interval(stay.check_in, stay.check_out)
        if any(nights.overlaps(earlier) for earlier in asked[stay.person_id]):
            result.unplaced.append(Unplaced(stay, "two_stays", str(_l(
                "%(name)s asked for a room twice on some of these nights.", name=stay.person.display_name))))
            continue
        asked[stay.person_id].append(nights)
        if stay.person_id in holding:
            conflicts = services.one_hotel_a_night(stay, holding[stay.person_id][0].hotel)
            if conflicts:
                result.unplaced.append(Unplaced(stay, "two_stays", str(conflicts[0].message)))
                continue
        if kinds.get(stay.person.category) is None:
            result.unplaced.append(Unplaced(stay, "kind", str(_l(
                "People of this category stay in no hotel: set their kind of hotel first."))))
            continue
        placeable.append(stay)

    # Roommates first, in the order they asked: a pair shares one twin room (the asker holds it),
    # or the asker joins the twin room their roommate already holds.
    partner: dict[int, Stay] = {}
    joined: set[int] = set()  # placed stays whose room an open stay joins
    joiners: set[int] = set()
    blocked = {unplaced.stay.id for unplaced in result.unplaced}
    for stay in placeable:
        wish = stay.roommate_wish_id
        if not wish or stay.id in partner:
            continue
        other = open_by_person.get(wish)
        if other is not None and other.id in blocked:
            why_not = str(_l("%(other)s cannot be placed.", other=other.person.display_name))
        elif other is not None and other.id in partner:
            why_not = str(_l("%(other)s shares with someone else.", other=other.person.display_name))
        elif other is not None:
            why_not = _pair_conflicts(stay, other, kinds)
            if why_not is None:
                partner[stay.id], partner[other.id] = other, stay
                continue
        else:
            holder = next((s for s in holding.get(wish, []) if s.id not in joined and s.shares_with_id is None), None)
            why_not = _join_conflicts(stay, holder) if holder is not None else str(_l(
                "The roommate asked for has no room to share."))
            if why_not is None:
                joined.add(holder.id)
                joiners.add(stay.id)
                result.placements.append(Placement(stay, holder.hotel, holder.room_type, holder))
                continue
        result.notes.append((stay, str(_l("Roommate wish not honoured: %(why)s", why=why_not))))

    units, done = [], set()
    for stay in placeable:
        if stay.id in done or stay.id in joiners:
            continue
        members = [stay, partner[stay.id]] if stay.id in partner else [stay]
        done.update(member.id for member in members)
        kind = kinds[stay.person.category]
        organisation = stay.person.organisation.strip()
        units.append(_Unit(members, kind, (kind, organisation) if organisation else None,
                           frozenset().union(*(venues.get(member.person_id, ()) for member in members))))

    # Those who asked for an accessible room first, then the largest delegations, each together.
    group_size = Counter(unit.group for unit in units if unit.group)
    units.sort(key=lambda unit: (not unit.accessible, -group_size.get(unit.group, 0),
                                 unit.group[1] if unit.group else "", unit.first.id))
    left_in_group = Counter(group_size)
    group_hotel: dict[tuple, int] = {}
    for unit in units:
        choice = _choose(unit, rooms, group_hotel.get(unit.group), left_in_group.get(unit.group, 1))
        if unit.group:
            left_in_group[unit.group] -= 1
        if choice is None:
            message = _full_message(unit)
            result.unplaced.extend(Unplaced(stay, "full", message, waitlisted=True) for stay in unit.stays)
            continue
        rooms.take(choice, _nights(unit.first.check_in, unit.first.check_out), result.takes)
        hotel, room_type = choice.hotel, choice.room_type
        if unit.group:
            group_hotel.setdefault(unit.group, hotel.id)
        holder = unit.first
        result.placements.append(Placement(holder, hotel, room_type))
        result.placements.extend(Placement(sharer, hotel, room_type, holder) for sharer in unit.stays[1:])
    return result


def _choose(unit: _Unit, rooms: _Rooms, group_hotel: int | None, group_left: int) -> _Option | None:
    """The best room type with a room free on every night: in the delegation's hotel, else in
    one with room for the rest of the delegation; matching the accessibility asked for; in the
    hotel nearest to the person's venues; with the most rooms left."""
    first = unit.first
    nights = _nights(first.check_in, first.check_out)
    accessible, non_smoking, free = unit.accessible, unit.non_smoking, rooms.free
    options = rooms.options.get((unit.kind, first.room_kind), ())
    best, best_key = None, None
    for option, distance in zip(options, rooms.distances(unit.kind, first.room_kind, unit.venues), strict=True):
        if (accessible and not option.accessible) or (non_smoking and option.smoking):
            continue
        left = min([free.get((option.room_type_id, night), 0) for night in nights], default=0)  # none: no block
        if left < 1:
            continue
        key = (group_hotel is not None and option.hotel_id != group_hotel, left < group_left,
               option.accessible and not accessible, distance, -left, option.order)
        if best_key is None or key < best_key:
            best, best_key = option, key
    return best


def _full_message(unit: _Unit) -> str:
    stay = unit.first
    label = str(services.ROOM_LABELS.get(stay.room_kind, stay.room_kind))
    if unit.accessible:
        return str(_l("No accessible %(room)s is left in the %(kind)s hotels for these nights.",
                      room=label, kind=str(KIND_LABELS.get(unit.kind, unit.kind))))
    return str(_l("No %(room)s is left in the %(kind)s hotels for these nights.",
                  room=label, kind=str(KIND_LABELS.get(unit.kind, unit.kind))))


KIND_LABELS = {"guest": _l("guest"), "audience": _l("invited audience"), "staff": _l("staff")}


# Saving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    placed: list[int]  # stay ids, sharers included
    waitlisted: list[int]


def apply(plan: Plan, actor=None) -> Applied:
    """Save a plan, all of it or nothing: the rooms first (one conditional UPDATE a block, in
    night order as services.place takes them, so the two queue instead of deadlocking), then
    the stays in bulk, each only if it is still open with the nights planned. The caller
    commits, then calls `tell` for the mails."""
    db.session.flush()  # the session's own changes first: the statements below go around it
    stale = AssignError(_l("Rooms or requests changed since this preview: look at the new preview and save again."))
    for block, rooms in sorted(plan.takes.items(), key=lambda item: (item[0].night, item[0].room_type_id)):
        if not services.NIGHTS.take(RoomBlock.id == block.id, rooms):
            raise stale
    stays = Stay.__table__
    now = utcnow()
    joined = {p.holder.id: p.room_type.id for p in plan.placements if p.joins}
    if joined:
        # The rooms joined must still be held in the same room type, with nobody sharing them
        # (locked on PostgreSQL until the commit, so a manual share waits for this one).
        still = dict(db.session.execute(select(stays.c.id, stays.c.room_type_id).where(
            stays.c.id.in_(joined), stays.c.status.in_(HOLDING), stays.c.shares_with_id.is_(None)).with_for_update()).all())
        if still != joined or db.session.execute(select(stays.c.id).where(
                stays.c.shares_with_id.in_(joined), stays.c.status.in_(HOLDING)).limit(1)).first():
            raise stale
    rows = [{"b_id": p.stay.id, "b_in": p.nights[0], "b_out": p.nights[1], "b_hotel": p.hotel.id,
             "b_room": p.room_type.id, "b_with": p.holder.id if p.holder else None,
             "b_status": p.holder.status if p.joins else "assigned",
             "b_confirmed": p.holder.confirmed_at if p.joins else None}
            for p in plan.placements]
    if rows:
        placed = db.session.execute(
            # `status IN (...)` expands per statement, which executemany cannot take: spelt out.
            update(stays).where(stays.c.id == bindparam("b_id"), or_(*(stays.c.status == status for status in OPEN)),
                                stays.c.check_in == bindparam("b_in"), stays.c.check_out == bindparam("b_out"))
            .values(status=bindparam("b_status"), hotel_id=bindparam("b_hotel"), room_type_id=bindparam("b_room"),
                    shares_with_id=bindparam("b_with"), assigned_at=now, confirmed_at=bindparam("b_confirmed"), updated_at=now),
            rows).rowcount
        if placed != len(rows):
            raise stale
    waiting = [u.stay.id for u in plan.unplaced if u.waitlisted and u.stay.status == "requested"]  # as planned
    if waiting:
        db.session.execute(update(stays).where(stays.c.id.in_(waiting), stays.c.status == "requested")
                           .values(status="waitlisted", updated_at=now))
    # The rows were written around the session: its copies of what changed are read again when
    # next used (by attribute: expiring whole objects would walk their relationships, 3,000 times).
    for block in plan.takes:
        db.session.expire(block, ["taken"])
    if not rows and not waiting:
        return Applied(placed=[], waitlisted=[])  # nothing changed: nothing to audit
    written = {row["b_id"] for row in rows} | set(waiting)
    for row in list(db.session.identity_map.values()):
        if isinstance(row, Stay) and row.id in written:
            db.session.expire(row, WRITTEN)
    audit.record("stay.auto_assign", plan.edition, actor=actor, detail={
        "placed": len(rows), "waitlisted": len(waiting),
        "hotels": {row["hotel"].code: row["people"] for row in plan.by_hotel() if row["people"]},
        "stays": [row["b_id"] for row in rows]})
    return Applied(placed=[row["b_id"] for row in rows], waitlisted=waiting)


def tell(applied: Applied) -> None:
    """After the commit: one job writes everyone's mail, so the saving never waits for thousands."""
    if applied.placed:
        tell_placed(applied.placed)


@huey.task()
def tell_placed(stay_ids: list[int]) -> None:
    from conference.hotels.notices import tell_stay

    with app_context():
        for start in range(0, len(stay_ids), 500):
            for stay in db.session.execute(select(Stay).where(Stay.id.in_(stay_ids[start:start + 500]))
                                           .options(selectinload(Stay.person), selectinload(Stay.hotel))).scalars():
                if stay.status in HOLDING:
                    tell_stay(stay)
        db.session.commit()  # nothing written: the commit hands the mails to the queue


def assign(edition: Edition, actor=None) -> tuple[Plan, Applied]:
    """Plan and save in one go (the command line and the demo)."""
    made = plan(edition)
    return made, apply(made, actor=actor)


