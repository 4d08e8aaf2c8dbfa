"""Hotels, room types, room blocks per night and stays: each rule of housing a person in one
function, and the few actions that apply them (place, share, cancel, confirm).

Room-nights are taken from blocks with core/capacity's conditional UPDATE, one night at a time
in date order (so two stays taking the same nights queue instead of deadlocking), all of a
stay's nights or none. What a placement breaks comes back as core/schedule Conflicts: hard ones
refuse, soft ones wait for the organizer's confirmation.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.core import audit, deletion, pii
from conference.core.capacity import Counter
from conference.core.database import hold_rows
from conference.core.deletion import Dependent, depends_on, settles
from conference.core.errors import Refusal
from conference.core.models import utcnow
from conference.core.schedule import (
    HARD,
    SOFT,
    Conflict,
    Interval,
    confirm_or_refuse,
)
from conference.editions.localtime import local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.maps import copy_map
from conference.hotels.models import (
    DIRECTIONS,
    HOLDING,
    HOTEL_KINDS,
    PAYERS,
    ROOM_KINDS,
    TRAVEL_MODES,
    Hotel,
    Journey,
    Lodging,
    RoomBlock,
    RoomType,
    ShuttleRun,
    Stay,
    Traveller,
    TravelPlace,
    TravelTime,
)
from conference.people.models import CATEGORIES, Person
from conference.venues.models import Venue

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,23}")
ROOMMATE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
ROOMMATE_CODE_LENGTH = 8
RELEASE_WARNING_DAYS = 7
DAYS_AROUND = 30  # what lies this close to the conference's first day is about it
MAX_ROOMS = 5000
NIGHTS = Counter(RoomBlock.taken, RoomBlock.rooms)


class HotelError(Refusal):
    pass


# Reading ------------------------------------------------------------------------------------


def hotels_of(edition: Edition) -> list[Hotel]:
    return list(db.session.execute(
        select(Hotel).where(Hotel.edition_id == edition.id)
        .options(selectinload(Hotel.room_types).selectinload(RoomType.blocks), selectinload(Hotel.travel_times))
        .order_by(Hotel.position, Hotel.code)
    ).scalars())


def get_hotel(edition: Edition, hotel_id: int) -> Hotel | None:
    hotel = db.session.get(Hotel, hotel_id)
    return hotel if hotel is not None and hotel.edition_id == edition.id else None


def hotel_by_code(edition: Edition, code: str) -> Hotel | None:
    return db.session.execute(
        select(Hotel).where(Hotel.edition_id == edition.id, Hotel.code == (code or "").strip().upper())
    ).scalar_one_or_none()


def get_room_type(hotel: Hotel, room_type_id: int | None) -> RoomType | None:
    return next((room_type for room_type in hotel.room_types if room_type.id == room_type_id), None)


def get_stay(edition: Edition, stay_id: int) -> Stay | None:
    stay = db.session.get(Stay, stay_id)
    return stay if stay is not None and stay.edition_id == edition.id else None


def stays_of_person(person: Person) -> list[Stay]:
    """A person's stays that are not cancelled, first night first."""
    return list(db.session.execute(
        select(Stay).where(Stay.person_id == person.id, Stay.status != "cancelled").order_by(Stay.check_in)
    ).scalars())


def stays_in(hotel: Hotel) -> list[Stay]:
    """The hotel's stays that hold or share a room, by first night and name."""
    return list(db.session.execute(
        select(Stay).join(Stay.person).where(Stay.hotel_id == hotel.id, Stay.status.in_(HOLDING))
        .options(selectinload(Stay.person), selectinload(Stay.room_type))
        .order_by(Stay.check_in, Person.name_pinyin, Stay.id)
    ).scalars())


def conference_nights(edition: Edition) -> list[date]:
    """The nights a conference's guests usually sleep: from the eve of the first day to the
    last day's night (2023: 17, 18 and 19 July)."""
    return Interval(edition.starts_on - timedelta(days=1), edition.ends_on + timedelta(days=1)).nights()


def lodgings(edition: Edition) -> dict[str, Lodging]:
    """Which kind of hotel each category of people stays in (categories without a setting stay in none)."""
    return {lodging.category: lodging for lodging in db.session.execute(
        select(Lodging).where(Lodging.edition_id == edition.id)).scalars()}


def kind_for(edition: Edition, category: str) -> str | None:
    lodging = lodgings(edition).get(category)
    return lodging.kind if lodging else None


def offers_accommodation(edition: Edition, category: str) -> bool:
    """Whether people of this category may ask for a room themselves."""
    lodging = lodgings(edition).get(category)
    return bool(lodging and lodging.offered)


def room_kinds_offered(edition: Edition, category: str) -> set[str]:
    """The kinds of room the hotels of this category's kind have; none when it has no such hotel yet."""
    kind = kind_for(edition, category)
    return {room_type.kind for hotel in hotels_of(edition) if hotel.kind == kind for room_type in hotel.room_types}


