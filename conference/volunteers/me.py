"""What a volunteer's own phone page and calendar show: where each of their shifts is (the
checkpoint's, hall's, hotel's or travel place's name, the venue and its address, the hotel's map),
whom to call (the group's leads by name and the group's desk phone, never anyone's own phone),
their trainings and their hours. Reading only: checking in and out goes through services."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app, url_for
from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core.i18n import localized
from conference.editions.localtime import local, local_day
from conference.extensions import db
from conference.hotels.models import Hotel, TravelPlace
from conference.volunteers import services
from conference.volunteers.models import (
    GroupMember,
    Post,
    ShiftPlace,
    Training,
    TrainingPlace,
    Volunteer,
    WorkingGroup,
)

PRODID = "-//China Internet Civilization Conference//Volunteer shifts//EN"


@dataclass
class Where:
    """Where a post is, as a volunteer finds it: the place's name, the building and its
    address, the floor, and a map image when there is one."""

    name: str
    venue: str = ""
    address: str = ""
    floor: str = ""
    map_url: str | None = None

    @property
    def line(self) -> str:
        """One line for a calendar's LOCATION."""
        return " ".join(part for part in (self.venue, self.name) if part) or self.name


@dataclass
class Desk:
    """A working group as a volunteer reaches it: its leads' names and its public desk phone."""

    group: WorkingGroup
    leads: list[str] = field(default_factory=list)

    @property
    def phone(self) -> str:
        return self.group.desk_phone


def where(post: Post) -> Where:
    if post.checkpoint is not None:
        venue = post.checkpoint.venue
        return Where(post.checkpoint.name, venue.name, venue.address, post.checkpoint.hall.floor if post.checkpoint.hall else "")
    if post.hall is not None:
        venue = post.hall.venue
        return Where(post.hall.name, venue.name, venue.address, post.hall.floor)
    if post.hotel_id is not None:
        hotel = db.session.get(Hotel, post.hotel_id)
        return Where(hotel.name, address=hotel.address, map_url=_hotel_map(hotel))
    if post.travel_place_id is not None:
        return Where(db.session.get(TravelPlace, post.travel_place_id).name)
    return Where(written_place(post.place_text) or post.name)


def written_place(text: str) -> str:
    """A place typed in one language only (厦门国际会议中心 B1): in Traditional characters for
    Traditional readers, as typed for the others."""
    return localized(text, text)


def _hotel_map(hotel: Hotel) -> str | None:
    """The hotel's map image, where the hotel has one and the hotels' pages serve it."""
    if not hotel.map_file or "hotels.map_image" not in current_app.view_functions:
        return None
    return url_for("hotels.map_image", year=hotel.edition.year, hotel_id=hotel.id)


def desks(group_ids: set[int]) -> dict[int, Desk]:
    """The groups' desks with their leads' display names (an account without one is left out:
    its e-mail address is not for volunteers to see)."""
    if not group_ids:
        return {}
    found = {group.id: Desk(group) for group in
             db.session.execute(select(WorkingGroup).where(WorkingGroup.id.in_(group_ids))).scalars()}
    for group_id, name in db.session.execute(
            select(GroupMember.group_id, User.display_name).join(User, User.id == GroupMember.user_id)
            .where(GroupMember.group_id.in_(group_ids), GroupMember.lead.is_(True), User.active.is_(True))
            .order_by(GroupMember.id)):
        if name.strip():
            found[group_id].leads.append(name.strip())
    return found


def notes(place: ShiftPlace) -> str:
    """What to bring and know: the post's description and the shift's own note."""
    post = place.shift.post
    return "\n".join(part for part in (localized(post.description_zh, post.description_en), place.shift.note) if part)


def trainings_booked(volunteer: Volunteer) -> list[TrainingPlace]:
    return list(db.session.execute(
        select(TrainingPlace).join(Training).where(TrainingPlace.volunteer_id == volunteer.id)
        .options(selectinload(TrainingPlace.training).selectinload(Training.checkpoint))
        .order_by(Training.starts_at)).scalars())


@dataclass
class MyPage:
    """Everything on the volunteer's phone page, read at `now`."""

    volunteer: Volunteer
    now: datetime
    places: list[ShiftPlace]
    current: ShiftPlace | None  # the shift whose window is on now
    upcoming: ShiftPlace | None  # else the next one
    where: dict[int, Where]  # by post id
    desks: dict[int, Desk]  # by group id
    own_desk: Desk | None  # the volunteer's own group
    trainings: list[TrainingPlace]
    minutes: dict[date, int]

    @property
    def first(self) -> ShiftPlace | None:
        """The shift shown first and largest: the one on now, else the next."""
        return self.current or self.upcoming

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes.values())

    def by_day(self) -> list[tuple[date, list[ShiftPlace]]]:
        """The other shifts by local day."""
        days: dict[date, list[ShiftPlace]] = {}
        for place in self.places:
            if place is not self.first:
                days.setdefault(local_day(self.volunteer.edition, place.shift.starts_at), []).append(place)
        return list(days.items())

    def desk_of(self, place: ShiftPlace) -> Desk:
        return self.desks[place.shift.post.group_id]


def my_page(volunteer: Volunteer, now: datetime) -> MyPage:
    places = services.places_of(volunteer)
    current = services.current_place(volunteer, now)
    upcoming = None if current is not None else services.next_place(volunteer, now)
    posts = {place.shift.post.id: place.shift.post for place in places}
    groups = {post.group_id for post in posts.values()} | ({volunteer.group_id} if volunteer.group_id else set())
    found = desks(groups)
    return MyPage(volunteer, now, places, current, upcoming, {post_id: where(post) for post_id, post in posts.items()},
                  found, found.get(volunteer.group_id), trainings_booked(volunteer), services.minutes_by_day(volunteer))


def hours_label(minutes: int) -> str:
    """4:05 for four hours and five minutes: the same in every language."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def shifts_ical(volunteer: Volunteer, name: str) -> bytes:
    """The volunteer's held shifts as iCalendar: one event per place, its UID the place's, so a
    calendar that reads the file again updates the event instead of adding one."""
    edition = volunteer.edition
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", edition.timezone)
    stamp = datetime.now(UTC).replace(microsecond=0)
    places = services.places_of(volunteer)
    found = desks({place.shift.post.group_id for place in places})
    for place in places:
        shift, post = place.shift, place.shift.post
        desk = found[post.group_id]
        event = Event()
        event.add("uid", f"shift-place-{place.id}@{edition.year}.conference")
        event.add("dtstamp", stamp)
        event.add("dtstart", local(edition, shift.starts_at))
        event.add("dtend", local(edition, shift.ends_at))
        event.add("summary", post.name)
        event.add("location", vText(where(post).line))
        lines = [post.name, f"{desk.group.name} {desk.phone}".strip(), notes(place)]
        event.add("description", "\n".join(line for line in lines if line))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
