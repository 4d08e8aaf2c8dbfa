"""Rooming lists: what a hotel is told about the people it houses, and nothing more (PIPL
art. 23): the name as on the identity document (and in Latin letters), the room and who shares
it, the nights, special requests, the arrival time, who pays, the status and the hotel's
reference. The identity document goes only for people who agreed separately that it is sent to
the hotel. Never a phone, an address, a category or an organisation: the hotel needs none.

A list is for the whole stay or one night. Each export (Excel, the printed page, the command
line) is written to the audit log with the hotel, how many guests, and how many documents left.
A list marked as sent keeps each stay's line, so the next one can say what is new, moved or
cancelled since.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from conference.core import audit, pii
from conference.core.i18n import full_name
from conference.core.spreadsheet import FORMULA_STARTS, local_time, time_header
from conference.extensions import db
from conference.hotels.models import Hotel, Journey, RoomingListSent, Traveller
from conference.hotels.services import HotelError, conference_nights, room_label, stays_in
from conference.registration.forms import ID_TYPE_LABELS
from conference.registration.models import Registration

STATUS_LABELS = {"assigned": _l("Booked"), "confirmed": _l("Confirmed by the hotel")}
PAYER_LABELS = {"conference": _l("Conference pays"), "self": _l("Guest pays")}
CHANGE_LABELS = {"new": _l("New"), "moved": _l("Changed"), "cancelled": _l("Cancelled")}
WHAT_LABELS = {"nights": _l("nights"), "room": _l("room type"), "sharing": _l("sharing")}


@dataclass(frozen=True)
class Guest:
    """One person in a room, as the hotel sees them."""

    stay_id: int
    family_name: str
    given_name: str
    latin_name: str
    arrival: datetime | None  # the host city's wall clock
    requests: str
    payer: str
    document_type: str = ""
    document_number: str = ""

    @property
    def name(self) -> str:
        return full_name(self.family_name, self.given_name)


@dataclass
class Room:
    """One room: its guests (two in a shared twin), counted once."""

    number: int
    room_type_id: int
    room_type: str
    check_in: date
    check_out: date
    status: str
    reference: str
    guests: list[Guest] = field(default_factory=list)

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


@dataclass
class RoomingList:
    hotel: Hotel
    night: date | None
    rooms: list[Room]
    revealed: bool  # full document numbers (an export) or masked ones (the organizers' page)

    @property
    def guests(self) -> list[Guest]:
        return [guest for room in self.rooms for guest in room.guests]

    @property
    def documents(self) -> int:
        return sum(1 for guest in self.guests if guest.document_number)


def night_choices(hotel: Hotel) -> list[date]:
    """The nights a list can be for: those the hotel has rooms for, else the conference's."""
    nights = {block.night for room_type in hotel.room_types for block in room_type.blocks}
    return sorted(nights) or conference_nights(hotel.edition)


def parse_night(hotel: Hotel, text: str | None) -> date | None:
    """'' is the whole stay; otherwise a night the hotel has rooms for, as YYYY-MM-DD."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        night = date.fromisoformat(text)
    except ValueError:
        raise HotelError(_l("Give the night as a date such as 2023-07-17."), "night") from None
    choices = night_choices(hotel)
    if night not in choices:
        raise HotelError(_l("%(hotel)s has no rooms on the night of %(night)s; choose one of %(nights)s.",
                            hotel=hotel.code, night=night.isoformat(),
                            nights=", ".join(day.isoformat() for day in choices)), "night")
    return night


WISHES = (("accessible", _l("accessible room")), ("non_smoking", _l("non-smoking")), ("late_arrival", _l("late arrival")))


def _requests(stay, wishes: list[tuple[str, str]]) -> str:
    """accessible room; non-smoking; late arrival; the note. `wishes` come translated once a list."""
    said = [label for attribute, label in wishes if getattr(stay, attribute)]
    return "; ".join([*said, stay.note] if stay.note else said)


def _arrivals(hotel: Hotel, person_ids: set[int]) -> dict[int, datetime]:
    if not person_ids:
        return {}
    return {person_id: local_time(at, hotel.edition.timezone) for person_id, at in db.session.execute(
        select(Journey.person_id, Journey.at).where(Journey.person_id.in_(person_ids), Journey.direction == "arrival"))}


def _documents(person_ids: set[int], revealed: bool) -> dict[int, tuple[str, str]]:
    """(type, number) of the people who agreed that their document goes to the hotel; the
    number masked unless `revealed`. Nobody else's document is even read."""
    if not person_ids:
        return {}
    consenting = select(Traveller.person_id).where(
        Traveller.person_id.in_(person_ids), Traveller.document_consent_at.is_not(None))
    found = {}
    for registration in db.session.execute(
            select(Registration).where(Registration.person_id.in_(consenting))).scalars():
        if revealed and registration.document_sealed:
            number = pii.unseal(registration.document_sealed)
        else:
            number = registration.document_masked
        if number:
            found[registration.person_id] = (
                str(ID_TYPE_LABELS.get(registration.id_type, registration.id_type)), number)
    return found


