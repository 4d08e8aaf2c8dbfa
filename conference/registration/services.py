"""Registration rules: one place each, whether a registration arrives from the web form, the
JSON API, an Excel import or a test.

Seats: a seat is taken with one conditional UPDATE (`taken < seats`, core/capacity), atomic on
SQLite and PostgreSQL alike, so two people taking the last seat can never both win; the loser
gets a place on the waiting list. An invitation code's uses are counted the same way.
Duplicates: a keyed hash of the normalised document number is unique per edition, so two
simultaneous registrations with one document leave exactly one.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from conference.core import audit, clock, deletion, pii
from conference.core.capacity import Counter, WaitingList
from conference.core.deletion import Dependent, depends_on, settles
from conference.core.errors import Refusal
from conference.core.events import emit
from conference.core.i18n import day_label, time_label
from conference.core.links import public_url
from conference.core.mail import queue_mail
from conference.core.models import utcnow
from conference.core.schedule import overlaps
from conference.core.text import clean
from conference.editions.models import Edition
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from conference.people.services import PersonFields, PhotoError, name_matches
from conference.programme.models import Session
from conference.registration.forms import ID_TYPE_LABELS
from conference.registration.identity import IdentityError, age_on, check_document, country_code
from conference.registration.models import (
    Consent,
    DataRequest,
    InvitationCode,
    PrivacyNotice,
    Registration,
    RegistrationCategory,
    SeatBooking,
    SessionQuota,
)
from conference.venues.models import Hall

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 12
CATEGORY_TO_PERSON = {"guest": "guest", "audience": "audience", "media": "media", "staff": "staff"}
DUPLICATE_MESSAGE = _l(
    "This identity document is already registered for this edition. To change or cancel that "
    "registration, open its private page; if you no longer have its link, use “Send me my link "
    "again” below, or ask the organizers."
)
# What a deletion request does when the organizers carry it out (handle_request), as the
# attendee reads it before asking.
DELETION_ERASES = (
    _l("your identity document number"),
    _l("your mobile phone number"),
    _l("your email address"),
    _l("your photo"),
)
DELETION_KEEPS = (
    _l("your name, organisation, category and the dates of your registration, for the conference's records and anonymous statistics"),
    _l("the record of the consents you gave and when"),
    _l("the audit trail of who read or changed your data and when, which the organizers must keep by law"),
)


class RegistrationError(Refusal):
    """Registration's no: one field's, or every wrong field of a form at once (`errors`)."""


@dataclass
class RegistrationFields:
    category: str
    family_name: str
    given_name: str = ""
    organisation: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    id_type: str = ""
    id_number: str = ""
    nationality: str | None = None
    invitation_code: str = ""
    consents: dict[str, int] = field(default_factory=dict)  # kind -> notice version seen
    sessions: list[int] = field(default_factory=list)
    guardian_name: str = ""
    photo: bytes | None = None
    locale: str = "zh_Hans_CN"


@dataclass
class Checked:
    """`document` and `phone` are None when a change keeps the stored ones."""

    category: RegistrationCategory
    code: InvitationCode | None
    document: object
    phone: str | None
    email: str | None
    sessions: list[Session]
    under_14: bool
    notice: PrivacyNotice
    warnings: list


# Lookups ------------------------------------------------------------------------------------


def categories_of(edition: Edition) -> list[RegistrationCategory]:
    return list(db.session.execute(
        select(RegistrationCategory).where(RegistrationCategory.edition_id == edition.id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id)
    ).scalars())


# The reads of a registration's check, built once: at registration opening, building them
# again for every registration cost as much as the database's answers.
_CATEGORY = select(RegistrationCategory).where(RegistrationCategory.edition_id == bindparam("edition_id"),
                                               RegistrationCategory.code == bindparam("code"))
_NOTICE = (select(PrivacyNotice).where(PrivacyNotice.edition_id == bindparam("edition_id"))
           .order_by(PrivacyNotice.version.desc()).limit(1))
_OFFERED = (select(Session).join(SessionQuota, SessionQuota.session_id == Session.id).options(joinedload(Session.hall))
            .where(Session.edition_id == bindparam("edition_id"), Session.status == "published",
                   Session.id.in_(bindparam("ids", expanding=True))))
_DOCUMENT = select(Registration.id).where(
    Registration.edition_id == bindparam("edition_id"), Registration.document_index == bindparam("index"),
    Registration.status != "cancelled", Registration.id != bindparam("except_id")).limit(1)


def category_by_code(edition: Edition, code: str) -> RegistrationCategory | None:
    return db.session.execute(_CATEGORY, {"edition_id": edition.id, "code": code}).scalar_one_or_none()


def open_categories(edition: Edition) -> list[RegistrationCategory]:
    """The categories whose registration window includes the present moment."""
    moment = clock.now()
    return [category for category in categories_of(edition) if category.open_at(moment)]


def window_label(category: RegistrationCategory, moment: datetime) -> str:
    """A moment of a category's window in the reader's language, as the host city's clock shows it."""
    zone = category.edition.timezone
    return f"{day_label(moment, zone, 'yMMMd')} {time_label(moment, zone)}"


def window_refusal(category: RegistrationCategory):
    """Why this category takes no registrations now, with the dates; None when its window is open."""
    moment = clock.now()
    if category.open_at(moment):
        return None
    if category.opens_at is None:
        return _l("Registration for %(category)s is not open.", category=category.name)
    if moment < category.opens_at:
        return _l("Registration for %(category)s opens on %(when)s.", category=category.name, when=window_label(category, category.opens_at))
    return _l("Registration for %(category)s closed on %(when)s.", category=category.name, when=window_label(category, category.closes_at))