def releasing_soon(edition: Edition, today: date) -> list[RoomBlock]:
    """Blocks with rooms not taken whose release date is within a week (or passed today): the
    hotels' front page warns of them."""
    return list(db.session.execute(
        select(RoomBlock).join(RoomBlock.room_type).join(RoomType.hotel)
        .where(Hotel.edition_id == edition.id, RoomBlock.release_on.is_not(None),
               RoomBlock.release_on >= today, RoomBlock.release_on <= today + timedelta(days=RELEASE_WARNING_DAYS),
               RoomBlock.taken < RoomBlock.rooms)
        .options(selectinload(RoomBlock.room_type).selectinload(RoomType.hotel))
        .order_by(RoomBlock.release_on, Hotel.position, Hotel.code, RoomBlock.night)
    ).scalars())


@dataclass(frozen=True)
class Occupancy:
    night: date
    contracted: int
    assigned: int  # rooms held by stays assigned or confirmed
    confirmed: int  # of those, confirmed by the hotel


def rooms_per_night(hotel: Hotel) -> dict[date, tuple[int, int]]:
    """Rooms contracted and taken per night, from the blocks loaded with the hotel, by night."""
    counts: dict[date, tuple[int, int]] = {}
    for room_type in hotel.room_types:
        for block in room_type.blocks:
            rooms, taken = counts.get(block.night, (0, 0))
            counts[block.night] = (rooms + block.rooms, taken + block.taken)
    return dict(sorted(counts.items()))


def occupancy(hotel: Hotel) -> list[Occupancy]:
    """Rooms contracted, assigned and confirmed per night (sharers take no room of their own)."""
    confirmed: dict[date, int] = {}
    for check_in, check_out in db.session.execute(
        select(Stay.check_in, Stay.check_out).where(Stay.hotel_id == hotel.id, Stay.status == "confirmed",
                                                    Stay.shares_with_id.is_(None))
    ):
        for night in Interval(check_in, check_out).nights():
            confirmed[night] = confirmed.get(night, 0) + 1
    return [Occupancy(night, rooms, taken, confirmed.get(night, 0))
            for night, (rooms, taken) in rooms_per_night(hotel).items()]


# Hotels, room types, blocks, lodging ---------------------------------------------------------


@dataclass
class HotelFields:
    code: str
    name_zh: str
    name_en: str = ""
    name_zh_hant: str = ""
    address_zh: str = ""
    address_en: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    stars: int = 0
    kind: str = "guest"
    check_in_time: time = time(14, 0)
    check_out_time: time = time(12, 0)
    position: int = 0


def check_hotel(edition: Edition, fields: HotelFields, hotel: Hotel | None = None) -> None:
    """Every wrong field at once."""
    errors = {}
    code = (fields.code or "").strip().upper()
    if not CODE.fullmatch(code):
        errors["code"] = _l("Use capital letters, digits and hyphens, such as H-HAIYUE (up to 24).")
    else:
        other = hotel_by_code(edition, code)
        if other is not None and other is not hotel:
            errors["code"] = _l("Another hotel of this edition has this code.")
    if not (fields.name_zh or "").strip():
        errors["name_zh"] = _l("Give the hotel's Chinese name.")
    if fields.kind not in HOTEL_KINDS:
        errors["kind"] = _l("Choose who stays in this hotel.")
    if not 0 <= (fields.stars or 0) <= 5:
        errors["stars"] = _l("Stars go from 0 (not rated) to 5.")
    if fields.latitude is not None and not -90 <= fields.latitude <= 90:
        errors["latitude"] = _l("A latitude lies between -90 and 90.")
    if fields.longitude is not None and not -180 <= fields.longitude <= 180:
        errors["longitude"] = _l("A longitude lies between -180 and 180.")
    if errors:
        raise HotelError(errors=errors)


def save_hotel(edition: Edition, fields: HotelFields, hotel: Hotel | None = None, actor=None) -> Hotel:
    check_hotel(edition, fields, hotel)
    if hotel is not None and hotel.kind != fields.kind and _holding_count(Stay.hotel_id == hotel.id):
        raise HotelError(_l("People are housed here: move them before the hotel changes kind."), "kind")
    if hotel is None:
        hotel = Hotel(edition_id=edition.id)
        db.session.add(hotel)
    hotel.code = fields.code.strip().upper()
    hotel.name_zh, hotel.name_en = fields.name_zh.strip(), (fields.name_en or "").strip()
    hotel.name_zh_hant = (fields.name_zh_hant or "").strip() or None
    hotel.address_zh, hotel.address_en = (fields.address_zh or "").strip(), (fields.address_en or "").strip()
    hotel.latitude, hotel.longitude = fields.latitude, fields.longitude
    hotel.phone, hotel.stars, hotel.kind = (fields.phone or "").strip(), fields.stars or 0, fields.kind
    hotel.check_in_time, hotel.check_out_time = fields.check_in_time, fields.check_out_time
    hotel.position = fields.position or 0
    db.session.flush()
    audit.record("hotel.save", hotel, detail={"code": hotel.code}, actor=actor)
    return hotel


