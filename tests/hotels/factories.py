"""A small housing world for hotels' tests: the 2023 edition, a venue, a guest hotel and an
audience hotel with one king and one twin room a night for 17–19 July, and people to house."""

from dataclasses import dataclass
from datetime import date

from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import Hotel, Lodging, RoomType
from conference.people.models import Person
from conference.venues.models import Venue

NIGHTS = [date(2023, 7, 17), date(2023, 7, 18), date(2023, 7, 19)]
FIRST, LEAVING = date(2023, 7, 17), date(2023, 7, 20)


@dataclass
class World:
    edition: object
    venue: Venue
    guest_hotel: Hotel
    audience_hotel: Hotel

    def room(self, hotel: Hotel, kind: str) -> RoomType:
        return next(room_type for room_type in hotel.room_types if room_type.kind == kind)


def housing(rooms: int = 1) -> World:
    """In an app context, committed: the world above with `rooms` rooms of each type a night."""
    edition = editions.create_edition(EDITION_2023)
    venue = Venue(edition_id=edition.id, name_zh="厦门国际会议中心", name_en="Xiamen International Conference Center")
    db.session.add(venue)
    db.session.flush()
    hotels = []
    for code, kind in (("H-GUEST", "guest"), ("H-AUDIENCE", "audience")):
        hotel = services.save_hotel(edition, services.HotelFields(code=code, name_zh=f"{code}酒店", name_en=f"{code} Hotel",
                                                                  kind=kind))
        services.set_travel_time(hotel, venue, 15)
        for room_kind in ("king", "twin"):
            room_type = services.save_room_type(hotel, services.RoomTypeFields(kind=room_kind, beds=2 if room_kind == "twin" else 1))
            for night in NIGHTS:
                services.set_block(room_type, night, rooms, price=500)
        hotels.append(hotel)
    for category, kind in (("guest", "guest"), ("audience", "audience"), ("media", "audience")):
        db.session.add(Lodging(edition_id=edition.id, category=category, kind=kind, offered=True))
    db.session.commit()
    return World(edition, venue, *hotels)


def person(world: World, family: str, category: str = "audience", organisation: str = "") -> Person:
    found = Person(edition_id=world.edition.id, family_name=family, given_name="测试", category=category,
                   organisation=organisation, email=f"{family}@example.org")
    db.session.add(found)
    db.session.flush()
    return found


def requested(world: World, who: Person, check_in=FIRST, check_out=LEAVING, room_kind: str = "king"):
    return services.request_stay(who, services.StayWishes(check_in=check_in, check_out=check_out, room_kind=room_kind))
