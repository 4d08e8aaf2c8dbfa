"""The registration service: every rule, the seats and the waiting lists, the races."""

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from conference.core import clock, pii
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.registration import services
from conference.registration.models import (
    Consent,
    InvitationCode,
    Registration,
    SeatBooking,
    SessionQuota,
)
from conference.registration.services import RegistrationError, RegistrationFields
from tests.conftest import race
from tests.registration.conftest import resident_id, set_seats


def fields(**overrides) -> RegistrationFields:
    data = dict(
        category="media", family_name="林", given_name="晓梅", organisation="鹭江日报社", title="记者",
        email="lin@example.org", phone="13812345678", id_type="resident_id", id_number=resident_id(),
        consents={"privacy_notice": 1, "identity_document": 1},
    )
    data.update(overrides)
    return RegistrationFields(**data)


def register(app, **overrides):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        edition = get_edition(2023)
        registration, token = committed(lambda: services.register(edition, fields(**overrides)))
        return registration.id, registration.status, token


def refused(app, **overrides) -> dict:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        edition = get_edition(2023)
        with pytest.raises(RegistrationError) as error:
            committed(lambda: services.register(edition, fields(**overrides)))
        return {k: str(v) for k, v in error.value.errors.items()}


def test_media_register_without_code_and_wait_for_approval(app, reg):
    registration_id, status, token = register(app)
    assert status == "pending"
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert registration.document_sealed != resident_id() and resident_id() not in registration.document_sealed
        assert registration.document_masked == resident_id()[:4] + "*" * 10 + resident_id()[-4:]
        assert pii.unseal(registration.document_sealed) == resident_id()
        assert registration.person.phone_masked == "+86 138****5678"
        assert {c.kind for c in registration.consents} == {"privacy_notice", "identity_document"}
        assert all(c.notice_version == 1 for c in registration.consents)
        assert services.find_by_token(token).id == registration_id
        assert registration.token_hash != token


def test_the_confirmation_is_mailed_only_after_the_commit(app, reg):
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    with app.test_request_context():
        edition = get_edition(2023)
        services.register(edition, fields())
        assert (set(outbox.glob("*.eml")) if outbox.exists() else set()) == before
        db.session.rollback()  # nothing committed: nothing sent
    assert (set(outbox.glob("*.eml")) if outbox.exists() else set()) == before
    _, _, token = register(app)
    new = set(outbox.glob("*.eml")) - before
    assert len(new) == 1
    message = email.message_from_bytes(new.pop().read_bytes(), policy=email.policy.default)
    assert message["To"] == "lin@example.org"
    assert token in message.get_body().get_content()


def test_guests_need_a_valid_unused_unexpired_code(app, reg):
    assert "invitation_code" in refused(app, category="guest")
    assert "invitation_code" in refused(app, category="guest", invitation_code="AAAA-BBBB-CCCC")
    with app.app_context():
        edition = get_edition(2023)
        guest = services.category_by_code(edition, "guest")
        audience = services.category_by_code(edition, "audience")
        [code] = services.make_codes(edition, guest, 1)
        [other] = services.make_codes(edition, audience, 1)
        [old] = services.make_codes(edition, guest, 1, expires_at=clock.now() - timedelta(days=1))
        db.session.commit()
    assert refused(app, category="guest", invitation_code=other) == {"invitation_code": "This invitation code is not valid for this category."}
    assert refused(app, category="guest", invitation_code=old) == {"invitation_code": "This invitation code has expired."}
    _, status, _ = register(app, category="guest", invitation_code=code.lower().replace("-", " "))
    assert status == "pending"
    assert refused(app, category="guest", invitation_code=code, id_number=resident_id(serial="456")) == {
        "invitation_code": "This invitation code has been used already."}
    with app.app_context():
        assert db.session.execute(select(InvitationCode.uses).where(InvitationCode.hint == code[-4:])).scalar_one() == 1


def test_codes_are_unguessable_and_only_their_hash_is_kept(app, reg):
    with app.app_context():
        edition = get_edition(2023)
        codes = services.make_codes(edition, services.category_by_code(edition, "guest"), 200)
        db.session.commit()
        stored = db.session.execute(select(InvitationCode.code_hash)).scalars().all()
    assert len(set(codes)) == 200
    assert all(len(c.replace("-", "")) == 12 for c in codes)
    assert not {c.replace("-", "") for c in codes} & set(stored)


def test_staff_are_approved_automatically(app, reg):
    with app.app_context():
        edition = get_edition(2023)
        [code] = services.make_codes(edition, services.category_by_code(edition, "staff"), 1)
        db.session.commit()
    assert register(app, category="staff", invitation_code=code)[1] == "approved"


def test_required_fields_depend_on_the_category(app, reg):
    errors = refused(app, organisation="", email="", phone="")
    assert set(errors) == {"organisation", "email", "phone"}