def set_travel_time(hotel: Hotel, venue: Venue, minutes: int | None) -> None:
    """The shuttle's minutes between the hotel and a venue; None forgets it."""
    if venue.edition_id != hotel.edition_id:
        raise HotelError(_l("No such venue."), "venue")
    if minutes is not None and not 1 <= minutes <= 600:
        raise HotelError(_l("Give the minutes between 1 and 600."), "minutes")
    found = next((t for t in hotel.travel_times if t.venue_id == venue.id), None)
    if minutes is None:
        if found is not None:
            hotel.travel_times.remove(found)
    elif found is None:
        hotel.travel_times.append(TravelTime(venue_id=venue.id, minutes=minutes))
    else:
        found.minutes = minutes


def _holding_count(*where) -> int:
    return db.session.execute(select(func.count(Stay.id)).where(*where, Stay.status != "cancelled")).scalar_one()


@depends_on("hotels")
def _hotel_stays(hotel: Hotel) -> list[Dependent]:
    count = _holding_count(Stay.hotel_id == hotel.id)
    return [Dependent(_l("%(n)d stays", n=count), blocks=True)] if count else []


@depends_on("room_types")
def _room_type_stays(room_type: RoomType) -> list[Dependent]:
    count = _holding_count(Stay.room_type_id == room_type.id)
    return [Dependent(_l("%(n)d stays", n=count), blocks=True)] if count else []


@depends_on("venues")
def _venue_travel(venue: Venue) -> list[Dependent]:
    count = db.session.execute(select(func.count(TravelTime.id)).where(TravelTime.venue_id == venue.id)).scalar_one()
    return [Dependent(_l("%(n)d hotels' travel times", n=count), blocks=False)] if count else []


@settles("venues")
def _forget_venue(venue: Venue, actor=None) -> None:
    for travel in db.session.execute(select(TravelTime).where(TravelTime.venue_id == venue.id)).scalars():
        db.session.delete(travel)


def _forget_cancelled(*where) -> None:
    """Cancelled stays keep no hotel or room type: what they pointed at may go."""
    for stay in db.session.execute(select(Stay).where(*where, Stay.status == "cancelled")).scalars():
        stay.hotel_id = stay.room_type_id = stay.shares_with_id = None


def delete_hotel(hotel: Hotel, actor=None) -> None:
    _forget_cancelled(Stay.hotel_id == hotel.id)
    deletion.remove(hotel, "hotel.delete", detail={"code": hotel.code}, actor=actor)


def delete_room_type(room_type: RoomType, actor=None) -> None:
    _forget_cancelled(Stay.room_type_id == room_type.id)
    deletion.remove(room_type, "room_type.delete", detail={"hotel": room_type.hotel.code, "kind": room_type.kind},
                    actor=actor)


@dataclass
class RoomTypeFields:
    kind: str
    name_zh: str = ""
    name_en: str = ""
    name_zh_hant: str = ""
    beds: int = 1
    accessible: bool = False
    smoking: bool = False
    position: int = 0


def save_room_type(hotel: Hotel, fields: RoomTypeFields, room_type: RoomType | None = None, actor=None) -> RoomType:
    errors = {}
    if fields.kind not in ROOM_KINDS:
        errors["kind"] = _l("Choose king, twin or suite.")
    if not 1 <= (fields.beds or 0) <= 4:
        errors["beds"] = _l("A room has 1 to 4 beds.")
    if errors:
        raise HotelError(errors=errors)
    if room_type is not None and room_type.kind != fields.kind and _holding_count(Stay.room_type_id == room_type.id):
        raise HotelError(_l("People are housed in these rooms: move them before the rooms change kind."), "kind")
    if room_type is None:
        room_type = RoomType(hotel=hotel)
        db.session.add(room_type)
    room_type.kind, room_type.beds = fields.kind, fields.beds
    room_type.name_zh, room_type.name_en = (fields.name_zh or "").strip(), (fields.name_en or "").strip()
    room_type.name_zh_hant = (fields.name_zh_hant or "").strip() or None
    room_type.accessible, room_type.smoking, room_type.position = fields.accessible, fields.smoking, fields.position or 0
    db.session.flush()
    audit.record("room_type.save", room_type, detail={"hotel": hotel.code, "kind": room_type.kind}, actor=actor)
    return room_type