def current_notice(edition: Edition) -> PrivacyNotice | None:
    return db.session.execute(_NOTICE, {"edition_id": edition.id}).scalar()


def seats_left(edition: Edition) -> dict[int, int]:
    rows = db.session.execute(
        select(SessionQuota.session_id, SessionQuota.seats - SessionQuota.taken)
        .join(Session).where(Session.edition_id == edition.id)
    ).all()
    return dict(rows)


def choosable_sessions(edition: Edition, category: RegistrationCategory | None = None) -> list[Session]:
    """Published sessions with a seat quota; a category may narrow them down."""
    query = (
        select(Session).join(SessionQuota, SessionQuota.session_id == Session.id)
        .where(Session.edition_id == edition.id, Session.status == "published")
        .options(selectinload(Session.hall).selectinload(Hall.venue))
        .order_by(Session.starts_at, Session.position, Session.id)
    )
    sessions = list(db.session.execute(query).scalars())
    if category is not None:
        allowed = set(category.session_ids or [])
        sessions = [s for s in sessions if s.id in allowed]
    return sessions


def _offered(edition: Edition, category: RegistrationCategory, session_ids: list[int]) -> list[Session]:
    """Of these sessions, the published ones with seats that this category may choose."""
    wanted = [sid for sid in session_ids if sid in set(category.session_ids or [])]
    if not wanted:
        return []
    return list(db.session.execute(_OFFERED, {"edition_id": edition.id, "ids": wanted}).scalars())


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        select(Registration).where(Registration.token_hash == pii.token_hash(token))
        .options(selectinload(Registration.person), selectinload(Registration.bookings))
    ).scalar_one_or_none()


# Invitation codes ---------------------------------------------------------------------------

CODE_USES = Counter(InvitationCode.uses, InvitationCode.max_uses)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return pii.blind_index(normalise_code(code), "invitation-code")


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def make_codes(
    edition: Edition, category: RegistrationCategory, count: int, max_uses: int = 1,
    expires_at: datetime | None = None, organisation: str = "", actor=None,
) -> list[str]:
    """A batch of fresh codes; the codes themselves are returned once and never stored."""
    if not 1 <= count <= 5000:
        raise RegistrationError(_l("Make between 1 and 5000 codes at a time."), "count")
    if not 1 <= max_uses <= 10000:
        raise RegistrationError(_l("A code can be used between 1 and 10000 times."), "max_uses")
    batch = secrets.token_hex(8)
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        db.session.add(InvitationCode(
            edition_id=edition.id, category_id=category.id, code_hash=_code_hash(raw), hint=raw[-4:],
            organisation=organisation.strip(), max_uses=max_uses, expires_at=expires_at, batch=batch,
        ))
        codes.append(format_code(raw))
    audit.record("invitation.batch", category, detail={"count": count, "batch": batch, "max_uses": max_uses}, actor=actor)
    return codes


def check_code(edition: Edition, category: RegistrationCategory, code: str) -> InvitationCode:
    if not normalise_code(code):
        raise RegistrationError(_l("An invitation code is needed for this category."), "invitation_code")
    found = db.session.execute(
        select(InvitationCode).where(InvitationCode.code_hash == _code_hash(code), InvitationCode.edition_id == edition.id)
    ).scalar_one_or_none()
    if found is None or found.category_id != category.id:
        raise RegistrationError(_l("This invitation code is not valid for this category."), "invitation_code")
    if found.expires_at is not None and found.expires_at < clock.now():
        raise RegistrationError(_l("This invitation code has expired."), "invitation_code")
    if found.uses >= found.max_uses:
        raise RegistrationError(_l("This invitation code has been used already."), "invitation_code")
    return found


def _use_code(code: InvitationCode) -> None:
    if not CODE_USES.take(InvitationCode.id == code.id):
        raise RegistrationError(_l("This invitation code has been used already."), "invitation_code")


# Checking a registration --------------------------------------------------------------------


