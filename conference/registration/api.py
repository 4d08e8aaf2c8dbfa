"""Registration for the official website or a mini-program: the same service as the form."""

from typing import Literal

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, Field
from spectree import Response as ApiResponse

from conference.core import clock
from conference.core.api import FieldErrors, field_errors
from conference.core.database import committed
from conference.core.i18n import current_locale
from conference.editions.views import edition_or_404
from conference.extensions import api, limiter
from conference.registration import services
from conference.registration.forms import ID_TYPE_LABELS
from conference.registration.identity import ID_TYPES
from conference.registration.services import RegistrationError, RegistrationFields

bp = Blueprint("registration_api", __name__, url_prefix="/api/v1/editions/<year:year>")


class LangQuery(BaseModel):
    lang: Literal["zh_Hans", "zh_Hant", "en", "zh_Hans_CN", "zh_Hant_TW"] | None = None


class Consents(BaseModel):
    privacy_notice: int | None = Field(None, description="Version of the privacy notice the person read and agreed to.")
    identity_document: int | None = Field(None, description="Separate consent to the use of the identity document.")
    photo: int | None = None
    guardian: int | None = Field(None, description="A guardian's consent, for participants under 14.")


class RegistrationIn(BaseModel):
    """Formats are checked by the registration service, which answers each field in the
    reader's language; the model fixes the shape and the lengths (those of the form)."""

    category: str = Field("", max_length=16, description="guest, audience, media or staff")
    invitation_code: str = Field("", max_length=40)
    family_name: str = Field("", max_length=100)
    given_name: str = Field("", max_length=100)
    organisation: str = Field("", max_length=200)
    title: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    id_type: str = Field("", max_length=24, description=" | ".join(ID_TYPES))
    id_number: str = Field("", max_length=40)
    nationality: str | None = Field(
        None, max_length=3, description="For passports: ISO 3166 alpha-2 (CN) or alpha-3 as printed in the passport (CHN).")
    guardian_name: str = Field("", max_length=100)
    consents: Consents = Field(default_factory=Consents)
    sessions: list[int] = Field(default_factory=list, max_length=50)


class RegistrationOut(BaseModel):
    id: int
    status: str
    private_link: str
    sessions: list[dict]
    warnings: list[str] = []


class FormOut(BaseModel):
    edition: int
    language: str
    notice: dict | None
    categories: list[dict]
    id_types: list[dict]
    sessions: list[dict]


@bp.route("/registration-form")
@api.validate(query=LangQuery, resp=ApiResponse(HTTP_200=FormOut), tags=["registration"])
def registration_form(year):
    """What the registration form asks: categories, required fields, sessions with seats left,
    and the privacy notice with its version, in the language of ?lang=."""
    edition = edition_or_404(year)
    notice = services.current_notice(edition)
    left = services.seats_left(edition)
    moment = clock.now()
    return jsonify({
        "edition": edition.year,
        "language": current_locale(),
        "notice": {"version": notice.version, "text": notice.text, "retention_days": notice.retention_days} if notice else None,
        "categories": [
            {"code": c.code, "name": c.name, "needs_code": not c.open, "approval_required": c.approval_required,
             "required_fields": ["family_name", "id_type", "id_number", *c.required_fields], "sessions": c.session_ids,
             "opens_at": c.opens_at.isoformat() if c.opens_at else None,
             "closes_at": c.closes_at.isoformat() if c.closes_at else None,
             "open_now": c.open_at(moment)}
            for c in services.categories_of(edition)
        ],
        "id_types": [{"code": code, "name": str(ID_TYPE_LABELS[code])} for code in ID_TYPES],
        "sessions": [
            {"id": s.id, "title": s.title, "starts_at": s.starts_at.isoformat() if s.starts_at else None,
             "seats_left": max(0, left.get(s.id, 0))}
            for s in services.choosable_sessions(edition)
        ],
    })


def _api_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.route("/registrations", methods=["POST"])
@limiter.limit(_api_limit)
@api.validate(
    json=RegistrationIn, resp=ApiResponse(HTTP_201=RegistrationOut, HTTP_422=FieldErrors),
    tags=["registration"], before=field_errors,
)
def create_registration(year, json: RegistrationIn):
    """Register a person. 201 with the status and the private link, or 422 with a message per
    field in the language of Accept-Language."""
    edition = edition_or_404(year)
    consents = {k: v for k, v in json.consents.model_dump().items() if v is not None}
    fields = RegistrationFields(
        category=json.category, invitation_code=json.invitation_code, family_name=json.family_name,
        given_name=json.given_name, organisation=json.organisation, title=json.title, email=json.email,
        phone=json.phone, id_type=json.id_type, id_number=json.id_number, nationality=json.nationality,
        guardian_name=json.guardian_name, consents=consents, sessions=json.sessions, locale=current_locale(),
    )

    def register() -> dict:
        # The answer is read before the commit, which would expire the rows and cost two more
        # round trips to read them again: the busiest write of registration opening.
        registration, token = services.register(edition, fields, source="api")
        return {
            "id": registration.id,
            "status": registration.status,
            "private_link": services.own_page_url(token),
            "sessions": [{"session": b.session_id, "status": b.status} for b in registration.bookings],
            "warnings": [],
        }

    try:
        answer = committed(register)
    except RegistrationError as error:
        return jsonify({"errors": error.by_field("body")}), 422
    return jsonify(answer), 201