def test_every_wrong_field_is_reported_at_once(app, reg):
    errors = refused(app, family_name="", email="not-an-email", phone="12345", id_number="123", consents={})
    assert {"family_name", "email", "phone", "id_number", "privacy_notice", "identity_document"} <= set(errors)


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "+852 9123 4567", "+853 6612 3456", "+886 912 345 678"])
def test_phones_of_the_mainland_hong_kong_macao_taiwan(app, reg, phone):
    registration_id, _, _ = register(app, phone=phone)
    with app.app_context():
        assert pii.unseal(db.session.get(Registration, registration_id).person.phone_sealed).startswith("+")


def test_an_outdated_notice_is_refused(app, reg):
    errors = refused(app, consents={"privacy_notice": 0, "identity_document": 0})
    assert "privacy notice has changed" in errors["privacy_notice"]


def test_a_photo_needs_its_own_consent(app, reg):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buffer, "JPEG")
    assert "photo_consent" in refused(app, photo=buffer.getvalue())
    registration_id, _, _ = register(app, photo=buffer.getvalue(), consents={"privacy_notice": 1, "identity_document": 1, "photo": 1})
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert registration.person.photo_file and "photo" in {c.kind for c in registration.consents}


def test_under_14_needs_a_guardian(app, reg):
    child = resident_id(birth="20120101")
    errors = refused(app, id_number=child)
    assert set(errors) == {"guardian_name", "guardian"}
    registration_id, _, _ = register(app, id_number=child, guardian_name="林大伟",
                                     consents={"privacy_notice": 1, "identity_document": 1, "guardian": 1})
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert registration.under_14 and registration.guardian_name == "林大伟"


def test_the_same_document_twice_is_refused_without_revealing_anything(app, reg):
    register(app, family_name="林", given_name="晓梅")
    errors = refused(app, family_name="王", given_name="芳", email="wang@example.org")
    assert errors == {"id_number": str(services.DUPLICATE_MESSAGE)}
    assert "林" not in errors["id_number"] and "晓梅" not in errors["id_number"]
    register(app, id_type="hk_macau_permit", id_number="H12345678")
    assert "id_number" in refused(app, id_type="hk_macau_permit", id_number="H1234567801")  # a reissued permit