def set_block(room_type: RoomType, night: date, rooms: int, price: int = 0, release_on: date | None = None,
              actor=None) -> RoomBlock:
    """The rooms contracted for one night; never fewer than are taken. The count is changed
    with one conditional UPDATE, so a room taken meanwhile is never lost."""
    if rooms is None or not 0 <= rooms <= MAX_ROOMS:
        raise HotelError(_l("Give the rooms between 0 and %(n)d.", n=MAX_ROOMS), "rooms")
    if price is None or not 0 <= price <= 1_000_000:
        raise HotelError(_l("Give the price in yuan, 0 or more."), "price")
    if release_on is not None and release_on > night:
        raise HotelError(_l("Rooms are released on or before their night."), "release_on")
    block = db.session.execute(
        select(RoomBlock).where(RoomBlock.room_type_id == room_type.id, RoomBlock.night == night)
    ).scalar_one_or_none()
    if block is None:
        block = RoomBlock(room_type=room_type, night=night, rooms=rooms, taken=0)
        db.session.add(block)
    else:
        changed = db.session.execute(
            RoomBlock.__table__.update().where(RoomBlock.id == block.id, RoomBlock.taken <= rooms).values(rooms=rooms)
        ).rowcount
        db.session.refresh(block)
        if not changed:
            raise HotelError(_l("%(taken)d rooms of that night are taken: the block cannot hold fewer.",
                                taken=block.taken), "rooms")
    block.price, block.release_on = price, release_on
    db.session.flush()
    audit.record("room_block.set", block, detail={"hotel": room_type.hotel.code, "night": night.isoformat(),
                                                  "rooms": rooms}, actor=actor)
    return block


def set_lodging(edition: Edition, category: str, kind: str | None, offered: bool = True, actor=None) -> None:
    """Which kind of hotel a category stays in (None: none), and whether its people may ask."""
    if category not in CATEGORIES:
        raise HotelError(_l("Unknown category."), "category")
    if kind is not None and kind not in HOTEL_KINDS:
        raise HotelError(_l("Choose who stays in this hotel."), "kind")
    found = lodgings(edition).get(category)
    if kind is None:
        if found is not None:
            db.session.delete(found)
    elif found is None:
        db.session.add(Lodging(edition_id=edition.id, category=category, kind=kind, offered=offered))
    else:
        found.kind, found.offered = kind, offered
    audit.record("hotel.lodging", None, detail={"edition": edition.year, "category": category, "kind": kind,
                                                "offered": offered}, actor=actor)


# Roommate codes and consents ------------------------------------------------------------------


def traveller(person: Person) -> Traveller:
    """The person's hotel-and-travel record, made with a roommate code the first time."""
    found = db.session.execute(select(Traveller).where(Traveller.person_id == person.id)).scalar_one_or_none()
    if found is None:
        found = Traveller(person_id=person.id, edition_id=person.edition_id, roommate_code=new_roommate_code())
        db.session.add(found)
        db.session.flush()
    return found


def new_roommate_code() -> str:
    return "".join(secrets.choice(ROOMMATE_ALPHABET) for _ in range(ROOMMATE_CODE_LENGTH))


def person_by_roommate_code(edition: Edition, code: str) -> Person | None:
    code = re.sub(r"[\s-]", "", code or "").upper()
    if not code:
        return None
    return db.session.execute(
        select(Person).join(Traveller, Traveller.person_id == Person.id)
        .where(Traveller.roommate_code == code, Traveller.edition_id == edition.id)
    ).scalar_one_or_none()


# The rules, one a function --------------------------------------------------------------------


def kind_allowed(stay: Stay, hotel: Hotel) -> list[Conflict]:
    """The person's category stays in hotels of this kind (an edition setting)."""
    kind = kind_for(hotel.edition, stay.person.category)
    if kind == hotel.kind:
        return []
    return [Conflict("kind", HARD, _l("%(name)s's category does not stay in this kind of hotel.",
                                      name=stay.person.display_name), stay.id)]


def one_hotel_a_night(stay: Stay, hotel: Hotel) -> list[Conflict]:
    """Nobody sleeps in two hotels on one night (nor twice in one)."""
    mine = Interval(stay.check_in, stay.check_out)
    return [Conflict("two_stays", HARD, _l("%(name)s already stays at %(hotel)s on some of these nights.",
                                           name=stay.person.display_name, hotel=other.hotel.name), stay.id,
                     other_id=other.id)
            for other in stays_of_person(stay.person)
            if other.id != stay.id and other.hotel_id is not None and other.status in HOLDING
            and mine.overlaps(Interval(other.check_in, other.check_out))]


def within_travel(stay: Stay) -> list[Conflict]:
    """The nights lie between the person's arrival and departure, when they are known."""
    journeys = {j.direction: j for j in db.session.execute(
        select(Journey).where(Journey.person_id == stay.person_id)).scalars()}
    edition = stay.person.edition
    conflicts = []
    arrival, departure = journeys.get("arrival"), journeys.get("departure")
    if arrival is not None and local_day(edition, arrival.at) > stay.check_in:
        conflicts.append(Conflict("before_arrival", SOFT, _l("%(name)s arrives on %(day)s, after the first night.",
                                  name=stay.person.display_name, day=local_day(edition, arrival.at).isoformat()), stay.id))
    if departure is not None and local_day(edition, departure.at) < stay.check_out:
        conflicts.append(Conflict("after_departure", SOFT, _l("%(name)s leaves on %(day)s, before the last night.",
                                  name=stay.person.display_name, day=local_day(edition, departure.at).isoformat()), stay.id))
    return conflicts


