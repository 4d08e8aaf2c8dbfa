"""What the attendee sees and does on their private pages (/r/<token>): the hotel card on their
own page, and the page where they ask for a room and give their arrival and departure.

The token is the only key: a wrong one is a 404, and the registration's after-request hook keeps
every /r/ page out of caches and search engines."""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from conference.core import audit, pii
from conference.core.database import committed
from conference.core.forms import ConferenceForm
from conference.core.i18n import day_label
from conference.core.urls import optional_row_id
from conference.editions.localtime import form_local, form_utc, local_day
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import DIRECTIONS, HOLDING, Journey, Stay, Traveller, TravelPlace
from conference.hotels.services import HotelError, JourneyFields, StayWishes
from conference.registration.services import current_notice, find_by_token

bp = Blueprint("hotels_guest", __name__)

CLOSED = ("cancelled", "rejected")  # registrations that can no longer ask for anything
OPEN = ("requested", "waitlisted")  # a request the attendee may still change

STATUS_LABELS = {
    "requested": _l("Requested"),
    "waitlisted": _l("On the waiting list"),
    "assigned": _l("Room assigned"),
    "confirmed": _l("Confirmed by the hotel"),
}
ROOM_KIND_LABELS = {
    "king": _l("King room: one large bed"),
    "twin": _l("Twin room: two beds, can be shared"),
    "suite": _l("Suite"),
}
MODE_LABELS = {"air": _l("By air"), "rail": _l("By train"), "road": _l("By road")}
DIRECTION_LABELS = {"arrival": _l("Arrival"), "departure": _l("Departure")}
# A journey's fields as the form names them, after its direction (arrival_at, departure_number).
JOURNEY_FIELDS = ("at", "mode", "number", "place_id")
CONSENT_FIELDS = {"travel_consent": "consent_travel"}  # anything else: above the form


def _own(token: str):
    registration = find_by_token(token)
    if registration is None:
        abort(404)
    return registration


def _traveller(person) -> Traveller | None:
    """The person's record without making one: a GET writes nothing."""
    return db.session.execute(select(Traveller).where(Traveller.person_id == person.id)).scalar_one_or_none()


def journeys_of(person) -> dict[str, Journey]:
    return {journey.direction: journey for journey in db.session.execute(
        select(Journey).where(Journey.person_id == person.id)).scalars()}


def travel_places(edition) -> list[TravelPlace]:
    return list(db.session.execute(
        select(TravelPlace).where(TravelPlace.edition_id == edition.id)
        .order_by(TravelPlace.position, TravelPlace.code)).scalars())


def roommates(stay: Stay) -> list:
    """Who shares the room of a placed stay: the holder when the stay shares another's twin
    room, else those sharing it."""
    if stay.status not in HOLDING:
        return []
    if stay.shares_with is not None:
        return [stay.shares_with.person]
    return [sharer.person for sharer in db.session.execute(
        select(Stay).where(Stay.shares_with_id == stay.id, Stay.status.in_(HOLDING))).scalars()]


def recipients(person) -> list[str]:
    """The hotels that may receive the person's stay (PIPL art. 23 names the recipients): those
    of the kind their category stays in, or the ones they are placed in."""
    kind = services.kind_for(person.edition, person.category)
    placed = {stay.hotel_id for stay in services.stays_of_person(person) if stay.hotel_id}
    return [hotel.name for hotel in services.hotels_of(person.edition) if hotel.kind == kind or hotel.id in placed]


def forget_journey(journey: Journey) -> None:
    """The attendee emptied their arrival or departure on the form: it is no longer kept."""
    audit.record("journey.delete", journey, detail={"direction": journey.direction})
    db.session.delete(journey)


@dataclass
class Rooms:
    """Where the attendee stands with hotel rooms: the request they may still change, the
    stays already placed, and whether they may ask at all."""

    open: Stay | None
    placed: list[Stay] = field(default_factory=list)
    may_ask: bool = False


def rooms_of(person) -> Rooms:
    stays = services.stays_of_person(person)
    open_stay = next((stay for stay in stays if stay.status in OPEN), None)
    placed = [stay for stay in stays if stay.status in HOLDING]
    may_ask = open_stay is not None or (not placed and services.offers_accommodation(person.edition, person.category))
    return Rooms(open_stay, placed, may_ask)


# The card on the private page -----------------------------------------------------------------


