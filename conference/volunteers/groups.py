"""The organizers' side of volunteering: working groups with their members, leads and halls,
posts and their shifts, trainings and who is booked on them, and what an edition's clone carries
over. Each save checks every field at once and refuses with all the messages (a Refusal with
`errors`); the views only parse and show them.

A training's seats are taken from its `taken`/`capacity` counter (core/capacity), so the last
seat goes to exactly one booking, like a shift's last place.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import phonenumbers
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from conference.accounts import services as accounts
from conference.accounts.models import User
from conference.core import audit, clock, deletion
from conference.core.capacity import Counter
from conference.core.deletion import Dependent, depends_on, settles
from conference.editions.localtime import at_local, local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.models import Hotel, TravelPlace
from conference.venues.models import Checkpoint, Hall, Venue
from conference.volunteers.models import (
    POST_KINDS,
    SKILLS,
    GroupMember,
    HallGroup,
    Post,
    Shift,
    ShiftPlace,
    Training,
    TrainingPlace,
    Volunteer,
    WorkingGroup,
)
from conference.volunteers.services import LANGUAGE_LABELS, VolunteerError, give_up

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,23}")
MAX_POSITION = 999
MAX_HEADCOUNT = 500
MAX_SEATS = 5000
MAX_SHIFT = timedelta(hours=12)
SEATS = Counter(Training.taken, Training.capacity)
PLACE_KINDS = ("checkpoint", "hall", "hotel", "travel")


class GroupError(VolunteerError):
    pass


def volunteering_days(edition: Edition) -> list[date]:
    """The days volunteers work: the eve of the conference (setting up, arrivals) to its last day."""
    first = edition.starts_on - timedelta(days=1)
    return [first + timedelta(days=n) for n in range((edition.ends_on - first).days + 1)]


def _code(value: str) -> str:
    return (value or "").strip().upper()


# Reading ------------------------------------------------------------------------------------


@dataclass
class GroupGlance:
    """One group on the overview: its leads and what it runs."""

    group: WorkingGroup
    leads: list[User] = field(default_factory=list)
    volunteers: int = 0
    posts: int = 0
    shifts: int = 0
    needed: int = 0
    taken: int = 0


def glance(edition: Edition, group_ids: set[int] | None) -> list[GroupGlance]:
    """The groups a reader sees (None: all), each with its leads and counts, in four queries."""
    query = select(WorkingGroup).where(WorkingGroup.edition_id == edition.id)
    if group_ids is not None:
        query = query.where(WorkingGroup.id.in_(group_ids))
    rows = {g.id: GroupGlance(g) for g in db.session.execute(
        query.order_by(WorkingGroup.position, WorkingGroup.id)).scalars()}
    if not rows:
        return []
    ids = list(rows)
    for group_id, user in db.session.execute(
            select(GroupMember.group_id, User).join(User, User.id == GroupMember.user_id)
            .where(GroupMember.group_id.in_(ids), GroupMember.lead.is_(True)).order_by(User.email)):
        rows[group_id].leads.append(user)
    for group_id, count in db.session.execute(
            select(Volunteer.group_id, func.count(Volunteer.id))
            .where(Volunteer.group_id.in_(ids), Volunteer.status == "accepted").group_by(Volunteer.group_id)):
        rows[group_id].volunteers = count
    for group_id, count in db.session.execute(
            select(Post.group_id, func.count(Post.id)).where(Post.group_id.in_(ids)).group_by(Post.group_id)):
        rows[group_id].posts = count
    for group_id, shifts, needed, taken in db.session.execute(
            select(Post.group_id, func.count(Shift.id), func.coalesce(func.sum(Shift.needed), 0),
                   func.coalesce(func.sum(Shift.taken), 0))
            .join(Shift, Shift.post_id == Post.id).where(Post.group_id.in_(ids)).group_by(Post.group_id)):
        rows[group_id].shifts, rows[group_id].needed, rows[group_id].taken = shifts, int(needed), int(taken)
    return list(rows.values())


def members_of(group: WorkingGroup) -> list[GroupMember]:
    """Leads first, then members, by email."""
    return list(db.session.execute(
        select(GroupMember).join(User, User.id == GroupMember.user_id).where(GroupMember.group_id == group.id)
        .options(selectinload(GroupMember.user)).order_by(GroupMember.lead.desc(), User.email)).scalars())


def halls_of_group(group: WorkingGroup) -> list[HallGroup]:
    return list(db.session.execute(
        select(HallGroup).join(Hall).join(Venue).where(HallGroup.group_id == group.id)
        .options(selectinload(HallGroup.hall).selectinload(Hall.venue))
        .order_by(Venue.position, Hall.position, Hall.id)).scalars())


def posts_of_group(group: WorkingGroup) -> list[Post]:
    return list(db.session.execute(select(Post).where(Post.group_id == group.id).order_by(Post.code)).scalars())


def shift_counts(post_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per post: shifts, places needed, places taken."""
    if not post_ids:
        return {}
    return {post_id: (shifts, int(needed), int(taken)) for post_id, shifts, needed, taken in db.session.execute(
        select(Shift.post_id, func.count(Shift.id), func.sum(Shift.needed), func.sum(Shift.taken))
        .where(Shift.post_id.in_(post_ids)).group_by(Shift.post_id))}


