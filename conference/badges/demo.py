"""Access zones of 2023 and a badge for every approved demo person and every speaker."""

from sqlalchemy import select

from conference.badges import services
from conference.badges.models import AccessZone, Badge
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.registration.models import Registration

ZONES = [
    # code, bit, zh, en, categories let in by default
    ("A", 0, "海峡大剧院", "Grand Theatre", ["guest", "audience", "media", "staff"]),
    ("B", 1, "国际会议中心", "Conference Center", ["guest", "audience", "media", "staff", "volunteer"]),
    ("C", 2, "新闻中心", "News Centre", ["media", "staff"]),
    ("D", 3, "后台", "Backstage", ["staff"]),
    ("E", 4, "贵宾室", "VIP Lounge", ["guest"]),
]


def set_up_zones(edition) -> None:
    for code, bit, zh, en, categories in ZONES:
        db.session.add(AccessZone(edition_id=edition.id, code=code, bit=bit, name_zh=zh, name_en=en,
                                  default_categories=categories))


def load_badges() -> list[str]:
    edition = get_edition(2023)
    if edition is None:
        return []
    if db.session.execute(select(AccessZone.id).where(AccessZone.edition_id == edition.id).limit(1)).first():
        return ["Badges of 2023 already there."]
    set_up_zones(edition)
    services.key_for(edition)
    approved = select(Registration.person_id).where(Registration.edition_id == edition.id, Registration.status == "approved")
    speakers = select(Person.id).where(Person.edition_id == edition.id, Person.id.not_in(select(Registration.person_id)))
    people = db.session.execute(
        select(Person.id).where(Person.id.in_(approved) | Person.id.in_(speakers)).order_by(Person.id)).scalars().all()
    db.session.add_all(
        Badge(edition_id=edition.id, person_id=person_id, serial=f"{edition.year}-{index:05d}", version=1)
        for index, person_id in enumerate(people, start=1)
    )
    return [f"Badges of 2023: {len(ZONES)} access zones, {len(people)} badges."]