def rooming_list(hotel: Hotel, night: date | None = None, revealed: bool = False) -> RoomingList:
    """The hotel's rooms on `night` (None: every night), each with its guests; a shared twin
    is one room whose holder comes first. Rooms in order of their first night and name."""
    stays = [stay for stay in stays_in(hotel) if night is None or stay.check_in <= night < stay.check_out]
    person_ids = {stay.person_id for stay in stays}
    arrivals = _arrivals(hotel, person_ids)
    documents = _documents(person_ids, revealed)
    rooms: dict[int, Room] = {}
    in_list = {stay.id for stay in stays}
    wishes = [(attribute, str(label)) for attribute, label in WISHES]
    room_names = {room_type.id: room_label(room_type) for room_type in hotel.room_types}
    # Holders first, so that a sharer always finds its room made.
    for stay in sorted(stays, key=lambda s: s.shares_with_id in in_list):
        key = stay.shares_with_id if stay.shares_with_id in in_list else stay.id
        if key not in rooms:
            rooms[key] = Room(0, stay.room_type_id, room_names[stay.room_type_id], stay.check_in, stay.check_out,
                              stay.status, stay.hotel_reference)
        person = stay.person
        document_type, number = documents.get(person.id, ("", ""))
        rooms[key].guests.append(Guest(
            stay.id, person.family_name, person.given_name, person.latin_name, arrivals.get(person.id),
            _requests(stay, wishes), stay.payer, document_type, number))
    order = {stay.id: index for index, stay in enumerate(stays)}
    listed = sorted(rooms.items(), key=lambda item: order[item[0]])
    for number, (_key, room) in enumerate(listed, start=1):
        room.number = number
    return RoomingList(hotel, night, [room for _key, room in listed], revealed)


def _scope(night: date | None) -> str:
    return night.isoformat() if night else "all"


def export(hotel: Hotel, night: date | None, via: str, actor=None) -> RoomingList:
    """The list with full document numbers, for the hotel: the audit log records it."""
    rooming = rooming_list(hotel, night, revealed=True)
    audit.record("rooming_list.export", hotel, detail={
        "hotel": hotel.code, "night": _scope(night), "via": via, "rooms": len(rooming.rooms),
        "guests": len(rooming.guests), "documents": rooming.documents}, actor=actor)
    return rooming


# Excel ----------------------------------------------------------------------------------------

ROOM_COLUMNS = ("number", "room_type", "guests", "check_in", "check_out", "nights", "status", "reference")
HEADER_FILL = PatternFill("solid", fgColor="E6E9EF")


def _columns(rooming: RoomingList) -> list[tuple[str, str, int]]:
    """(key, header, width); the document's two only when someone in the list agreed to send it."""
    zone = rooming.hotel.edition.timezone
    columns = [
        ("number", _("Room"), 6), ("family_name", _("Family name"), 12), ("given_name", _("Given name"), 12),
        ("latin_name", _("Name in Latin letters"), 22), ("room_type", _("Room type"), 14),
        ("guests", _("Guests in room"), 8), ("check_in", _("Check-in date"), 12), ("check_out", _("Check-out date"), 12),
        ("nights", _("Nights"), 7), ("arrival", time_header(_("Arrival"), zone), 18),
        ("requests", _("Special requests"), 30), ("payer", _("Paid by"), 10), ("status", _("Status"), 14),
        ("reference", _("Hotel reference"), 14),
    ]
    if rooming.documents:
        columns += [("document_type", _("Identity document"), 24), ("document_number", _("Document number"), 22)]
    return columns


def _value(key: str, room: Room, guest: Guest, labels: dict[str, str]):
    match key:
        case "number":
            return room.number
        case "room_type":
            return room.room_type
        case "guests":
            return len(room.guests)
        case "check_in" | "check_out" | "nights":
            return getattr(room, key)
        case "status":
            return labels.get(room.status, room.status)
        case "reference":
            return room.reference
        case "payer":
            return labels.get(guest.payer, guest.payer)
    return getattr(guest, key)