def shifts_of_post(post: Post) -> list[Shift]:
    return list(db.session.execute(select(Shift).where(Shift.post_id == post.id)
                                   .order_by(Shift.starts_at, Shift.id)).scalars())


def place_of(post: Post):
    """Where the post is: its checkpoint, hall, hotel or travel place, else None (see place_text)."""
    if post.checkpoint_id:
        return db.session.get(Checkpoint, post.checkpoint_id)
    if post.hall_id:
        return db.session.get(Hall, post.hall_id)
    if post.hotel_id:
        return db.session.get(Hotel, post.hotel_id)
    if post.travel_place_id:
        return db.session.get(TravelPlace, post.travel_place_id)
    return None


def place_name(post: Post) -> str:
    found = place_of(post)
    return found.name if found is not None else post.place_text


def place_choice(post: Post | None) -> str:
    """The place of a post as the form's choice: 'hall:12', or '' for a place in words."""
    if post is None:
        return ""
    for kind, column in zip(PLACE_KINDS, ("checkpoint_id", "hall_id", "hotel_id", "travel_place_id"), strict=True):
        if getattr(post, column):
            return f"{kind}:{getattr(post, column)}"
    return ""


def places_to_choose(edition: Edition) -> dict[str, list[tuple[str, str]]]:
    """The edition's checkpoints, halls, hotels and travel places as (choice, name), by kind."""
    venues = db.session.execute(select(Venue).where(Venue.edition_id == edition.id)
                                .options(selectinload(Venue.halls), selectinload(Venue.checkpoints))
                                .order_by(Venue.position, Venue.id)).scalars().all()
    hotels = db.session.execute(select(Hotel).where(Hotel.edition_id == edition.id)
                                .order_by(Hotel.position, Hotel.code)).scalars()
    travel = db.session.execute(select(TravelPlace).where(TravelPlace.edition_id == edition.id)
                                .order_by(TravelPlace.position, TravelPlace.code)).scalars()
    return {
        "checkpoint": [(f"checkpoint:{c.id}", f"{v.name} · {c.name}") for v in venues for c in v.checkpoints],
        "hall": [(f"hall:{h.id}", f"{v.name} · {h.name}") for v in venues for h in v.halls],
        "hotel": [(f"hotel:{h.id}", h.name) for h in hotels],
        "travel": [(f"travel:{p.id}", p.name) for p in travel],
    }


def get_training(edition: Edition, training_id: int) -> Training | None:
    training = db.session.get(Training, training_id)
    return training if training is not None and training.edition_id == edition.id else None


def training_places(training: Training, group_ids: set[int] | None = None) -> list[TrainingPlace]:
    """Who is booked on a training, by name; of some groups' volunteers only when given."""
    query = (select(TrainingPlace).join(Volunteer).where(TrainingPlace.training_id == training.id)
             .options(selectinload(TrainingPlace.volunteer).selectinload(Volunteer.group))
             .order_by(Volunteer.family_name, Volunteer.given_name))
    if group_ids is not None:
        query = query.where(Volunteer.group_id.in_(group_ids))
    return list(db.session.execute(query).scalars())


def bookable(training: Training, group_ids: set[int] | None = None) -> list[Volunteer]:
    """Accepted volunteers not yet booked on the training (of some groups only when given)."""
    booked = select(TrainingPlace.volunteer_id).where(TrainingPlace.training_id == training.id)
    query = (select(Volunteer).where(Volunteer.edition_id == training.edition_id, Volunteer.status == "accepted",
                                     Volunteer.id.not_in(booked))
             .options(selectinload(Volunteer.group)).order_by(Volunteer.family_name, Volunteer.given_name, Volunteer.id))
    if group_ids is not None:
        query = query.where(Volunteer.group_id.in_(group_ids))
    return list(db.session.execute(query).scalars())


# Working groups -----------------------------------------------------------------------------