def check_phone(phone: str) -> str:
    """E.164 for storage: +8613812345678. Mainland numbers may be written without +86."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException as error:
        raise RegistrationError(_l("Enter a phone number, with the country code for numbers outside the mainland (+852, +853, +886 …)."), "phone") from error
    if not phonenumbers.is_valid_number(parsed):
        raise RegistrationError(_l("This phone number is not valid; check the digits and the country code."), "phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise RegistrationError(_l("Enter a valid email address."), "email") from error


def _document_taken(edition: Edition, duplicate_key: str, except_id: int | None = None) -> bool:
    """The duplicate rule: one document, one registration per edition that is not cancelled.
    After a cancel the same person may register again (the partial unique index
    uq_registrations_edition_document_active holds the same rule against races)."""
    return db.session.execute(_DOCUMENT, {"edition_id": edition.id, "index": pii.blind_index(duplicate_key, "identity"),
                                          "except_id": except_id or 0}).first() is not None  # ids start at 1


def check(
    edition: Edition, fields: RegistrationFields, existing: Registration | None = None, invited: bool = False,
) -> Checked:
    """Every rule of the form; all wrong fields are reported together. `existing`: the
    registration being corrected; `invited`: organizers register the person themselves (an
    import), so no invitation code is asked for."""
    errors: dict = {}
    for name in ("category", "family_name", "given_name", "organisation", "title", "email", "phone",
                 "id_type", "id_number", "invitation_code", "guardian_name", "nationality"):
        setattr(fields, name, clean(getattr(fields, name)))

    def attempt(name, fn, *args):
        try:
            return fn(*args)
        except (RegistrationError, IdentityError) as error:
            errors.update({field or name: message for field, message in error.errors.items()})
        return None

    category = category_by_code(edition, fields.category)
    code = None
    if category is None:
        errors["category"] = _l("Choose how you take part.")
    elif existing is None and not invited and (closed := window_refusal(category)):
        errors["category"] = closed
    elif not category.open and existing is None and not invited:
        code = attempt("invitation_code", check_code, edition, category, fields.invitation_code)

    if not fields.family_name.strip():
        errors["family_name"] = _l("Enter your family name as on your identity document.")
    for name, limit in (("family_name", 100), ("given_name", 100), ("organisation", 200), ("title", 200), ("guardian_name", 100)):
        if len(getattr(fields, name) or "") > limit:
            errors[name] = _l("At most %(n)d characters.", n=limit)
    required = set(category.required_fields or []) if category else set()
    keep_phone = existing is not None and not fields.phone.strip() and bool(existing.person.phone_sealed)
    for name in ("organisation", "title", "email", "phone"):
        if name in required and not (getattr(fields, name) or "").strip() and not (name == "phone" and keep_phone):
            errors[name] = _l("This category needs this field.")
    if "photo" in required and not fields.photo and not (existing and existing.person.photo_file):
        errors["photo"] = _l("This category needs a photo.")

    email = attempt("email", check_email, fields.email) if fields.email.strip() and "email" not in errors else None
    phone = attempt("phone", check_phone, fields.phone) if fields.phone.strip() and "phone" not in errors else None
    if fields.photo:
        try:
            people.check_photo(fields.photo)
        except PhotoError as error:
            errors["photo"] = error.message

    today = clock.today(edition.timezone)
    document = None
    if existing is not None and not fields.id_number.strip():
        changed_type = fields.id_type and fields.id_type != existing.id_type
        changed_nationality = (existing.id_type == "passport" and bool(fields.nationality)
                               and country_code(fields.nationality) != existing.nationality)
        if changed_type or changed_nationality:
            errors["id_number"] = _l("Enter the document number again to change the document type or nationality.")
    else:
        document = attempt("id_number", check_document, fields.id_type, fields.id_number, fields.nationality, today)
    if document is not None and _document_taken(edition, document.duplicate_key, existing.id if existing else None):
        errors["id_number"] = DUPLICATE_MESSAGE

    notice = current_notice(edition)
    if notice is None or (notice.needs_review and existing is None and not invited):
        errors["consents"] = _l("Registration is not open yet.")
    else:
        for kind, message in (
            ("privacy_notice", _l("Please read the privacy notice and agree to it.")),
            ("identity_document", _l("Please agree separately to the use of your identity document.")),
        ):
            seen = fields.consents.get(kind)
            if seen is None:
                errors[kind] = message
            elif seen != notice.version:
                errors[kind] = _l("The privacy notice has changed since you opened the form; please read the current one and agree again.")
        if fields.photo and fields.consents.get("photo") != notice.version:
            errors["photo_consent"] = _l("Please agree separately to the use of your photo, or leave the photo out.")

    under_14 = existing.under_14 if existing is not None and document is None else False
    if document is not None and document.birth_date is not None:
        under_14 = age_on(document.birth_date, today) < 14
    if under_14:
        if not fields.guardian_name.strip():
            errors["guardian_name"] = _l("Under 14: enter the name of the parent or guardian who agrees.")
        if notice is not None and fields.consents.get("guardian") != notice.version:
            errors["guardian"] = _l("Under 14: a parent or guardian must agree.")

    sessions: list[Session] = []
    if category is not None and fields.sessions:
        allowed = {s.id: s for s in _offered(edition, category, fields.sessions)}
        if len(set(fields.sessions)) != len(fields.sessions) or any(sid not in allowed for sid in fields.sessions):
            errors["sessions"] = _l("Choose only sessions offered to your category.")
        else:
            sessions = [allowed[sid] for sid in fields.sessions]
            clash = same_time(edition, sessions)
            if clash:
                errors["sessions"] = clash

    if errors:
        raise RegistrationError(errors=errors)
    return Checked(category, code, document, phone, email, sessions, under_14, notice,
                   list(document.warnings) if document is not None else [])


def _when(edition: Edition, session: Session) -> str:
    """7月18日周二 14:00–17:00 on the host city's clock, in the reader's language."""
    zone = edition.timezone
    return f"{day_label(session.starts_at, zone)} {time_label(session.starts_at, zone)}–{time_label(session.ends_at, zone)}"


def same_time(edition: Edition, sessions: list[Session]) -> str | None:
    """The overlap rule: nobody holds places in two sessions that run at the same time. A place
    on a waiting list counts as holding one, because it turns into a seat by itself
    (promote_waiting) when someone cancels: if it did not count, a promotion could give one
    person two seats at once, and the line would be held up by people who cannot come.
    Returns the message naming each pair, or None."""
    timed = sorted((s for s in sessions if s.scheduled), key=lambda s: (s.starts_at, s.id))
    clashes = [
        _l("“%(first)s” (%(first_time)s) and “%(second)s” (%(second_time)s) take place at the same time; choose one of them.",
           first=a.title, first_time=_when(edition, a), second=b.title, second_time=_when(edition, b))
        for index, a in enumerate(timed) for b in timed[index + 1:]
        if overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at)
    ]
    return " ".join(str(message) for message in clashes) or None


# Seats and waiting lists --------------------------------------------------------------------

SEATS = Counter(SessionQuota.taken, SessionQuota.seats)
WAITING_LIST = WaitingList(SeatBooking.status, SeatBooking.id, "waitlisted", "confirmed", SeatBooking.promoted_at)


def quota_for(session: Session) -> SessionQuota:
    quota = db.session.execute(select(SessionQuota).where(SessionQuota.session_id == session.id)).scalar_one_or_none()
    if quota is None:
        seats = session.hall.capacity if session.hall else session.expected_audience
        quota = SessionQuota(session_id=session.id, seats=seats, taken=0)
        db.session.add(quota)
    return quota


def quotas_for(session_ids: list[int]) -> dict[int, SessionQuota]:
    return {q.session_id: q for q in db.session.execute(
        select(SessionQuota).where(SessionQuota.session_id.in_(session_ids))).scalars()}


def set_seats(session: Session, seats: int, actor=None) -> SessionQuota:
    quota = quota_for(session)
    db.session.flush()
    if seats < quota.taken:
        raise RegistrationError(_l("%(n)d seats are already taken; the quota cannot be lower.", n=quota.taken), "seats")
    quota.seats = seats
    audit.record("quota.set", quota, detail={"seats": seats}, actor=actor)
    return quota


def book(registration: Registration, session: Session) -> SeatBooking:
    """A seat in the session if one is free, else a place on its waiting list: the last write
    of the registration's transaction (see WaitingList.seat)."""
    booking = WAITING_LIST.seat(SEATS, SessionQuota.session_id == session.id,
                                {"registration_id": registration.id, "session_id": session.id})
    set_committed_value(booking, "registration", registration)
    set_committed_value(booking, "session", session)
    set_committed_value(registration, "bookings", [*registration.bookings, booking])
    return booking