def test_a_full_session_offers_the_waiting_list_and_a_cancellation_promotes(app, reg):
    session_id = set_seats(app, 5, 1)
    first = register(app, sessions=[session_id], id_number=resident_id(serial="001"), email="a@example.org")
    second = register(app, sessions=[session_id], id_number=resident_id(serial="002"), email="b@example.org")
    third = register(app, sessions=[session_id], id_number=resident_id(serial="003"), email="c@example.org")
    with app.app_context():
        bookings = {b.registration_id: b for b in db.session.execute(select(SeatBooking)).scalars()}
        assert [bookings[r[0]].status for r in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
        assert services.waitlist_position(bookings[third[0]]) == 2
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml"))
    with app.test_request_context():
        committed(lambda: services.cancel(services.find_by_token(first[2])))
    with app.app_context():
        bookings = {b.registration_id: b for b in db.session.execute(select(SeatBooking)).scalars()}
        assert [bookings[r[0]].status for r in (first, second, third)] == ["cancelled", "confirmed", "waitlisted"]
        assert services.waitlist_position(bookings[third[0]]) == 1
        assert db.session.execute(select(SessionQuota.taken).where(SessionQuota.session_id == session_id)).scalar_one() == 1
    told = [p.read_text() for p in set(outbox.glob("*.eml")) - before]
    assert any("b@example.org" in text for text in told)  # the promoted one is told


def test_a_registration_writes_in_one_flush_and_takes_its_seat_last(app, reg):
    """Registration opening's write: the person, the registration, its consents and their
    audit entries in one flush; then the seat, taken and written in one statement on
    PostgreSQL, after which nothing but the commit reaches the database (everyone registering
    for that session waits from the seat to the commit)."""
    session_id = set_seats(app, 5, 10)
    statements, flushes = [], []
    with app.test_request_context(headers={"Accept-Language": "en"}):
        edition = get_edition(2023)
        engine = db.engine
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        count = lambda *args: flushes.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        event.listen(db.session, "after_flush", count)
        try:
            def work():
                registration, _token = services.register(edition, fields(sessions=[session_id]))
                return registration.id, [(b.session_id, b.status) for b in registration.bookings]  # no query
            answer = committed(work)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
            event.remove(db.session, "after_flush", count)
    assert len(flushes) == 1
    seat = [s for s in statements if not s.startswith("SELECT") and ("session_quotas" in s or "seat_bookings" in s)]
    assert len(seat) == (1 if engine.dialect.name == "postgresql" else 2)  # SQLite: take, then write
    assert statements[-len(seat):] == seat and "INSERT INTO seat_bookings" in seat[-1]
    assert answer == (answer[0], [(session_id, "confirmed")])
    with app.app_context():
        entries = db.session.execute(select(AuditEntry.action, AuditEntry.target_id, AuditEntry.person_id)
                                     .where(AuditEntry.action.in_(["person.create", "registration.create"]))
                                     .order_by(AuditEntry.id)).all()
        person_id = db.session.get(Registration, answer[0]).person_id
    assert entries[-2:] == [("person.create", str(person_id), person_id), ("registration.create", str(answer[0]), person_id)]


def test_sessions_not_offered_to_the_category_are_refused(app, reg):
    with app.app_context():
        edition = get_edition(2023)
        main_forum = db.session.execute(select(SeatBooking.session_id)).first()
        allowed = services.category_by_code(edition, "media").session_ids
        from conference.programme.models import Session

        not_offered = db.session.execute(select(Session.id).where(Session.id.not_in(allowed))).scalars().first()
    assert main_forum is None
    assert "sessions" in refused(app, sessions=[not_offered])
    assert "sessions" in refused(app, sessions=[999999])


@pytest.mark.parametrize("trial", range(5))
def test_twenty_four_people_racing_for_the_last_seat_exactly_one_wins(app, reg, trial):
    session_id = set_seats(app, 7, 1)

    def attempt(index):
        edition = get_edition(2023)
        registration, _ = committed(lambda: services.register(
            edition, fields(id_number=resident_id(serial=f"{index:03d}"), email=f"r{index}@example.org",
                            sessions=[session_id])))
        return registration.id

    results, errors = race(app, attempt, 24)
    assert errors == []
    with app.app_context():
        statuses = db.session.execute(
            select(SeatBooking.status, func.count()).where(SeatBooking.session_id == session_id).group_by(SeatBooking.status)
        ).all()
        assert dict(statuses) == {"confirmed": 1, "waitlisted": 23}
        assert db.session.execute(select(SessionQuota.taken).where(SessionQuota.session_id == session_id)).scalar_one() == 1


def test_one_document_sent_twelve_times_at_once_registers_once(app, reg):
    def attempt(index):
        edition = get_edition(2023)
        try:
            committed(lambda: services.register(edition, fields(email=f"d{index}@example.org")))
        except RegistrationError as error:
            return error.errors
        return "registered"

    results, errors = race(app, attempt, 12)
    assert errors == []
    assert results.count("registered") == 1
    assert all(r == "registered" or set(r) == {"id_number"} for r in results)
    with app.app_context():
        assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 1


def test_withdrawn_consents_stay_recorded(app, reg):
    registration_id, _, _ = register(app)
    with app.app_context():
        consent = db.session.execute(select(Consent).where(Consent.registration_id == registration_id)).scalars().first()
        assert consent.given_at is not None and consent.withdrawn_at is None


def test_the_clone_takes_categories_and_the_notice_but_nobody(app, reg):
    register(app)
    with app.app_context():
        from conference.editions import services as editions
        from conference.registration.models import PrivacyNotice, RegistrationCategory

        clone = editions.clone_edition(get_edition(2023), 2024, "福州")
        db.session.commit()
        codes = db.session.execute(select(RegistrationCategory.code).where(RegistrationCategory.edition_id == clone.id)).scalars().all()
        assert sorted(codes) == ["audience", "guest", "media", "staff"]
        notice = db.session.execute(select(PrivacyNotice).where(PrivacyNotice.edition_id == clone.id)).scalar_one()
        assert notice.version == 1 and "个人信息" in notice.text_zh
        assert db.session.execute(select(func.count(Registration.id)).where(Registration.edition_id == clone.id)).scalar_one() == 0
        assert db.session.execute(select(func.count(InvitationCode.id)).where(InvitationCode.edition_id == clone.id)).scalar_one() == 0


@pytest.mark.parametrize(("lang", "said", "place"), [("en", "On the waiting list", "number 2 in line"),
                                                     ("zh_Hans", "候补中", "排第 2 位")])
def test_the_private_page_says_waiting_list_once(app, client, reg, lang, said, place):
    session_id = set_seats(app, 5, 1)
    register(app, sessions=[session_id], id_number=resident_id(serial="001"), email="a@example.org")
    register(app, sessions=[session_id], id_number=resident_id(serial="002"), email="b@example.org")
    _id, _status, token = register(app, sessions=[session_id], id_number=resident_id(serial="003"))
    html = client.get(f"/r/{token}?lang={lang}").get_data(as_text=True)
    assert html.count(said) == 1 and place in html
    assert "on the waiting list" not in html.replace(said, "")


@pytest.mark.parametrize(("language", "sender"), [("en", "China Internet Civilization Conference"),
                                                  ("zh_Hant_TW", "中國網絡文明大會"), ("zh_Hans_CN", "中国网络文明大会")])
def test_the_mail_comes_from_the_conference_in_the_registrants_language(app, reg, language, sender):
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    with app.test_request_context():
        committed(lambda: services.register(get_edition(2023), fields(locale=language)))
    (new,) = set(outbox.glob("*.eml")) - before
    message = email.message_from_bytes(new.read_bytes(), policy=email.policy.default)
    assert message["From"].addresses[0].display_name == sender
    assert message["From"].addresses[0].addr_spec == "noreply@conference.local"
