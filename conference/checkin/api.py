"""The scanner's JSON API. Devices authenticate with `Authorization: Bearer <device token>`.

Every answer is a result or a 4xx naming what is wrong, never a 500: a body that is not JSON is
415, JSON that does not parse 400, JSON of the wrong shape 422 with one message a field in the
volunteer's language; a bad token is 401, and an unpaired phone's token is accepted only for
the scans it made before it was unpaired. The offline batch answers each of its items on its
own. Every call may say how many scans the phone still has to send (X-Scanner-Queue)."""

import json
from datetime import datetime
from typing import Any, Literal

from flask import Blueprint, abort, current_app, g, jsonify, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from spectree import Response as ApiResponse

from conference.checkin import services
from conference.checkin.models import RESULTS
from conference.checkin.services import PairedDevice, ScanError
from conference.core import clock
from conference.core.api import BAD_JSON, documented, json_response, validated
from conference.core.database import committed
from conference.editions.localtime import local
from conference.editions.models import Edition
from conference.extensions import db
from conference.people.services import photo_path

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1/checkin")
BEARER = {"device": []}
BATCH_LIMIT = 500
QUEUE_HEADER = "X-Scanner-Queue"
SYNCS = {"checkin_api.snapshot", "checkin_api.scan", "checkin_api.scan_batch"}  # a 2xx answer is a sync


class ScanIn(BaseModel):
    payload: str = Field(..., max_length=400, description="The text of the badge's QR code.")
    client_scan_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                                description="Made by the scanner, unique per scan of this device: the same scan sent twice counts once.")
    scanned_at: datetime | None = Field(None, description="When the badge was scanned, by the device's clock (UTC if no offset). "
                                        "A time before 2000 or more than a day ahead is taken as the server's.")
    kind: Literal["entry", "exit", "print", "lookup"] = "entry"

    @field_validator("scanned_at", mode="before")
    @classmethod
    def _a_time_not_a_number(cls, value):
        # pydantic reads a number as seconds since 1970: a scanner that sends one has a bug,
        # and recording its scan at some guessed moment would hide it.
        if isinstance(value, int | float):
            raise ValueError("a time, not a number")
        return value


class LateScanIn(ScanIn):
    offline_result: Literal[RESULTS] | None = Field(  # type: ignore[valid-type]
        None, description="What the scanner decided while offline; an admission the server refuses as already inside is flagged as a conflict.")


class BatchIn(BaseModel):
    # Any item is accepted into the batch and answered on its own: a scan, or its errors.
    scans: list[LateScanIn | Any] = Field(..., max_length=BATCH_LIMIT, description=(
        "Up to 500 scans, each checked on its own: an item that is not a valid scan (not an object, a field "
        "missing or of the wrong type, a payload over 400 characters) is answered with its errors and the "
        "others are recorded all the same."))


class _Envelope(BaseModel):
    """The batch as it is read: the items are checked one by one afterwards."""

    scans: list[Any] = Field(..., max_length=BATCH_LIMIT)


class PersonOut(BaseModel):
    name: str
    latin_name: str
    category: str
    organisation: str
    serial: str
    badge_id: int
    photo: bool


class ScanOut(BaseModel):
    result: Literal[RESULTS]  # type: ignore[valid-type]
    why: str = Field(description="The reason's key: not_a_badge, malformed, bad_signature, unknown, wrong_edition, superseded, revoked, category, zone, session, hours, reentry, or empty.")
    reason: str = Field(description="Why, in the volunteer's language (Accept-Language or ?lang=).")
    person: PersonOut | None
    scan_id: int
    repeated: bool
    conflict: bool
    training: str | None = Field(None, description=(
        "At a training's checkpoint, a volunteer booked on the training on now: that their attendance is taken."))


class ScanAnswer(ScanOut):
    """A batch item that was a scan: its result, and its id."""

    client_scan_id: str


class ItemRefused(BaseModel):
    """A batch item that was not recorded, and why. It has no `result`."""

    model_config = ConfigDict(extra="forbid")

    client_scan_id: str | None = Field(description="The item's client_scan_id if it sent one as a string, else null.")
    errors: dict[str, str] = Field(description=(
        "One message a field, in the volunteer's language: payload, client_scan_id, scanned_at, kind, "
        "offline_result, body (the item is not an object), or token (the device was unpaired before this scan)."))


class BatchOut(BaseModel):
    answers: list[ScanAnswer | ItemRefused] = Field(description="One answer for each item sent, in the same order.")


class PairIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=64)


class PairOut(BaseModel):
    token: str
    device: dict
    checkpoint: dict


class Problem(BaseModel):
    error: str


