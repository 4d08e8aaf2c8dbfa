"""A small edition holding every kind of personal data the purge must erase: an attendee with a
sealed document, a phone and a photo (file on disk), a hotel stay, travel and the hotel-sharing
consent, a rooming list as sent, a volunteer with their own photo and a service record, a public
speaker, and a job's result file."""

import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from conference.accounts import services as accounts
from conference.core import pii
from conference.core.models import Job, utcnow
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import rooming
from conference.hotels import services as hotels
from conference.hotels.models import Journey, RoomingListSent, Stay, Traveller
from conference.people import services as people
from conference.registration import services as registration
from conference.registration.services import RegistrationFields
from conference.volunteers import records
from conference.volunteers.models import AccountPerson, ServiceRecord, Volunteer, VolunteerConsent
from tests.conftest import DEFAULT_PASSWORD, registration_demo
from tests.registration.conftest import resident_id

DOCUMENT = resident_id()
SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_THE_END = datetime(2024, 1, 15, 12, tzinfo=SHANGHAI)  # the demo keeps data 180 days after 19 July 2023
VOLUNTEER_EMAIL = "chen.jing@example.org"
AFTER_THE_END = datetime(2024, 1, 16, 12, tzinfo=SHANGHAI)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 120, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Built:
    token: str
    registration_id: int
    person_id: int
    speaker_id: int
    volunteer_id: int
    record_serial: str
    photo: Path
    volunteer_photo: Path
    volunteer_badge_photo: Path
    job_file: Path


def build(app) -> Built:
    """In a request context: the edition above, committed."""
    registration_demo()
    edition = get_edition(2023)
    done, token = registration.register(edition, RegistrationFields(
        category="media", family_name="林", given_name="晓梅", organisation="鹭江日报社", title="记者",
        email="lin@example.org", phone="13812345678", id_type="resident_id", id_number=DOCUMENT, photo=jpeg(),
        consents={"privacy_notice": 1, "identity_document": 1, "photo": 1}))
    person = done.person
    speaker = people.add_person(edition, "王", "小明", "guest", organisation="厦门大学")
    speaker.public_profile = True
    hotel = hotels.save_hotel(edition, hotels.HotelFields(code="H1", name_zh="海景酒店", name_en="Sea View"))
    king = hotels.save_room_type(hotel, hotels.RoomTypeFields(kind="king"))
    db.session.add_all([
        Traveller(person_id=person.id, edition_id=edition.id, roommate_code=secrets.token_hex(4).upper(),
                  travel_consent_at=utcnow(), document_consent_at=utcnow()),
        Journey(edition_id=edition.id, person_id=person.id, direction="arrival",
                at=datetime(2023, 7, 17, 9, tzinfo=SHANGHAI), number_sealed=pii.seal("MF8102")),
        Stay(edition_id=edition.id, person_id=person.id, hotel_id=hotel.id, check_in=date(2023, 7, 17),
             check_out=date(2023, 7, 20), room_type_id=king.id, note="素食", status="confirmed"),
    ])
    db.session.flush()
    db.session.add(RoomingListSent(hotel_id=hotel.id, lines=rooming.lines_of(rooming.rooming_list(hotel))))
    volunteer_photo = people.photo_dir() / f"{secrets.token_hex(16)}.jpg"
    volunteer_photo.write_bytes(jpeg())
    # An accepted volunteer: their application's photo, their badge's copy, an account to sign in.
    account = accounts.create_user(VOLUNTEER_EMAIL, DEFAULT_PASSWORD, "volunteer")
    volunteer_person = people.add_person(edition, "陈", "静", "volunteer")
    people.store_photo(volunteer_person, jpeg())
    db.session.add_all([AccountPerson(user_id=account.id, edition_id=edition.id, person_id=volunteer_person.id),
                        Traveller(person_id=volunteer_person.id, edition_id=edition.id, roommate_code="VOL1",
                                  travel_consent_at=utcnow(), document_consent_at=utcnow())])
    volunteer = Volunteer(edition_id=edition.id, status="accepted", person_id=volunteer_person.id, family_name="陈", given_name="静", email="chen@example.org",
                          phone_sealed=pii.seal("13900001111"), phone_masked="139****1111", id_type="resident_id",
                          document_sealed=pii.seal(resident_id(serial="201")), token_hash=secrets.token_hex(32),
                          emergency_name="陈大海", emergency_phone_sealed=pii.seal("13900002222"),
                          photo_file=volunteer_photo.name)
    volunteer.consents.append(VolunteerConsent(kind="photo", notice_version=1))
    db.session.add(volunteer)
    db.session.flush()
    record = ServiceRecord(edition_id=edition.id, volunteer_id=volunteer.id, serial=records.new_serial(), name="陈静",
                           minutes_by_day={"2023-07-18": 300}, total_minutes=300)
    db.session.add(record)
    job_file = Path(app.config["INSTANCE_DIR"]) / "jobs" / f"{secrets.token_hex(8)}.pdf"
    job_file.parent.mkdir(parents=True, exist_ok=True)
    job_file.write_bytes(b"%PDF rooming list")
    db.session.add(Job(kind="hotels.rooming", edition_id=edition.id, status="done",
                       file_path=f"jobs/{job_file.name}"))
    db.session.commit()
    return Built(token, done.id, person.id, speaker.id, volunteer.id, record.serial, people.photo_path(person),
                 volunteer_photo, people.photo_path(volunteer_person), job_file)