def roommates_agree(stay: Stay, holder: Stay) -> list[Conflict]:
    """Sharing: the holder's room is a twin of a hotel, held for the same nights, and nobody
    else shares it."""
    name = stay.person.display_name
    if holder.id == stay.id or holder.person_id == stay.person_id:
        return [Conflict("roommate", HARD, _l("A person cannot share a room with themselves."), stay.id)]
    if not holder.holds_rooms or holder.room_type is None or holder.room_type.sleeps < 2:
        return [Conflict("roommate", HARD, _l("%(other)s holds no twin room to share.",
                                              other=holder.person.display_name), stay.id, other_id=holder.id)]
    sharers = db.session.execute(select(func.count(Stay.id)).where(
        Stay.shares_with_id == holder.id, Stay.id != stay.id, Stay.status.in_(HOLDING))).scalar_one()
    if sharers:
        return [Conflict("roommate", HARD, _l("%(other)s's room is already shared.", other=holder.person.display_name),
                         stay.id, other_id=holder.id)]
    if (stay.check_in, stay.check_out) != (holder.check_in, holder.check_out):
        return [Conflict("roommate_nights", HARD, _l("%(name)s and %(other)s must share the same nights.",
                                                     name=name, other=holder.person.display_name), stay.id,
                         other_id=holder.id)]
    return []


def wishes_respected(stay: Stay, holder: Stay) -> list[Conflict]:
    """Nobody is put in a room with someone either of them asked not to share with."""
    if stay.not_with_id == holder.person_id or holder.not_with_id == stay.person_id:
        return [Conflict("not_with", SOFT, _l("%(name)s and %(other)s asked not to share a room.",
                                              name=stay.person.display_name, other=holder.person.display_name),
                         stay.id, other_id=holder.id)]
    return []


def take_nights(stay: Stay, room_type: RoomType, check_in: date, check_out: date) -> None:
    """Take a room of `room_type` for each night, in date order, all of them or none: a night
    without a block or without a room left gives back the nights taken and refuses."""
    taken = []
    for night in Interval(check_in, check_out).nights():
        if not NIGHTS.take((RoomBlock.room_type_id == room_type.id) & (RoomBlock.night == night)):
            for done in taken:
                NIGHTS.give_back((RoomBlock.room_type_id == room_type.id) & (RoomBlock.night == done))
            raise HotelError(_l("No %(room)s left at %(hotel)s on the night of %(night)s.",
                                room=room_label(room_type), hotel=room_type.hotel.name, night=night.isoformat()), "hotel")
        taken.append(night)


def give_back_nights(stay: Stay) -> None:
    """The room-nights a stay holds go back to its blocks."""
    if not stay.holds_rooms:
        return
    for night in Interval(stay.check_in, stay.check_out).nights():
        NIGHTS.give_back((RoomBlock.room_type_id == stay.room_type_id) & (RoomBlock.night == night))


ROOM_LABELS = {"king": _l("king room"), "twin": _l("twin room"), "suite": _l("suite")}


def room_label(room_type: RoomType) -> str:
    return room_type.own_name or str(ROOM_LABELS.get(room_type.kind, room_type.kind))


# Actions ------------------------------------------------------------------------------------


def check_nights(edition: Edition, check_in: date | None, check_out: date | None) -> None:
    if check_in is None or check_out is None:
        raise HotelError(_l("Give the first night and the morning of leaving."), "check_in")
    if check_out <= check_in:
        raise HotelError(_l("Leaving comes at least one day after the first night."), "check_out")
    if (check_out - check_in).days > DAYS_AROUND:
        raise HotelError(_l("Choose nights around the conference."), "check_in")
    check_night(edition, check_in)


def around_conference(edition: Edition, day: date) -> bool:
    """A night, a journey, a pickup or a shuttle lies within a month of the conference's first
    day. Checked on the typed day before anything is computed from it: 9999-12-31 has no
    morning after, 0001-01-01 00:00 in Xiamen no UTC."""
    return abs((day - edition.starts_on).days) <= DAYS_AROUND


def check_night(edition: Edition, night: date) -> None:
    if not around_conference(edition, night):
        raise HotelError(_l("Choose nights around the conference."), "check_in")


@dataclass
class StayWishes:
    check_in: date
    check_out: date
    room_kind: str = "king"
    roommate_code: str = ""
    not_with_code: str = ""
    accessible: bool = False
    non_smoking: bool = True
    late_arrival: bool = False
    payer: str = "conference"
    note: str = ""