@dataclass
class GroupFields:
    code: str
    name_zh: str
    name_en: str = ""
    name_zh_hant: str = ""
    desk_phone: str = ""
    screens_volunteers: bool = False
    position: int = 0


def check_desk_phone(phone: str) -> str:
    """A desk phone as it is printed: 0592 555 0110 for the mainland, +852 … elsewhere. It is
    public (the handbook, the volunteers' pages), so it must be one that can be dialled."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException as error:
        raise GroupError(_l("Enter a phone number, such as 0592-5550110 or +852 2345 6789."), "desk_phone") from error
    if not phonenumbers.is_valid_number(parsed):
        raise GroupError(_l("This phone number is not valid; check the digits and the area or country code."),
                         "desk_phone")
    if phonenumbers.region_code_for_number(parsed) == "CN":
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _group_by_code(edition: Edition, code: str) -> WorkingGroup | None:
    return db.session.execute(select(WorkingGroup).where(WorkingGroup.edition_id == edition.id,
                                                         WorkingGroup.code == code)).scalar()


def save_group(edition: Edition, fields: GroupFields, group: WorkingGroup | None = None, actor=None) -> WorkingGroup:
    errors = {}
    code = _code(fields.code)
    if not CODE.fullmatch(code):
        errors["code"] = _l("Use capital letters, digits and hyphens, such as MEET (up to 24).")
    elif (other := _group_by_code(edition, code)) is not None and other is not group:
        errors["code"] = _l("Another working group of this edition has this code.")
    if not (fields.name_zh or "").strip():
        errors["name_zh"] = _l("Give the group's Chinese name.")
    try:
        phone = check_desk_phone(fields.desk_phone)
    except GroupError as error:
        errors["desk_phone"] = error.message
    if not 0 <= (fields.position or 0) <= MAX_POSITION:
        errors["position"] = _l("Enter a number between 0 and 999.")
    if fields.screens_volunteers:
        screening = db.session.execute(select(WorkingGroup).where(
            WorkingGroup.edition_id == edition.id, WorkingGroup.screens_volunteers.is_(True))).scalar()
        if screening is not None and screening is not group:
            errors["screens_volunteers"] = _l("%(group)s screens the applications already; one group does.",
                                              group=screening.name)
    if errors:
        raise GroupError(errors=errors)
    if group is None:
        group = WorkingGroup(edition_id=edition.id)
        db.session.add(group)
    group.code, group.name_zh = code, fields.name_zh.strip()
    group.name_zh_hant = (fields.name_zh_hant or "").strip() or None
    group.name_en, group.desk_phone = (fields.name_en or "").strip(), phone
    group.screens_volunteers, group.position = bool(fields.screens_volunteers), fields.position or 0
    db.session.flush()
    audit.record("working_group.save", group, detail={"code": group.code, "desk_phone": group.desk_phone,
                                                      "screens_volunteers": group.screens_volunteers}, actor=actor)
    return group


@depends_on("working_groups")
def _group_dependents(group: WorkingGroup) -> list[Dependent]:
    found = []
    posts = db.session.execute(select(func.count(Post.id)).where(Post.group_id == group.id)).scalar_one()
    if posts:
        found.append(Dependent(_l("%(n)d posts of the group: delete or move them first", n=posts), blocks=True))
    volunteers = db.session.execute(select(func.count(Volunteer.id)).where(Volunteer.group_id == group.id)).scalar_one()
    if volunteers:
        found.append(Dependent(_l("%(n)d volunteers are left without a group", n=volunteers), blocks=False))
    members = db.session.execute(select(func.count(GroupMember.id)).where(GroupMember.group_id == group.id)).scalar_one()
    if members:
        found.append(Dependent(_l("%(n)d members and leads leave the group", n=members), blocks=False))
    halls = db.session.execute(select(func.count(HallGroup.id)).where(HallGroup.group_id == group.id)).scalar_one()
    if halls:
        found.append(Dependent(_l("%(n)d halls are no longer looked after by it", n=halls), blocks=False))
    return found


@settles("working_groups")
def _release_group(group: WorkingGroup, actor=None) -> None:
    # Volunteers keep their record without a group; members and halls go with the group.
    db.session.execute(update(Volunteer).where(Volunteer.group_id == group.id).values(group_id=None)
                       .execution_options(synchronize_session=False))
    for row in (*db.session.execute(select(GroupMember).where(GroupMember.group_id == group.id)).scalars(),
                *db.session.execute(select(HallGroup).where(HallGroup.group_id == group.id)).scalars()):
        db.session.delete(row)


def delete_group(group: WorkingGroup, actor=None) -> None:
    deletion.remove(group, "working_group.delete", detail={"code": group.code}, actor=actor)


# Members and halls --------------------------------------------------------------------------


def add_member(group: WorkingGroup, email: str, lead: bool, actor=None) -> GroupMember:
    """An account joins the group, or changes between member and lead. Only an account whose
    role is working-group lead may lead: its permissions then reach this group."""
    if not (email or "").strip():
        raise GroupError(_l("Enter the account's email."), "email")
    user = accounts.find_by_email(email)
    if user is None:
        raise GroupError(_l("No account has this email; create the account first."), "email")
    if lead and user.role != "group_lead":
        raise GroupError(_l("%(email)s is not a working-group lead account; give it that role on the accounts page first.",
                            email=user.email), "lead")
    member = db.session.execute(select(GroupMember).where(GroupMember.group_id == group.id,
                                                          GroupMember.user_id == user.id)).scalar()
    if member is None:
        member = GroupMember(group_id=group.id, user_id=user.id)
        db.session.add(member)
    member.lead = bool(lead)
    db.session.flush()
    audit.record("working_group.member", group, detail={"user": user.email, "lead": member.lead}, actor=actor)
    return member


def remove_member(member: GroupMember, actor=None) -> None:
    audit.record("working_group.member_removed", member.group,
                 detail={"user": member.user.email, "lead": member.lead}, actor=actor)
    db.session.delete(member)
    db.session.flush()


def add_hall(group: WorkingGroup, hall: Hall | None, actor=None) -> HallGroup:
    if hall is None or hall.venue.edition_id != group.edition_id:
        raise GroupError(_l("Choose a hall of this edition."), "hall_id")
    found = db.session.execute(select(HallGroup).where(HallGroup.group_id == group.id,
                                                       HallGroup.hall_id == hall.id)).scalar()
    if found is not None:
        raise GroupError(_l("The group looks after this hall already."), "hall_id")
    found = HallGroup(group_id=group.id, hall_id=hall.id)
    db.session.add(found)
    db.session.flush()
    audit.record("working_group.hall", group, detail={"hall": hall.id}, actor=actor)
    return found


def remove_hall(hall_group: HallGroup, actor=None) -> None:
    audit.record("working_group.hall_removed", hall_group.group, detail={"hall": hall_group.hall_id}, actor=actor)
    db.session.delete(hall_group)
    db.session.flush()


# Posts --------------------------------------------------------------------------------------


@dataclass
class PostFields:
    code: str
    kind: str
    name_zh: str
    name_en: str = ""
    name_zh_hant: str = ""
    description_zh: str = ""
    description_en: str = ""
    place: str = ""  # "hall:12" …, or "" with place_text
    place_text: str = ""
    self_signup: bool = True
    training_id: int | None = None
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def _post_by_code(edition: Edition, code: str) -> Post | None:
    return db.session.execute(select(Post).where(Post.edition_id == edition.id, Post.code == code)).scalar()


def _resolve_place(edition: Edition, choice: str):
    """The row a place choice names, if it is one of this edition's; else None."""
    kind, _sep, number = (choice or "").partition(":")
    if kind not in PLACE_KINDS or not number.isdigit() or len(number) > 10:
        return None
    row = db.session.get({"checkpoint": Checkpoint, "hall": Hall, "hotel": Hotel, "travel": TravelPlace}[kind],
                         int(number))
    if row is None:
        return None
    owner = row.venue.edition_id if isinstance(row, (Checkpoint, Hall)) else row.edition_id
    return row if owner == edition.id else None


