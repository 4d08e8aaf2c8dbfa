"""The volunteers' part of the API, here because it reads scanner device tokens (check-in's)
and volunteers' shifts (a lower domain's): the scanner's shift mode, and a volunteer's own
shifts for their phone. Errors as the scanner API answers them: {"error": text} for who is
calling, {"errors": {field: text}} for a body."""

from datetime import datetime
from typing import Literal

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import BaseModel, Field
from spectree import Response as ApiResponse

from conference.accounts.models import User
from conference.checkin.api import BEARER, REFUSALS, PersonOut, Problem, _read, bearer_device
from conference.checkin.volunteering import SHIFT_RESULTS, shift_json, shift_scan
from conference.core import clock
from conference.core.api import documented, json_response
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.volunteers import services as volunteers

bp = Blueprint("volunteers_api", __name__)
SESSION_OR_BEARER = [{"device": []}, {"session": []}]


class ShiftScanIn(BaseModel):
    payload: str = Field(..., max_length=400, description="The text of the volunteer's badge QR code.")


class ShiftOut(BaseModel):
    shift_id: int
    post: dict = Field(description="The post's code and name.")
    place: str = Field(description="Where: the checkpoint's or the hall's name, or the place the post names.")
    checkpoint: str | None = Field(description="The code of the post's checkpoint, if it has one.")
    starts_at: datetime = Field(description="ISO 8601 with the host city's offset.")
    ends_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int = Field(description="Minutes worked: from check-in to check-out, or a lead's correction.")


class ScannedShift(ShiftOut):
    label: str


class ShiftScanOut(BaseModel):
    result: Literal[SHIFT_RESULTS]  # type: ignore[valid-type]
    reason: str = Field(description="What happened or why not, in the reader's language: \"Checked in 08:02\".")
    person: PersonOut | None
    shift: ScannedShift | None


class MyShift(ShiftOut):
    status: Literal["upcoming", "now", "checked_in", "checked_out", "no_show", "past"]


class MyShiftsOut(BaseModel):
    edition: int
    timezone: str
    volunteer: str = Field(description="The volunteer's name.")
    shifts: list[MyShift]
    total_minutes: int


SHIFT_SCAN_MESSAGES = {"payload": _l("This code is not a conference badge.")}


@bp.route("/api/v1/checkin/shift-scans", methods=["POST"])
@documented(json=ShiftScanIn, resp=ApiResponse(HTTP_200=ShiftScanOut, HTTP_401=Problem, **REFUSALS),
            tags=["check-in"], security=BEARER)
def shift_scans():
    """The scanner's shift mode: a volunteer's badge scanned at a group's desk checks them in to
    the shift on now (from half an hour before it to half an hour after), the next scan out of
    it. Decided online only and not idempotent by design (a scanner never queues it); a second
    scan within two minutes of checking in changes nothing. The badge is checked as any scan
    checks it (signature, edition, version, revocation)."""
    device = bearer_device()
    body = _read(ShiftScanIn, SHIFT_SCAN_MESSAGES, _l("Send one scan as a JSON object."))
    return json_response(committed(lambda: shift_scan(device, body.payload, clock.now())))


def _refuse(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="scanner"'
    abort(response)


def _caller() -> tuple[User, int | None]:
    """The account asking, and the edition its token belongs to (None for a signed-in session).
    A bearer token is the only key when sent: a cookie never stands in for a bad one."""
    if "Authorization" in request.headers:
        device = bearer_device()
        if device.user_id is None:
            _refuse(403, _("This token is a checkpoint's scanner, not a volunteer's phone: it has no shifts."))
        user = db.session.get(User, device.user_id)
        if user is None or not user.active:
            _refuse(401, _("This scanner is not paired, or it has been unpaired."))
        return user, device.edition_id
    if current_user.is_authenticated:
        return current_user, None
    _refuse(401, _("Sign in, or send your shift's device token."))


def _status(place, now, settings) -> str:
    """Where a place stands now: upcoming, now (its window is open), checked_in, checked_out,
    no_show (not checked in the grace after its start), or past."""
    if place.checked_out_at is not None:
        return "checked_out"
    if place.checked_in_at is not None:
        return "checked_in"
    if now < place.shift.starts_at - volunteers.AROUND_SHIFT:
        return "upcoming"
    if volunteers.no_show(place, now, settings):
        return "no_show"
    return "now" if now <= place.shift.ends_at + volunteers.AROUND_SHIFT else "past"


@bp.route("/api/v1/editions/<year:year>/volunteers/me/shifts")
@documented(resp=ApiResponse("HTTP_404", HTTP_200=MyShiftsOut, HTTP_401=Problem, HTTP_403=Problem),
            tags=["volunteers"], security=SESSION_OR_BEARER)
def my_shifts(year):
    """The volunteer's own shifts in time order, with where, when, check-in and check-out and the
    minutes worked; by their signed-in session, or by the device token their shift gave their
    phone. A checkpoint's paired scanner is 403; another edition's token, or an account that is
    no volunteer of this edition, 404."""
    user, token_edition = _caller()
    edition = get_edition(year)
    if edition is None:
        _refuse(404, _("There is no %(year)s edition.", year=year))
    volunteer = volunteers.volunteer_of(user, edition)
    if volunteer is None or (token_edition is not None and token_edition != edition.id):
        _refuse(404, _("You are not a volunteer of the %(year)s edition.", year=edition.year))
    now, settings = clock.now(), volunteers.settings_of(edition)
    places = volunteers.places_of(volunteer)
    shifts = [{**shift_json(place), "status": _status(place, now, settings)} for place in places]
    return json_response({"edition": edition.year, "timezone": edition.timezone, "volunteer": volunteer.name,
                          "shifts": shifts, "total_minutes": sum(s["minutes"] for s in shifts)})
