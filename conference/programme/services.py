"""The programme's rules: placing sessions in halls, agenda items, speakers and the conflicts
between them. Each conflict rule is one function, written on core/schedule (intervals, buffers,
Conflict, confirm-or-refuse); the session page, the schedule grid and the tests all call the same
ones. Times are the host city's (editions/localtime).

Hard conflicts (a hall booked twice, a session outside the edition's days, an item outside
its session, an end before its start) block saving. Soft ones (more audience than seats, a
speaker expected in two places) are saved only after the organizer confirms them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.core import audit, deletion
from conference.core.deletion import Dependent, depends_on
from conference.core.i18n import time_label
from conference.core.models import utcnow
from conference.core.schedule import (
    HARD,
    SOFT,
    Conflict,
    ScheduleError,
    confirm_or_refuse,
    overlaps,
)
from conference.editions.localtime import at_local, local_day
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.models import Person
from conference.programme.models import (
    ITEM_KINDS,
    SESSION_ACCESS,
    SESSION_KINDS,
    SESSION_STATUSES,
    SPEAKER_ROLES,
    AgendaItem,
    AgendaSpeaker,
    ProgrammeSettings,
    Session,
)
from conference.venues.models import Hall, Venue

# Settings ------------------------------------------------------------------------------------


def settings_for(edition: Edition) -> ProgrammeSettings:
    found = db.session.execute(
        select(ProgrammeSettings).where(ProgrammeSettings.edition_id == edition.id)
    ).scalar_one_or_none()
    return found or ProgrammeSettings(edition_id=edition.id, hall_buffer_minutes=30, venue_travel_minutes=30)


def save_settings(edition: Edition, hall_buffer_minutes: int, venue_travel_minutes: int, actor=None) -> ProgrammeSettings:
    for name, value in (("hall_buffer_minutes", hall_buffer_minutes), ("venue_travel_minutes", venue_travel_minutes)):
        if not 0 <= value <= 240:
            raise ScheduleError(field=name, message=_l("Enter between 0 and 240 minutes."))
    settings = settings_for(edition)
    settings.hall_buffer_minutes = hall_buffer_minutes
    settings.venue_travel_minutes = venue_travel_minutes
    db.session.add(settings)
    audit.record("programme.settings", settings, actor=actor)
    return settings


# The rules -----------------------------------------------------------------------------------


def ends_before_start(session: Session) -> list[Conflict]:
    if session.scheduled and session.ends_at <= session.starts_at:
        return [Conflict("ends_before_start", HARD, _l("The session ends before it starts."), session.id)]
    return []


def session_outside_edition(session: Session, edition: Edition) -> list[Conflict]:
    if not session.scheduled:
        return []
    first, last = local_day(edition, session.starts_at), local_day(edition, session.ends_at)
    if first < edition.starts_on or last > edition.ends_on:
        return [
            Conflict(
                "session_outside_edition", HARD,
                _l("The session is outside the edition's dates (%(start)s – %(end)s).",
                   start=edition.starts_on.isoformat(), end=edition.ends_on.isoformat()),
                session.id,
            )
        ]
    return []


def hall_double_booked(session: Session, others: Iterable[Session], buffer_minutes: int) -> list[Conflict]:
    """Another session in the same hall, closer than the set-up/clear-down buffer."""
    if not session.scheduled or session.hall_id is None:
        return []
    margin = timedelta(minutes=buffer_minutes)
    return [
        Conflict(
            "hall_double_booked", HARD,
            _l("The hall is already booked for “%(other)s” (%(start)s–%(end)s, with %(buffer)d minutes to set up and clear).",
               other=other.title, start=time_label(other.starts_at, session.edition.timezone),
               end=time_label(other.ends_at, session.edition.timezone), buffer=buffer_minutes),
            session.id, other_id=other.id,
        )
        for other in others
        if other.id != session.id
        and other.hall_id == session.hall_id
        and other.scheduled
        and overlaps(session.starts_at, session.ends_at, other.starts_at, other.ends_at, margin)
    ]


def over_capacity(session: Session, hall: Hall | None) -> list[Conflict]:
    if hall is None or hall.capacity <= 0 or session.expected_audience <= hall.capacity:
        return []
    return [
        Conflict(
            "over_capacity", SOFT,
            _l("%(expected)d people are expected but the hall seats %(capacity)d.",
               expected=session.expected_audience, capacity=hall.capacity),
            session.id,
        )
    ]


def item_outside_session(item: AgendaItem, session: Session) -> list[Conflict]:
    if item.starts_at is None or item.ends_at is None:
        return []
    if item.ends_at <= item.starts_at:
        return [Conflict("item_ends_before_start", HARD, _l("The item ends before it starts."), session.id, item.id)]
    if not session.scheduled or item.starts_at < session.starts_at or item.ends_at > session.ends_at:
        return [
            Conflict(
                "item_outside_session", HARD,
                _l("“%(item)s” is outside its session's time.", item=item.title or item.kind),
                session.id, item.id,
            )
        ]
    return []


@dataclass
class Booking:
    """Where a speaker is expected: an item's times and the venue it is in."""

    item_id: int
    session_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_id: int | None