def _resolve_wishes(person: Person, wishes: StayWishes) -> tuple[Person | None, Person | None]:
    edition = person.edition
    errors = {}
    if wishes.room_kind not in ROOM_KINDS:
        errors["room_kind"] = _l("Choose king, twin or suite.")
    if wishes.payer not in PAYERS:
        errors["payer"] = _l("Choose who pays.")
    roommate = person_by_roommate_code(edition, wishes.roommate_code) if wishes.roommate_code.strip() else None
    if wishes.roommate_code.strip() and (roommate is None or roommate.id == person.id):
        errors["roommate_code"] = _l("No one else of this conference has this roommate code.")
    elif roommate is not None and wishes.room_kind != "twin":
        errors["room_kind"] = _l("Two people share a twin room: choose twin to share.")
    not_with = person_by_roommate_code(edition, wishes.not_with_code) if wishes.not_with_code.strip() else None
    if wishes.not_with_code.strip() and (not_with is None or not_with.id == person.id):
        errors["not_with_code"] = _l("No one else of this conference has this roommate code.")
    if errors:
        raise HotelError(errors=errors)
    return roommate, not_with


def request_stay(person: Person, wishes: StayWishes, stay: Stay | None = None, actor=None) -> Stay:
    """Ask for a room (or change what was asked while it is not placed yet)."""
    check_nights(person.edition, wishes.check_in, wishes.check_out)
    roommate, not_with = _resolve_wishes(person, wishes)
    if stay is None:
        stay = Stay(edition_id=person.edition_id, person=person, status="requested")
        db.session.add(stay)
    elif stay.status not in ("requested", "waitlisted"):
        raise HotelError(_l("Your room is already arranged: write to the reception desk to change it."))
    stay.check_in, stay.check_out, stay.room_kind = wishes.check_in, wishes.check_out, wishes.room_kind
    stay.roommate_wish, stay.not_with = roommate, not_with
    stay.accessible, stay.non_smoking, stay.late_arrival = wishes.accessible, wishes.non_smoking, wishes.late_arrival
    stay.payer, stay.note = wishes.payer, (wishes.note or "").strip()[:1000]
    db.session.flush()
    audit.record("stay.request", stay, detail={"nights": stay.nights}, actor=actor)
    return stay


def lock_stays(*stays: Stay) -> None:
    """Hold the stays' rows until the commit and read them again, so that two organizers
    moving, sharing or cancelling one stay act one after the other, the second on what the
    first saved (else both give back the same room-nights)."""
    saved = [stay for stay in stays if stay.id is not None]
    hold_rows(Stay.status, (stay.id for stay in saved))
    for stay in saved:
        db.session.refresh(stay)


def place(stay: Stay, hotel: Hotel, room_type: RoomType, confirmed: bool = False, check_in: date | None = None,
          check_out: date | None = None, actor=None, tell: bool = True) -> Stay:
    """Put a stay in a room of `room_type` at `hotel` (a first placement or a move): the rules
    are checked, the old room-nights given back and the new ones taken, all or none."""
    lock_stays(stay)
    if room_type.hotel_id != hotel.id or hotel.edition_id != stay.edition_id:
        raise HotelError(_l("Choose a room type of this hotel."), "room_type")
    if stay.status == "cancelled":
        raise HotelError(_l("This stay is cancelled."))
    check_in, check_out = check_in or stay.check_in, check_out or stay.check_out
    check_nights(hotel.edition, check_in, check_out)
    moved = _proposed(stay, check_in, check_out)
    conflicts = kind_allowed(moved, hotel) + one_hotel_a_night(moved, hotel) + within_travel(moved)
    confirm_or_refuse(conflicts, confirmed)
    was = (stay.hotel_id, stay.room_type_id, stay.check_in, stay.check_out, stay.status)
    sharers = _sharers(stay)
    if sharers and (room_type.sleeps < 2 or (check_in, check_out) != (stay.check_in, stay.check_out)):
        raise HotelError(_l("Someone shares this room: move them first, or keep a twin room for the same nights."))
    give_back_nights(stay)
    stay.shares_with_id = None
    take_nights(stay, room_type, check_in, check_out)
    stay.hotel, stay.room_type, stay.check_in, stay.check_out = hotel, room_type, check_in, check_out
    if stay.status not in HOLDING or was[:2] != (hotel.id, room_type.id) or was[2:4] != (check_in, check_out):
        stay.status, stay.assigned_at, stay.confirmed_at = "assigned", utcnow(), None
    for sharer in sharers:
        sharer.hotel, sharer.room_type, sharer.status = hotel, room_type, stay.status
    db.session.flush()
    audit.record("stay.place", stay, detail={"hotel": hotel.code, "room_type": room_type.kind,
                                             "nights": [check_in.isoformat(), check_out.isoformat()],
                                             "from": was[0]}, actor=actor)
    if tell:
        from conference.hotels.notices import tell_stay
        for housed in (stay, *sharers):
            tell_stay(housed)
    return stay


