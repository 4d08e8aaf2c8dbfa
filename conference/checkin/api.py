"""The scanner's JSON API. Devices authenticate with `Authorization: Bearer <device token>`;
a bad or unpaired token is 401, a body of the wrong shape 422, never a 500."""

from datetime import UTC, datetime
from typing import Literal

from flask import Blueprint, abort, jsonify, request, send_file
from flask_babel import gettext as _
from pydantic import BaseModel, Field, ValidationError
from spectree import Response as ApiResponse

from conference.checkin import services
from conference.checkin.models import RESULTS
from conference.checkin.services import ScanError
from conference.core.api import documented, field_errors, field_messages, json_response
from conference.core.database import committed
from conference.extensions import api, db
from conference.people.services import photo_path

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1/checkin")
BEARER = {"device": []}
BATCH_LIMIT = 500


class ScanIn(BaseModel):
    payload: str = Field(..., max_length=400, description="The text of the badge's QR code.")
    client_scan_id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                                description="Made by the scanner, unique per scan: the same scan sent twice counts once.")
    scanned_at: datetime | None = Field(None, description="When the badge was scanned, by the device's clock (UTC if no offset).")
    kind: Literal["entry", "exit", "print", "lookup"] = "entry"


class LateScanIn(ScanIn):
    offline_result: Literal[RESULTS] | None = Field(  # type: ignore[valid-type]
        None, description="What the scanner decided while offline; an admission the server refuses as already inside is flagged as a conflict.")


class BatchIn(BaseModel):
    scans: list[LateScanIn] = Field(..., max_length=BATCH_LIMIT)


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


class BatchOut(BaseModel):
    answers: list[ScanOut]


class PairIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=64)


class PairOut(BaseModel):
    token: str
    device: dict
    checkpoint: dict


class Problem(BaseModel):
    error: str


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


def _unauthorized():
    response = jsonify({"error": _("This scanner is not paired, or it has been unpaired.")})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="scanner"'
    abort(response)


def _device():
    """The paired device of the bearer token, or 401."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    device = services.device_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if device is None:
        _unauthorized()
    return device


def _device_then_fields(req, resp, req_validation_error, instance, model_adapter=None) -> None:
    """A caller without a valid token hears 401 whatever it sent; a paired device with a
    malformed body hears 422."""
    if req_validation_error is None or resp is None:
        return
    _device()
    field_errors(req, resp, req_validation_error, instance, model_adapter)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _one(device, item: ScanIn, offline_result: str | None = None) -> dict:
    scanned_at = _utc(item.scanned_at)
    answer = services.scan_now(item.payload, device.checkpoint_id, device, item.client_scan_id, scanned_at,
                               item.kind, offline_result)
    return answer.as_json()


def _refused(error: ScanError):
    response = jsonify({"errors": {error.field or "body": str(error.message)}})
    response.status_code = 422
    return response


@bp.route("/pair", methods=["POST"])
@api.validate(json=PairIn, resp=ApiResponse(HTTP_200=PairOut, HTTP_404=Problem, HTTP_422=None),
              tags=["check-in"], before=field_errors)
def pair(json: PairIn):
    """Exchange the one-time code of a pairing QR for this device's token (once, within 30 minutes)."""
    paired = committed(lambda: services.pair(json.code))
    if paired is None:
        return jsonify({"error": _("This pairing code is unknown, used or expired. Ask for a new pairing QR.")}), 404
    device, token = paired
    checkpoint = device.checkpoint
    return jsonify({"token": token, "device": {"id": device.id, "name": device.name},
                    "checkpoint": {"id": checkpoint.id, "code": checkpoint.code, "name": checkpoint.name}})


@bp.route("/snapshot")
@api.validate(resp=ApiResponse(HTTP_200=SnapshotOut, HTTP_401=Problem), tags=["check-in"], security=BEARER)
def snapshot():
    """What the scanner needs to decide offline: the edition's public key, this entrance's rules,
    each badge's version, category and status, and who is inside."""
    device = _device()
    body = services.snapshot(device)
    db.session.commit()  # the device's last_seen_at
    return jsonify(body)


@bp.route("/scans", methods=["POST"])
@documented(json=ScanIn, resp=ApiResponse(HTTP_200=ScanOut, HTTP_401=Problem, HTTP_422=None),
            tags=["check-in"], security=BEARER)
def scan():
    """Decide one scan at this device's checkpoint: admitted, already_inside, not_allowed_here,
    outside_hours, revoked, superseded, wrong_edition, invalid (or left, for an exit)."""
    # The busiest endpoint of the conference reads its body itself: the same model and the
    # same 422, without spectree's wrapper (see `documented`).
    device = _device()
    try:
        item = ScanIn.model_validate_json(request.get_data())
    except ValidationError as error:
        return json_response({"errors": field_messages(error.errors())}, 422)
    try:
        return json_response(_one(device, item))
    except ScanError as error:
        return _refused(error)


@bp.route("/scans:batch", methods=["POST"])
@api.validate(json=BatchIn, resp=ApiResponse(HTTP_200=BatchOut, HTTP_401=Problem, HTTP_422=None),
              tags=["check-in"], security=BEARER, before=_device_then_fields)
def scan_batch(json: BatchIn):
    """The offline queue, sent when the network returns: each scan keeps its device time and is
    recorded once, however often it is sent."""
    device = _device()
    answers = []
    for item in json.scans:
        try:
            answers.append(_one(device, item, item.offline_result))
        except ScanError as error:
            return _refused(error)
    return jsonify({"answers": answers})


@bp.route("/photos/<id:badge_id>")
def photo(badge_id):
    """The holder's photo, for the green screen (devices only, their own edition)."""
    device = _device()
    found = services.photo_of(device, badge_id) or abort(404)
    response = send_file(photo_path(found), mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