def speaker_double_booked(
    item: AgendaItem, venue_id: int | None, speakers: Iterable[Person],
    bookings: dict[int, list[Booking]], travel_minutes: int,
) -> list[Conflict]:
    """A speaker in two overlapping items, or without time to travel between two venues."""
    if item.starts_at is None or item.ends_at is None:
        return []
    conflicts = []
    for person in speakers:
        for booking in bookings.get(person.id, []):
            if booking.item_id == item.id:
                continue
            other_venue = booking.venue_id
            margin = timedelta(minutes=travel_minutes) if (
                venue_id is not None and other_venue is not None and other_venue != venue_id
            ) else timedelta(0)
            if overlaps(item.starts_at, item.ends_at, booking.starts_at, booking.ends_at, margin):
                message = (
                    _l("%(name)s is also on stage in “%(other)s” and needs %(minutes)d minutes to get between the venues.",
                       name=person.name, other=booking.title, minutes=travel_minutes)
                    if margin
                    else _l("%(name)s is also on stage in “%(other)s” at the same time.",
                            name=person.name, other=booking.title)
                )
                conflicts.append(
                    Conflict("speaker_double_booked", SOFT, message, item.session_id, item.id, booking.item_id)
                )
    return conflicts


# Loading what the rules compare against ------------------------------------------------------


def _venue_of_hall(hall_id: int | None) -> int | None:
    if hall_id is None:
        return None
    return db.session.execute(select(Hall.venue_id).where(Hall.id == hall_id)).scalar()


def _bookings_for(person_ids: Iterable[int]) -> dict[int, list[Booking]]:
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(AgendaSpeaker.person_id, AgendaItem, Session.title_zh, Hall.venue_id)
        .join(AgendaItem, AgendaSpeaker.item_id == AgendaItem.id)
        .join(Session, AgendaItem.session_id == Session.id)
        .outerjoin(Hall, Session.hall_id == Hall.id)
        .where(AgendaSpeaker.person_id.in_(person_ids), AgendaItem.starts_at.is_not(None))
    ).all()
    bookings: dict[int, list[Booking]] = defaultdict(list)
    for person_id, item, session_title, venue_id in rows:
        bookings[person_id].append(
            Booking(item.id, item.session_id, item.title or session_title, item.starts_at, item.ends_at, venue_id)
        )
    return bookings


def check_session(session: Session) -> list[Conflict]:
    """Every rule for a session as it stands (saved or not), its items included."""
    edition = session.edition
    settings = settings_for(edition)
    conflicts = ends_before_start(session) + session_outside_edition(session, edition)
    if session.scheduled and session.hall_id is not None:
        neighbours = db.session.execute(
            select(Session).where(
                Session.edition_id == edition.id,
                Session.hall_id == session.hall_id,
                Session.starts_at.is_not(None),
                Session.id != (session.id or -1),
            )
        ).scalars()
        conflicts += hall_double_booked(session, neighbours, settings.hall_buffer_minutes)
    hall = db.session.get(Hall, session.hall_id) if session.hall_id else None
    conflicts += over_capacity(session, hall)
    venue_id = hall.venue_id if hall else None
    for item in session.items:
        conflicts += check_item(item, session, settings, venue_id)
    return conflicts