def waitlist_position(booking: SeatBooking) -> int | None:
    return WAITING_LIST.position(booking, SeatBooking.session_id == booking.session_id)


def promote_waiting(session_id: int) -> list[SeatBooking]:
    """Give freed seats to the first on the waiting list, each told by mail."""
    promoted = WAITING_LIST.promote(SEATS, SessionQuota.session_id == session_id, SeatBooking.session_id == session_id)
    for booking in promoted:
        audit.record("seat.promoted", booking.registration, detail={"session": session_id})
        _tell(booking.registration, "registration/mail/promoted.txt", session=booking.session)
    return promoted


def _cancel_booking(booking: SeatBooking) -> None:
    was_confirmed = booking.status == "confirmed"
    booking.status = "cancelled"
    db.session.flush()
    if was_confirmed:
        SEATS.give_back(SessionQuota.session_id == booking.session_id)
        promote_waiting(booking.session_id)


# A session deleted ---------------------------------------------------------------------------


def _bookings_of(session: Session) -> list[SeatBooking]:
    return list(db.session.execute(
        select(SeatBooking).where(SeatBooking.session_id == session.id, SeatBooking.status != "cancelled")
        .order_by(SeatBooking.id)
    ).scalars())


@depends_on("sessions")
def _session_bookings(session: Session) -> list[Dependent]:
    bookings = _bookings_of(session)
    seats = sum(1 for booking in bookings if booking.status == "confirmed")
    waiting = len(bookings) - seats
    found = []
    if seats:
        found.append(Dependent(_l("%(n)d booked seats: the attendees are told by mail that the session is cancelled.", n=seats), blocks=False))
    if waiting:
        found.append(Dependent(_l("%(n)d places on the waiting list: those attendees are told by mail too.", n=waiting), blocks=False))
    return found


@settles("sessions")
def _settle_session(session: Session, actor=None) -> None:
    """Before a session goes: each booking (seat or waiting list) is cancelled and its attendee
    told; then the bookings, the quota and the categories' offer of the session go with it."""
    for booking in _bookings_of(session):
        booking.status = "cancelled"
        audit.record("seat.session_deleted", booking.registration, detail={"session": session.id}, actor=actor)
        _tell(booking.registration, "registration/mail/session_cancelled.txt", session=session)
    db.session.execute(delete(SeatBooking).where(SeatBooking.session_id == session.id))
    db.session.execute(delete(SessionQuota).where(SessionQuota.session_id == session.id))
    for category in categories_of(session.edition):
        if session.id in (category.session_ids or []):
            category.session_ids = [sid for sid in category.session_ids if sid != session.id]


@depends_on("registration_categories")
def _category_registrations(category: RegistrationCategory) -> list[Dependent]:
    registrations = db.session.execute(
        select(func.count(Registration.id)).where(Registration.category_id == category.id)
    ).scalar_one()
    codes = db.session.execute(
        select(func.count(InvitationCode.id)).where(InvitationCode.category_id == category.id)
    ).scalar_one()
    found = []
    if registrations:
        found.append(Dependent(_l("%(n)d registrations are in this category.", n=registrations), blocks=True))
    if codes:
        found.append(Dependent(_l("%(n)d invitation codes of this category are deleted with it.", n=codes), blocks=False))
    return found


def delete_category(category: RegistrationCategory, actor=None) -> None:
    deletion.remove(category, "category.delete", detail={"code": category.code}, actor=actor)


