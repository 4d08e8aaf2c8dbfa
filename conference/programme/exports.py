"""The programme for other programs: JSON, iCalendar (RFC 5545) and frab schedule XML.

All three read the same published sessions and speak the reader's language (?lang=).
"""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from icalendar import Calendar, Event, vText

from conference.core.i18n import current_locale
from conference.core.links import public_url
from conference.editions.models import Edition
from conference.programme.forms import ITEM_KIND_LABELS, KIND_LABELS, ROLE_LABELS
from conference.programme.models import AgendaItem, Session
from conference.programme.services import local, public_speaker

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


def frab_xml(edition: Edition, sessions: list[Session], version: str) -> bytes:
    """The schedule XML that pretalx exports and conference apps (Giggity, ConfClerk, …) read."""
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="conference-system")
    ET.SubElement(root, "version").text = version
    conference = ET.SubElement(root, "conference")
    ET.SubElement(conference, "acronym").text = f"cicc{edition.year}"
    ET.SubElement(conference, "title").text = edition.title
    ET.SubElement(conference, "start").text = edition.starts_on.isoformat()
    ET.SubElement(conference, "end").text = edition.ends_on.isoformat()
    ET.SubElement(conference, "days").text = str(len(edition.days))
    ET.SubElement(conference, "timeslot_duration").text = "00:15"
    ET.SubElement(conference, "time_zone_name").text = edition.timezone
    ET.SubElement(conference, "url").text = public_url("public.programme", year=edition.year)

    scheduled = [s for s in sessions if s.scheduled]
    for index, day in enumerate(edition.days, start=1):
        todays = [s for s in scheduled if local(edition, s.starts_at).date() == day]
        day_element = ET.SubElement(root, "day", index=str(index), date=day.isoformat())
        if todays:
            day_element.set("start", _iso(edition, min(s.starts_at for s in todays)))
            day_element.set("end", _iso(edition, max(s.ends_at for s in todays)))
        rooms: dict[str, list[Session]] = {}
        for session in todays:
            room = f"{session.hall.venue.name} {session.hall.name}" if session.hall else "—"
            rooms.setdefault(room, []).append(session)
        for room_name, room_sessions in rooms.items():
            room = ET.SubElement(day_element, "room", name=room_name)
            for session in room_sessions:
                event = ET.SubElement(room, "event", guid=session.uid, id=str(session.id))
                start = local(edition, session.starts_at)
                ET.SubElement(event, "date").text = start.isoformat()
                ET.SubElement(event, "start").text = start.strftime("%H:%M")
                ET.SubElement(event, "duration").text = _duration(session.starts_at, session.ends_at)
                ET.SubElement(event, "room").text = room_name
                ET.SubElement(event, "slug").text = f"cicc{edition.year}-{session.id}"
                ET.SubElement(event, "url").text = public_url(
                    "public.session", year=edition.year, session_id=session.id
                )
                ET.SubElement(event, "title").text = session.title
                ET.SubElement(event, "subtitle").text = session.theme or ""
                ET.SubElement(event, "track").text = str(KIND_LABELS[session.kind])
                ET.SubElement(event, "type").text = session.kind
                ET.SubElement(event, "language").text = {"en": "en", "zh_Hant_TW": "zh-Hant"}.get(current_locale(), "zh-Hans")
                ET.SubElement(event, "abstract").text = session.theme or ""
                ET.SubElement(event, "description").text = _describe(session)
                persons = ET.SubElement(event, "persons")
                seen = set()
                for item in session.items:
                    for link in item.speakers:
                        if link.person_id in seen:
                            continue
                        seen.add(link.person_id)
                        person = ET.SubElement(persons, "person", id=str(link.person_id))
                        person.text = link.person.display_name
                        person.set("role", str(ROLE_LABELS[link.role]))
                ET.SubElement(event, "links")
                ET.SubElement(event, "attachments")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