def check_item(item: AgendaItem, session: Session, settings: ProgrammeSettings | None = None,
               venue_id: int | None = None) -> list[Conflict]:
    """An item's rules; check_session passes what it already looked up for all its items."""
    conflicts = item_outside_session(item, session)
    speakers = [link.person for link in item.speakers]
    if speakers:
        settings = settings or settings_for(session.edition)
        conflicts += speaker_double_booked(
            item, venue_id if venue_id is not None else _venue_of_hall(session.hall_id), speakers,
            _bookings_for(p.id for p in speakers), settings.venue_travel_minutes,
        )
    return conflicts


def edition_conflicts(edition: Edition) -> dict[int, list[Conflict]]:
    """All conflicts of an edition by session id, for the grid: a few queries, then the same
    rule functions in memory."""
    settings = settings_for(edition)
    sessions = programme_sessions(edition, published_only=False)
    halls = {hall.id: hall for hall in db.session.execute(
        select(Hall).join(Venue).where(Venue.edition_id == edition.id)).scalars()}
    by_hall: dict[int, list[Session]] = defaultdict(list)
    bookings: dict[int, list[Booking]] = defaultdict(list)
    for session in sessions:
        if session.hall_id is not None and session.scheduled:
            by_hall[session.hall_id].append(session)
        venue_id = halls[session.hall_id].venue_id if session.hall_id in halls else None
        for item in session.items:
            if item.starts_at is None:
                continue
            for link in item.speakers:
                bookings[link.person_id].append(
                    Booking(item.id, session.id, item.title or session.title, item.starts_at, item.ends_at, venue_id)
                )
    result: dict[int, list[Conflict]] = {}
    for session in sessions:
        found = ends_before_start(session) + session_outside_edition(session, edition)
        found += hall_double_booked(session, by_hall.get(session.hall_id, []), settings.hall_buffer_minutes)
        found += over_capacity(session, halls.get(session.hall_id))
        venue_id = halls[session.hall_id].venue_id if session.hall_id in halls else None
        for item in session.items:
            found += item_outside_session(item, session)
            found += speaker_double_booked(
                item, venue_id, [link.person for link in item.speakers], bookings,
                settings.venue_travel_minutes,
            )
        if found:
            result[session.id] = found
    return result


def _decide(conflicts: list[Conflict], confirmed: bool) -> None:
    try:
        confirm_or_refuse(conflicts, confirmed)
    except ScheduleError:
        db.session.rollback()  # the refused changes must not reach the database with a later flush
        raise


# Sessions ------------------------------------------------------------------------------------


@dataclass
class SessionFields:
    kind: str
    title_zh: str
    title_en: str = ""
    title_zh_hant: str = ""
    theme_zh: str = ""
    theme_en: str = ""
    theme_zh_hant: str = ""
    description_zh: str = ""
    description_en: str = ""
    number: int | None = None
    hall_id: int | None = None
    day: date | None = None
    starts: time | None = None
    ends: time | None = None
    expected_audience: int = 0
    host_organisation_zh: str = ""
    host_organisation_en: str = ""
    status: str = "draft"
    access: str = "open"
    position: int = 0


def _check_fields(edition: Edition, fields: SessionFields) -> None:
    if fields.kind not in SESSION_KINDS:
        raise ScheduleError(field="kind", message=_l("Choose the kind of session."))
    if fields.status not in SESSION_STATUSES:
        raise ScheduleError(field="status", message=_l("Choose draft or published."))
    if fields.access not in SESSION_ACCESS:
        raise ScheduleError(field="access", message=_l("Choose open or by invitation."))
    if not fields.title_zh.strip():
        raise ScheduleError(field="title_zh", message=_l("Enter the Chinese title."))
    if not 0 <= fields.expected_audience <= 100_000:
        raise ScheduleError(field="expected_audience", message=_l("Enter a number of people between 0 and 100000."))
    timed = [fields.day, fields.starts, fields.ends]
    if any(timed) and not all(timed):
        raise ScheduleError(field="day", message=_l("Give the day, the start and the end, or none of them."))
    if fields.hall_id is not None:
        hall = db.session.get(Hall, fields.hall_id)
        if hall is None or hall.venue.edition_id != edition.id:
            raise ScheduleError(field="hall_id", message=_l("Choose a hall of this edition."))


