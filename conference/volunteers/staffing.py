"""Filling shifts: the open shifts a volunteer may take, the ranked candidates a lead picks from
for an understaffed shift, the day's coverage by post and hour, and the shift table of the
command line. Every decision goes through services' rules on preloaded Standings, and each
list is built with a few bulk queries whatever the number of volunteers or shifts."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from conference.core.schedule import Conflict
from conference.core.text import clean
from conference.editions.localtime import at_local, local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.hotels.models import HOLDING, Hotel, Stay, TravelTime
from conference.people.models import Person
from conference.people.services import name_matches
from conference.venues.models import Checkpoint, Hall
from conference.volunteers import services
from conference.volunteers.models import Post, Shift, ShiftPlace, Volunteer

# Crews ----------------------------------------------------------------------------------------


def crews_of(shift_ids) -> dict[int, list[Volunteer]]:
    """Who holds a place on each of these shifts, in one query (the first-timer rule's crew)."""
    crews: dict[int, list[Volunteer]] = defaultdict(list)
    ids = list(shift_ids)
    if ids:
        for shift_id, volunteer in db.session.execute(
                select(ShiftPlace.shift_id, Volunteer).join(Volunteer, Volunteer.id == ShiftPlace.volunteer_id)
                .where(ShiftPlace.shift_id.in_(ids), ShiftPlace.status == "signed_up").order_by(ShiftPlace.id)):
            crews[shift_id].append(volunteer)
    return crews


def _with_post(query):
    return query.options(selectinload(Shift.post).selectinload(Post.training), selectinload(Shift.training))


# A volunteer's own sign-up --------------------------------------------------------------------


@dataclass
class OpenShift:
    """A shift a volunteer may sign up for, and what stops them if anything does."""

    shift: Shift
    conflicts: list[Conflict]

    @property
    def left(self) -> int:
        return self.shift.needed - self.shift.taken


def _open(edition: Edition, now: datetime):
    return (select(Shift).join(Post, Post.id == Shift.post_id)
            .where(Shift.edition_id == edition.id, Post.self_signup.is_(True), Shift.taken < Shift.needed,
                   Shift.starts_at > now))


def _within(query, edition: Edition, day: date):
    start = at_local(edition, day, datetime.min.time())
    return query.where(Shift.starts_at >= start, Shift.starts_at < at_local(edition, day + timedelta(days=1),
                                                                            datetime.min.time()))


def open_days(edition: Edition, now: datetime) -> list[date]:
    """The local days with shifts open for sign-up."""
    starts = db.session.execute(_open(edition, now).with_only_columns(Shift.starts_at)).scalars()
    return sorted({local_day(edition, moment) for moment in starts})


def open_shifts(volunteer: Volunteer, now: datetime, day: date | None = None) -> list[OpenShift]:
    """The shifts of self sign-up posts with places left that have not begun and that the
    volunteer does not hold (of one local day when given), in time order, each with the rules
    a place would break."""
    edition = volunteer.edition
    query = _open(edition, now)
    if day is not None:
        query = _within(query, edition, day)
    shifts = list(db.session.execute(_with_post(query.order_by(Shift.starts_at, Post.code, Shift.id))).scalars())
    standing = services.standing_of(volunteer)
    held = {s.id for s in standing.shifts}
    shifts = [s for s in shifts if s.id not in held]
    settings = services.settings_of(edition)
    crews = crews_of(s.id for s in shifts)
    return [OpenShift(s, services.conflicts_for(s, standing, settings, crews.get(s.id, []))) for s in shifts]


# Ranked candidates for a shift ----------------------------------------------------------------


@dataclass
class Candidate:
    volunteer: Volunteer
    planned_minutes: int
    hotel_name: str | None = None
    travel_minutes: int | None = None  # from the hotel of their stay to the post's venue; None: unknown


def venue_of(post: Post) -> int | None:
    """The venue a post is at: its checkpoint's or its hall's."""
    if post.checkpoint_id is not None:
        return db.session.execute(select(Checkpoint.venue_id).where(Checkpoint.id == post.checkpoint_id)).scalar()
    if post.hall_id is not None:
        return db.session.execute(select(Hall.venue_id).where(Hall.id == post.hall_id)).scalar()
    return None


def _travel(edition: Edition, shift: Shift, people: list[int]) -> dict[int, tuple[str, int | None]]:
    """person id -> (hotel name, minutes to the post's venue) for those staying in a hotel on the
    shift's day: one query for the stays, one for the travel times."""
    if not people:
        return {}
    day = local_day(edition, shift.starts_at)
    stays = db.session.execute(
        select(Stay.person_id, Stay.hotel_id).where(
            Stay.edition_id == edition.id, Stay.person_id.in_(people), Stay.status.in_(HOLDING),
            Stay.hotel_id.is_not(None), Stay.check_in <= day, Stay.check_out >= day)
        .order_by(Stay.check_in)).all()
    if not stays:
        return {}
    hotels = {h.id: h for h in db.session.execute(select(Hotel).where(Hotel.id.in_({s.hotel_id for s in stays}))).scalars()}
    venue = venue_of(shift.post)
    minutes = {}
    if venue is not None:
        minutes = dict(db.session.execute(select(TravelTime.hotel_id, TravelTime.minutes).where(
            TravelTime.venue_id == venue, TravelTime.hotel_id.in_(hotels))).all())
    found = {}
    for person_id, hotel_id in stays:  # the latest stay that covers the day
        travel = 0 if hotel_id == shift.post.hotel_id else minutes.get(hotel_id)
        found[person_id] = (hotels[hotel_id].name, travel)
    return found


VOLUNTEER_RULES = (services.skills_present, services.languages_present, services.available_then)


def candidates(shift: Shift, limit: int = 20) -> list[Candidate]:
    """Accepted volunteers of the edition for whom a place on `shift` breaks no rule at all,
    fewest planned hours first, then the nearest hotel (unknown last), then by name."""
    edition = db.session.get(Edition, shift.edition_id)
    volunteers = list(db.session.execute(select(Volunteer).where(
        Volunteer.edition_id == edition.id, Volunteer.status == "accepted")
        .options(selectinload(Volunteer.edition))).scalars())  # the rules read it: set once for all
    crew = crews_of([shift.id]).get(shift.id, [])
    on_shift = {v.id for v in crew}
    settings = services.settings_of(edition)
    # The rules that read only the volunteer (skills, languages, when they are free) go first, on
    # a standing without shifts: whoever they refuse is out whatever they hold.
    hopeful = [v for v in volunteers if v.id not in on_shift
               and not any(rule(shift, services.Standing(v), settings) for rule in VOLUNTEER_RULES)]
    # Ranked before the other rules are asked, on the times of the shifts they hold (no more is
    # read for the hours), then checked against every rule in that order until `limit` fit:
    # only those looked at have their shifts and trainings loaded.
    held: dict[int, list] = defaultdict(list)
    if hopeful:
        for row in db.session.execute(
                select(ShiftPlace.volunteer_id, Shift.starts_at, Shift.ends_at).join(Shift, Shift.id == ShiftPlace.shift_id)
                .where(ShiftPlace.volunteer_id.in_([v.id for v in hopeful]), ShiftPlace.status == "signed_up")):
            held[row.volunteer_id].append(row)
    travel = _travel(edition, shift, [v.person_id for v in hopeful if v.person_id])
    ranked = []
    for volunteer in hopeful:
        hotel, minutes = travel.get(volunteer.person_id, (None, None))
        planned = services.planned_minutes(services.Standing(volunteer, shifts=held[volunteer.id]))
        ranked.append(Candidate(volunteer, planned, hotel, minutes))
    ranked.sort(key=lambda c: (c.planned_minutes, c.travel_minutes is None, c.travel_minutes or 0,
                               c.volunteer.family_name, c.volunteer.given_name, c.volunteer.id))
    fitting: list[Candidate] = []
    batch = max(2 * limit, 40)
    for first in range(0, len(ranked), batch):
        part = ranked[first:first + batch]
        found = services.standings(edition, [c.volunteer for c in part])
        fitting += [c for c in part if not services.conflicts_for(shift, found[c.volunteer.id], settings, crew)]
        if len(fitting) >= limit:
            break
    return fitting[:limit]


def find_volunteers(edition: Edition, query: str, limit: int = 20) -> list[Volunteer]:
    """Accepted volunteers by name, the one name search of people (pinyin, initials, Latin)."""
    query = clean(query or "").strip()[:100]  # PostgreSQL refuses a NUL, even in a search
    if not query:
        return []
    return list(db.session.execute(
        select(Volunteer).join(Person, Person.id == Volunteer.person_id)
        .where(Volunteer.edition_id == edition.id, Volunteer.status == "accepted",
               or_(name_matches(query), Volunteer.family_name.concat(Volunteer.given_name).contains(query, autoescape=True)))
        .order_by(Volunteer.family_name, Volunteer.given_name, Volunteer.id).limit(limit)).scalars())


# Coverage ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    needed: int = 0
    assigned: int = 0
    checked_in: int = 0
    shifts: list[Shift] = field(default_factory=list)

    @property
    def understaffed(self) -> bool:
        return self.assigned < self.needed

    def add(self, shift: Shift, checked_in: int) -> None:
        self.needed += shift.needed
        self.assigned += shift.taken
        self.checked_in += checked_in
        self.shifts.append(shift)


@dataclass
class CoverageRow:
    post: Post
    cells: list[Cell]
    total: Cell


@dataclass
class Coverage:
    day: date
    hours: list[int]
    rows: list[CoverageRow]
    totals: list[Cell]  # per hour
    total: Cell


def checked_in_counts(shift_ids) -> dict[int, int]:
    ids = list(shift_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(ShiftPlace.shift_id, func.count(ShiftPlace.id))
        .where(ShiftPlace.shift_id.in_(ids), ShiftPlace.status == "signed_up", ShiftPlace.checked_in_at.is_not(None))
        .group_by(ShiftPlace.shift_id)).all())


