"""The demo's pickup groups and shuttle timetable: a vehicle for every two hours in which
people arrive at or leave from Xiamen's airport or either station, then the waiting people put
in them, then the shuttle generated from the programme. Plates, drivers and phones are fictional."""

from collections import Counter
from datetime import time

from sqlalchemy import select

from conference.editions.localtime import local
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels import travel
from conference.hotels.models import Journey

WINDOW_HOURS = 2  # 08:00–09:59, 10:00–11:59, …
VEHICLES = {"airport": ("大巴", 45), "station": ("考斯特", 19), "other": ("商务车", 6)}
DUTY_PHONE = "0592-5550100"
DRIVERS = ["陈师傅", "林师傅", "黄师傅", "吴师傅", "郑师傅", "王师傅"]


def set_up_travel(edition: Edition) -> list[str]:
    places = {place.id: place for place in travel.places_of(edition)}
    people: Counter = Counter(
        (journey.place_id, journey.direction, _window(local(edition, journey.at)))
        for journey in db.session.execute(select(Journey).where(
            Journey.edition_id == edition.id, Journey.needs_pickup.is_(True), Journey.place_id.is_not(None))).scalars())
    groups = 0
    for (place_id, direction, (day, hour)), count in sorted(people.items(), key=lambda item: (item[0][2], item[0][:2])):
        kind, seats = VEHICLES[places[place_id].kind]
        # As many vehicles as a window fills up: the rest wait for another, as the page shows.
        for _ in range(max(1, count // seats)):
            travel.save_group(edition, travel.PickupFields(
                place_id=place_id, direction=direction, day=day, starts=time(hour),
                ends=time(hour + WINDOW_HOURS - 1, 59), vehicle=f"{kind} 闽D·{10001 + groups * 37}", capacity=seats,
                driver=DRIVERS[groups % len(DRIVERS)], driver_phone=DUTY_PHONE))
            groups += 1
    grouping = travel.group_automatically(edition)
    added, _kept = travel.generate_runs(edition)
    return [f"Travel of 2023: {groups} pickup groups, {len(grouping.placed)} people in them, "
            f"{len(grouping.unplaced)} waiting for another vehicle; {added} shuttle runs."]


def _window(moment) -> tuple:
    """The two hours (from an even hour) a local time falls in."""
    return moment.date(), moment.hour - moment.hour % WINDOW_HOURS
