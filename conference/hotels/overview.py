"""What the reception group's pages read: rooms per night at a glance, the stays waiting for a
hotel of a kind, rooms left for a move and the twin rooms a stay could share. Each is one or
two queries, whatever the number of hotels or stays (the move page answers in milliseconds)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, selectinload

from conference.core.schedule import Interval
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import HOLDING, HOTEL_KINDS, Hotel, RoomType, Stay
from conference.people.models import Person

WAITING = ("requested", "waitlisted")
WAITING_SHOWN = 50  # a page that opens on a phone; the rest wait for auto-assign


@dataclass(frozen=True)
class Night:
    night: date
    contracted: int
    taken: int

    @property
    def free(self) -> int:
        return self.contracted - self.taken


def nights_of(hotel: Hotel) -> list[Night]:
    """Rooms contracted and taken per night, from the blocks already loaded with the hotel."""
    return [Night(night, rooms, taken) for night, (rooms, taken) in services.rooms_per_night(hotel).items()]


def by_kind(hotels: list[Hotel]) -> list[tuple[str, list[Hotel]]]:
    """The hotels under their kind (guest, invited audience, staff), kinds without hotels left out."""
    return [(kind, found) for kind in HOTEL_KINDS if (found := [hotel for hotel in hotels if hotel.kind == kind])]


def hotel_with_rooms(edition: Edition, hotel_id: int) -> Hotel | None:
    return db.session.execute(
        select(Hotel).where(Hotel.id == hotel_id, Hotel.edition_id == edition.id)
        .options(selectinload(Hotel.room_types).selectinload(RoomType.blocks), selectinload(Hotel.travel_times))
    ).scalar_one_or_none()


def categories_of_kind(edition: Edition, kind: str) -> list[str]:
    return [category for category, lodging in services.lodgings(edition).items() if lodging.kind == kind]


def waiting_for(hotel: Hotel, limit: int = WAITING_SHOWN) -> tuple[list[Stay], int]:
    """The edition's requested and waitlisted stays of people whose category stays in this
    kind of hotel, first night first, and how many there are in all."""
    categories = categories_of_kind(hotel.edition, hotel.kind)
    where = (Stay.edition_id == hotel.edition_id, Stay.status.in_(WAITING), Person.category.in_(categories))
    count = db.session.execute(select(func.count(Stay.id)).join(Stay.person).where(*where)).scalar_one()
    stays = db.session.execute(
        select(Stay).join(Stay.person).where(*where).options(selectinload(Stay.person))
        .order_by(Stay.status, Stay.check_in, Person.name_pinyin, Stay.id).limit(limit)
    ).scalars()
    return list(stays), count


def sharers_of(stays: list[Stay]) -> dict[int, Stay]:
    """holder's stay id → the stay sharing its room, among stays of one hotel."""
    return {stay.shares_with_id: stay for stay in stays if stay.shares_with_id is not None}


@dataclass(frozen=True)
class RoomChoice:
    hotel: Hotel
    room_type: RoomType
    left: list[int | None]  # rooms left on each of the stay's nights; None: no block that night

    @property
    def fits(self) -> bool:
        return all(left is not None and left > 0 for left in self.left)


def room_choices(stay: Stay, hotels: list[Hotel]) -> tuple[list[date], list[RoomChoice]]:
    """The stay's nights, and for each room type of the hotels its category may stay in (all
    hotels when the category has no setting) the rooms left on each of those nights."""
    nights = Interval(stay.check_in, stay.check_out).nights()
    kind = services.kind_for(stay.person.edition, stay.person.category)
    choices = []
    for hotel in hotels:
        if kind is not None and hotel.kind != kind:
            continue
        for room_type in hotel.room_types:
            blocks = {block.night: block for block in room_type.blocks}
            left = [blocks[night].rooms - blocks[night].taken if night in blocks else None for night in nights]
            choices.append(RoomChoice(hotel, room_type, left))
    return nights, choices


def twin_holders(stay: Stay, limit: int = WAITING_SHOWN) -> list[Stay]:
    """Stays holding a twin room on exactly this stay's nights that nobody shares yet: the
    rooms this stay could share."""
    sharer = aliased(Stay)
    kind = services.kind_for(stay.person.edition, stay.person.category)
    same_kind = (Hotel.kind == kind,) if kind is not None else ()
    return list(db.session.execute(
        select(Stay).join(Stay.room_type).join(Stay.hotel).join(Stay.person)
        .where(*same_kind, Stay.edition_id == stay.edition_id, Stay.id != stay.id, Stay.person_id != stay.person_id,
               Stay.status.in_(HOLDING), Stay.shares_with_id.is_(None), RoomType.kind == "twin",
               Stay.check_in == stay.check_in, Stay.check_out == stay.check_out,
               ~exists().where(sharer.shares_with_id == Stay.id, sharer.status.in_(HOLDING)))
        .options(selectinload(Stay.person), selectinload(Stay.hotel), selectinload(Stay.room_type))
        .order_by(Person.name_pinyin, Stay.id).limit(limit)
    ).scalars())


@dataclass(frozen=True)
class Release:
    """The blocks of one hotel released on one day: per room type, the rooms not taken each night."""

    release_on: date
    hotel: Hotel
    rooms: list[tuple[RoomType, list[tuple[date, int]]]]

    @property
    def not_taken(self) -> int:
        return sum(free for _, nights in self.rooms for _, free in nights)


def releases(blocks: list) -> list[Release]:
    """services.releasing_soon's blocks (by release date, hotel, night) gathered by day and hotel."""
    grouped: dict[tuple[date, int], dict[RoomType, list[tuple[date, int]]]] = {}
    for block in blocks:
        room_type = block.room_type
        grouped.setdefault((block.release_on, room_type.hotel_id), {}).setdefault(room_type, []).append(
            (block.night, block.rooms - block.taken))
    return [Release(release_on, next(iter(rooms)).hotel,
                    sorted(rooms.items(), key=lambda item: (item[0].position, item[0].id)))
            for (release_on, _), rooms in grouped.items()]