def _check_requirements(edition: Edition, training_id: int | None, skills, languages, errors: dict) -> None:
    if training_id is not None and get_training(edition, training_id) is None:
        errors["training_id"] = _l("Choose a training of this edition.")
    if any(s not in SKILLS for s in skills or []):
        errors["skills"] = _l("Choose skills from the list.")
    if any(code not in LANGUAGE_LABELS for code in languages or []):
        errors["languages"] = _l("Choose languages from the list.")


def save_post(group: WorkingGroup, fields: PostFields, post: Post | None = None, actor=None) -> Post:
    edition = group.edition
    errors = {}
    code = _code(fields.code)
    if not CODE.fullmatch(code):
        errors["code"] = _l("Use capital letters, digits and hyphens, such as USHER-8 (up to 24).")
    elif (other := _post_by_code(edition, code)) is not None and other is not post:
        errors["code"] = _l("Another post of this edition has this code.")
    if fields.kind not in POST_KINDS:
        errors["kind"] = _l("Choose the kind of post.")
    if not (fields.name_zh or "").strip():
        errors["name_zh"] = _l("Give the post's Chinese name.")
    place = _resolve_place(edition, fields.place) if fields.place else None
    place_text = (fields.place_text or "").strip()
    if fields.place and place is None:
        errors["place"] = _l("Choose a place of this edition.")
    elif place is None and not place_text:
        errors["place"] = _l("Say where the post is: choose a place or describe it.")
    if len(place_text) > 200:
        errors["place_text"] = _l("Describe the place in 200 characters or fewer.")
    _check_requirements(edition, fields.training_id, fields.skills, fields.languages, errors)
    if errors:
        raise GroupError(errors=errors)
    if post is None:
        post = Post(edition_id=edition.id, group_id=group.id)
        db.session.add(post)
    post.code, post.kind = code, fields.kind
    post.name_zh, post.name_en = fields.name_zh.strip(), (fields.name_en or "").strip()
    post.name_zh_hant = (fields.name_zh_hant or "").strip() or None
    post.description_zh, post.description_en = (fields.description_zh or "").strip(), (fields.description_en or "").strip()
    post.checkpoint_id = place.id if isinstance(place, Checkpoint) else None
    post.hall_id = place.id if isinstance(place, Hall) else None
    post.hotel_id = place.id if isinstance(place, Hotel) else None
    post.travel_place_id = place.id if isinstance(place, TravelPlace) else None
    post.place_text = "" if place is not None else place_text
    post.self_signup, post.training_id = bool(fields.self_signup), fields.training_id
    post.skills, post.languages = sorted(set(fields.skills or [])), sorted(set(fields.languages or []))
    db.session.flush()
    audit.record("post.save", post, detail={"code": post.code, "group": group.code}, actor=actor)
    return post


