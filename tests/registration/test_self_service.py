"""The attendee's self-service: confirmations before cancelling or asking for deletion,
registering again after a cancel, changes that keep what is stored, no two sessions at once,
and a way back to the private page for everyone."""

import email
import email.policy
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.badges.models import Badge
from conference.core import pii
from conference.core.database import committed
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people.models import Person
from conference.programme.models import Session
from conference.registration import services
from conference.registration.models import Consent, DataRequest, Registration, SeatBooking
from tests.conftest import csrf_token, submit
from tests.registration.conftest import resident_id, set_seats
from tests.registration.test_pages import FORM, post_form
from tests.registration.test_register import fields, refused, register


def _mails(app, since: set) -> list:
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(set(outbox.glob("*.eml")) - since)]


def _outbox(app) -> set:
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    return set(outbox.glob("*.eml")) if outbox.exists() else set()


# Confirmations ------------------------------------------------------------------------------


def test_cancelling_asks_first_and_says_what_happens(app, client, reg):
    session_id = set_seats(app, 3, 5)
    own = post_form(client, {**FORM, "sessions": str(session_id)}).headers["Location"]
    token = own.rsplit("/", 1)[1]
    page = client.get(own, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'action="{own}/cancel"' not in page  # no one-tap form on the private page
    assert f'href="{own}/cancel"' in page
    confirm = client.get(f"{own}/cancel", headers={"Accept-Language": "en"})
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    with app.test_request_context(headers={"Accept-Language": "en"}):
        title = db.session.get(Session, session_id).title
    assert "next people on the waiting lists" in html and title in html and "register again" in html
    with app.app_context():
        assert services.find_by_token(token).status == "pending"  # looking cancels nothing
    assert client.post(f"{own}/cancel", data={}).status_code == 400  # no CSRF token, no cancel
    with app.app_context():
        assert services.find_by_token(token).status == "pending"
    done = client.post(f"{own}/cancel", data={"csrf_token": csrf_token(client, f"{own}/cancel")})
    assert done.status_code == 302
    with app.app_context():
        registration = services.find_by_token(token)
        assert registration.status == "cancelled"
        assert [b.status for b in registration.bookings] == ["cancelled"]
    assert client.get(f"{own}/cancel").status_code == 302  # nothing left to cancel


def test_asking_for_deletion_asks_first_and_says_what_is_deleted_and_kept(app, client, reg):
    own = post_form(client, FORM).headers["Location"]
    page = client.get(own, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f'action="{own}/requests"' not in page
    confirm = client.get(f"{own}/deletion", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "identity document number" in confirm and "photo" in confirm
    assert "audit trail" in confirm and "consents" in confirm
    zh = client.get(f"{own}/deletion", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "审计" in zh
    with app.app_context():
        assert db.session.execute(select(func.count(DataRequest.id))).scalar_one() == 0
    assert client.post(f"{own}/requests", data={
        "csrf_token": csrf_token(client, f"{own}/deletion"), "kind": "deletion"}).status_code == 302
    with app.app_context():
        assert db.session.execute(select(DataRequest.kind)).scalars().all() == ["deletion"]


# Registering again after a cancel -------------------------------------------------------------


def test_after_a_cancel_the_same_document_registers_again(app, reg):
    first_id, _, first_token = register(app)
    assert "id_number" in refused(app)  # still held: refused
    with app.test_request_context():
        committed(lambda: services.cancel(services.find_by_token(first_token)))
    second_id, status, second_token = register(app, organisation="东南网")
    assert second_id != first_id and status == "pending" and second_token != first_token
    with app.app_context():
        old, new = db.session.get(Registration, first_id), db.session.get(Registration, second_id)
        assert old.status == "cancelled" and new.document_index == old.document_index  # both kept
    assert "id_number" in refused(app)  # the new one holds the document again


def test_the_database_allows_one_held_registration_per_document(app, reg):
    """The partial unique index, not only the service, settles the race on both databases."""
    first_id, _, _ = register(app)
    with app.app_context():
        first = db.session.get(Registration, first_id)
        copy = {c: getattr(first, c) for c in ("edition_id", "category_id", "id_type", "document_index", "document_masked")}
        def add(status):
            person = Person(edition_id=first.edition_id, family_name="林", given_name="二", category="media")
            db.session.add(Registration(person=person, status=status, token_hash=status + "x" * 50, **copy))
            db.session.flush()

        with pytest.raises(IntegrityError):
            add("pending")
        db.session.rollback()
        first = db.session.get(Registration, first_id)
        first.status = "cancelled"
        db.session.flush()
        add("approved")
        db.session.rollback()


def test_a_cancelled_registration_opens_no_gate(app, reg):
    registration_id, _, token = register(app)
    with app.test_request_context():
        committed(lambda: services.decide([db.session.get(Registration, registration_id)], "approved", "", None))
        assert db.session.execute(select(Badge.status)).scalar_one() == "active"
        committed(lambda: services.cancel(services.find_by_token(token)))
    with app.app_context():
        assert db.session.execute(select(Badge.status)).scalar_one() == "revoked"


# Changing a registration ----------------------------------------------------------------------


def test_changing_only_the_organisation_keeps_phone_document_and_consents(app, client, reg):
    own = post_form(client, FORM).headers["Location"]
    token = own.rsplit("/", 1)[1]
    page = client.get(f"{own}/edit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    with app.app_context():
        registration = services.find_by_token(token)
        phone_masked, document_masked = registration.person.phone_masked, registration.document_masked
    assert f"Leave empty to keep {phone_masked}." in page.split('name="phone"')[1].split("</div>")[0]
    assert f"Leave empty to keep {document_masked}." in page.split('name="id_number"')[1].split("</div>")[0]
    for box in ("consent_privacy", "consent_identity"):
        tag = page.split(f'name="{box}"')[0].rsplit("<input", 1)[-1] + page.split(f'name="{box}"')[1].split(">", 1)[0]
        assert "checked" in tag, box
    # What a browser sends back untouched, with only the organisation changed.
    data = {k: v for k, v in FORM.items() if k not in ("phone", "id_number")}
    data.update(organisation="东南网", phone="", id_number="")
    response = submit(client, f"{own}/edit", data, headers={"Accept-Language": "en"})
    assert response.status_code == 302, re.findall(r'class="error"[^>]*>([^<]+)', response.get_data(as_text=True))
    with app.app_context():
        registration = services.find_by_token(token)
        assert registration.person.organisation == "东南网"
        assert pii.unseal(registration.person.phone_sealed) == "+886912345678"
        assert pii.unseal(registration.document_sealed) == "12345678" and registration.id_type == "taiwan_permit"
        assert sorted(c.kind for c in registration.consents) == ["identity_document", "privacy_notice"]  # not recorded twice


def test_a_change_can_still_replace_the_phone_and_document(app, reg):
    _, _, token = register(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        committed(lambda: services.update_pending(services.find_by_token(token), fields(
            phone="13900001111", id_number=resident_id(serial="777"))))
    with app.app_context():
        registration = services.find_by_token(token)
        assert pii.unseal(registration.person.phone_sealed) == "+8613900001111"
        assert pii.unseal(registration.document_sealed) == resident_id(serial="777")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        registration = services.find_by_token(token)

        with pytest.raises(services.RegistrationError) as error:
            services.update_pending(registration, fields(phone="", id_number="", id_type="passport", nationality="FR"))
        assert "document number again" in str(error.value.errors["id_number"])
        db.session.rollback()


# Two sessions at the same time ----------------------------------------------------------------


def test_two_sessions_at_the_same_time_are_refused_naming_both(app, reg):
    forum_one, forum_two = set_seats(app, 1, 5), set_seats(app, 2, 5)
    errors = refused(app, sessions=[forum_one, forum_two])
    message = errors["sessions"]
    assert "Sub-forum 1" in message and "Sub-forum 2" in message
    assert "14:00–17:00" in message  # the host city's clock, not UTC (06:00)
    assert "Tue, Jul 18" in message
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        edition = get_edition(2023)

        with pytest.raises(services.RegistrationError) as error:
            services.register(edition, fields(sessions=[forum_one, forum_two]))
        said = str(error.value.errors["sessions"])
        assert "分论坛一" in said and "分论坛二" in said and "同时" in said and "7月18日周二 14:00–17:00" in said
        db.session.rollback()
    with app.app_context():
        evening = next(s.id for s in services.choosable_sessions(get_edition(2023)) if s.number is None)
    register(app, sessions=[forum_one, evening])  # one after the other: fine


def test_a_waiting_list_place_counts_and_a_change_is_checked_too(app, reg):
    forum_five, forum_six = set_seats(app, 5, 0), set_seats(app, 6, 5)
    _, _, token = register(app, sessions=[forum_five])
    with app.app_context():
        assert db.session.execute(select(SeatBooking.status)).scalar_one() == "waitlisted"
    with app.test_request_context(headers={"Accept-Language": "en"}):

        with pytest.raises(services.RegistrationError) as error:
            services.update_pending(services.find_by_token(token), fields(sessions=[forum_five, forum_six]))
        assert "at the same time" in str(error.value.errors["sessions"])
        db.session.rollback()


def test_the_form_the_api_and_the_import_refuse_overlaps(app, client, reg, organizer_client):
    forum_one, forum_two = set_seats(app, 1, 5), set_seats(app, 2, 5)
    response = post_form(client, {**FORM, "sessions": [str(forum_one), str(forum_two)]}, lang="en")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    choice = html.split('class="session-choice"')[1]
    assert "at the same time" in choice.split("</fieldset>")[0]  # beside the sessions
    api = client.post("/api/v1/editions/2023/registrations", headers={"Accept-Language": "en"}, json={
        "category": "media", "family_name": "Smith", "given_name": "Anna", "organisation": "BBC",
        "email": "anna@example.org", "phone": "+44 7700 900123", "id_type": "passport", "id_number": "123456789",
        "nationality": "GB", "consents": {"privacy_notice": 1, "identity_document": 1}, "sessions": [forum_one, forum_two]})
    assert api.status_code == 422 and "at the same time" in api.get_json()["errors"]["sessions"]
    with app.test_request_context():

        with pytest.raises(services.RegistrationError) as error:
            services.register(get_edition(2023), fields(sessions=[forum_one, forum_two]), source="import", invited=True)
        assert "sessions" in error.value.errors
        db.session.rollback()


# A way back ------------------------------------------------------------------------------------


def test_the_private_page_shows_its_full_address_to_copy(app, client, reg):
    with app.app_context():
        services.category_by_code(get_edition(2023), "media").required_fields = ["organisation"]
        db.session.commit()
    own = post_form(client, {**FORM, "email": ""}).headers["Location"]
    html = client.get(own, headers={"Accept-Language": "en"}).get_data(as_text=True)
    address = app.config["PUBLIC_URL"].rstrip("/") + own
    assert f'value="{address}"' in html
    assert "Copy the link" in html and "gave no email address" in html


def test_send_me_my_link_again_mails_the_same_link_and_answers_the_same(app, client, reg):
    _, _, token = register(app, email="lin@example.org", locale="en")
    with app.app_context():
        assert pii.unseal(db.session.execute(select(Registration.token_sealed)).scalar_one()) == token
    page = client.get("/register/2023/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/register/2023/link"' in page and "Send me my link again" in page
    before = _outbox(app)
    known = submit(client, "/register/2023/link", {"email": "LIN@example.org"}, headers={"Accept-Language": "en"},
                   follow_redirects=True)
    unknown = submit(client, "/register/2023/link", {"email": "nobody@example.org"}, headers={"Accept-Language": "en"},
                     follow_redirects=True)
    strip = re.compile(r"(?i)lin@example\.org|nobody@example\.org|name=\"csrf_token\"[^>]*>")
    assert known.status_code == unknown.status_code == 200
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))
    sent = _mails(app, before)
    assert len(sent) == 1 and sent[0]["To"] == "lin@example.org"
    assert f"/r/{token}" in sent[0].get_body().get_content()
    with app.app_context():
        assert services.find_by_token(token) is not None  # the same link still works
        assert db.session.execute(select(AuditEntry.action).where(AuditEntry.action == "registration.link_sent")).scalar_one()
    wrong = submit(client, "/register/2023/link", {"email": "not an address"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and 'value="not an address"' in wrong.get_data(as_text=True)


def test_a_registration_from_before_the_sealed_token_gets_a_new_link(app, reg):
    _, _, token = register(app, email="old@example.org")
    with app.app_context():
        db.session.execute(Registration.__table__.update().values(token_sealed=None))
        db.session.commit()
    before = _outbox(app)
    with app.test_request_context():
        assert committed(lambda: services.send_link_again(get_edition(2023), "old@example.org")) == 1
    body = _mails(app, before)[0].get_body().get_content()
    new = re.search(r"/r/([A-Za-z0-9_-]+)", body).group(1)
    with app.app_context():
        assert new != token and services.find_by_token(new) is not None and services.find_by_token(token) is None


def test_send_me_my_link_again_is_rate_limited(app, client, reg):
    codes = [submit(client, "/register/2023/link", {"email": f"x{i}@example.org"}).status_code for i in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429
    with app.app_context():
        assert db.session.execute(select(func.count(Consent.id))).scalar_one() == 0
