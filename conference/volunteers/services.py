"""Working groups, posts, shifts and the volunteers on them: each rule of putting a volunteer on
a shift in one function, the actions that apply them (sign up, assign, give up a place), the
hours a volunteer worked, and who a group lead may see.

The rules read a volunteer's `Standing` (the shifts they hold, the trainings they attended),
built with one query for one volunteer or for all of an edition's, so a sign-up and a lead's
ranked list of candidates decide with the same functions. What a place breaks comes back as
core/schedule Conflicts: hard ones always refuse; soft ones (rest, availability, a first-timer
alone) a lead may confirm, a volunteer signing up cannot. The place itself is taken from the
shift's `taken`/`needed` counter (core/capacity), so the last place goes to exactly one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.core import audit, events
from conference.core.capacity import Counter
from conference.core.database import hold_rows
from conference.core.errors import Refusal
from conference.core.schedule import HARD, SOFT, Conflict, Interval, confirm_or_refuse
from conference.editions.localtime import local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.venues.models import Hall
from conference.volunteers.models import (
    DAY_PARTS,
    AccountPerson,
    GroupMember,
    HallGroup,
    Post,
    Shift,
    ShiftPlace,
    Training,
    TrainingPlace,
    Volunteer,
    VolunteerSettings,
    WorkingGroup,
)

PLACES = Counter(Shift.taken, Shift.needed)
SKILL_LABELS = {
    "first_aid": _l("first aid"), "driving": _l("driving"), "sign_language": _l("sign language"),
    "photography": _l("photography"), "interpreting": _l("interpreting"), "it_support": _l("IT support"),
    "medical": _l("medical training"),
}
LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English"), "ja": _l("Japanese"), "ko": _l("Korean"),
                   "fr": _l("French"), "de": _l("German"), "es": _l("Spanish"), "ru": _l("Russian"),
                   "ar": _l("Arabic"), "yue": _l("Cantonese")}


class VolunteerError(Refusal):
    pass


# Reading ------------------------------------------------------------------------------------


def settings_of(edition: Edition) -> VolunteerSettings:
    """The edition's volunteering settings, made with the defaults the first time."""
    found = db.session.execute(select(VolunteerSettings).where(VolunteerSettings.edition_id == edition.id)).scalar()
    if found is None:
        found = VolunteerSettings(edition_id=edition.id)
        db.session.add(found)
        db.session.flush()
    return found


def groups_of(edition: Edition) -> list[WorkingGroup]:
    return list(db.session.execute(select(WorkingGroup).where(WorkingGroup.edition_id == edition.id)
                                   .order_by(WorkingGroup.position, WorkingGroup.id)).scalars())


def get_group(edition: Edition, group_id: int) -> WorkingGroup | None:
    group = db.session.get(WorkingGroup, group_id)
    return group if group is not None and group.edition_id == edition.id else None


def posts_of(edition: Edition, group_ids: set[int] | None = None) -> list[Post]:
    query = select(Post).where(Post.edition_id == edition.id).order_by(Post.group_id, Post.code)
    if group_ids is not None:
        query = query.where(Post.group_id.in_(group_ids))
    return list(db.session.execute(query.options(selectinload(Post.group))).scalars())


def get_post(edition: Edition, post_id: int) -> Post | None:
    post = db.session.get(Post, post_id)
    return post if post is not None and post.edition_id == edition.id else None


def shifts_of(edition: Edition, day: date | None = None, post_ids: set[int] | None = None) -> list[Shift]:
    """The edition's shifts in time order; of one local day, of some posts."""
    query = select(Shift).where(Shift.edition_id == edition.id).options(selectinload(Shift.post))
    if post_ids is not None:
        query = query.where(Shift.post_id.in_(post_ids))
    shifts = list(db.session.execute(query.order_by(Shift.starts_at, Shift.id)).scalars())
    return [s for s in shifts if local_day(edition, s.starts_at) == day] if day is not None else shifts


def get_shift(edition: Edition, shift_id: int) -> Shift | None:
    shift = db.session.get(Shift, shift_id)
    return shift if shift is not None and shift.edition_id == edition.id else None


def get_volunteer(edition: Edition, volunteer_id: int) -> Volunteer | None:
    volunteer = db.session.get(Volunteer, volunteer_id)
    return volunteer if volunteer is not None and volunteer.edition_id == edition.id else None


def trainings_of(edition: Edition) -> list[Training]:
    return list(db.session.execute(select(Training).where(Training.edition_id == edition.id)
                                   .order_by(Training.starts_at, Training.id)).scalars())