def _held(*where) -> tuple[int, int]:
    """Places held on the shifts picked by `where`: (not checked in, checked in)."""
    rows = dict(db.session.execute(
        select(ShiftPlace.checked_in_at.is_not(None), func.count(ShiftPlace.id)).join(Shift)
        .where(*where, ShiftPlace.status == "signed_up").group_by(ShiftPlace.checked_in_at.is_not(None))).all())
    return rows.get(False, 0), rows.get(True, 0)


def _place_dependents(*where) -> list[Dependent]:
    """A shift someone checked in to holds their hours (their service record): it stays. Places
    not yet worked are given up, each in the audit log."""
    waiting, worked = _held(*where)
    found = []
    if worked:
        found.append(Dependent(_l("%(n)d volunteers checked in: their hours are part of their service record", n=worked),
                               blocks=True))
    if waiting:
        found.append(Dependent(_l("%(n)d volunteers lose their place (given up, in the audit log)", n=waiting),
                               blocks=False))
    return found


def _give_up_places(actor, *where) -> None:
    for place in db.session.execute(select(ShiftPlace).join(Shift).where(*where, ShiftPlace.status == "signed_up")
                                    .options(selectinload(ShiftPlace.shift))).scalars():
        give_up(place, clock.now(), actor=actor)


@depends_on("posts")
def _post_dependents(post: Post) -> list[Dependent]:
    shifts = db.session.execute(select(func.count(Shift.id)).where(Shift.post_id == post.id)).scalar_one()
    found = _place_dependents(Shift.post_id == post.id)
    if shifts:
        found.append(Dependent(_l("%(n)d shifts are deleted with it", n=shifts), blocks=False))
    return found


@settles("posts")
def _settle_post(post: Post, actor=None) -> None:
    _give_up_places(actor, Shift.post_id == post.id)


@depends_on("shifts")
def _shift_dependents(shift: Shift) -> list[Dependent]:
    return _place_dependents(Shift.id == shift.id)


@settles("shifts")
def _settle_shift(shift: Shift, actor=None) -> None:
    _give_up_places(actor, Shift.id == shift.id)


def delete_post(post: Post, actor=None) -> None:
    deletion.remove(post, "post.delete", detail={"code": post.code}, actor=actor)


def delete_shift(shift: Shift, actor=None) -> None:
    deletion.remove(shift, "shift.delete", detail={"post": shift.post.code, "starts_at": shift.starts_at.isoformat()},
                    actor=actor)


# What lower domains' rows carry of ours, asked before they go --------------------------------


@depends_on("halls")
def _hall_posts(hall: Hall) -> list[Dependent]:
    count = db.session.execute(select(func.count(Post.id)).where(Post.hall_id == hall.id)).scalar_one()
    return [Dependent(_l("%(n)d volunteer posts lose their place", n=count), blocks=False)] if count else []