def _roommate_code(person) -> str:
    """The person's roommate code, made (and committed) the first time the card is seen; two
    first views at once make one code (the second insert fails and reads the first's)."""
    for _attempt in range(3):
        record = _traveller(person)
        if record is not None:
            return record.roommate_code
        try:
            return committed(lambda: services.traveller(person).roommate_code)
        except IntegrityError:
            db.session.rollback()
    return _traveller(person).roommate_code


def _map_url(hotel) -> str | None:
    """The hotel's map image, when the hotel has one and the organizers' pages serve it."""
    if not hotel.map_file or "hotels.map_image" not in current_app.view_functions:
        return None
    try:
        return url_for("hotels.map_image", year=hotel.edition.year, hotel_id=hotel.id)
    except BuildError:
        return None


def shuttles_for(stay: Stay) -> list:
    """The shuttle runs calling at the stay's hotel on the days the person is there."""
    edition = stay.hotel.edition
    return [run for run in services.shuttles_from(stay.hotel)
            if stay.check_in <= local_day(edition, run.departs_at) <= stay.check_out]


def travel_of(person) -> dict:
    """The person's room request and placed stays, each with its roommates, map and shuttles,
    and their arrival and departure: what the card and the personal agenda show."""
    rooms = rooms_of(person)
    stays = ([rooms.open] if rooms.open else []) + rooms.placed
    return {
        "rooms": rooms,
        "stays": [{"stay": stay, "roommates": roommates(stay),
                   "map_url": _map_url(stay.hotel) if stay.hotel else None,
                   "shuttles": shuttles_for(stay) if stay.hotel and stay.status in HOLDING else []}
                  for stay in sorted(stays, key=lambda stay: stay.check_in)],
        "journeys": journeys_of(person),
    }


LABELS = {"statuses": STATUS_LABELS, "kinds": ROOM_KIND_LABELS, "modes": MODE_LABELS, "directions": DIRECTION_LABELS}


def card(registration, **page) -> dict:
    """For the hotel card on the attendee's own page (the section in conference/hotels/__init__.py)."""
    if registration.status in CLOSED:
        return {"hotel_card": None}
    person = registration.person
    code = _roommate_code(person)
    return {"hotel_card": {"code": code, **travel_of(person), "labels": LABELS}}