def save_session(
    edition: Edition, fields: SessionFields, session: Session | None = None,
    confirmed: bool = False, actor=None,
) -> Session:
    """Create or change a session. Moving it moves its timed items with it."""
    _check_fields(edition, fields)
    with db.session.no_autoflush:
        session = session or Session(edition=edition)
        old_start = session.starts_at
        session.kind = fields.kind
        session.number = fields.number
        session.title_zh = fields.title_zh.strip()
        session.title_en = fields.title_en.strip()
        session.title_zh_hant = fields.title_zh_hant.strip() or None
        session.theme_zh = fields.theme_zh.strip()
        session.theme_en = fields.theme_en.strip()
        session.theme_zh_hant = fields.theme_zh_hant.strip() or None
        session.description_zh = fields.description_zh.strip()
        session.description_en = fields.description_en.strip()
        session.hall_id = fields.hall_id
        if fields.day is not None:
            session.starts_at = at_local(edition, fields.day, fields.starts)
            session.ends_at = at_local(edition, fields.day, fields.ends)
        else:
            session.starts_at = session.ends_at = None
        session.expected_audience = fields.expected_audience
        session.host_organisation_zh = fields.host_organisation_zh.strip()
        session.host_organisation_en = fields.host_organisation_en.strip()
        session.status = fields.status
        session.access = fields.access
        session.position = fields.position
        if old_start is not None and session.starts_at is not None and old_start != session.starts_at:
            shift = session.starts_at - old_start
            for item in session.items:
                if item.starts_at is not None:
                    item.starts_at += shift
                    item.ends_at += shift
        conflicts = check_session(session)
    _decide(conflicts, confirmed)
    db.session.add(session)
    audit.record("session.save", session, detail={"status": session.status, "confirmed": confirmed and bool(conflicts)}, actor=actor)
    return session


def set_status(session: Session, status: str, actor=None) -> None:
    if status not in SESSION_STATUSES:
        raise ScheduleError(field="status", message=_l("Choose draft or published."))
    session.status = status
    audit.record("session.status", session, detail={"status": status}, actor=actor)


@depends_on("sessions")
def _session_items(session: Session) -> list[Dependent]:
    if not session.items:
        return []
    return [Dependent(_l("%(n)d agenda items are deleted with it.", n=len(session.items)), blocks=False)]


@depends_on("halls")
def _hall_sessions(hall: Hall) -> list[Dependent]:
    sessions = db.session.execute(select(func.count(Session.id)).where(Session.hall_id == hall.id)).scalar_one()
    if not sessions:
        return []
    return [Dependent(_l("%(n)d sessions take place in this hall; move or delete them first.", n=sessions), blocks=True)]


def delete_session(session: Session, actor=None) -> None:
    """Refused while something must stay (see core/deletion.py); otherwise what depends on
    the session is settled (bookings cancelled, attendees told) and it goes."""
    deletion.remove(session, "session.delete", detail={"title": session.title_zh}, actor=actor)


def get_session(edition: Edition, session_id: int) -> Session | None:
    return db.session.execute(
        select(Session).where(Session.id == session_id, Session.edition_id == edition.id)
    ).scalar_one_or_none()


def programme_sessions(edition: Edition, published_only: bool = True, kind: str | None = None) -> list[Session]:
    """Sessions with everything a programme page shows, loaded in a fixed number of queries."""
    query = (
        select(Session)
        .where(Session.edition_id == edition.id)
        .options(
            selectinload(Session.hall).selectinload(Hall.venue),
            selectinload(Session.items).selectinload(AgendaItem.speakers).selectinload(AgendaSpeaker.person),
        )
        .order_by(Session.starts_at.is_(None), Session.starts_at, Session.position, Session.id)
    )
    if published_only:
        query = query.where(Session.status == "published")
    if kind:
        query = query.where(Session.kind == kind)
    return list(db.session.execute(query).scalars())