@depends_on("checkpoints")
def _checkpoint_posts(checkpoint: Checkpoint) -> list[Dependent]:
    count = db.session.execute(select(func.count(Post.id)).where(Post.checkpoint_id == checkpoint.id)).scalar_one()
    return [Dependent(_l("%(n)d volunteer posts lose their place", n=count), blocks=False)] if count else []


# Shifts -------------------------------------------------------------------------------------


@dataclass
class ShiftFields:
    days: list[date]  # one shift per day (a new shift may be repeated on several days)
    starts: time | None
    ends: time | None
    needed: int | None
    training_id: int | None = None
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    note: str = ""


def _check_shift(edition: Edition, fields: ShiftFields) -> dict:
    errors = {}
    allowed = set(volunteering_days(edition))
    if not fields.days:
        errors["days"] = _l("Choose the day of the shift.")
    elif any(day not in allowed for day in fields.days):
        errors["days"] = _l("Choose among the volunteering days.")
    if fields.starts is None:
        errors["starts"] = _l("Give the time the shift begins, such as 08:00.")
    if fields.ends is None:
        errors["ends"] = _l("Give the time the shift ends, such as 12:00.")
    elif fields.starts is not None:
        length = datetime.combine(date.min, fields.ends) - datetime.combine(date.min, fields.starts)
        if length <= timedelta(0):
            errors["ends"] = _l("A shift ends after it begins, on the same day.")
        elif length > MAX_SHIFT:
            errors["ends"] = _l("A shift lasts 12 hours at most; split a longer one.")
    if fields.needed is None or not 1 <= fields.needed <= MAX_HEADCOUNT:
        errors["needed"] = _l("Give the volunteers needed, from 1 to %(most)d.", most=MAX_HEADCOUNT)
    if len(fields.note or "") > 300:
        errors["note"] = _l("Keep the note to 300 characters.")
    _check_requirements(edition, fields.training_id, fields.skills, fields.languages, errors)
    return errors


def _apply_shift(shift: Shift, fields: ShiftFields) -> None:
    shift.training_id = fields.training_id
    shift.skills, shift.languages = sorted(set(fields.skills or [])), sorted(set(fields.languages or []))
    shift.note = (fields.note or "").strip()


def add_shifts(post: Post, fields: ShiftFields, actor=None) -> list[Shift]:
    """The shift on each of the days chosen (the same hours and headcount)."""
    edition = post.group.edition
    errors = _check_shift(edition, fields)
    if errors:
        raise GroupError(errors=errors)
    made = []
    for day in sorted(set(fields.days)):
        shift = Shift(edition_id=edition.id, post_id=post.id, starts_at=at_local(edition, day, fields.starts),
                      ends_at=at_local(edition, day, fields.ends), needed=fields.needed, taken=0)
        _apply_shift(shift, fields)
        db.session.add(shift)
        made.append(shift)
    db.session.flush()
    for shift in made:
        audit.record("shift.save", shift, detail={"post": post.code, "starts_at": shift.starts_at.isoformat(),
                                                  "needed": shift.needed}, actor=actor)
    return made


def update_shift(shift: Shift, fields: ShiftFields, actor=None) -> Shift:
    """A shift's hours, headcount and requirements. The headcount never goes below the places
    taken (one conditional UPDATE, so a sign-up meanwhile is counted); the hours of a shift
    volunteers hold cannot move, since each of them was checked against the old ones."""
    edition = shift.post.group.edition
    errors = _check_shift(edition, fields)
    if not errors and len(fields.days) != 1:
        errors["days"] = _l("Choose the day of the shift.")
    if errors:
        raise GroupError(errors=errors)
    starts, ends = at_local(edition, fields.days[0], fields.starts), at_local(edition, fields.days[0], fields.ends)
    if (starts, ends) != (shift.starts_at, shift.ends_at) and shift.taken:
        raise GroupError(_l("%(n)d volunteers hold places at the present hours: give their places up first, or add a new shift.",
                            n=shift.taken), "starts")
    if not db.session.execute(update(Shift).where(Shift.id == shift.id, Shift.taken <= fields.needed)
                              .values(needed=fields.needed).execution_options(synchronize_session=False)).rowcount:
        db.session.refresh(shift)
        raise GroupError(_l("%(n)d volunteers hold places on this shift; the headcount cannot go below that.",
                            n=shift.taken), "needed")
    db.session.refresh(shift)
    before = {"starts_at": shift.starts_at.isoformat(), "ends_at": shift.ends_at.isoformat()}
    shift.starts_at, shift.ends_at = starts, ends
    _apply_shift(shift, fields)
    db.session.flush()
    audit.record("shift.save", shift, detail={"post": shift.post.code, "before": before,
                                              "starts_at": starts.isoformat(), "needed": shift.needed}, actor=actor)
    return shift


