"""Withdrawing the photo or the hotel-sharing consent on one's own page: the photo goes, file
and column; the next rooming list carries no document number; audited; in three languages."""

import pytest
from sqlalchemy import select

from conference.core.models import AuditEntry
from conference.extensions import db
from conference.hotels import rooming
from conference.hotels.models import Hotel, Traveller
from conference.people.models import Person
from conference.registration.models import Consent
from conference.volunteers.models import Volunteer, VolunteerConsent
from tests.conftest import csrf_token, login
from tests.privacy import world


@pytest.fixture
def built(app, demo_clock):
    with app.test_request_context():
        return world.build(app)


def _documents_in_rooming_list(app) -> int:
    with app.app_context():
        hotel = db.session.execute(select(Hotel)).scalar_one()
        return rooming.rooming_list(hotel).documents


def test_an_attendee_withdraws_the_photo_and_the_hotel_sharing_on_their_own_page(app, client, built):
    page = client.get(f"/r/{built.token}?lang=en").get_data(as_text=True)
    assert "Your consents" in page and "Withdraw and delete my photo" in page
    assert "Withdraw: do not send my document to the hotel" in page
    assert _documents_in_rooming_list(app) == 1
    token = csrf_token(client, f"/r/{built.token}")

    done = client.post(f"/r/{built.token}/consents/photo/withdraw?lang=en", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/r/{built.token}")
    assert not built.photo.exists()
    with app.app_context():
        assert db.session.get(Person, built.person_id).photo_file is None
        assert db.session.execute(select(Consent.withdrawn_at).where(Consent.kind == "photo")).scalar() is not None

    client.post(f"/r/{built.token}/consents/hotel_document/withdraw", data={"csrf_token": token})
    assert _documents_in_rooming_list(app) == 0  # the next list sent to the hotel drops the number
    with app.app_context():
        entries = db.session.execute(select(AuditEntry.detail).where(AuditEntry.action == "consent.withdrawn")
                                     .order_by(AuditEntry.id)).scalars()
        assert [entry["kind"] for entry in entries] == ["photo", "hotel_document"]
    after = client.get(f"/r/{built.token}?lang=en").get_data(as_text=True)
    assert "Your consents" not in after  # nothing left to withdraw


def test_a_withdrawal_needs_the_form_token_and_a_known_kind(app, client, built):
    assert client.post(f"/r/{built.token}/consents/photo/withdraw").status_code == 400
    token = csrf_token(client, f"/r/{built.token}")
    assert client.post(f"/r/{built.token}/consents/email/withdraw", data={"csrf_token": token}).status_code == 404
    assert client.post("/r/not-a-token/consents/photo/withdraw", data={"csrf_token": token}).status_code == 404
    assert built.photo.exists()


def test_a_volunteer_withdraws_on_their_page_and_both_copies_of_the_photo_go(app, client, built):
    login(client, world.VOLUNTEER_EMAIL)
    page = client.get("/volunteer/2023/me/?lang=en").get_data(as_text=True)
    assert "Your consents" in page
    token = csrf_token(client, "/volunteer/2023/me/")
    done = client.post("/volunteer/2023/me/consents/photo/withdraw", data={"csrf_token": token})
    assert done.status_code == 302
    assert not built.volunteer_photo.exists() and not built.volunteer_badge_photo.exists()
    client.post("/volunteer/2023/me/consents/hotel_document/withdraw", data={"csrf_token": token})
    with app.app_context():
        volunteer = db.session.get(Volunteer, built.volunteer_id)
        assert volunteer.photo_file is None and volunteer.person.photo_file is None
        assert db.session.execute(select(VolunteerConsent.withdrawn_at)).scalar() is not None
        assert db.session.execute(select(Traveller.document_consent_at).where(
            Traveller.person_id == volunteer.person_id)).scalar() is None
        assert db.session.execute(select(AuditEntry.actor).where(AuditEntry.action == "consent.withdrawn")).scalars().all() == [
            world.VOLUNTEER_EMAIL, world.VOLUNTEER_EMAIL]