def shift_days(edition: Edition) -> list[date]:
    """The local days the edition has shifts on."""
    starts = db.session.execute(select(Shift.starts_at).where(Shift.edition_id == edition.id)).scalars()
    return sorted({local_day(edition, moment) for moment in starts})


def day_shifts(edition: Edition, day: date, post_ids: set[int] | None = None) -> list[Shift]:
    """The shifts beginning on a local day, in time order, with their posts: one query bounded by
    the day's UTC limits."""
    start = at_local(edition, day, datetime.min.time())
    end = at_local(edition, day + timedelta(days=1), datetime.min.time())
    query = (select(Shift).join(Post, Post.id == Shift.post_id)
             .where(Shift.edition_id == edition.id, Shift.starts_at >= start, Shift.starts_at < end)
             .options(selectinload(Shift.post).selectinload(Post.group)).order_by(Shift.starts_at, Post.code, Shift.id))
    if post_ids is not None:
        query = query.where(Shift.post_id.in_(post_ids))
    return list(db.session.execute(query).scalars())


def coverage(edition: Edition, day: date, group_ids: set[int] | None = None) -> Coverage:
    """The day's shifts by post (rows) and local hour (columns): needed, assigned and checked in
    of the shifts working in each hour, with totals per post (each shift once) and per hour."""
    posts_query = select(Post).where(Post.edition_id == edition.id)
    if group_ids is not None:
        posts_query = posts_query.where(Post.group_id.in_(group_ids))
    shifts = day_shifts(edition, day, None if group_ids is None else
                        set(db.session.execute(posts_query.with_only_columns(Post.id)).scalars()))
    checked = checked_in_counts(s.id for s in shifts)
    hours: list[int] = []
    if shifts:
        first = min(local(edition, s.starts_at).hour for s in shifts)
        last_end = max(local(edition, s.ends_at) for s in shifts)
        day_end = 24 if last_end.date() > day else last_end.hour + (1 if last_end.minute else 0)
        hours = list(range(first, max(day_end, first + 1)))
    by_post: dict[int, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_post[shift.post_id].append(shift)
    rows = []
    totals = [Cell() for _ in hours]
    for shifts_of_post in sorted(by_post.values(), key=lambda found: (found[0].post.group.position, found[0].post.code)):
        cells = [Cell() for _ in hours]
        total = Cell()
        for shift in shifts_of_post:
            total.add(shift, checked.get(shift.id, 0))
            start, end = local(edition, shift.starts_at), local(edition, shift.ends_at)
            for index, hour in enumerate(hours):
                opens = datetime.combine(day, datetime.min.time(), start.tzinfo) + timedelta(hours=hour)
                if start < opens + timedelta(hours=1) and opens < end:
                    cells[index].add(shift, checked.get(shift.id, 0))
                    totals[index].add(shift, checked.get(shift.id, 0))
        rows.append(CoverageRow(shifts_of_post[0].post, cells, total))
    grand = Cell()
    for row in rows:
        grand.needed += row.total.needed
        grand.assigned += row.total.assigned
        grand.checked_in += row.total.checked_in
    return Coverage(day, hours, rows, totals, grand)


def busiest_day(edition: Edition) -> date | None:
    """The local day whose shifts need the most places."""
    needed: dict[date, int] = defaultdict(int)
    for starts_at, count in db.session.execute(select(Shift.starts_at, Shift.needed).where(Shift.edition_id == edition.id)):
        needed[local_day(edition, starts_at)] += count
    return max(sorted(needed), key=lambda day: needed[day]) if needed else None


# The command line's table -------------------------------------------------------------------------


def post_by_code(edition: Edition, code: str) -> Post | None:
    return db.session.execute(select(Post).where(Post.edition_id == edition.id,
                                                 func.upper(Post.code) == (code or "").strip().upper())).scalar()


def shift_rows(edition: Edition, post: Post | None = None, day: date | None = None) -> list[tuple[Shift, int]]:
    """(shift, checked in) in time order, of one post and one local day when given."""
    query = _with_post(select(Shift).where(Shift.edition_id == edition.id)).order_by(Shift.starts_at, Shift.id)
    if post is not None:
        query = query.where(Shift.post_id == post.id)
    if day is not None:
        query = query.where(and_(Shift.starts_at >= at_local(edition, day, datetime.min.time()),
                                 Shift.starts_at < at_local(edition, day + timedelta(days=1), datetime.min.time())))
    shifts = list(db.session.execute(query).scalars())
    checked = checked_in_counts(s.id for s in shifts)
    return [(shift, checked.get(shift.id, 0)) for shift in shifts]



# Where a post is ------------------------------------------------------------------------------------


def place_of(post: Post) -> str:
    """The post's place in words: its checkpoint, hall or hotel, else the words it was given."""
    if post.checkpoint is not None:
        return post.checkpoint.name
    if post.hall is not None:
        return post.hall.name
    if post.hotel_id is not None:
        hotel = db.session.get(Hotel, post.hotel_id)
        if hotel is not None:
            return hotel.name
    return post.place_text


def posts_by_code(edition: Edition) -> list[Post]:
    return list(db.session.execute(select(Post).where(Post.edition_id == edition.id).order_by(Post.code)).scalars())