def shift_fields_of(shift: Shift) -> dict:
    """A shift as the edit form's data, on the edition's clock."""
    edition = shift.post.group.edition
    starts, ends = local(edition, shift.starts_at), local(edition, shift.ends_at)
    return {"day": local_day(edition, shift.starts_at).isoformat(), "starts": starts.time(), "ends": ends.time(),
            "needed": shift.needed, "training_id": shift.training_id, "skills": list(shift.skills or []),
            "languages": list(shift.languages or []), "note": shift.note}


# Trainings ----------------------------------------------------------------------------------


@dataclass
class TrainingFields:
    code: str
    title_zh: str
    starts_at: datetime | None  # UTC
    ends_at: datetime | None
    title_en: str = ""
    title_zh_hant: str = ""
    place: str = ""
    checkpoint_id: int | None = None
    capacity: int | None = 50


def _training_by_code(edition: Edition, code: str) -> Training | None:
    return db.session.execute(select(Training).where(Training.edition_id == edition.id, Training.code == code)).scalar()


def save_training(edition: Edition, fields: TrainingFields, training: Training | None = None, actor=None) -> Training:
    errors = {}
    code = _code(fields.code)
    if not CODE.fullmatch(code):
        errors["code"] = _l("Use capital letters, digits and hyphens, such as T-USHER (up to 24).")
    elif (other := _training_by_code(edition, code)) is not None and other is not training:
        errors["code"] = _l("Another training of this edition has this code.")
    if not (fields.title_zh or "").strip():
        errors["title_zh"] = _l("Give the training's Chinese title.")
    if fields.starts_at is None:
        errors["starts_at"] = _l("Give the day and time the training begins.")
    elif abs((local_day(edition, fields.starts_at) - edition.starts_on).days) > 366:
        errors["starts_at"] = _l("Choose a day within a year of the conference.")
    if fields.ends_at is None:
        errors["ends_at"] = _l("Give the day and time the training ends.")
    elif fields.starts_at is not None and not timedelta(0) < fields.ends_at - fields.starts_at <= timedelta(hours=12):
        errors["ends_at"] = _l("A training ends after it begins, within 12 hours.")
    checkpoint = db.session.get(Checkpoint, fields.checkpoint_id) if fields.checkpoint_id else None
    if fields.checkpoint_id and (checkpoint is None or checkpoint.venue.edition_id != edition.id):
        errors["checkpoint_id"] = _l("Choose a checkpoint of this edition.")
    if len((fields.place or "").strip()) > 200:
        errors["place"] = _l("Describe the place in 200 characters or fewer.")
    if fields.capacity is None or not 1 <= fields.capacity <= MAX_SEATS:
        errors["capacity"] = _l("Give the seats, from 1 to %(most)d.", most=MAX_SEATS)
    if errors:
        raise GroupError(errors=errors)
    if training is None:
        training = Training(edition_id=edition.id, capacity=fields.capacity, taken=0)
        db.session.add(training)
    elif not db.session.execute(update(Training).where(Training.id == training.id, Training.taken <= fields.capacity)
                                .values(capacity=fields.capacity).execution_options(synchronize_session=False)).rowcount:
        db.session.refresh(training)
        raise GroupError(_l("%(n)d volunteers are booked; the seats cannot go below that.", n=training.taken), "capacity")
    else:
        db.session.refresh(training)
    training.code, training.title_zh = code, fields.title_zh.strip()
    training.title_zh_hant = (fields.title_zh_hant or "").strip() or None
    training.title_en, training.place = (fields.title_en or "").strip(), (fields.place or "").strip()
    training.starts_at, training.ends_at = fields.starts_at, fields.ends_at
    training.checkpoint_id = checkpoint.id if checkpoint else None
    db.session.flush()
    audit.record("training.save", training, detail={"code": training.code, "capacity": training.capacity}, actor=actor)
    return training