# Registering --------------------------------------------------------------------------------


def _person_fields(fields: RegistrationFields, category: RegistrationCategory, email: str | None) -> PersonFields:
    return PersonFields(
        family_name=fields.family_name, given_name=fields.given_name,
        category=CATEGORY_TO_PERSON.get(category.code, "guest"),
        organisation=fields.organisation, title=fields.title, email=email or "",
    )


def register(
    edition: Edition, fields: RegistrationFields, source: str = "online", actor=None, invited: bool = False,
) -> tuple[Registration, str]:
    """Check, store (sealed), take seats or waiting-list places, and queue the confirmation.
    Returns the registration and its private token, which is shown to the attendee only.
    People the organizers invite themselves (`invited`) are approved at once."""
    checked = check(edition, fields, invited=invited)
    if checked.code is not None:
        _use_code(checked.code)
    person = people.new_person(edition, _person_fields(fields, checked.category, checked.email), phone=checked.phone)
    token = secrets.token_urlsafe(32)
    document = checked.document
    # A new registration's collections start empty and loaded: reading them later costs no query.
    registration = Registration(
        edition=edition, person=person, category=checked.category, consents=[], bookings=[],
        status="pending" if checked.category.approval_required and not invited else "approved",
        token_hash=pii.token_hash(token), token_sealed=pii.seal(token), id_type=document.id_type,
        document_sealed=pii.seal(document.number),
        document_index=pii.blind_index(document.duplicate_key, "identity"),
        document_masked=pii.mask_document_number(document.number),
        nationality=document.nationality,
        under_14=checked.under_14, guardian_name=fields.guardian_name.strip() or None,
        invitation_code_id=checked.code.id if checked.code else None,
        locale=fields.locale, source=source,
    )
    _record_consents(registration, fields, checked)
    db.session.add(registration)
    # The person, the registration, its consents and their audit entries in one flush.
    people.record_creation(person, actor=actor)
    audit.record_new("registration.create", registration, detail={"category": checked.category.code, "source": source}, actor=actor)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same document registered a moment ago
        db.session.rollback()
        raise RegistrationError(DUPLICATE_MESSAGE, "id_number") from error
    if registration.status == "approved":
        emit("registration.approved", registration=registration, actor=actor)
    if fields.photo:
        people.store_photo(person, fields.photo, actor=actor)
    # Seats last: from the first seat taken to the commit, everyone registering for that session
    # waits, so what follows reads nothing more from the database (the sessions came with their halls).
    for session in sorted(checked.sessions, key=lambda s: s.id):  # one lock order: no deadlocks
        book(registration, session)  # offered sessions always have their quota row
    _tell(registration, "registration/mail/received.txt", token=token)
    return registration, token


def _record_consents(registration: Registration, fields: RegistrationFields, checked: Checked) -> None:
    """Each consent the person gave, once per notice version: agreeing again to the same
    version (a change of the registration) adds no second record."""
    given = {(c.kind, c.notice_version) for c in registration.consents if c.withdrawn_at is None}
    for kind, version in fields.consents.items():
        wanted = kind in ("privacy_notice", "identity_document") or (kind == "photo" and fields.photo) or (
            kind == "guardian" and checked.under_14)
        if wanted and (kind, version) not in given:
            registration.consents.append(Consent(kind=kind, notice_version=version))


def update_pending(registration: Registration, fields: RegistrationFields) -> Registration:
    """The attendee corrects their registration while it waits for approval. A phone or a
    document number left empty keeps the stored one; consents already given stay as recorded."""
    if registration.status != "pending":
        raise RegistrationError(_l("Only a registration that is still waiting for approval can be changed."), "status")
    fields.category = registration.category.code
    checked = check(registration.edition, fields, existing=registration)
    person = registration.person
    people.update_person(person, _person_fields(fields, checked.category, checked.email))
    if checked.phone:
        people.set_phone(person, checked.phone)
    document = checked.document
    if document is not None:
        registration.id_type = document.id_type
        registration.document_sealed = pii.seal(document.number)
        registration.document_index = pii.blind_index(document.duplicate_key, "identity")
        registration.document_masked = pii.mask_document_number(document.number)
        registration.nationality = document.nationality
    registration.under_14 = checked.under_14
    registration.guardian_name = fields.guardian_name.strip() or None
    _record_consents(registration, fields, checked)
    if fields.photo:
        people.store_photo(person, fields.photo)
    wanted = {s.id for s in checked.sessions}
    for booking in list(registration.bookings):
        if booking.status != "cancelled" and booking.session_id not in wanted:
            _cancel_booking(booking)
    held = {b.session_id for b in registration.bookings if b.status != "cancelled"}
    for session in checked.sessions:
        if session.id not in held:
            existing = next((b for b in registration.bookings if b.session_id == session.id), None)
            quota_for(session)
            db.session.flush()
            if existing is not None:
                existing.status = WAITING_LIST.admit(SEATS, SessionQuota.session_id == session.id)
                existing.created_at = utcnow()
            else:
                book(registration, session)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise RegistrationError(DUPLICATE_MESSAGE, "id_number") from error
    audit.record("registration.update", registration)
    return registration


def cancel(registration: Registration, actor=None) -> None:
    """The attendee (or an organizer) cancels: seats go to the waiting list at once."""
    if registration.status == "cancelled":
        return
    registration.status = "cancelled"
    for booking in registration.bookings:
        if booking.status != "cancelled":
            _cancel_booking(booking)
    emit("registration.cancelled", registration=registration, actor=actor)
    audit.record("registration.cancel", registration, actor=actor)
    _tell(registration, "registration/mail/cancelled.txt")