def volunteer_of(user: User, edition: Edition) -> Volunteer | None:
    """The accepted volunteer an account holder is in this edition, if any."""
    return db.session.execute(
        select(Volunteer).join(AccountPerson, AccountPerson.person_id == Volunteer.person_id)
        .where(AccountPerson.user_id == user.id, AccountPerson.edition_id == edition.id,
               Volunteer.status == "accepted")).scalar()


def volunteering_edition(user: User) -> Edition | None:
    """The latest edition in which the account holder is an accepted volunteer."""
    return db.session.execute(
        select(Edition).join(AccountPerson, AccountPerson.edition_id == Edition.id)
        .join(Volunteer, Volunteer.person_id == AccountPerson.person_id)
        .where(AccountPerson.user_id == user.id, Volunteer.status == "accepted")
        .order_by(Edition.year.desc()).limit(1)).scalar()


def places_of(volunteer: Volunteer) -> list[ShiftPlace]:
    """The volunteer's places that hold a shift, in time order."""
    return list(db.session.execute(
        select(ShiftPlace).join(Shift).where(ShiftPlace.volunteer_id == volunteer.id, ShiftPlace.status == "signed_up")
        .options(selectinload(ShiftPlace.shift).selectinload(Shift.post)).order_by(Shift.starts_at)).scalars())


def crew_of(shift: Shift) -> list[ShiftPlace]:
    """Who holds a place on the shift."""
    return list(db.session.execute(
        select(ShiftPlace).where(ShiftPlace.shift_id == shift.id, ShiftPlace.status == "signed_up")
        .options(selectinload(ShiftPlace.volunteer)).order_by(ShiftPlace.id)).scalars())


# Who a group lead may see --------------------------------------------------------------------


def groups_led(user: User) -> set[int]:
    return set(db.session.execute(select(GroupMember.group_id).where(GroupMember.user_id == user.id,
                                                                     GroupMember.lead.is_(True))).scalars())


def group_of(subject) -> set[int]:
    """The working groups a subject belongs to: a group itself, a post's, a shift's post's, a
    place's shift's, a volunteer's own group and the groups whose shifts they hold, a hall's
    groups. An unknown kind of subject belongs to none, so a scoped role is refused it."""
    if isinstance(subject, WorkingGroup):
        return {subject.id}
    if isinstance(subject, Post):
        return {subject.group_id}
    if isinstance(subject, Shift):
        return {subject.post.group_id}
    if isinstance(subject, ShiftPlace):
        return {subject.shift.post.group_id}
    if isinstance(subject, Volunteer):
        on_shifts = db.session.execute(
            select(Post.group_id).join(Shift, Shift.post_id == Post.id).join(ShiftPlace, ShiftPlace.shift_id == Shift.id)
            .where(ShiftPlace.volunteer_id == subject.id, ShiftPlace.status == "signed_up")).scalars()
        return {*on_shifts, *([subject.group_id] if subject.group_id else [])}
    if isinstance(subject, Hall):
        return set(db.session.execute(select(HallGroup.group_id).where(HallGroup.hall_id == subject.id)).scalars())
    return set()


def lead_scope(user: User, subject) -> bool:
    """A group lead's permissions reach the subjects of the groups they lead, nothing else."""
    return bool(group_of(subject) & groups_led(user))


def visible_groups(user: User, edition: Edition) -> set[int] | None:
    """The groups whose pages a user sees: a group lead the ones they lead, others all (None)."""
    if user.role != "group_lead":
        return None
    return {g for g in groups_led(user) if get_group(edition, g) is not None}


# What the rules know of a volunteer ----------------------------------------------------------


@dataclass
class Standing:
    """A volunteer as the rules see them: the shifts they hold and the trainings they attended."""

    volunteer: Volunteer
    shifts: list[Shift] = field(default_factory=list)
    trained: set[int] = field(default_factory=set)

    def others(self, shift: Shift) -> list[Shift]:
        return [s for s in self.shifts if s.id != shift.id]


def standings(edition: Edition, volunteers: list[Volunteer]) -> dict[int, Standing]:
    """The standing of each of `volunteers`, in two queries however many there are."""
    found = {v.id: Standing(v) for v in volunteers}
    if not found:
        return found
    ids = list(found)
    for place_volunteer, shift in db.session.execute(
            select(ShiftPlace.volunteer_id, Shift).join(Shift).where(ShiftPlace.volunteer_id.in_(ids),
                                                                     ShiftPlace.status == "signed_up")):
        found[place_volunteer].shifts.append(shift)
    for volunteer_id, training_id in db.session.execute(
            select(TrainingPlace.volunteer_id, TrainingPlace.training_id)
            .where(TrainingPlace.volunteer_id.in_(ids), TrainingPlace.attended_at.is_not(None))):
        found[volunteer_id].trained.add(training_id)
    return found


