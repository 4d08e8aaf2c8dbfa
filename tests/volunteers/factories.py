"""A small volunteering world for volunteers' tests: the 2023 edition, a venue with a hall and a
checkpoint, two working groups (志愿服务组 screens applications), a post of each group with
shifts on 18 July, a training, and accepted volunteers with accounts."""

from dataclasses import dataclass, field
from datetime import datetime, time

from conference.accounts import services as accounts
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.editions.localtime import at_local
from conference.extensions import db
from conference.people.models import Person
from conference.venues.models import Checkpoint, Hall, Venue
from conference.volunteers.models import (
    AccountPerson,
    GroupMember,
    HallGroup,
    Post,
    Shift,
    Training,
    TrainingPlace,
    Volunteer,
    WorkingGroup,
)

PASSWORD = "volunteer-test-2023"
ALL_DAY = [{"day": d, "part": p} for d in ("2023-07-17", "2023-07-18", "2023-07-19")
           for p in ("morning", "afternoon", "evening")]


@dataclass
class World:
    edition: object
    venue: Venue
    hall: Hall
    checkpoint: Checkpoint
    services_group: WorkingGroup  # 志愿服务组: screens applications
    meeting_group: WorkingGroup  # 会务组: ushers in the hall
    training: Training
    usher_post: Post
    desk_post: Post
    shifts: list[Shift] = field(default_factory=list)

    def at(self, hour: int, minute: int = 0, day: int = 18) -> datetime:
        """18 July (or `day`) at hour:minute in Xiamen, as UTC."""
        return at_local(self.edition, datetime(2023, 7, day).date(), time(hour, minute))


def world() -> World:
    """In an app context, committed."""
    edition = editions.create_edition(EDITION_2023)
    venue = Venue(edition_id=edition.id, name_zh="厦门国际会议中心", name_en="Xiamen International Conference Center")
    db.session.add(venue)
    db.session.flush()
    hall = Hall(venue_id=venue.id, name_zh="分论坛八会场", name_en="Sub-forum 8 hall", capacity=200)
    checkpoint = Checkpoint(venue_id=venue.id, code="EAST", name_zh="东门", name_en="East gate")
    db.session.add_all([hall, checkpoint])
    db.session.flush()
    services_group = WorkingGroup(edition_id=edition.id, code="VOL", name_zh="志愿服务组", name_en="Volunteer services",
                                  desk_phone="0592-5550110", screens_volunteers=True, position=10)
    meeting_group = WorkingGroup(edition_id=edition.id, code="MEET", name_zh="会务组", name_en="Meeting services",
                                 desk_phone="0592-5550103", position=3)
    db.session.add_all([services_group, meeting_group])
    db.session.flush()
    db.session.add(HallGroup(hall_id=hall.id, group_id=meeting_group.id))
    training = Training(edition_id=edition.id, code="T-USHER", title_zh="引导员培训", title_en="Usher training",
                        starts_at=at_local(edition, datetime(2023, 7, 15).date(), time(9)),
                        ends_at=at_local(edition, datetime(2023, 7, 15).date(), time(11)),
                        place="厦门国际会议中心 B1", capacity=100)
    db.session.add(training)
    db.session.flush()
    usher = Post(edition_id=edition.id, group_id=meeting_group.id, code="USHER-8", kind="usher", name_zh="分论坛八引导",
                 name_en="Sub-forum 8 usher", hall_id=hall.id, training_id=training.id, languages=["en"])
    desk = Post(edition_id=edition.id, group_id=services_group.id, code="DESK", kind="info_desk", name_zh="咨询台",
                name_en="Information desk", checkpoint_id=checkpoint.id)
    db.session.add_all([usher, desk])
    db.session.flush()
    built = World(edition, venue, hall, checkpoint, services_group, meeting_group, training, usher, desk)
    for post in (usher, desk):
        for start, end in ((8, 12), (13, 17)):
            shift = Shift(edition_id=edition.id, post_id=post.id, starts_at=built.at(start), ends_at=built.at(end), needed=2)
            db.session.add(shift)
            built.shifts.append(shift)
    db.session.commit()
    return built


def volunteer(world: World, family: str, *, first_time: bool = False, languages=("zh", "en"), skills=(),
              availability=None, trained: bool = True, account: bool = True, group: WorkingGroup | None = None) -> Volunteer:
    """An accepted volunteer with a Person of category volunteer and, with `account`, a
    volunteer account (email {family}@example.org, PASSWORD) linked to that Person."""
    edition = world.edition
    person = Person(edition_id=edition.id, family_name=family, given_name="志愿", category="volunteer",
                    email=f"{family.lower()}@example.org")
    db.session.add(person)
    db.session.flush()
    found = Volunteer(edition_id=edition.id, status="accepted", family_name=family, given_name="志愿",
                      email=person.email, id_type="passport", first_time=first_time,
                      languages=[{"code": code, "level": "fluent"} for code in languages], skills=list(skills),
                      availability=ALL_DAY if availability is None else availability,
                      token_hash=f"test-{family}", person_id=person.id, group_id=(group or world.services_group).id)
    db.session.add(found)
    db.session.flush()
    if trained:
        db.session.add(TrainingPlace(training_id=world.training.id, volunteer_id=found.id, attended_at=world.training.ends_at))
        world.training.taken += 1
    if account:
        user = accounts.create_user(person.email, PASSWORD, "volunteer", display_name=person.name)
        db.session.add(AccountPerson(user_id=user.id, edition_id=edition.id, person_id=person.id))
    db.session.commit()
    return found


def lead(world: World, group: WorkingGroup, email: str):
    """A group_lead account leading `group` (password PASSWORD)."""
    user = accounts.create_user(email, PASSWORD, "group_lead", display_name=email.split("@")[0])
    db.session.add(GroupMember(group_id=group.id, user_id=user.id, lead=True))
    db.session.commit()
    return user
