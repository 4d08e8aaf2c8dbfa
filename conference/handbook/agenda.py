"""What the personal agenda says: the sessions the attendee holds a confirmed seat in or speaks
in, day by day on the host city's clock; their hotel stay with its shuttles; their arrival and
departure with the pickup arranged; the working groups' desk phones. Nothing else about them:
no identity number, no phone, no travel number."""

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_interval
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.core import pdf
from conference.core.i18n import LOCALES, current_locale
from conference.core.models import utcnow
from conference.editions.localtime import local, local_day
from conference.extensions import db
from conference.hotels import attendee as hotels
from conference.programme.forms import KIND_LABELS, ROLE_LABELS
from conference.programme.models import AgendaItem, Session
from conference.programme.services import appearances
from conference.registration.models import Registration
from conference.registration.services import holds_confirmed_seat
from conference.venues.models import Hall
from conference.volunteers.models import WorkingGroup
from conference.volunteers.services import groups_of


@dataclass
class Entry:
    """A session in the agenda: whether the attendee has a seat in it, and what they speak in."""

    session: Session
    seat: bool = False
    speaking: list[tuple[AgendaItem, str]] = field(default_factory=list)  # (item, role)


def entries(registration: Registration) -> list[Entry]:
    """The published sessions the person holds a confirmed seat in or is on stage in, in time order."""
    person = registration.person
    seated = db.session.execute(
        select(Session)
        .where(Session.edition_id == registration.edition_id, Session.status == "published",
               holds_confirmed_seat(person.id, Session.id))
        .options(selectinload(Session.hall).selectinload(Hall.venue))
    ).scalars()
    found = {session.id: Entry(session, seat=True) for session in seated}
    for item in appearances(person):
        entry = found.setdefault(item.session_id, Entry(item.session))
        role = next(speaker.role for speaker in item.speakers if speaker.person_id == person.id)
        entry.speaking.append((item, role))
    return sorted(found.values(), key=lambda entry: (entry.session.starts_at is None,
                                                     entry.session.starts_at or utcnow(), entry.session.position))


def by_day(registration: Registration, found: list[Entry]) -> list[tuple[date | None, list[Entry]]]:
    """The entries under the host city's day they fall on; those without a time yet last."""
    days: dict[date | None, list[Entry]] = {}
    for entry in found:
        starts = entry.session.starts_at
        days.setdefault(local_day(registration.edition, starts) if starts else None, []).append(entry)
    return list(days.items())


def desks(registration: Registration) -> list[WorkingGroup]:
    """The working groups with a public desk phone (never a member's own)."""
    return [group for group in groups_of(registration.edition) if group.desk_phone]


def context(registration: Registration) -> dict:
    edition = registration.edition
    travel = hotels.travel_of(registration.person) if registration.status not in hotels.CLOSED else None
    return {
        "registration": registration, "edition": edition, "person": registration.person,
        "days": by_day(registration, entries(registration)), "travel": travel, "desks": desks(registration),
        "dates": format_interval(edition.starts_on, edition.ends_on, skeleton="yMMMd", locale=current_locale()),
        "hotel_labels": hotels.LABELS, "kinds": KIND_LABELS, "roles": ROLE_LABELS,
        "printed": local(edition, utcnow()), "fonts": pdf.FONT_FAMILIES,
    }


def agenda_html(registration: Registration, locale: str) -> str:
    with force_locale(locale):
        return render_template("handbook/agenda/agenda.html", lang=LOCALES[locale][0], **context(registration))


def agenda_pdf(registration: Registration, locale: str) -> bytes:
    return pdf.render(agenda_html(registration, locale))