def standing_of(volunteer: Volunteer) -> Standing:
    return standings(volunteer.edition, [volunteer])[volunteer.id]


# The rules, one function each ----------------------------------------------------------------


def no_overlap(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    """Nobody holds two shifts at once."""
    mine = Interval(shift.starts_at, shift.ends_at)
    return [Conflict("overlap", HARD, _l("%(name)s already has a shift at this time (%(start)s–%(end)s).",
                                         name=standing.volunteer.name, start=_hm(shift.edition_id, other.starts_at),
                                         end=_hm(shift.edition_id, other.ends_at)), shift.id, other_id=other.id)
            for other in standing.others(shift) if mine.overlaps(Interval(other.starts_at, other.ends_at))]


def rest_between(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    """Time to rest (and to walk to the next post) between two shifts."""
    rest = timedelta(minutes=settings.rest_minutes)
    mine = Interval(shift.starts_at, shift.ends_at)
    return [Conflict("rest", SOFT, _l("Less than %(minutes)d minutes between this shift and %(name)s's shift at %(start)s.",
                                      minutes=settings.rest_minutes, name=standing.volunteer.name,
                                      start=_hm(shift.edition_id, other.starts_at)), shift.id, other_id=other.id)
            for other in standing.others(shift)
            if rest and not mine.overlaps(Interval(other.starts_at, other.ends_at))
            and mine.overlaps(Interval(other.starts_at, other.ends_at), rest)]


def training_done(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    """The trainings the post and the shift require were attended."""
    missing = [t for t in shift.required_trainings if t not in standing.trained]
    # The titles come from the shift's own trainings: looked up by id, a training nobody holds
    # on to leaves the session's identity map, and each volunteer's check read it again.
    titles = {t.id: t.title for t in (shift.post.training, shift.training) if t is not None}
    return [Conflict("training", HARD, _l("%(name)s has not attended the training %(training)s.",
                                          name=standing.volunteer.name, training=titles[t]),
                     shift.id, other_id=t) for t in missing]


def skills_present(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    have = set(standing.volunteer.skills or [])
    return [Conflict("skill", HARD, _l("This shift needs %(skill)s, which %(name)s has not given.",
                                       skill=SKILL_LABELS.get(s, s), name=standing.volunteer.name), shift.id)
            for s in shift.required_skills if s not in have]


def languages_present(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    return [Conflict("language", HARD, _l("This shift needs %(language)s, which %(name)s has not given.",
                                          language=LANGUAGE_LABELS.get(code, code), name=standing.volunteer.name), shift.id)
            for code in shift.required_languages if not standing.volunteer.speaks(code)]


def daily_hours(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    """No more than the edition's maximum of shift time on one local day."""
    edition = standing.volunteer.edition
    day = local_day(edition, shift.starts_at)
    minutes = _minutes(shift) + sum(_minutes(s) for s in standing.others(shift) if local_day(edition, s.starts_at) == day)
    if minutes <= settings.max_daily_minutes:
        return []
    return [Conflict("daily_hours", HARD, _l("%(name)s would work %(hours)s hours on %(day)s; the most is %(most)s.",
                                             name=standing.volunteer.name, hours=_hours(minutes), day=day.isoformat(),
                                             most=_hours(settings.max_daily_minutes)), shift.id)]


def available_then(shift: Shift, standing: Standing, settings: VolunteerSettings) -> list[Conflict]:
    """The shift lies within the times the volunteer said they are free."""
    if covered_by_availability(standing.volunteer, shift):
        return []
    return [Conflict("availability", SOFT, _l("%(name)s did not say they are free at this time.",
                                              name=standing.volunteer.name), shift.id)]


def first_timer_not_alone(shift: Shift, standing: Standing, settings: VolunteerSettings,
                          crew: list[Volunteer] | None = None) -> list[Conflict]:
    """A first-timer works beside someone who has volunteered here before."""
    if not standing.volunteer.first_time:
        return []
    crew = crew if crew is not None else [p.volunteer for p in crew_of(shift)]
    if any(not v.first_time for v in crew if v.id != standing.volunteer.id):
        return []
    return [Conflict("first_timer", SOFT, _l("%(name)s volunteers for the first time and nobody experienced is on this shift yet.",
                                             name=standing.volunteer.name), shift.id)]


RULES = (no_overlap, rest_between, training_done, skills_present, languages_present, daily_hours, available_then)


def conflicts_for(shift: Shift, standing: Standing, settings: VolunteerSettings,
                  crew: list[Volunteer] | None = None) -> list[Conflict]:
    """Every rule a place on `shift` would break for this volunteer."""
    found = [c for rule in RULES for c in rule(shift, standing, settings)]
    return found + first_timer_not_alone(shift, standing, settings, crew)


def covered_by_availability(volunteer: Volunteer, shift: Shift) -> bool:
    """Whether every minute of the shift falls in a part of a day the volunteer said they are free."""
    edition = volunteer.edition
    start, end = local(edition, shift.starts_at), local(edition, shift.ends_at)
    free = {(entry.get("day"), entry.get("part")) for entry in volunteer.availability or []}
    covered, day = timedelta(0), start.date()
    while day <= end.date():
        for part, (opens, closes) in DAY_PARTS.items():
            if (day.isoformat(), part) in free:
                part_start = datetime.combine(day, time(opens), start.tzinfo)
                part_end = datetime.combine(day, time(closes), start.tzinfo)
                covered += max(timedelta(0), min(end, part_end) - max(start, part_start))
        day += timedelta(days=1)
    return covered >= end - start


# Taking and giving back places ---------------------------------------------------------------


def _check_can_take(volunteer: Volunteer, shift: Shift, now: datetime) -> None:
    if volunteer.status != "accepted" or volunteer.edition_id != shift.edition_id:
        raise VolunteerError(_l("Only accepted volunteers of this edition can take shifts."))
    if shift.starts_at <= now:
        raise VolunteerError(_l("This shift has already begun."))


def sign_up(volunteer: Volunteer, shift: Shift, now: datetime) -> ShiftPlace:
    """A volunteer takes a place on a shift themselves: only where the post allows it, and
    only when no rule is broken (they cannot confirm a soft one; a lead can assign them)."""
    if not shift.post.self_signup:
        raise VolunteerError(_l("Places on this post are given by the group's lead."))
    return _take(volunteer, shift, now, confirmed=False, by=None)


def assign(volunteer: Volunteer, shift: Shift, now: datetime, actor: User, confirmed: bool = False) -> ShiftPlace:
    """A lead puts a volunteer on a shift: hard rules refuse, soft ones once confirmed."""
    return _take(volunteer, shift, now, confirmed=confirmed, by=actor)


def _take(volunteer: Volunteer, shift: Shift, now: datetime, confirmed: bool, by: User | None) -> ShiftPlace:
    # One volunteer's sign-ups go one after the other, so two at once cannot overlap.
    hold_rows(Volunteer.status, [volunteer.id])
    _check_can_take(volunteer, shift, now)
    place = db.session.execute(select(ShiftPlace).where(ShiftPlace.shift_id == shift.id,
                                                        ShiftPlace.volunteer_id == volunteer.id)).scalar()
    if place is not None and place.status == "signed_up":
        raise VolunteerError(_l("%(name)s is on this shift already.", name=volunteer.name))
    confirm_or_refuse(conflicts_for(shift, standing_of(volunteer), settings_of(volunteer.edition)), confirmed)
    if not PLACES.take(Shift.id == shift.id):
        raise VolunteerError(_l("This shift is full."), "shift")
    if place is None:
        place = ShiftPlace(shift_id=shift.id, volunteer_id=volunteer.id)
        db.session.add(place)
    place.status, place.assigned_by = "signed_up", (by.email if by is not None else None)
    place.checked_in_at = place.checked_out_at = place.corrected_minutes = None
    place.correction_reason = ""
    db.session.flush()
    audit.record("shift.assign" if by is not None else "shift.sign_up", place,
                 detail={"shift": shift.id, "volunteer": volunteer.id}, actor=by)
    return place


def give_up(place: ShiftPlace, now: datetime, actor: User | None = None) -> None:
    """A place given up, by the volunteer before the shift begins or by a lead at any time:
    its unit goes back to the shift."""
    if place.status != "signed_up":
        return
    if actor is None and place.shift.starts_at <= now:
        raise VolunteerError(_l("This shift has already begun; ask your group's lead."))
    hold_rows(Volunteer.status, [place.volunteer_id])
    place.status = "cancelled"
    PLACES.give_back(Shift.id == place.shift_id)
    db.session.flush()
    audit.record("shift.give_up", place, detail={"shift": place.shift_id, "volunteer": place.volunteer_id}, actor=actor)
    events.emit("volunteers.place_given_up", place=place, actor=actor)


# Hours ---------------------------------------------------------------------------------------


def worked_minutes(place: ShiftPlace) -> int:
    """A lead's correction, else the time between checking in and out (none without both)."""
    if place.corrected_minutes is not None:
        return place.corrected_minutes
    if place.checked_in_at and place.checked_out_at and place.checked_out_at > place.checked_in_at:
        return int((place.checked_out_at - place.checked_in_at).total_seconds() // 60)
    return 0


def minutes_by_day(volunteer: Volunteer) -> dict[date, int]:
    """Minutes worked by local day of the shift, as the service record shows them."""
    days: dict[date, int] = defaultdict(int)
    for place in places_of(volunteer):
        minutes = worked_minutes(place)
        if minutes:
            days[local_day(volunteer.edition, place.shift.starts_at)] += minutes
    return dict(sorted(days.items()))


def planned_minutes(standing: Standing) -> int:
    """Shift time held: what ranks candidates, fewest first."""
    return sum(_minutes(s) for s in standing.shifts)


def _minutes(shift: Shift) -> int:
    return int((shift.ends_at - shift.starts_at).total_seconds() // 60)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def _hm(edition_id: int, moment: datetime) -> str:
    return local(db.session.get(Edition, edition_id), moment).strftime("%H:%M")


# Being there: checking in and out of a shift ---------------------------------------------------

# A volunteer's shift is theirs from half an hour before it begins to half an hour after it ends:
# the window in which they check in and out, and in which their phone may scan.
AROUND_SHIFT = timedelta(minutes=30)


def current_place(volunteer: Volunteer, at: datetime) -> ShiftPlace | None:
    """The volunteer's place whose shift is on at `at` (within AROUND_SHIFT of its times)."""
    return next((p for p in places_of(volunteer)
                 if p.shift.starts_at - AROUND_SHIFT <= at <= p.shift.ends_at + AROUND_SHIFT), None)


def next_place(volunteer: Volunteer, at: datetime) -> ShiftPlace | None:
    """The volunteer's next shift that has not begun."""
    return next((p for p in places_of(volunteer) if p.shift.starts_at > at), None)


def check_in(place: ShiftPlace, at: datetime, actor: User | None = None) -> ShiftPlace:
    """The volunteer is at their post: by a badge scan at the group's desk, or by their lead.
    A second check-in changes nothing (two scans of one badge)."""
    if place.status != "signed_up":
        raise VolunteerError(_l("This place on the shift was given up."))
    if place.checked_in_at is None:
        place.checked_in_at = at
        audit.record("shift.check_in", place, detail={"shift": place.shift_id, "at": at.isoformat()}, actor=actor)
    return place


def check_out(place: ShiftPlace, at: datetime, actor: User | None = None) -> ShiftPlace:
    """The volunteer leaves their post; the hours run from check-in to here."""
    if place.checked_in_at is None:
        raise VolunteerError(_l("%(name)s has not checked in to this shift.", name=place.volunteer.name))
    if at < place.checked_in_at:
        raise VolunteerError(_l("Checking out cannot come before checking in."), "at")
    place.checked_out_at = at
    audit.record("shift.check_out", place, detail={"shift": place.shift_id, "at": at.isoformat()}, actor=actor)
    return place


MAX_SHIFT_MINUTES = 24 * 60


def correct_minutes(place: ShiftPlace, minutes: int | None, reason: str, actor: User) -> ShiftPlace:
    """A lead corrects the minutes a place is worth (a forgotten check-out), with a reason, in
    the audit log with what it was before."""
    reason = (reason or "").strip()
    if minutes is None or not 0 <= minutes <= MAX_SHIFT_MINUTES:
        raise VolunteerError(_l("Enter the minutes worked, from 0 to %(most)d.", most=MAX_SHIFT_MINUTES), "minutes")
    if not reason:
        raise VolunteerError(_l("Say why the hours are corrected."), "reason")
    before = worked_minutes(place)
    place.corrected_minutes, place.correction_reason = minutes, reason[:300]
    audit.record("shift.correct_hours", place, detail={"before": before, "after": minutes, "reason": place.correction_reason},
                 actor=actor)
    return place


def no_show(place: ShiftPlace, now: datetime, settings: VolunteerSettings) -> bool:
    """Signed up, not checked in, and the shift began more than the edition's grace ago."""
    return (place.status == "signed_up" and place.checked_in_at is None
            and now > place.shift.starts_at + timedelta(minutes=settings.no_show_minutes))