def share(stay: Stay, holder: Stay, confirmed: bool = False, actor=None, tell: bool = True) -> Stay:
    """Put a stay in the twin room `holder` holds, for the same nights: it takes no room-night
    of its own."""
    lock_stays(stay, holder)
    if stay.status == "cancelled" or stay.edition_id != holder.edition_id:
        raise HotelError(_l("This stay is cancelled."))
    if _sharers(stay):
        raise HotelError(_l("Someone shares this room: move them first, or keep a twin room for the same nights."))
    hotel = holder.hotel
    conflicts = roommates_agree(stay, holder) or (
        kind_allowed(stay, hotel) + one_hotel_a_night(stay, hotel) + within_travel(stay) + wishes_respected(stay, holder))
    confirm_or_refuse(conflicts, confirmed)
    give_back_nights(stay)
    stay.hotel, stay.room_type, stay.shares_with_id = hotel, holder.room_type, holder.id
    stay.status, stay.assigned_at, stay.confirmed_at = holder.status, utcnow(), holder.confirmed_at
    db.session.flush()
    audit.record("stay.share", stay, detail={"hotel": hotel.code, "with": holder.id}, actor=actor)
    if tell:
        from conference.hotels.notices import tell_stay
        tell_stay(stay)
    return stay


def _proposed(stay: Stay, check_in: date, check_out: date) -> Stay:
    """The stay as it would be on other nights, for the rules to read (never added)."""
    proposal = Stay(id=stay.id, edition_id=stay.edition_id, person_id=stay.person_id, check_in=check_in,
                    check_out=check_out, room_kind=stay.room_kind, not_with_id=stay.not_with_id, status=stay.status)
    proposal.person = stay.person  # Person has no relationship back: the proposal stays out of the session
    return proposal


def _sharers(stay: Stay) -> list[Stay]:
    if stay.id is None:
        return []
    return list(db.session.execute(
        select(Stay).where(Stay.shares_with_id == stay.id, Stay.status.in_(HOLDING))).scalars())


def cancel_stay(stay: Stay, actor=None, tell: bool = True) -> None:
    """Cancel a stay: its room-nights go back, unless someone shares the room, who then holds it."""
    lock_stays(stay)
    if stay.status == "cancelled":
        return
    sharers = _sharers(stay)
    if sharers and stay.holds_rooms:
        heir = sharers[0]
        heir.shares_with_id = None
        for other in sharers[1:]:
            other.shares_with_id = heir.id
    else:
        give_back_nights(stay)
    stay.status, stay.cancelled_at, stay.shares_with_id = "cancelled", utcnow(), None
    db.session.flush()
    audit.record("stay.cancel", stay, detail={"hotel": stay.hotel.code if stay.hotel else None}, actor=actor)
    if tell:
        from conference.hotels.notices import tell_stay
        tell_stay(stay)


def confirm_stay(stay: Stay, reference: str = "", actor=None, tell: bool = True) -> None:
    """The hotel confirmed the room (with its confirmation number); a sharer's follows. Both
    are told, with the number to give at the front desk."""
    lock_stays(stay)
    if stay.status not in HOLDING:
        raise HotelError(_l("Only a placed stay can be confirmed by the hotel."))
    stay.status, stay.confirmed_at, stay.hotel_reference = "confirmed", utcnow(), (reference or "").strip()[:40]
    sharers = _sharers(stay)
    for sharer in sharers:
        sharer.status, sharer.confirmed_at = "confirmed", stay.confirmed_at
    audit.record("stay.confirm", stay, detail={"reference": stay.hotel_reference}, actor=actor)
    if tell:
        from conference.hotels.notices import tell_stay
        for housed in (stay, *sharers):
            tell_stay(housed)


def cancel_on_registration_cancelled(registration, actor=None) -> None:
    """A cancelled registration gives its rooms back, and its travel details go: they were kept
    only to house and meet this person (event registration.cancelled, which a deletion request
    sends too)."""
    person = registration.person
    for stay in stays_of_person(person):
        cancel_stay(stay, actor=actor)
        stay.note = ""
    for journey in db.session.execute(select(Journey).where(Journey.person_id == person.id)).scalars():
        db.session.delete(journey)


# Cloning ------------------------------------------------------------------------------------


def clone_hotels(source: Edition, target: Edition, required: dict) -> dict:
    """Hotels, their room types, travel times (to the venues cloned with them) and the lodging
    settings; blocks move by the years between the editions; stays never."""
    # The venues step runs first (requires): a venue's copy has its name and place in the list.
    copies = {(venue.name_zh, venue.position): venue.id for venue in db.session.execute(
        select(Venue).where(Venue.edition_id == target.id)).scalars()}
    venues = {venue.id: copies[(venue.name_zh, venue.position)] for venue in db.session.execute(
        select(Venue).where(Venue.edition_id == source.id)).scalars() if (venue.name_zh, venue.position) in copies}
    shift = target.starts_on - source.starts_on
    hotels = {}
    for hotel in hotels_of(source):
        copy = Hotel(edition_id=target.id, **{column: getattr(hotel, column) for column in (
            "code", "name_zh", "name_zh_hant", "name_en", "address_zh", "address_en", "latitude", "longitude",
            "phone", "stars", "kind", "check_in_time", "check_out_time", "position")})
        copy.map_file = copy_map(hotel.map_file)  # each edition's hotel deletes its own file
        for room_type in hotel.room_types:
            room_copy = RoomType(**{column: getattr(room_type, column) for column in (
                "kind", "name_zh", "name_zh_hant", "name_en", "beds", "accessible", "smoking", "position")})
            room_copy.blocks = [RoomBlock(night=block.night + shift, rooms=block.rooms, taken=0, price=block.price,
                                          release_on=block.release_on + shift if block.release_on else None)
                                for block in room_type.blocks]
            copy.room_types.append(room_copy)
        copy.travel_times = [TravelTime(venue_id=venues[travel.venue_id], minutes=travel.minutes)
                             for travel in hotel.travel_times if travel.venue_id in venues]
        db.session.add(copy)
        hotels[hotel.id] = copy
    for lodging in lodgings(source).values():
        db.session.add(Lodging(edition_id=target.id, category=lodging.category, kind=lodging.kind, offered=lodging.offered))
    db.session.flush()
    return {"hotels": {old: copy.id for old, copy in hotels.items()}}