def sessions_by_day(edition: Edition, sessions: list[Session]) -> list[tuple[date | None, list[Session]]]:
    days: dict[date | None, list[Session]] = defaultdict(list)
    for session in sessions:
        days[local_day(edition, session.starts_at) if session.starts_at else None].append(session)
    return sorted(days.items(), key=lambda pair: (pair[0] is None, pair[0] or date.min))


# Agenda items --------------------------------------------------------------------------------


@dataclass
class ItemFields:
    kind: str = "speech"
    title_zh: str = ""
    title_en: str = ""
    title_zh_hant: str = ""
    release_zh: str = ""
    release_en: str = ""
    release_zh_hant: str = ""
    starts: time | None = None
    ends: time | None = None
    position: int = 0
    speakers: list[tuple[int, str]] = field(default_factory=list)  # (person id, role), in order


def save_item(
    session: Session, fields: ItemFields, item: AgendaItem | None = None,
    confirmed: bool = False, actor=None,
) -> AgendaItem:
    edition = session.edition
    if fields.kind not in ITEM_KINDS:
        raise ScheduleError(field="kind", message=_l("Choose the kind of item."))
    if fields.kind == "release" and not fields.release_zh.strip():
        raise ScheduleError(field="release_zh", message=_l("Name what is released."))
    if (fields.starts is None) != (fields.ends is None):
        raise ScheduleError(field="starts", message=_l("Give both the start and the end, or neither."))
    if fields.starts is not None and not session.scheduled:
        raise ScheduleError(field="starts", message=_l("Schedule the session before timing its items."))
    person_ids = [person_id for person_id, _ in fields.speakers]
    if len(set(person_ids)) != len(person_ids):
        raise ScheduleError(field="speakers", message=_l("A speaker is listed twice."))
    people = {
        person.id: person
        for person in db.session.execute(
            select(Person).where(Person.id.in_(person_ids), Person.edition_id == edition.id)
        ).scalars()
    } if person_ids else {}
    if len(people) != len(person_ids):
        raise ScheduleError(field="speakers", message=_l("Choose speakers of this edition."))
    if any(role not in SPEAKER_ROLES for _, role in fields.speakers):
        raise ScheduleError(field="speakers", message=_l("Choose a role for each speaker."))

    with db.session.no_autoflush:
        item = item or AgendaItem(session=session)
        item.kind = fields.kind
        item.title_zh = fields.title_zh.strip()
        item.title_en = fields.title_en.strip()
        item.title_zh_hant = fields.title_zh_hant.strip() or None
        item.release_zh = fields.release_zh.strip()
        item.release_en = fields.release_en.strip()
        item.release_zh_hant = fields.release_zh_hant.strip() or None
        day = local_day(edition, session.starts_at) if session.starts_at else None
        item.starts_at = at_local(edition, day, fields.starts) if fields.starts else None
        item.ends_at = at_local(edition, day, fields.ends) if fields.ends else None
        item.position = fields.position
        if item.id is not None and item.speakers:
            # Old rows go first: the same person re-added would hit (item, person) uniqueness.
            item.speakers.clear()
            db.session.flush()
        item.speakers = [
            AgendaSpeaker(person=people[person_id], role=role, position=index)
            for index, (person_id, role) in enumerate(fields.speakers)
        ]
        item.updated_at = utcnow()  # the public programme's ETag follows speaker changes too
        conflicts = check_item(item, session)
    _decide(conflicts, confirmed)
    db.session.add(item)
    audit.record("agenda_item.save", item, detail={"kind": item.kind}, actor=actor)
    return item


def delete_item(item: AgendaItem, actor=None) -> None:
    session = item.session
    deletion.remove(item, "agenda_item.delete", detail={"title": item.title_zh}, actor=actor)
    db.session.expire(session, ["items"])
    session.updated_at = utcnow()


def get_item(session: Session, item_id: int) -> AgendaItem | None:
    return db.session.execute(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.session_id == session.id)
    ).scalar_one_or_none()


# Speakers ------------------------------------------------------------------------------------


