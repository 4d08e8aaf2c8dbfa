"""Hotels and travel for the demo 2023 edition: five guest hotels, six invited-audience hotels
and a staff hotel (all fictional) around the two venues, room blocks for the nights of 17–19
July, the places people arrive at, and requests for rooms and arrivals by air and rail from
the guests and invited audience."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from conference.core import pii
from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import assign, services
from conference.hotels.models import (
    Hotel,
    Journey,
    Lodging,
    RoomBlock,
    RoomType,
    Stay,
    Traveller,
    TravelPlace,
    TravelTime,
)
from conference.hotels.travel_demo import set_up_travel
from conference.people.models import Person
from conference.registration.models import Registration
from conference.venues.models import Venue

# code, zh, en, address zh, address en, latitude, longitude, stars, kind, minutes to (theatre, centre),
# rooms a night per room type (king, twin, suite; accessible kings among the kings)
HOTELS = [
    ("H-LANYUE", "鹭汀揽月酒店", "Luting Moonview Hotel", "厦门市思明区演武路（虚构）", "Yanwu Road, Siming (fictional)",
     24.4530, 118.0960, 5, "guest", (35, 15), (110, 20, 12)),
    ("H-YUNDING", "海峡云阶大酒店", "Strait Cloudstep Grand Hotel", "厦门市思明区会展南路（虚构）",
     "Huizhan South Road, Siming (fictional)", 24.4870, 118.1890, 5, "guest", (30, 5), (120, 20, 10)),
    ("H-HUPAN", "筼筜湖畔宾馆", "Yundang Lakeside Inn", "厦门市思明区湖滨北路（虚构）", "Hubin North Road, Siming (fictional)",
     24.4800, 118.1050, 4, "guest", (28, 20), (90, 20, 6)),
    ("H-TINGTAO", "鼓浪听涛酒店", "Gulang Wavesong Hotel", "厦门市思明区环岛南路（虚构）", "Huandao South Road, Siming (fictional)",
     24.4420, 118.1120, 5, "guest", (40, 22), (80, 16, 8)),
    ("H-HAIYUN", "环岛海韵酒店", "Island Ring Searhyme Hotel", "厦门市思明区环岛东路（虚构）", "Huandao East Road, Siming (fictional)",
     24.4650, 118.1800, 4, "guest", (32, 10), (80, 16, 6)),
    ("H-SHUXIANG", "集美书香酒店", "Jimei Bookscent Hotel", "厦门市集美区石鼓路（虚构）", "Shigu Road, Jimei (fictional)",
     24.5780, 118.1010, 4, "audience", (6, 30), (220, 60, 0)),
    ("H-XUECUN", "嘉庚学村酒店", "Jiageng School Village Hotel", "厦门市集美区嘉庚路（虚构）", "Jiageng Road, Jimei (fictional)",
     24.5850, 118.1090, 3, "audience", (8, 32), (200, 60, 0)),
    ("H-XINGLIN", "杏林湾酒店", "Xinglin Bay Hotel", "厦门市集美区杏林湾路（虚构）", "Xinglinwan Road, Jimei (fictional)",
     24.5900, 118.0600, 4, "audience", (12, 35), (190, 50, 0)),
    ("H-WUYUAN", "五缘湾假日酒店", "Wuyuan Bay Holiday Hotel", "厦门市湖里区五缘湾道（虚构）", "Wuyuanwan Road, Huli (fictional)",
     24.5150, 118.1800, 4, "audience", (25, 12), (200, 60, 0)),
    ("H-GUANYIN", "观音山商务酒店", "Guanyinshan Business Hotel", "厦门市思明区观音山路（虚构）",
     "Guanyinshan Road, Siming (fictional)", 24.4970, 118.1950, 3, "audience", (30, 6), (180, 50, 0)),
    ("H-HUIZHAN", "会展北酒店", "Expo North Hotel", "厦门市思明区会展北路（虚构）", "Huizhan North Road, Siming (fictional)",
     24.4920, 118.1870, 3, "audience", (29, 4), (170, 50, 0)),
    ("H-STAFF", "鹭岛职工之家", "Egret Island Staff House", "厦门市集美区银江路（虚构）", "Yinjiang Road, Jimei (fictional)",
     24.5700, 118.1000, 2, "staff", (8, 30), (0, 120, 0)),
]
ROOM_TYPES = {
    "king": ("大床房", "King room", 1, 2),  # name zh, en, beds, accessible rooms of the kings
    "twin": ("双床房", "Twin room", 2, 0),
    "suite": ("套房", "Suite", 1, 0),
}
PRICES = {("guest", "king"): 680, ("guest", "twin"): 680, ("guest", "suite"): 1280,
          ("audience", "king"): 420, ("audience", "twin"): 420, ("staff", "twin"): 260}
PLACES = [
    ("XMN", "airport", "厦门高崎国际机场", "Xiamen Gaoqi International Airport (XMN)"),
    ("XMN-NORTH", "station", "厦门北站", "Xiamen North Railway Station"),
    ("XMN-CENTRAL", "station", "厦门站", "Xiamen Railway Station"),
]
# Who stays in which kind of hotel, and who may ask for a room themselves.
LODGINGS = [("guest", "guest", True), ("audience", "audience", True), ("media", "audience", True),
            ("staff", "staff", False), ("volunteer", "staff", False)]
FLIGHTS = ["MF8102", "CA1801", "MU5235", "CZ3781", "MF8304", "ZH9951", "3U8847", "HU7135", "FM9261", "MF8562"]
TRAINS = ["G1651", "G1601", "D3135", "G1603", "D2281", "G321", "D6227", "G1697"]


def load_hotels() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    if services.hotels_of(edition):
        return ["Hotels of 2023 already there."]
    venues = list(db.session.execute(select(Venue).where(Venue.edition_id == edition.id).order_by(Venue.position, Venue.id)).scalars())
    nights = services.conference_nights(edition)  # 17, 18 and 19 July
    for position, (code, zh, en, address_zh, address_en, latitude, longitude, stars, kind, minutes, rooms) in enumerate(HOTELS):
        hotel = Hotel(edition_id=edition.id, code=code, name_zh=zh, name_en=en, address_zh=address_zh,
                      address_en=address_en, latitude=latitude, longitude=longitude, stars=stars, kind=kind,
                      phone=f"0592-55{position:02d}{position * 7 % 10}{position * 3 % 10}8{position % 10}",
                      check_in_time=time(14, 0), check_out_time=time(12, 0), position=position)
        hotel.travel_times = [TravelTime(venue_id=venue.id, minutes=minute) for venue, minute in zip(venues, minutes, strict=False)]
        # Guest hotels hold their rooms to the eve of the conference; audience hotels release unclaimed rooms earlier.
        release = date(2023, 7, 16) if kind == "guest" else date(2023, 7, 14)
        for type_position, (room_kind, count) in enumerate(zip(("king", "twin", "suite"), rooms, strict=True)):
            if not count:
                continue
            name_zh, name_en, beds, accessible = ROOM_TYPES[room_kind]
            split = [(False, count)] if not accessible else [(False, count - accessible), (True, accessible)]
            for is_accessible, rooms_a_night in split:
                room_type = RoomType(kind=room_kind, beds=beds, accessible=is_accessible, position=type_position * 2 + is_accessible,
                                     name_zh=name_zh + ("（无障碍）" if is_accessible else ""),
                                     name_en=name_en + (" (accessible)" if is_accessible else ""))
                room_type.blocks = [RoomBlock(night=night, rooms=rooms_a_night, taken=0, price=PRICES.get((kind, room_kind), 500),
                                              release_on=release) for night in nights]
                hotel.room_types.append(room_type)
        db.session.add(hotel)
    for category, kind, offered in LODGINGS:
        db.session.add(Lodging(edition_id=edition.id, category=category, kind=kind, offered=offered))
    places = {}
    for position, (code, kind, zh, en) in enumerate(PLACES):
        places[code] = TravelPlace(edition_id=edition.id, code=code, kind=kind, name_zh=zh, name_en=en, position=position)
        db.session.add(places[code])
    db.session.flush()
    requested = _requests(edition, nights, places)
    _plan, applied = assign.assign(edition)  # the rooms are arranged: no mail goes out for the demo
    confirmed = _confirmed_by_guest_hotels(edition)
    return [f"Hotels of 2023: {len(HOTELS)} fictional hotels with room blocks for {len(nights)} nights; "
            f"{requested} guests and invited audience asked for rooms; {len(applied.placed)} placed by auto-assign, "
            f"{len(applied.waitlisted)} on the waiting list; {confirmed} confirmed by the guest hotels.",
            *set_up_travel(edition)]


def _confirmed_by_guest_hotels(edition) -> int:
    """A week before the conference the guest hotels have confirmed the rooms of those arriving
    on the first night, each with its confirmation number."""
    stays = db.session.execute(
        select(Stay).join(Hotel, Stay.hotel_id == Hotel.id)
        .where(Stay.edition_id == edition.id, Hotel.kind == "guest", Stay.status == "assigned",
               Stay.shares_with_id.is_(None), Stay.check_in == edition.starts_on - timedelta(days=1))
        .order_by(Stay.id)).scalars().all()
    for stay in stays:
        services.confirm_stay(stay, f"{stay.hotel.code[2:]}-{stay.id:05d}", tell=False)
    return len(stays)


def _requests(edition, nights, places) -> int:
    """Approved guests and invited audience ask for rooms and say how they arrive: most the day
    before, by air or by rail; one in ten of the audience shares a twin with a colleague of
    their organisation, each giving the other's roommate code."""
    rng = random.Random(20230717)
    people = list(db.session.execute(
        select(Person).join(Registration, Registration.person_id == Person.id)
        .where(Person.edition_id == edition.id, Registration.status == "approved", Person.category.in_(("guest", "audience")))
        .order_by(Person.id)).scalars())
    given = datetime(2023, 7, 1, 2, 0, tzinfo=UTC)  # when they asked, on their private pages
    travellers = {}
    for person in people:
        travellers[person.id] = Traveller(person_id=person.id, edition_id=edition.id, roommate_code=services.new_roommate_code(),
                                          travel_consent_at=given, document_consent_at=given if rng.random() < 0.7 else None)
        db.session.add(travellers[person.id])
    waiting_for_colleague: dict[str, Person] = {}
    for index, person in enumerate(people):
        first = nights[0] if rng.random() < (0.8 if person.category == "guest" else 0.6) else nights[1]
        leaving = nights[-1] + timedelta(days=1) if rng.random() < 0.8 else nights[-1]
        if person.category == "guest":
            room_kind = "suite" if index % 20 == 0 else "king"
        else:
            room_kind = "king"
        stay = Stay(edition_id=edition.id, person_id=person.id, check_in=first, check_out=leaving, room_kind=room_kind,
                    status="requested", accessible=index % 50 == 3, late_arrival=index % 13 == 0,
                    non_smoking=True, payer="conference")
        if person.category == "audience" and index % 10 == 1:
            colleague = waiting_for_colleague.pop(person.organisation, None)
            if colleague is None:
                waiting_for_colleague[person.organisation] = person
            else:
                other = db.session.execute(select(Stay).where(Stay.person_id == colleague.id)).scalar_one()
                stay.check_in, stay.check_out, stay.room_kind = other.check_in, other.check_out, "twin"
                other.room_kind = "twin"
                stay.roommate_wish_id, other.roommate_wish_id = colleague.id, person.id
        db.session.add(stay)
        db.session.flush()
        _journeys(edition, person, stay, places, rng)
    return len(people)


def _journeys(edition, person, stay, places, rng) -> None:
    air = rng.random() < 0.6
    place = places["XMN"] if air else places["XMN-NORTH" if rng.random() < 0.75 else "XMN-CENTRAL"]
    for direction, day, hours in (("arrival", stay.check_in, (9, 21)), ("departure", stay.check_out, (9, 17))):
        moment = at_local(edition, day, time(rng.randint(*hours), rng.choice((0, 10, 25, 40, 55))))
        number = rng.choice(FLIGHTS if air else TRAINS)
        db.session.add(Journey(edition_id=edition.id, person_id=person.id, direction=direction, at=moment,
                               mode="air" if air else "rail", number_sealed=pii.seal(number), place_id=place.id,
                               needs_pickup=rng.random() < 0.85))