def _cell(sheet, value, alignment: Alignment | None = None):
    """A cell whose text stays text (core.spreadsheet's rule: never a formula), whose dates read
    as dates. Plain values go as they are: a write-only sheet takes them without a cell each."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet)
        cell.value, cell.data_type, cell.quotePrefix = value, "s", True
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
    elif alignment is not None:
        cell = WriteOnlyCell(sheet, value)
    else:
        return value
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _sheet(book: Workbook, title: str, headers: list[str], widths: list[int], on_top: str):
    """A write-only sheet with its header row: bold, frozen, and on every printed page (A4
    landscape, one page wide, `on_top` in the page header)."""
    sheet = book.create_sheet(title[:31])
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = on_top
    sheet.oddFooter.right.text = "&P / &N"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    row = []
    for header in headers:
        cell = WriteOnlyCell(sheet, str(header))
        cell.data_type, cell.font, cell.fill, cell.alignment = "s", bold, HEADER_FILL, wrap
        row.append(cell)
    sheet.append(row)
    return sheet


def _scope_label(night: date | None) -> str:
    return _("Night of %(day)s", day=night.isoformat()) if night else _("Whole stay")


def rooming_list_xlsx(hotel: Hotel, night: date | None = None, actor=None, via: str = "xlsx") -> bytes:
    """The hotel's rooming list as an Excel workbook, audited as an export."""
    return workbook_of(export(hotel, night, via, actor))


def workbook_of(rooming: RoomingList) -> bytes:
    """One row a guest, a shared room's cells merged so that it reads as one room; a second
    sheet with what changed since the list last marked as sent. Written row by row (openpyxl's
    write-only mode): the largest hotel's list in a fraction of a second."""
    hotel, night = rooming.hotel, rooming.night
    book = Workbook(write_only=True)
    columns = _columns(rooming)
    sheet = _sheet(book, hotel.code or _("Rooming list"), [header for _key, header, _width in columns],
                   [width for _key, _header, width in columns],
                   f"{hotel.name} · {_('Rooming list')} · {_scope_label(night)}")
    top = Alignment(vertical="top")
    labels = {key: str(label) for key, label in (*STATUS_LABELS.items(), *PAYER_LABELS.items())}
    merged = []
    row = 2
    for room in rooming.rooms:
        shared = len(room.guests) > 1
        for index, guest in enumerate(room.guests):
            sheet.append([
                None if index and key in ROOM_COLUMNS
                else _cell(sheet, _value(key, room, guest, labels), top if shared and key in ROOM_COLUMNS else None)
                for key, _header, _width in columns])
        if shared:
            merged += [CellRange(f"{letter}{row}:{letter}{row + len(room.guests) - 1}")
                       for letter in (get_column_letter(column) for column, (key, _h, _w) in
                                      enumerate(columns, start=1) if key in ROOM_COLUMNS)]
        row += len(room.guests)
    # Given all at once: merge_cells() compares each new range with every other one.
    sheet.merged_cells = MultiCellRange(merged)
    found = changes(hotel, night, rooming)
    if found is not None:
        _changes_sheet(book, found)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _changes_sheet(book: Workbook, found: "Changes") -> None:
    sheet = _sheet(book, _("Changes"), [_("Change"), _("Name"), _("Room type"), _("Check-in date"), _("Check-out date"),
                                        _("What changed"), _("Before")], [10, 22, 14, 12, 12, 18, 40],
                   _("Changes since the list sent on %(when)s", when=found.since_label))
    for change in found.items:
        line = change.after or change.before
        sheet.append([_cell(sheet, value) for value in (
            str(CHANGE_LABELS[change.kind]), line["name"], line["room_type"], date.fromisoformat(line["check_in"]),
            date.fromisoformat(line["check_out"]), change.what_text, change.before_text)])


# What changed since the last list sent ----------------------------------------------------------


def lines_of(rooming: RoomingList) -> dict[str, dict]:
    """Each stay's line as the hotel was told it: only what a change is measured on (no
    document, no requests), keyed by stay id (a string: the lines are JSON)."""
    lines = {}
    for room in rooming.rooms:
        for guest in room.guests:
            lines[str(guest.stay_id)] = {
                "name": guest.name, "room_type_id": room.room_type_id, "room_type": room.room_type,
                "check_in": room.check_in.isoformat(), "check_out": room.check_out.isoformat(),
                "with": sorted(other.stay_id for other in room.guests if other.stay_id != guest.stay_id),
                "with_names": [other.name for other in room.guests if other.stay_id != guest.stay_id],
            }
    return lines


