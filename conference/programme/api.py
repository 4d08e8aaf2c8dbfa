"""The programme as data: JSON, iCalendar and frab XML under /api/v1, public and cached."""

import hashlib
from collections import OrderedDict
from threading import Lock
from typing import Literal

from flask import Blueprint, Response, abort, jsonify, request
from pydantic import BaseModel, Field
from spectree import Response as ApiResponse

from conference.core.i18n import current_locale
from conference.editions.views import edition_or_404
from conference.extensions import api
from conference.programme import exports, services
from conference.programme.models import SESSION_KINDS

bp = Blueprint("programme_api", __name__, url_prefix="/api/v1/editions/<year:year>")

CACHE_SECONDS = 60
BODY_CACHE_SIZE = 64
# Bodies by ETag: the ETag changes whenever the programme does, so a hit is always current.
_bodies: OrderedDict[str, bytes] = OrderedDict()
_bodies_lock = Lock()


class ProgrammeQuery(BaseModel):
    lang: Literal["zh_Hans", "zh_Hant", "en", "zh_Hans_CN", "zh_Hant_TW"] | None = Field(
        None, description="Language of titles and labels; default from Accept-Language."
    )
    kind: Literal[SESSION_KINDS] | None = Field(None, description="Only sessions of this kind.")  # type: ignore[valid-type]


class LangQuery(BaseModel):
    lang: Literal["zh_Hans", "zh_Hant", "en", "zh_Hans_CN", "zh_Hant_TW"] | None = None


class SpeakerOut(BaseModel):
    id: int | None
    name: str
    name_original: str
    organisation: str
    title: str
    role: str
    url: str | None


class ItemOut(BaseModel):
    id: int
    uid: str
    kind: str
    kind_label: str
    title: str
    release: str | None
    starts_at: str | None
    ends_at: str | None
    speakers: list[SpeakerOut]


class SessionOut(BaseModel):
    id: int
    uid: str
    kind: str
    kind_label: str
    number: int | None
    title: str
    theme: str | None
    description: str | None
    host_organisation: str | None
    access: str
    starts_at: str | None
    ends_at: str | None
    venue: str | None
    hall: str | None
    url: str
    items: list[ItemOut]


class EditionOut(BaseModel):
    year: int
    title: str
    theme: str | None
    city: str
    starts_on: str
    ends_on: str
    timezone: str


class ProgrammeOut(BaseModel):
    edition: EditionOut
    language: str
    sessions: list[SessionOut]


def _etag(edition, *parts) -> str:
    key = "|".join([services.programme_version(edition), current_locale(), request.path, *map(str, parts)])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _cached(etag: str, build, mimetype: str, filename: str | None = None) -> Response:
    """Answer 304 when the client has this version; otherwise build the body once."""
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        with _bodies_lock:
            body = _bodies.get(etag)
        if body is None:
            built = build()
            body = built.get_data() if isinstance(built, Response) else built
            with _bodies_lock:
                _bodies[etag] = body
                while len(_bodies) > BODY_CACHE_SIZE:
                    _bodies.popitem(last=False)
        response = Response(body, mimetype=mimetype)
        if filename:
            response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.vary.add("Accept-Language")
    return response


@bp.route("/programme")
@api.validate(query=ProgrammeQuery, resp=ApiResponse(HTTP_200=ProgrammeOut), tags=["programme"])
def programme(year):
    """The published programme of an edition.

    Sessions with their agenda items and speakers, times in the host city's time zone.
    """
    edition = edition_or_404(year)
    kind = request.args.get("kind")
    return _cached(
        _etag(edition, kind),
        lambda: jsonify(exports.programme_json(edition, services.programme_sessions(edition, kind=kind))),
        "application/json",
    )


@bp.route("/programme.ics")
@api.validate(query=ProgrammeQuery, resp=ApiResponse("HTTP_200"), tags=["programme"])
def programme_ical(year):
    """The published programme as an iCalendar file (RFC 5545), one event per session."""
    edition = edition_or_404(year)
    kind = request.args.get("kind")
    return _cached(
        _etag(edition, kind),
        lambda: exports.programme_ical(
            edition, services.programme_sessions(edition, kind=kind), edition.title
        ),
        "text/calendar",  # werkzeug adds the charset to text types
        f"programme-{year}.ics",
    )


@bp.route("/sessions/<id:session_id>.ics")
@api.validate(query=LangQuery, resp=ApiResponse("HTTP_200"), tags=["programme"])
def session_ical(year, session_id):
    """One published session as an iCalendar file."""
    edition = edition_or_404(year)
    session = services.get_session(edition, session_id)
    if session is None or not session.is_public or not session.scheduled:
        abort(404)
    return _cached(
        _etag(edition, session_id),
        lambda: exports.programme_ical(edition, [session], f"{edition.title} · {session.title}"),
        "text/calendar",  # werkzeug adds the charset to text types
        f"session-{session_id}.ics",
    )


@bp.route("/schedule.xml")
@api.validate(query=LangQuery, resp=ApiResponse("HTTP_200"), tags=["programme"])
def schedule_xml(year):
    """The published programme in the frab schedule XML that pretalx exports and conference
    apps read."""
    edition = edition_or_404(year)
    etag = _etag(edition)
    return _cached(
        etag, lambda: exports.frab_xml(edition, services.programme_sessions(edition), etag[:12]),
        "application/xml",
    )
