"""The programme for other programs: JSON, iCalendar (RFC 5545) and frab schedule XML.

All three read the same published sessions and speak the reader's language (?lang=).
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from xml.etree import ElementTree as ET

from icalendar import Calendar, Event, vText
from pypinyin import lazy_pinyin

from conference.core.i18n import current_locale, has_han
from conference.core.links import public_url
from conference.editions.localtime import edition_zone, local, local_day
from conference.editions.models import Edition
from conference.programme.forms import ITEM_KIND_LABELS, KIND_LABELS
from conference.programme.models import AgendaItem, Session
from conference.programme.services import public_speaker

PRODID = "-//China Internet Civilization Conference//Conference system//ZH"


def _iso(edition: Edition, moment: datetime | None) -> str | None:
    return local(edition, moment).isoformat() if moment else None


def _speaker(link) -> dict:
    person = link.person
    shown = public_speaker(person)
    return {
        "id": person.id if shown else None,
        "name": person.display_name,
        "name_original": person.name,
        "organisation": person.organisation_text if shown else "",
        "title": person.title_text if shown else "",
        "role": link.role,
        "url": public_url("public.speaker", year=person.edition.year, person_id=person.id) if shown else None,
    }


def _item(edition: Edition, item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "uid": item.uid,
        "kind": item.kind,
        "kind_label": str(ITEM_KIND_LABELS[item.kind]),
        "title": item.title,
        "release": item.release or None,
        "starts_at": _iso(edition, item.starts_at),
        "ends_at": _iso(edition, item.ends_at),
        "speakers": [_speaker(link) for link in item.speakers],
    }


def session_json(edition: Edition, session: Session) -> dict:
    hall = session.hall
    return {
        "id": session.id,
        "uid": session.uid,
        "kind": session.kind,
        "kind_label": str(KIND_LABELS[session.kind]),
        "number": session.number,
        "title": session.title,
        "theme": session.theme or None,
        "description": session.description or None,
        "host_organisation": session.host_organisation or None,
        "access": session.access,
        "starts_at": _iso(edition, session.starts_at),
        "ends_at": _iso(edition, session.ends_at),
        "venue": hall.venue.name if hall else None,
        "hall": hall.name if hall else None,
        "url": public_url("public.session", year=edition.year, session_id=session.id),
        "items": [_item(edition, item) for item in session.items],
    }


def programme_json(edition: Edition, sessions: list[Session]) -> dict:
    return {
        "edition": {
            "year": edition.year,
            "title": edition.title,
            "theme": edition.theme or None,
            "city": edition.city,
            "starts_on": edition.starts_on.isoformat(),
            "ends_on": edition.ends_on.isoformat(),
            "timezone": edition.timezone,
        },
        "language": current_locale(),
        "sessions": [session_json(edition, s) for s in sessions if s.scheduled],
    }


def _describe(session: Session) -> str:
    lines = [session.theme] if session.theme else []
    for item in session.items:
        speakers = "、".join(link.person.display_name for link in item.speakers)
        text = " ".join(part for part in (item.title, item.release, speakers and f"({speakers})") if part)
        if item.starts_at:
            text = f"{local(session.edition, item.starts_at):%H:%M} {text}"
        lines.append(text)
    return "\n".join(lines)


def programme_ical(edition: Edition, sessions: list[Session], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", edition.timezone)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for session in sessions:
        if not session.scheduled:
            continue
        event = Event()
        event.add("uid", f"{session.uid}@{edition.year}.conference")
        event.add("dtstamp", stamp)
        event.add("dtstart", local(edition, session.starts_at))
        event.add("dtend", local(edition, session.ends_at))
        event.add("last-modified", session.updated_at.replace(microsecond=0))
        event.add("summary", session.title)
        if session.hall:
            event.add("location", vText(f"{session.hall.venue.name} {session.hall.name}"))
        description = _describe(session)
        if description:
            event.add("description", description)
        event.add("categories", [str(KIND_LABELS[session.kind])])
        event.add("url", public_url("public.session", year=edition.year, session_id=session.id))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _duration(start: datetime, end: datetime) -> str:
    minutes = int((end - start).total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


SLUG_TITLE_LENGTH = 60


def slugify(text: str) -> str:
    """Lower-case ASCII letters and digits joined by hyphens: "Opening Ceremony & Main Forum"
    -> "opening-ceremony-main-forum", "Lü" -> "lu"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def title_slug(session: Session) -> str:
    """The session's title as a slug, the same in every language: from the English title, or
    from the pinyin of the Chinese title where there is none (characters without a reading are
    left out), cut at a hyphen; the session's kind if nothing is left."""
    slug = slugify(session.title_en) or slugify(
        " ".join(lazy_pinyin(session.title_zh, errors=lambda chars: "" if has_han(chars) else chars))
    )
    if len(slug) > SLUG_TITLE_LENGTH:
        slug = slug[: SLUG_TITLE_LENGTH + 1].rsplit("-", 1)[0]
    return slug or slugify(session.kind)