def book(training: Training, volunteer: Volunteer, actor=None) -> TrainingPlace:
    """A seat on the training for an accepted volunteer: the last seat goes to one booking."""
    if volunteer.status != "accepted" or volunteer.edition_id != training.edition_id:
        raise GroupError(_l("Only accepted volunteers of this edition can be booked on a training."), "volunteer_id")
    found = db.session.execute(select(TrainingPlace).where(TrainingPlace.training_id == training.id,
                                                           TrainingPlace.volunteer_id == volunteer.id)).scalar()
    if found is not None:
        raise GroupError(_l("%(name)s is booked on this training already.", name=volunteer.name), "volunteer_id")
    if not SEATS.take(Training.id == training.id):
        raise GroupError(_l("This training is full."), "volunteer_id")
    place = TrainingPlace(training_id=training.id, volunteer_id=volunteer.id)
    db.session.add(place)
    db.session.flush()
    audit.record("training.book", place, detail={"training": training.code, "volunteer": volunteer.id}, actor=actor)
    return place


def unbook(place: TrainingPlace, actor=None) -> None:
    """The seat goes back; an attended training stays on the record."""
    if place.attended_at is not None:
        raise GroupError(_l("%(name)s attended this training; the booking stays on the record.",
                            name=place.volunteer.name), "volunteer_id")
    audit.record("training.unbook", place, detail={"training": place.training_id, "volunteer": place.volunteer_id},
                 actor=actor)
    SEATS.give_back(Training.id == place.training_id)
    db.session.delete(place)
    db.session.flush()


def mark_attendance(place: TrainingPlace, attended: bool, at: datetime, actor=None) -> TrainingPlace:
    """A lead's or an organizer's word that the volunteer attended (or did not), when no scan
    at the training's checkpoint says so."""
    before = place.attended_at
    place.attended_at = (before or at) if attended else None
    if place.attended_at != before:
        audit.record("training.attendance", place, detail={
            "training": place.training_id, "volunteer": place.volunteer_id, "attended": attended,
            "before": before.isoformat() if before else None}, actor=actor)
    return place


# Cloning ------------------------------------------------------------------------------------


def clone_groups(source: Edition, target: Edition, required: dict) -> dict:
    """Working groups without their members, their posts and halls, and the trainings' titles
    and places. A training's time is required by its table: it moves with the edition's first
    day, for the organizers to set. Posts at a travel place (not cloned) keep its name in words."""
    halls = required["venues"]["halls"]
    checkpoints = required["venues"]["checkpoints"]
    hotels = required["hotels"].get("hotels", {})
    moved = target.starts_on - source.starts_on
    trainings = {}
    for training in db.session.execute(select(Training).where(Training.edition_id == source.id)).scalars():
        copy = Training(edition_id=target.id, code=training.code, title_zh=training.title_zh,
                        title_zh_hant=training.title_zh_hant, title_en=training.title_en, place=training.place,
                        starts_at=training.starts_at + moved, ends_at=training.ends_at + moved,
                        checkpoint_id=checkpoints.get(training.checkpoint_id), capacity=training.capacity, taken=0)
        db.session.add(copy)
        trainings[training.id] = copy
    db.session.flush()
    groups = {}
    for group in db.session.execute(select(WorkingGroup).where(WorkingGroup.edition_id == source.id)).scalars():
        copy = WorkingGroup(edition_id=target.id, **{column: getattr(group, column) for column in (
            "code", "name_zh", "name_zh_hant", "name_en", "desk_phone", "screens_volunteers", "position")})
        db.session.add(copy)
        groups[group.id] = copy
    db.session.flush()
    for hall_group in db.session.execute(select(HallGroup).where(HallGroup.group_id.in_(list(groups)))).scalars():
        if hall_group.hall_id in halls:
            db.session.add(HallGroup(hall_id=halls[hall_group.hall_id], group_id=groups[hall_group.group_id].id))
    posts = {}
    for post in db.session.execute(select(Post).where(Post.edition_id == source.id)).scalars():
        travel = db.session.get(TravelPlace, post.travel_place_id) if post.travel_place_id else None
        copy = Post(edition_id=target.id, group_id=groups[post.group_id].id,
                    checkpoint_id=checkpoints.get(post.checkpoint_id), hall_id=halls.get(post.hall_id),
                    hotel_id=hotels.get(post.hotel_id),
                    place_text=post.place_text or (travel.name_zh if travel is not None else ""),
                    training_id=trainings[post.training_id].id if post.training_id in trainings else None,
                    skills=list(post.skills or []), languages=list(post.languages or []),
                    **{column: getattr(post, column) for column in (
                        "code", "kind", "name_zh", "name_zh_hant", "name_en", "description_zh", "description_en",
                        "self_signup")})
        db.session.add(copy)
        posts[post.id] = copy
    db.session.flush()
    return {"groups": {old: new.id for old, new in groups.items()}, "posts": {old: new.id for old, new in posts.items()},
            "trainings": {old: new.id for old, new in trainings.items()}}