def changes(registration: Registration, status: str) -> bool:
    """Whether deciding `status` changes this registration: a cancelled one stays cancelled."""
    return registration.status not in (status, "cancelled")


def holds_confirmed_seat(person_id, session_id):
    """Whether a person holds a seat in a session: a confirmed booking, not a place on the
    waiting list nor a cancelled one. An SQL condition, so that each caller asks it inside its
    own statement: a badge batch for a session's audience, an invitation-only entrance's
    offline list, and the scan's one statement, which check-in compiles once with the session
    as a bound parameter. `person_id` is a column of the caller's query (or a number)."""
    return (
        select(SeatBooking.id).join(Registration, Registration.id == SeatBooking.registration_id)
        .where(Registration.person_id == person_id, SeatBooking.session_id == session_id,
               SeatBooking.status == "confirmed")
        .exists()
    )


def check_decision(status: str, reason: str) -> None:
    """A decision is approve or reject, and a rejection says why."""
    if status not in ("approved", "rejected"):
        raise RegistrationError(_l("Choose approve or reject."), "status")
    if status == "rejected" and not reason.strip():
        raise RegistrationError(_l("Give the reason for rejecting; the attendee will read it."), "reason")


def decide(registrations: list[Registration], status: str, reason: str, actor) -> int:
    """Approve or reject one or many; the reason reaches each attendee."""
    check_decision(status, reason)
    changed = 0
    for registration in registrations:
        if not changes(registration, status):
            continue
        registration.status = status
        registration.decided_by = actor.email if actor else "cli"
        registration.decided_at = utcnow()
        registration.decision_reason = reason.strip()
        if status == "rejected":
            for booking in registration.bookings:
                if booking.status != "cancelled":
                    _cancel_booking(booking)
        if status == "approved":
            emit("registration.approved", registration=registration, actor=actor)
        audit.record(f"registration.{status}", registration, detail={"reason": reason.strip()}, actor=actor)
        _tell(registration, f"registration/mail/{status}.txt")
        changed += 1
    return changed


def request_data(registration: Registration, kind: str) -> DataRequest:
    if kind not in ("access", "deletion"):
        raise RegistrationError(_l("Choose what you ask for."), "kind")
    request = DataRequest(registration_id=registration.id, kind=kind)
    db.session.add(request)
    if kind == "deletion":
        registration.deletion_requested_at = utcnow()
    audit.record(f"data_request.{kind}", registration)
    return request


def own_data(registration: Registration) -> dict:
    """Everything held about the attendee, for their own download (PIPL art. 45). Reading the
    document number for them is logged like any other reveal."""
    person = registration.person
    return {
        "edition": registration.edition.year,
        "category": registration.category.code,
        "status": registration.status,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "organisation": person.organisation,
        "title": person.title,
        "email": person.email,
        "phone": pii.reveal(person, "phone_sealed", "data subject access", actor=None) if person.phone_sealed else None,
        "identity_document": {
            "type": registration.id_type,
            "number": pii.reveal(registration, "document_sealed", "data subject access") if registration.document_sealed else None,
            "nationality": registration.nationality,
        },
        "photo": bool(person.photo_file),
        "consents": [
            {"kind": c.kind, "notice_version": c.notice_version, "given_at": c.given_at.isoformat(),
             "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
            for c in registration.consents
        ],
        "sessions": [{"session": b.session.title_zh, "status": b.status} for b in registration.bookings],
        "registered_at": registration.created_at.isoformat(),
    }


# Messages -----------------------------------------------------------------------------------


def _tell(registration: Registration, template: str, token: str | None = None, **context) -> None:
    """Render the message in the attendee's language now; send it after the commit. Every
    message may carry the private link and says where and when in the host city's terms."""
    person = registration.person
    if not person.email:
        return
    with force_locale(registration.locale):
        text = render_template(
            template, registration=registration, person=person, edition=registration.edition,
            link=own_page_url(token) if token else private_link(registration),
            document=ID_TYPE_LABELS.get(registration.id_type, registration.id_type),
            sessions=[b.session for b in registration.bookings if b.status == "confirmed"],
            **context,
        )
        subject, _, body = text.strip().partition("\n")
        queue_mail(person.email, subject.strip(), body.strip() + "\n")


def own_page_url(token: str) -> str:
    return public_url("registration.own_page", token=token)


def private_link(registration: Registration) -> str | None:
    """The private page's address, from the sealed token (None for registrations made before
    the token was kept sealed)."""
    return own_page_url(pii.unseal(registration.token_sealed)) if registration.token_sealed else None


def send_link_again(edition: Edition, email: str) -> int:
    """Mail each registration of this edition made with this address its private link, in the
    registrant's language. The caller answers the same whatever the count, so nobody learns
    which addresses are registered. A registration from before the token was kept sealed gets
    a new link (the old one cannot be recovered, and stops working)."""
    address = check_email(clean(email or "").strip())
    found = db.session.execute(
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.edition_id == edition.id, func.lower(Person.email) == address.lower())
        .order_by(Registration.id)
    ).scalars().all()
    for registration in found:
        renewed = registration.token_sealed is None
        if renewed:
            token = secrets.token_urlsafe(32)
            registration.token_hash, registration.token_sealed = pii.token_hash(token), pii.seal(token)
        else:
            token = pii.unseal(registration.token_sealed)
        audit.record("registration.link_sent", registration, detail={"renewed": renewed})
        _tell(registration, "registration/mail/link.txt", token=token)
    return len(found)


