"""Withdrawing a consent (PIPL art. 15): an attendee on their own page, a volunteer on theirs,
takes back the photo consent or the hotel-sharing one (their identity document sent to the
hotel). The photo goes at once, file and column; the next rooming list carries no document
number for them (hotels/rooming.py reads the consent). Audited."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.core import audit, jobs
from conference.core.models import utcnow
from conference.extensions import db
from conference.hotels.models import Traveller
from conference.people.models import Person
from conference.people.services import photo_dir
from conference.registration.models import Registration
from conference.volunteers.models import Volunteer

KINDS = {
    "photo": _l("the use of your photo for your badge and at the entrances"),
    "hotel_document": _l("your identity document type and number being sent to your hotel"),
}


def _drop_photo(row) -> bool:
    if not row.photo_file:
        return False
    jobs.after_commit((photo_dir() / row.photo_file).unlink, True)
    row.photo_file = None
    if isinstance(row, Person):
        row.photo_updated_at = None
    return True


def _hotel_consent(person: Person | None) -> Traveller | None:
    if person is None:
        return None
    return db.session.execute(select(Traveller).where(
        Traveller.person_id == person.id, Traveller.document_consent_at.is_not(None))).scalar()


def held_by_attendee(registration: Registration) -> list[str]:
    """The consents the attendee may still withdraw here."""
    held = []
    if registration.person.photo_file or any(c.kind == "photo" and c.withdrawn_at is None for c in registration.consents):
        held.append("photo")
    if _hotel_consent(registration.person) is not None:
        held.append("hotel_document")
    return held


def held_by_volunteer(volunteer: Volunteer) -> list[str]:
    held = []
    person = volunteer.person
    if volunteer.photo_file or (person and person.photo_file) or any(
            c.kind == "photo" and c.withdrawn_at is None for c in volunteer.consents):
        held.append("photo")
    if _hotel_consent(person) is not None:
        held.append("hotel_document")
    return held


def _withdraw(kind: str, consents, person: Person | None, photo_rows, target, actor) -> None:
    if kind not in KINDS:
        raise KeyError(kind)
    now = utcnow()
    if kind == "photo":
        for consent in consents:
            if consent.kind == "photo" and consent.withdrawn_at is None:
                consent.withdrawn_at = now
        deleted = sum(_drop_photo(row) for row in photo_rows if row is not None)
        detail = {"kind": kind, "photos_deleted": deleted}
    else:
        record = _hotel_consent(person)
        if record is not None:
            record.document_consent_at = None
        detail = {"kind": kind}
    audit.record("consent.withdrawn", target, detail=detail, actor=actor)


def withdraw_for_attendee(registration: Registration, kind: str, actor=None) -> None:
    _withdraw(kind, registration.consents, registration.person, [registration.person], registration, actor)


def withdraw_for_volunteer(volunteer: Volunteer, kind: str, actor=None) -> None:
    """The application's photo and the badge's copy of it (an accepted volunteer's Person) both go."""
    _withdraw(kind, volunteer.consents, volunteer.person, [volunteer, volunteer.person], volunteer, actor)