class Errors(BaseModel):
    errors: dict[str, str] = Field(description="One message a field (or `body`), in the reader's language.")


class SnapshotOut(BaseModel):
    edition: int
    public_key: str | None
    checkpoint: dict
    rule: dict
    badges: dict
    inside: list[int]
    entered: list[int]
    reasons: dict
    generated_at: str


class ScannerHeaders(BaseModel):
    # Any text is accepted (and all but a plain number ignored), so the document says string.
    queue: str = Field("", alias=QUEUE_HEADER, description=(
        "How many scans the phone still has to send, sent with every call; the organizers' device list "
        "shows it. Anything but a plain number is ignored."))


REFUSALS = {"HTTP_400": Errors, "HTTP_415": Errors, "HTTP_422": Errors}


# Who is calling -------------------------------------------------------------------------------


def _unauthorized(message=None):
    response = jsonify({"error": str(message or _("This scanner is not paired, or it has been unpaired."))})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="scanner"'
    abort(response)


def _device(unpaired: bool = False) -> PairedDevice:
    """The device of the bearer token, or 401. An unpaired device only where `unpaired` says
    so (the scans it may still deliver are its callers' to check, see services.accepts). A
    volunteer's shift token only within its window, by the server's clock, on every path."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    device = services.device_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if device is not None:
        g.scanner_device = device  # it said how many scans it holds, even if refused here
    if device is None or (device.revoked_at is not None and not unpaired):
        _unauthorized()
    if not device.in_window(clock.now()):
        _unauthorized(outside_window(device))
    return device


def outside_window(device: PairedDevice) -> str:
    """Why a volunteer's shift token is refused now."""
    if device.valid_from is not None and clock.now() < device.valid_from:
        return _("This phone's scanning rights begin at %(time)s, half an hour before the shift.",
                 time=_local_time(device.edition_id, device.valid_from))
    return _("This phone's scanning rights ended at %(time)s, half an hour after the shift. Open the scanner page again "
             "signed in for your next shift.", time=_local_time(device.edition_id, device.valid_until))


def _local_time(edition_id: int, moment: datetime) -> str:
    return local(db.session.get(Edition, edition_id), moment).strftime("%m-%d %H:%M")


bearer_device = _device  # the same check for the volunteers' endpoints (volunteer_api.py)


@bp.after_request
def _note_health(response):
    device = g.get("scanner_device")
    if device is not None:
        services.note_health(device, services.queue_length(request.headers.get(QUEUE_HEADER)),
                             synced=200 <= response.status_code < 300 and request.endpoint in SYNCS)
    return response


# Reading bodies -------------------------------------------------------------------------------


# Lazy: looked up in the reader's language only for a scan that is refused, so a good scan,
# the gate's busiest answer, spends nothing on them.
SCAN_MESSAGES = {
    "payload": _l("This code is not a conference badge."),
    "client_scan_id": _l("Every scan needs its own id: up to 64 letters, digits, dots, colons, hyphens or underscores."),
    "scanned_at": _l("The time of the scan cannot be read; send it as 2025-07-18T09:30:00+08:00."),
    "kind": _l("Unknown kind of scan."),
    "offline_result": _l("Unknown offline result."),
}


def _messages(problems: list[dict], messages: dict, whole) -> dict[str, str]:
    """pydantic's errors as {field: message}, a message for each field the phone can show; a
    body that is not an object is `body`, with `whole`."""
    errors = {}
    for problem in problems:
        field = str(problem["loc"][0]) if problem.get("loc") else "body"
        errors[field] = str(messages.get(field) or (whole if field == "body" else _("This value is not valid.")))
    return errors


def _refuse(errors: dict[str, str], status: int):
    abort(json_response({"errors": errors}, status))


def _read(model: type[BaseModel], messages: dict[str, str], whole):
    """The body as `model`, or the answer that refuses it: 415 if it is not JSON (form fields, a
    file, plain text, nothing), 400 if it does not parse, 422 naming each field that is wrong."""
    if not request.is_json:
        _refuse({"body": _("Send the body as JSON, with Content-Type: application/json.")}, 415)
    try:
        return validated(model, request.get_data())
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
    if any(problem["type"] == BAD_JSON for problem in problems):
        _refuse({"body": _("The body is not valid JSON.")}, 400)
    _refuse(_messages(problems, messages, whole), 422)


def _one(device: PairedDevice, item: ScanIn, offline_result: str | None = None) -> dict:
    answer = services.scan_now(item.payload, device.checkpoint_id, device, item.client_scan_id, item.scanned_at,
                               item.kind, offline_result)
    return answer.as_json()