# Travel: arrivals, departures and the consents they need ------------------------------------


def give_travel_consent(person: Person, travel: bool, document_to_hotel: bool, actor=None) -> Traveller:
    """Record the separate consents: to keep travel details and the stay for housing and
    pickups; to send the identity document to the hotel for pre-registration. Withdrawing the
    first deletes the travel details kept."""
    record = traveller(person)
    now = utcnow()
    if travel and record.travel_consent_at is None:
        record.travel_consent_at = now
    elif not travel and record.travel_consent_at is not None:
        record.travel_consent_at = None
        for journey in db.session.execute(select(Journey).where(Journey.person_id == person.id)).scalars():
            db.session.delete(journey)
    record.document_consent_at = (record.document_consent_at or now) if document_to_hotel else None
    audit.record("traveller.consent", record, detail={"travel": travel, "document_to_hotel": document_to_hotel},
                 actor=actor)
    return record


def purge_journeys(edition_id: int, dry_run: bool) -> int:
    """The retention purge's part of travel: arrivals and departures go whole (an itinerary is
    sensitive, and no statistic counts them); pickup groups and shuttles stay."""
    journeys = db.session.execute(select(Journey).where(Journey.edition_id == edition_id)).scalars().all()
    if not dry_run:
        for journey in journeys:
            db.session.delete(journey)
        db.session.flush()
    return len(journeys)


@dataclass
class JourneyFields:
    direction: str
    at: datetime | None  # UTC
    mode: str = "air"
    number: str = ""
    place_id: int | None = None
    needs_pickup: bool = True


TRAVEL_NUMBER = re.compile(r"[A-Z0-9]{2,8}")


def save_journey(person: Person, fields: JourneyFields, actor=None) -> Journey:
    """The person's arrival or departure; only with their consent to keep travel details."""
    record = traveller(person)
    if record.travel_consent_at is None:
        raise HotelError(_l("Agree to your travel details being kept first."), "travel_consent")
    errors = {}
    if fields.direction not in DIRECTIONS:
        errors["direction"] = _l("Arrival or departure?")
    if fields.mode not in TRAVEL_MODES:
        errors["mode"] = _l("Choose how you travel.")
    number = re.sub(r"\s", "", fields.number or "").upper()
    if number and not TRAVEL_NUMBER.fullmatch(number):
        errors["number"] = _l("Give the flight or train number as printed, such as MF8102 or G1651.")
    place = db.session.get(TravelPlace, fields.place_id) if fields.place_id else None
    if fields.place_id and (place is None or place.edition_id != person.edition_id):
        errors["place_id"] = _l("Choose a place from the list.")
    if fields.at is None or fields.at.tzinfo is None:
        errors["at"] = _l("Give the date and time.")
    elif not around_conference(person.edition, local_day(person.edition, fields.at)):
        errors["at"] = _l("Choose a day around the conference.")
    if errors:
        raise HotelError(errors=errors)
    journey = db.session.execute(select(Journey).where(
        Journey.person_id == person.id, Journey.direction == fields.direction)).scalar_one_or_none()
    if journey is None:
        journey = Journey(edition_id=person.edition_id, person_id=person.id, direction=fields.direction)
        db.session.add(journey)
    if journey.at != fields.at or journey.place_id != (place.id if place else None):
        journey.pickup_group_id = None  # another time or place: another pickup
    journey.at, journey.mode, journey.place_id = fields.at, fields.mode, place.id if place else None
    journey.number_sealed, journey.needs_pickup = pii.seal(number) if number else None, fields.needs_pickup
    db.session.flush()
    audit.record("journey.save", journey, detail={"direction": fields.direction}, actor=actor)
    return journey


def journey_number(journey: Journey) -> str:
    """The flight or train number, unsealed (for the reception desk's lists and the driver)."""
    return pii.unseal(journey.number_sealed) or "" if journey.number_sealed else ""


def shuttles_from(hotel: Hotel) -> list[ShuttleRun]:
    """The shuttle runs that call at a hotel, in time order (the attendee's card shows them)."""
    return list(db.session.execute(
        select(ShuttleRun).where(ShuttleRun.hotel_id == hotel.id).order_by(ShuttleRun.departs_at)).scalars())