def speakers_of(edition: Edition, public_only: bool = True) -> list[Person]:
    """Everyone on stage in a (published) session, in stroke-free plain order of appearance."""
    query = (
        select(Person)
        .join(AgendaSpeaker, AgendaSpeaker.person_id == Person.id)
        .join(AgendaItem, AgendaSpeaker.item_id == AgendaItem.id)
        .join(Session, AgendaItem.session_id == Session.id)
        .where(Session.edition_id == edition.id)
        .group_by(Person.id)
        .order_by(func.min(Session.starts_at), func.min(AgendaSpeaker.position), Person.id)
    )
    if public_only:
        query = query.where(Session.status == "published", Person.public_profile.is_(True))
    return list(db.session.execute(query).scalars())


def appearances(person: Person, published_only: bool = True) -> list[AgendaItem]:
    query = (
        select(AgendaItem)
        .join(AgendaSpeaker, AgendaSpeaker.item_id == AgendaItem.id)
        .join(Session, AgendaItem.session_id == Session.id)
        .where(AgendaSpeaker.person_id == person.id)
        .options(selectinload(AgendaItem.session).selectinload(Session.hall).selectinload(Hall.venue))
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    )
    if published_only:
        query = query.where(Session.status == "published")
    return list(db.session.execute(query).scalars())


def public_speaker(person: Person) -> bool:
    """PIPL art. 25: the organisation, photo and biography of a speaker are shown publicly only
    with the speaker's agreement; without it the public programme shows the name alone."""
    return person.public_profile


def public_venue(venue: Venue) -> bool:
    """A venue is public once a published session is held in one of its halls: its floor plan
    and its halls' are then shown to everyone (plans show rooms, not people)."""
    return db.session.execute(
        select(Session.id).join(Hall, Hall.id == Session.hall_id)
        .where(Hall.venue_id == venue.id, Session.status == "published").limit(1)
    ).first() is not None


# Freshness for caches ------------------------------------------------------------------------


def programme_version(edition: Edition) -> str:
    """Changes whenever anything the public programme shows changes."""
    def newest(column, *where):
        return select(func.max(column)).where(*where).scalar_subquery()

    def count(column, *where):
        return select(func.count(column)).where(*where).scalar_subquery()

    row = db.session.execute(
        select(
            newest(Session.updated_at, Session.edition_id == edition.id),
            count(Session.id, Session.edition_id == edition.id),
            newest(AgendaItem.updated_at, AgendaItem.session_id.in_(select(Session.id).where(Session.edition_id == edition.id))),
            count(AgendaItem.id, AgendaItem.session_id.in_(select(Session.id).where(Session.edition_id == edition.id))),
            newest(Person.updated_at, Person.edition_id == edition.id),
            newest(Hall.updated_at, Hall.venue_id.in_(select(Venue.id).where(Venue.edition_id == edition.id))),
            newest(Venue.updated_at, Venue.edition_id == edition.id),
        )
    ).one()
    return "-".join(str(value.timestamp() if isinstance(value, datetime) else value) for value in (*row, edition.updated_at))


# Cloning -------------------------------------------------------------------------------------


def clone_sessions(source: Edition, target: Edition, required: dict) -> dict:
    hall_ids = required["venues"]["halls"]
    for session in programme_sessions(source, published_only=False):
        db.session.add(
            Session(
                edition=target, kind=session.kind, number=session.number,
                title_zh=session.title_zh, title_zh_hant=session.title_zh_hant, title_en=session.title_en,
                theme_zh=session.theme_zh, theme_zh_hant=session.theme_zh_hant, theme_en=session.theme_en,
                description_zh=session.description_zh, description_en=session.description_en,
                hall_id=hall_ids.get(session.hall_id), expected_audience=session.expected_audience,
                host_organisation_zh=session.host_organisation_zh,
                host_organisation_en=session.host_organisation_en,
                status="draft", access=session.access, position=session.position,
            )
        )
    settings = settings_for(source)
    db.session.add(
        ProgrammeSettings(
            edition_id=target.id, hall_buffer_minutes=settings.hall_buffer_minutes,
            venue_travel_minutes=settings.venue_travel_minutes,
        )
    )
    return {}