def _refused(error: ScanError):
    return json_response({"errors": error.by_field("body")}, 422)


# The endpoints ---------------------------------------------------------------------------------


@bp.route("/pair", methods=["POST"])
@documented(json=PairIn, resp=ApiResponse(HTTP_200=PairOut, HTTP_404=Problem, **REFUSALS), tags=["check-in"])
def pair():
    """Exchange the one-time code of a pairing QR for this device's token (once, within 30 minutes)."""
    body = _read(PairIn, {}, _("Send the pairing code as a JSON object."))
    paired = committed(lambda: services.pair(body.code))
    if paired is None:
        return jsonify({"error": _("This pairing code is unknown, used or expired. Ask for a new pairing QR.")}), 404
    device, token = paired
    checkpoint = device.checkpoint
    return jsonify({"token": token, "device": {"id": device.id, "name": device.name},
                    "checkpoint": {"id": checkpoint.id, "code": checkpoint.code, "name": checkpoint.name}})


@bp.route("/snapshot")
@documented(headers=ScannerHeaders, resp=ApiResponse(HTTP_200=SnapshotOut, HTTP_401=Problem), tags=["check-in"],
            security=BEARER)
def snapshot():
    """What the scanner needs to decide offline: the edition's public key, this entrance's rules,
    each badge's version, category and status, and who is inside."""
    return jsonify(services.snapshot(_device()))


@bp.route("/scans", methods=["POST"])
@documented(json=ScanIn, headers=ScannerHeaders, resp=ApiResponse(HTTP_200=ScanOut, HTTP_401=Problem, **REFUSALS),
            tags=["check-in"], security=BEARER)
def scan():
    """Decide one scan at this device's checkpoint: admitted, already_inside, not_allowed_here,
    outside_hours, revoked, superseded, wrong_edition, invalid (or left, for an exit). The token
    of an unpaired device is 401, except for a scan made before the unpairing."""
    # The busiest endpoint of the conference reads its body itself: the same model, without
    # spectree's wrapper (see `documented`).
    device = _device(unpaired=True)
    item = _read(ScanIn, SCAN_MESSAGES, _l("Send one scan as a JSON object."))
    if not services.accepts(device, item.scanned_at):
        _unauthorized()
    try:
        return json_response(_one(device, item))
    except ScanError as error:
        return _refused(error)


def _batch_item(device: PairedDevice, raw: Any, messages: dict) -> dict:
    """One item of a batch, answered on its own: its result, or its errors and no result."""
    sent_id = raw.get("client_scan_id") if isinstance(raw, dict) else None
    sent_id = sent_id if isinstance(sent_id, str) else None
    try:
        item = LateScanIn.model_validate(raw)
    except ValidationError as error:
        errors = _messages(error.errors(include_url=False, include_input=False), messages,
                           _l("Each scan in the batch must be a JSON object."))
        return {"client_scan_id": sent_id, "errors": errors}
    if not services.accepts(device, item.scanned_at):
        return {"client_scan_id": sent_id, "errors": {
            "token": _("This phone had been unpaired when it made this scan: the scan is not recorded.")}}
    try:
        return {**_one(device, item, item.offline_result), "client_scan_id": item.client_scan_id}
    except ScanError as error:
        return {"client_scan_id": sent_id, "errors": error.by_field("body")}


@bp.route("/scans:batch", methods=["POST"])
@documented(json=BatchIn, headers=ScannerHeaders, resp=ApiResponse(HTTP_200=BatchOut, HTTP_401=Problem, **REFUSALS),
            tags=["check-in"], security=BEARER)
def scan_batch():
    """The offline queue, sent when the network returns: each scan keeps its device time and is
    recorded once, however often it is sent. Each item is answered on its own, in order: a scan's
    result with its client_scan_id, or the item's errors (no result) when it is not a valid scan
    or was made after its device was unpaired. Only a body that is not an object holding a list
    of at most 500 scans is refused whole."""
    device = _device(unpaired=True)
    envelope = _read(_Envelope, {"scans": _("Send the scans as a list of at most %(limit)s.", limit=BATCH_LIMIT)},
                     _("Send the batch as a JSON object with a list of scans."))
    answers = [_batch_item(device, raw, SCAN_MESSAGES) for raw in envelope.scans]
    # In ASCII: an item's id is sent back as it came, a lone surrogate included.
    return current_app.response_class(json.dumps({"answers": answers}), mimetype="application/json")


@bp.route("/photos/<id:badge_id>")
def photo(badge_id):
    """The holder's photo, for the green screen (devices only, their own edition)."""
    device = _device()
    found = services.photo_of(device, badge_id) or abort(404)
    response = send_file(photo_path(found), mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