@dataclass(frozen=True)
class Change:
    kind: str  # new, moved, cancelled
    stay_id: int
    before: dict | None
    after: dict | None
    what: tuple[str, ...] = ()  # for a move: nights, room, sharing

    @property
    def name(self) -> str:
        return (self.after or self.before)["name"]

    @property
    def what_text(self) -> str:
        return ", ".join(str(WHAT_LABELS[what]) for what in self.what)

    @property
    def before_text(self) -> str:
        """The line as last sent, for a moved stay: what the hotel has to correct."""
        if self.kind != "moved":
            return ""
        line = self.before
        shared = _("shared with %(names)s", names=", ".join(line["with_names"])) if line["with_names"] else ""
        return " · ".join(part for part in (line["room_type"], f"{line['check_in']} – {line['check_out']}", shared)
                          if part)


@dataclass
class Changes:
    since: RoomingListSent
    since_label: str
    items: list[Change]

    def of(self, kind: str) -> list[Change]:
        return [change for change in self.items if change.kind == kind]


def _what_moved(before: dict, after: dict) -> tuple[str, ...]:
    what = []
    if (before["check_in"], before["check_out"]) != (after["check_in"], after["check_out"]):
        what.append("nights")
    if before["room_type_id"] != after["room_type_id"]:
        what.append("room")
    if before["with"] != after["with"]:
        what.append("sharing")
    return tuple(what)


def last_sent(hotel: Hotel, night: date | None) -> RoomingListSent | None:
    return db.session.execute(
        select(RoomingListSent).where(RoomingListSent.hotel_id == hotel.id, RoomingListSent.night == night
                                      if night else RoomingListSent.night.is_(None))
        .order_by(RoomingListSent.sent_at.desc(), RoomingListSent.id.desc()).limit(1)
    ).scalar_one_or_none()


def sent_lists(hotel: Hotel) -> list[RoomingListSent]:
    """Every list marked as sent to the hotel, the latest first."""
    return list(db.session.execute(
        select(RoomingListSent).where(RoomingListSent.hotel_id == hotel.id)
        .order_by(RoomingListSent.sent_at.desc(), RoomingListSent.id.desc())
    ).scalars())


def changes(hotel: Hotel, night: date | None, rooming: RoomingList | None = None) -> Changes | None:
    """New, moved and cancelled stays since the last list of this scope marked as sent (None:
    none was). A stay that left the list (cancelled, or moved to another hotel) is cancelled
    for this hotel."""
    since = last_sent(hotel, night)
    if since is None:
        return None
    now = lines_of(rooming or rooming_list(hotel, night))
    # A line keeps the room type's name in the sender's language; the reader gets theirs.
    names = {room_type.id: room_label(room_type) for room_type in hotel.room_types}
    sent = {key: {**line, "room_type": names.get(line["room_type_id"], line["room_type"])}
            for key, line in (since.lines or {}).items()}
    items = []
    for key, after in now.items():
        before = sent.get(key)
        if before is None:
            items.append(Change("new", int(key), None, after))
        elif what := _what_moved(before, after):
            items.append(Change("moved", int(key), before, after, what))
    items += [Change("cancelled", int(key), before, None) for key, before in sent.items() if key not in now]
    order = {"new": 0, "moved": 1, "cancelled": 2}
    items.sort(key=lambda change: (order[change.kind], change.name))
    zone = hotel.edition.timezone
    return Changes(since, local_time(since.sent_at, zone).strftime("%Y-%m-%d %H:%M"), items)


def mark_sent(hotel: Hotel, night: date | None, actor=None) -> RoomingListSent:
    """Keep the list as it is now as the one the hotel has: later changes are measured on it."""
    lines = lines_of(rooming_list(hotel, night))
    sent = RoomingListSent(hotel_id=hotel.id, night=night, lines=lines,
                           sent_by=actor.email if actor is not None else "cli")
    db.session.add(sent)
    db.session.flush()
    audit.record("rooming_list.sent", hotel, detail={"hotel": hotel.code, "night": _scope(night), "guests": len(lines),
                                                     "sent": sent.id}, actor=actor)
    return sent