# The request page -----------------------------------------------------------------------------


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class StayRequestForm(ConferenceForm):
    need_room = BooleanField(_l("I need a hotel room"))
    check_in = SelectField(_l("First night"), coerce=_day)
    check_out = SelectField(_l("Leaving day"), coerce=_day,
                            description=_l("The morning you leave the hotel."))
    room_kind = RadioField(_l("Room"), choices=[SelectChoice(k, v) for k, v in ROOM_KIND_LABELS.items()], default="king")
    roommate_code = StringField(
        _l("Your roommate's code (optional)"), validators=[Length(max=20)],
        description=_l("To share a twin room, ask your colleague for the roommate code on their own page."))
    not_with_code = StringField(
        _l("Not in a room with (their roommate code, optional)"), validators=[Length(max=20)])
    accessible = BooleanField(_l("I need an accessible room"))
    non_smoking = BooleanField(_l("Non-smoking room"), default=True)
    late_arrival = BooleanField(_l("I arrive at the hotel after 18:00"))
    note = TextAreaField(_l("Anything else the hotel should know (optional)"), validators=[Length(max=1000)])

    arrival_at = DateTimeLocalField(_l("Arriving on"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                    validators=[Optional()])
    arrival_mode = SelectField(_l("How"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()], default="air")
    arrival_number = StringField(_l("Flight or train number"), validators=[Length(max=20)])
    arrival_place_id = SelectField(_l("Airport or station"), coerce=optional_row_id, validate_choice=False)
    arrival_pickup = BooleanField(_l("Please meet me there"))
    departure_at = DateTimeLocalField(_l("Leaving on"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                      validators=[Optional()])
    departure_mode = SelectField(_l("How"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()], default="air")
    departure_number = StringField(_l("Flight or train number"), validators=[Length(max=20)])
    departure_place_id = SelectField(_l("Airport or station"), coerce=optional_row_id, validate_choice=False)
    departure_pickup = BooleanField(_l("Please take me there"))

    consent_travel = BooleanField(_l("I agree separately that my travel details and my hotel stay are kept "
                                     "and used to house me and meet me, as explained above."))
    consent_document = BooleanField(_l("I agree separately that my identity document type and number are sent "
                                       "to my hotel before I arrive, as explained above."))


def _prepare(form: StayRequestForm, person, stay: Stay | None) -> None:
    """The nights around the conference, and those of the request being changed (the
    organizers may have set others), so that saving never moves them unasked; the kinds of
    room the hotels for the person's category have (a suite is not offered where none is)."""
    edition = person.edition
    kinds = services.room_kinds_offered(edition, person.category) | ({stay.room_kind} if stay else set())
    if kinds:
        form.room_kind.choices = [SelectChoice(k, v) for k, v in ROOM_KIND_LABELS.items() if k in kinds]
    nights = services.conference_nights(edition)
    firsts = {*nights, *([stay.check_in] if stay else [])}
    leavings = {*(night + timedelta(days=1) for night in nights), *([stay.check_out] if stay else [])}
    form.check_in.choices = [SelectChoice(day, day_label(day)) for day in sorted(firsts)]
    form.check_out.choices = [SelectChoice(day, day_label(day)) for day in sorted(leavings)]
    places = [SelectChoice("", "—")] + [SelectChoice(str(place.id), place.name) for place in travel_places(edition)]
    form.arrival_place_id.choices = form.departure_place_id.choices = places


def _fill(form: StayRequestForm, person, rooms: Rooms) -> None:
    """What is kept already, for a first look at the page."""
    stay = rooms.open
    if stay is not None:
        form.need_room.data = True
        form.check_in.data, form.check_out.data, form.room_kind.data = stay.check_in, stay.check_out, stay.room_kind
        form.roommate_code.data = _code_of(stay.roommate_wish)
        form.not_with_code.data = _code_of(stay.not_with)
        form.accessible.data, form.non_smoking.data = stay.accessible, stay.non_smoking
        form.late_arrival.data, form.note.data = stay.late_arrival, stay.note
    else:
        form.need_room.data = rooms.may_ask
        nights = services.conference_nights(person.edition)
        form.check_in.data, form.check_out.data = nights[0], nights[-1] + timedelta(days=1)
    for direction, journey in journeys_of(person).items():
        getattr(form, f"{direction}_at").data = form_local(person.edition, journey.at)
        getattr(form, f"{direction}_mode").data = journey.mode
        getattr(form, f"{direction}_number").data = ""  # sealed: never sent back to the browser
        getattr(form, f"{direction}_place_id").data = journey.place_id
        getattr(form, f"{direction}_pickup").data = journey.needs_pickup
    record = _traveller(person)
    form.consent_travel.data = bool(record and record.travel_consent_at)
    form.consent_document.data = bool(record and record.document_consent_at)


def _code_of(person) -> str:
    record = _traveller(person) if person is not None else None
    return record.roommate_code if record else ""


def _save(token: str, form: StayRequestForm) -> str:
    """Everything the form asks for in one transaction, or nothing; every refusal at once.
    Returns what to tell the attendee."""
    registration = _own(token)
    if registration.status in CLOSED:
        raise HotelError(_("Your registration is closed: there is nothing to arrange."))
    person, edition = registration.person, registration.edition
    rooms = rooms_of(person)
    record = services.traveller(person)
    had_consent = record.travel_consent_at is not None
    wants_room = rooms.may_ask and form.need_room.data
    journeys = journeys_of(person)
    typed = [direction for direction in DIRECTIONS if getattr(form, f"{direction}_at").data]
    if not form.consent_travel.data:
        if had_consent:  # withdrawn: the travel details go, and a request not yet placed
            services.give_travel_consent(person, False, form.consent_document.data)
            if rooms.open is not None:
                services.cancel_stay(rooms.open, tell=False)
            return _("Your consent is withdrawn: your travel details are deleted and any room request not yet arranged is cancelled.")
        if wants_room or typed:
            raise HotelError(_("Tick this box to keep your travel details or to ask for a room: "
                               "without it we may keep neither."), "consent_travel")
        services.give_travel_consent(person, False, form.consent_document.data)
        return _("Your choices are saved.")
    services.give_travel_consent(person, True, form.consent_document.data)
    errors = {}
    if wants_room:
        stay = rooms.open
        wishes = StayWishes(
            check_in=form.check_in.data, check_out=form.check_out.data, room_kind=form.room_kind.data,
            roommate_code=form.roommate_code.data or "", not_with_code=form.not_with_code.data or "",
            accessible=form.accessible.data, non_smoking=form.non_smoking.data, late_arrival=form.late_arrival.data,
            payer=stay.payer if stay else "conference", note=form.note.data or "")
        try:
            services.request_stay(person, wishes, stay)
        except HotelError as error:
            errors.update({name or "need_room": message for name, message in error.errors.items()})
    elif rooms.open is not None:  # unticked: the request is no longer wanted
        services.cancel_stay(rooms.open, tell=False)
    for direction in DIRECTIONS:
        if direction not in typed:
            if direction in journeys:
                forget_journey(journeys[direction])
            continue
        typed_at = getattr(form, f"{direction}_at").data
        if not services.around_conference(edition, typed_at.date()):
            errors[f"{direction}_at"] = _("Choose a day around the conference.")
            continue
        fields = JourneyFields(
            direction=direction, at=form_utc(edition, typed_at),
            mode=getattr(form, f"{direction}_mode").data, number=getattr(form, f"{direction}_number").data or "",
            place_id=getattr(form, f"{direction}_place_id").data, needs_pickup=getattr(form, f"{direction}_pickup").data)
        if not fields.number and direction in journeys and journeys[direction].number_sealed:
            fields.number = services.journey_number(journeys[direction])  # left empty: the kept number stays
        try:
            services.save_journey(person, fields)
        except HotelError as error:
            errors.update({f"{direction}_{name}" if name in JOURNEY_FIELDS else CONSENT_FIELDS.get(name): message
                           for name, message in error.errors.items()})
    if errors:
        raise HotelError(errors=errors)  # committed() rolls back what was done before
    return _("Saved. We write to you when your room is arranged.") if wants_room else _("Your travel details are saved.")


@bp.route("/r/<token>/hotel", methods=["GET", "POST"])
def request_page(token):
    registration = _own(token)
    if registration.status in CLOSED:
        flash(_("Your registration is closed: there is nothing to arrange."), "error")
        return redirect(url_for("registration.own_page", token=token), 303)
    person, edition = registration.person, registration.edition
    form = StayRequestForm()
    rooms = rooms_of(person)
    _prepare(form, person, rooms.open)
    if not form.is_submitted():
        _fill(form, person, rooms)
    elif form.validate():
        try:
            said = committed(lambda: _save(token, form))
        except HotelError as error:
            for name, message in error.errors.items():
                target = getattr(form, name or "", None)
                if target is None:
                    form.form_errors.append(message)
                else:
                    target.errors = [*target.errors, message]
        else:
            flash(said, "success")
            return redirect(url_for("registration.own_page", token=token), 303)
        rooms = rooms_of(person)
    journeys = journeys_of(person)
    for direction, journey in journeys.items():
        if journey.number_sealed:
            getattr(form, f"{direction}_number").description = _("Leave empty to keep the number you gave.")
    record = _traveller(person)
    notice = current_notice(edition)
    has_errors = bool(form.errors or form.form_errors)
    return render_template(
        "hotels/attendee/request.html", registration=registration, edition=edition, token=token, form=form,
        rooms=rooms, own_code=record.roommate_code if record else None,
        retention_days=notice.retention_days if notice else None, had_consent=bool(record and record.travel_consent_at),
        labels={"statuses": STATUS_LABELS, "kinds": ROOM_KIND_LABELS}, recipients=recipients(person),
    ), 422 if has_errors else 200


@bp.route("/r/<token>/hotel/data.json")
def own_data(token):
    """The attendee's stays and journeys, for their own download (PIPL art. 45): the
    registration's download does not reach into hotels. Unsealing the numbers is logged."""
    def collect():
        person = _own(token).person
        record = _traveller(person)
        return {
            "roommate_code": record.roommate_code if record else None,
            "travel_consent_at": record.travel_consent_at.isoformat() if record and record.travel_consent_at else None,
            "document_to_hotel_consent_at": (record.document_consent_at.isoformat()
                                             if record and record.document_consent_at else None),
            "stays": [{
                "status": stay.status, "hotel": stay.hotel.name if stay.hotel else None,
                "room": stay.room_kind, "check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
                "accessible": stay.accessible, "non_smoking": stay.non_smoking, "late_arrival": stay.late_arrival,
                "note": stay.note, "sharing_with": [other.display_name for other in roommates(stay)],
            } for stay in db.session.execute(
                select(Stay).where(Stay.person_id == person.id).order_by(Stay.check_in)).scalars()],
            "journeys": [{
                "direction": journey.direction, "at": journey.at.isoformat(), "mode": journey.mode,
                "number": pii.reveal(journey, "number_sealed", "data subject access") if journey.number_sealed else None,
                "place": journey.place.name if journey.place else None, "needs_pickup": journey.needs_pickup,
            } for journey in journeys_of(person).values()],
        }

    body = json.dumps(committed(collect), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-hotel-and-travel.json"'})
