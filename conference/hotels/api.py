"""Hotels and shuttles as data under /api/v1: public facts only, never a person or a count of
people (who stays where is personal data, PIPL art. 28)."""

from datetime import datetime
from typing import Literal

from flask import Blueprint
from pydantic import BaseModel, Field
from spectree import Response as ApiResponse

from conference.core.api import documented, json_response
from conference.editions.localtime import local
from conference.editions.views import edition_or_404
from conference.hotels import services, travel
from conference.hotels.models import HOTEL_KINDS, SHUTTLE_LEGS, ShuttleRun

bp = Blueprint("hotels_api", __name__, url_prefix="/api/v1/editions/<year:year>")


class Names(BaseModel):
    zh: str
    zh_hant: str | None
    en: str


class TravelMinutes(BaseModel):
    venue: Names
    minutes: int


class RunOut(BaseModel):
    leg: Literal[SHUTTLE_LEGS]  # type: ignore[valid-type]
    departs_at: datetime = Field(description="ISO 8601 with the host city's offset.")
    arrives_at: datetime
    origin: Names = Field(alias="from")
    destination: Names = Field(alias="to")
    hotel: str | None = Field(description="The code of the hotel the run calls at.")
    note: str


class HotelOut(BaseModel):
    code: str
    name: Names
    address: Names
    latitude: float | None
    longitude: float | None
    phone: str = Field(description="The front desk's.")
    stars: int
    kind: Literal[HOTEL_KINDS]  # type: ignore[valid-type]
    check_in_time: str
    check_out_time: str
    travel_minutes: list[TravelMinutes]
    shuttles: list[RunOut]


class HotelsOut(BaseModel):
    edition: int
    timezone: str
    hotels: list[HotelOut]


class ShuttlesOut(BaseModel):
    edition: int
    timezone: str
    runs: list[RunOut]


def _names(row) -> dict:
    return {"zh": row.name_zh, "zh_hant": row.name_zh_hant, "en": row.name_en}


def _run(edition, run: ShuttleRun) -> dict:
    hotel, venue, other = _names(run.hotel) if run.hotel else None, _names(run.venue), _names(run.other_venue) if run.other_venue else None
    origin, destination = {"to_venue": (hotel, venue), "to_hotel": (venue, hotel)}.get(run.leg, (venue, other))
    return {"leg": run.leg, "departs_at": local(edition, run.departs_at).isoformat(),
            "arrives_at": local(edition, run.arrives_at).isoformat(), "from": origin or venue, "to": destination or venue,
            "hotel": run.hotel.code if run.hotel else None, "note": run.note}


@bp.route("/hotels")
@documented(resp=ApiResponse(HTTP_200=HotelsOut), tags=["hotels"])
def hotels(year):
    """The edition's hotels: public facts, travel minutes to the venues and the shuttle runs
    calling at each. No guest, no count of guests."""
    edition = edition_or_404(year)
    runs = travel.runs_of(edition)
    return json_response({"edition": edition.year, "timezone": edition.timezone, "hotels": [{
        "code": hotel.code, "name": _names(hotel),
        "address": {"zh": hotel.address_zh, "zh_hant": None, "en": hotel.address_en},
        "latitude": hotel.latitude, "longitude": hotel.longitude, "phone": hotel.phone, "stars": hotel.stars,
        "kind": hotel.kind, "check_in_time": hotel.check_in_time.strftime("%H:%M"),
        "check_out_time": hotel.check_out_time.strftime("%H:%M"),
        "travel_minutes": [{"venue": _names(t.venue), "minutes": t.minutes}
                           for t in sorted(hotel.travel_times, key=lambda t: (t.venue.position, t.venue_id))],
        "shuttles": [_run(edition, run) for run in runs if run.hotel_id == hotel.id],
    } for hotel in services.hotels_of(edition)]})


@bp.route("/shuttles")
@documented(resp=ApiResponse(HTTP_200=ShuttlesOut), tags=["hotels"])
def shuttles(year):
    """The shuttle timetable: every run between hotels and venues, in time order."""
    edition = edition_or_404(year)
    return json_response({"edition": edition.year, "timezone": edition.timezone,
                          "runs": [_run(edition, run) for run in travel.runs_of(edition)]})