# Settings -----------------------------------------------------------------------------------


def update_category(
    category: RegistrationCategory, name_zh: str, name_zh_hant: str, name_en: str, is_open: bool,
    approval_required: bool, required_fields: list[str], session_ids: list[int], actor=None,
) -> RegistrationCategory:
    from conference.registration.models import OPTIONAL_FIELDS

    if not name_zh.strip():
        raise RegistrationError(_l("Enter the Chinese name."), "name_zh")
    if any(f not in OPTIONAL_FIELDS for f in required_fields):
        raise RegistrationError(_l("This value is not valid."), "required_fields")
    offered = {s.id for s in db.session.execute(
        select(Session).where(Session.edition_id == category.edition_id, Session.id.in_(session_ids))).scalars()}
    category.name_zh, category.name_en = name_zh.strip(), name_en.strip()
    category.name_zh_hant = name_zh_hant.strip() or None
    category.open, category.approval_required = is_open, approval_required
    category.required_fields = [f for f in OPTIONAL_FIELDS if f in required_fields]
    category.session_ids = [sid for sid in session_ids if sid in offered]
    audit.record("category.update", category, detail={"open": is_open, "approval": approval_required}, actor=actor)
    return category


NOTICE_NOT_REVIEWED = _l(
    "Review the privacy notice first: it was carried over from the previous edition. Open it, "
    "correct it and mark it reviewed; then registration can open."
)