def _acronym(edition: Edition) -> str:
    return f"cicc{edition.year}"


def event_slug(edition: Edition, session: Session) -> str:
    """<acronym>-<id>-<title slug>, as the frab schedule's event slugs are written."""
    return f"{_acronym(edition)}-{session.id}-{title_slug(session)}"


def _language() -> str:
    return {"en": "en", "zh_Hant_TW": "zh-Hant"}.get(current_locale(), "zh-Hans")


def _day_bounds(edition: Edition, day: date, sessions: list[Session]) -> tuple[datetime, datetime]:
    """From the day's first session to its last; the whole day where nothing is on."""
    if sessions:
        return min(s.starts_at for s in sessions), max(s.ends_at for s in sessions)
    midnight = datetime.combine(day, time(0), tzinfo=edition_zone(edition))
    return midnight, midnight + timedelta(days=1)


def _event(edition: Edition, room: ET.Element, room_name: str, session: Session) -> None:
    """One session as an event, its elements in the order frab and pretalx write them."""
    event = ET.SubElement(room, "event", guid=session.uid, id=str(session.id))
    start = local(edition, session.starts_at)
    ET.SubElement(event, "date").text = start.isoformat()
    ET.SubElement(event, "start").text = start.strftime("%H:%M")
    ET.SubElement(event, "duration").text = _duration(session.starts_at, session.ends_at)
    ET.SubElement(event, "room").text = room_name
    ET.SubElement(event, "slug").text = event_slug(edition, session)
    ET.SubElement(event, "url").text = public_url("public.session", year=edition.year, session_id=session.id)
    ET.SubElement(event, "title").text = session.title
    ET.SubElement(event, "subtitle").text = session.theme or ""
    ET.SubElement(event, "track").text = str(KIND_LABELS[session.kind])
    ET.SubElement(event, "type").text = session.kind
    ET.SubElement(event, "language").text = _language()
    ET.SubElement(event, "abstract").text = session.theme or ""
    ET.SubElement(event, "description").text = _describe(session)
    persons = ET.SubElement(event, "persons")
    seen = set()
    for item in session.items:
        for link in item.speakers:
            if link.person_id not in seen:
                seen.add(link.person_id)
                ET.SubElement(persons, "person", id=str(link.person_id)).text = link.person.display_name
    ET.SubElement(event, "links")
    ET.SubElement(event, "attachments")


def frab_xml(edition: Edition, sessions: list[Session], version: str) -> bytes:
    """The schedule XML that pretalx exports and conference apps (Giggity, ConfClerk, …) read,
    within the frab schedule schema: its element order, attributes and formats (dates with the
    offset, durations HH:MM, guids as UUIDs, slugs <acronym>-<id>-<title>)."""
    scheduled = [s for s in sessions if s.scheduled]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="conference-system")
    ET.SubElement(root, "version").text = version
    conference = ET.SubElement(root, "conference")
    ET.SubElement(conference, "acronym").text = _acronym(edition)
    ET.SubElement(conference, "title").text = edition.title
    ET.SubElement(conference, "start").text = edition.starts_on.isoformat()
    ET.SubElement(conference, "end").text = edition.ends_on.isoformat()
    ET.SubElement(conference, "days").text = str(len(edition.days))
    ET.SubElement(conference, "timeslot_duration").text = "00:15"
    ET.SubElement(conference, "time_zone_name").text = edition.timezone
    ET.SubElement(conference, "url").text = public_url("public.programme", year=edition.year)
    for kind in dict.fromkeys(s.kind for s in scheduled):
        ET.SubElement(conference, "track", name=str(KIND_LABELS[kind]), slug=slugify(kind))

    for index, day in enumerate(edition.days, start=1):
        todays = [s for s in scheduled if local_day(edition, s.starts_at) == day]
        start, end = _day_bounds(edition, day, todays)
        day_element = ET.SubElement(
            root, "day", index=str(index), date=day.isoformat(),
            start=_iso(edition, start), end=_iso(edition, end),
        )
        rooms: dict[str, list[Session]] = {}
        for session in todays:
            room_name = f"{session.hall.venue.name} {session.hall.name}" if session.hall else "—"
            rooms.setdefault(room_name, []).append(session)
        for room_name, room_sessions in rooms.items():
            room = ET.SubElement(day_element, "room", name=room_name)
            for session in room_sessions:
                _event(edition, room, room_name, session)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
