"""Hotel nights checked against shifts: a staff member or volunteer in a conference hotel on a
night with no shift that day or the next is flagged for the reception group (接待组), which
books and pays the rooms.

Shifts are places held (signed up) on a shift, on the local days the shift starts and ends.
Staff hold shifts only through a volunteer record; staff without one have no shifts on record,
so each of their nights is flagged too, marked as such: the reception group asks their working
group rather than cancelling the room.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from conference.editions.localtime import local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.models import HOLDING, Hotel, Stay
from conference.people.models import Person
from conference.volunteers.models import Shift, ShiftPlace, Volunteer

CATEGORIES = ("staff", "volunteer")


@dataclass
class IdleNight:
    person: Person
    hotel: Hotel
    night: date  # the night of this day
    volunteer: Volunteer | None  # None: staff without a volunteer record, so no shifts on record
    before: Shift | None  # their last shift before the night
    after: Shift | None  # their next shift after the next day


def idle_nights(edition: Edition) -> list[IdleNight]:
    """Nights of staff and volunteers in a hotel (stays assigned or confirmed) with no shift
    that day or the next, by hotel, night and name."""
    volunteer_people = select(Volunteer.person_id).where(
        Volunteer.edition_id == edition.id, Volunteer.status == "accepted", Volunteer.person_id.is_not(None))
    stays = list(db.session.execute(
        select(Stay).join(Person, Person.id == Stay.person_id)
        .where(Stay.edition_id == edition.id, Stay.status.in_(HOLDING), Stay.hotel_id.is_not(None),
               or_(Person.category.in_(CATEGORIES), Person.id.in_(volunteer_people)))
        .options(selectinload(Stay.person), selectinload(Stay.hotel))).scalars())
    people = {stay.person_id for stay in stays}
    volunteers = {v.person_id: v for v in db.session.execute(
        select(Volunteer).where(Volunteer.edition_id == edition.id, Volunteer.status == "accepted",
                                Volunteer.person_id.in_(people)).options(selectinload(Volunteer.group))).scalars()} if people else {}
    shifts: dict[int, list[Shift]] = defaultdict(list)
    if volunteers:
        for volunteer_id, shift in db.session.execute(
                select(ShiftPlace.volunteer_id, Shift).join(Shift, Shift.id == ShiftPlace.shift_id)
                .where(ShiftPlace.volunteer_id.in_([v.id for v in volunteers.values()]), ShiftPlace.status == "signed_up")
                .options(selectinload(Shift.post)).order_by(Shift.starts_at)):
            shifts[volunteer_id].append(shift)
    found = []
    for stay in stays:
        volunteer = volunteers.get(stay.person_id)
        held = shifts.get(volunteer.id, []) if volunteer is not None else []
        days = {local_day(edition, moment) for shift in held for moment in (shift.starts_at, shift.ends_at)}
        night = stay.check_in
        while night < stay.check_out:
            following = night + timedelta(days=1)
            if night not in days and following not in days:
                before = [s for s in held if local_day(edition, s.ends_at) < night]
                after = [s for s in held if local_day(edition, s.starts_at) > following]
                found.append(IdleNight(stay.person, stay.hotel, night, volunteer,
                                       before[-1] if before else None, after[0] if after else None))
            night = following
    found.sort(key=lambda idle: (idle.hotel.position, idle.hotel.id, idle.night, idle.person.name_pinyin, idle.person.id))
    return found