def set_window(category: RegistrationCategory, opens_at: datetime | None, closes_at: datetime | None, actor=None) -> RegistrationCategory:
    """When the category takes registrations (UTC). Without an opening time it stays closed.
    A window that is open now needs a privacy notice an organizer has reviewed."""
    if closes_at is not None and opens_at is None:
        raise RegistrationError(_l("Enter when registration opens."), "opens_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise RegistrationError(_l("Registration must close after it opens."), "closes_at")
    moment = clock.now()
    opening = opens_at is not None and opens_at <= moment and (closes_at is None or moment < closes_at)
    notice = current_notice(category.edition)
    if opening and (notice is None or notice.needs_review):
        raise RegistrationError(NOTICE_NOT_REVIEWED, "notice")
    category.opens_at, category.closes_at = opens_at, closes_at
    audit.record("category.window", category, detail={
        "opens_at": opens_at.isoformat() if opens_at else None, "closes_at": closes_at.isoformat() if closes_at else None,
    }, actor=actor)
    return category


def mark_notice_reviewed(edition: Edition, actor=None) -> PrivacyNotice | None:
    notice = current_notice(edition)
    if notice is not None and notice.needs_review:
        notice.needs_review = False
        audit.record("notice.reviewed", notice, detail={"version": notice.version}, actor=actor)
    return notice


def publish_notice(edition: Edition, text_zh: str, text_zh_hant: str, text_en: str, retention_days: int, actor=None) -> PrivacyNotice:
    """A new version; consents given to an older one stay as they were, and the form asks anew."""
    current = current_notice(edition)
    notice = PrivacyNotice(
        edition_id=edition.id, version=(current.version + 1) if current else 1, text_zh=text_zh.strip(),
        text_zh_hant=text_zh_hant.strip() or None, text_en=text_en.strip(), retention_days=retention_days,
        needs_review=False,  # an organizer wrote this version
    )
    db.session.add(notice)
    audit.record("notice.publish", notice, detail={"version": notice.version}, actor=actor)
    return notice


# Organizer views ----------------------------------------------------------------------------


@dataclass
class RegistrationFilters:
    """What the organizers' list is narrowed to; the export and "all that match" take the same."""

    query: str = ""
    category: str | None = None
    status: str | None = None
    organisation: str = ""
    session_id: int | None = None

    def as_args(self) -> dict:
        """The filters as the list page's query string (and the audit log's record) name them."""
        given = {"q": self.query, "category": self.category, "status": self.status,
                 "organisation": self.organisation, "session": self.session_id}
        return {key: value for key, value in given.items() if value}


def _filtered(edition: Edition, filters: RegistrationFilters):
    conditions = [Registration.edition_id == edition.id]
    if filters.category:
        conditions.append(RegistrationCategory.code == filters.category)
    if filters.status:
        conditions.append(Registration.status == filters.status)
    if filters.organisation:
        conditions.append(Person.organisation.contains(filters.organisation, autoescape=True))
    if filters.session_id:
        conditions.append(Registration.id.in_(select(SeatBooking.registration_id).where(
            SeatBooking.session_id == filters.session_id, SeatBooking.status != "cancelled")))
    query = (filters.query or "").strip()
    if query:
        conditions.append(name_matches(query) | Person.organisation.contains(query, autoescape=True))
    return (select(Registration).join(Person, Registration.person_id == Person.id).join(RegistrationCategory)
            .where(*conditions).order_by(Person.name_pinyin, Registration.id))


def count_matching(edition: Edition, filters: RegistrationFilters) -> int:
    return db.session.execute(select(func.count()).select_from(_filtered(edition, filters).subquery())).scalar_one()


def search_registrations(
    edition: Edition, filters: RegistrationFilters | None = None, page: int = 1, page_size: int = 50,
) -> tuple[list[Registration], int]:
    """One page of the organizers' list, and how many match in all."""
    filters = filters or RegistrationFilters()
    rows = db.session.execute(
        _filtered(edition, filters).options(selectinload(Registration.person), selectinload(Registration.category))
        .limit(page_size).offset((page - 1) * page_size)
    ).scalars()
    return list(rows), count_matching(edition, filters)


def matching_registrations(edition: Edition, filters: RegistrationFilters) -> list[Registration]:
    """Every registration the list shows with these filters, on all its pages, in its order."""
    return list(db.session.execute(
        _filtered(edition, filters).options(
            selectinload(Registration.person), selectinload(Registration.category),
            selectinload(Registration.bookings).selectinload(SeatBooking.session))
    ).scalars())


def get_registration(edition: Edition, registration_id: int) -> Registration | None:
    return db.session.execute(
        select(Registration).where(Registration.id == registration_id, Registration.edition_id == edition.id)
    ).scalar_one_or_none()


def registrations_by_ids(edition: Edition, ids: list[int]) -> list[Registration]:
    return list(db.session.execute(
        select(Registration).where(Registration.edition_id == edition.id, Registration.id.in_(ids))
    ).scalars())


def counts(edition: Edition) -> dict:
    by_category_status = db.session.execute(
        select(RegistrationCategory.code, Registration.status, func.count(Registration.id))
        .join(RegistrationCategory).where(Registration.edition_id == edition.id)
        .group_by(RegistrationCategory.code, Registration.status)
    ).all()
    by_session = db.session.execute(
        select(Session.id, Session.title_zh, SeatBooking.status, func.count(SeatBooking.id))
        .join(SeatBooking, SeatBooking.session_id == Session.id)
        .where(Session.edition_id == edition.id).group_by(Session.id, Session.title_zh, SeatBooking.status)
    ).all()
    by_day = db.session.execute(
        select(func.date(Registration.created_at), func.count(Registration.id))
        .where(Registration.edition_id == edition.id).group_by(func.date(Registration.created_at))
        .order_by(func.date(Registration.created_at))
    ).all()
    return {"category_status": by_category_status, "session": by_session, "day": [(str(d), n) for d, n in by_day]}


def reveal(registration: Registration, reason: str, actor) -> tuple[str | None, str | None]:
    """The full document number and phone, each read written to the audit log."""
    document = pii.reveal(registration, "document_sealed", reason, actor=actor)
    person = registration.person
    phone = pii.reveal(person, "phone_sealed", reason, actor=actor) if person.phone_sealed else None
    return document, phone


def data_requests(edition: Edition, open_only: bool = True) -> list[DataRequest]:
    query = (
        select(DataRequest).join(Registration).where(Registration.edition_id == edition.id)
        .options(selectinload(DataRequest.registration).selectinload(Registration.person))
        .order_by(DataRequest.created_at)
    )
    if open_only:
        query = query.where(DataRequest.handled_at.is_(None))
    return list(db.session.execute(query).scalars())


def handle_request(edition: Edition, request_id: int, actor) -> DataRequest | None:
    """Mark a request answered; a deletion also cancels the registration and erases the sealed
    identity number, phone and photo, keeping the row for anonymous statistics."""
    found = db.session.execute(
        select(DataRequest).join(Registration).where(DataRequest.id == request_id, Registration.edition_id == edition.id)
    ).scalar_one_or_none()
    if found is None or found.handled_at is not None:
        return found
    registration = found.registration
    if found.kind == "deletion":
        cancel(registration, actor=actor)
        person = registration.person
        registration.document_sealed = None
        registration.document_masked = ""
        person.phone_sealed = None
        person.phone_masked = ""
        person.email = None
        if person.photo_file:
            path = people.photo_path(person)
            if path is not None and path.exists():
                path.unlink()
            person.photo_file = None
    found.handled_at = utcnow()
    found.handled_by = actor.email if actor else "cli"
    audit.record(f"data_request.{found.kind}.handled", registration, actor=actor)
    return found


# Cloning ------------------------------------------------------------------------------------


def clone_registration(source: Edition, target: Edition, required: dict) -> dict:
    for category in categories_of(source):
        db.session.add(RegistrationCategory(
            edition_id=target.id, code=category.code, name_zh=category.name_zh, name_zh_hant=category.name_zh_hant,
            name_en=category.name_en, open=category.open, approval_required=category.approval_required,
            required_fields=list(category.required_fields or []), session_ids=[], position=category.position,
            opens_at=None, closes_at=None,  # closed until an organizer sets this year's window
        ))
    notice = current_notice(source)
    if notice is not None:
        db.session.add(PrivacyNotice(
            edition_id=target.id, version=1, text_zh=_unnamed(notice.text_zh, source, EDITION_PLACEHOLDER_ZH),
            text_zh_hant=_unnamed(notice.text_zh_hant, source, EDITION_PLACEHOLDER_ZH_HANT) if notice.text_zh_hant else None,
            text_en=_unnamed(notice.text_en, source, EDITION_PLACEHOLDER_EN), retention_days=notice.retention_days,
            needs_review=True,
        ))
    return {}


EDITION_PLACEHOLDER_ZH = "【届次】"
EDITION_PLACEHOLDER_ZH_HANT = "【屆次】"
EDITION_PLACEHOLDER_EN = "[edition]"


def _unnamed(text: str, source: Edition, placeholder: str) -> str:
    """Last year's notice with the year that names its edition replaced by a placeholder."""
    return text.replace(f"{source.year}年", placeholder).replace(str(source.year), placeholder)
