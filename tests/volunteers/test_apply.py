"""Applying to volunteer: every rule of the form (the identity document as registration checks
it), the guardian of an applicant under 18, consents with the notice's version, one application
per document (a race on both databases), the applicant's own link and withdrawing."""

import pytest
from sqlalchemy import func, select

from conference.core import pii
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.registration.identity import IdentityError, check_document
from conference.volunteers import applications
from conference.volunteers.models import Volunteer, VolunteerConsent
from conference.volunteers.services import VolunteerError
from tests.conftest import csrf_token, race, submit
from tests.registration.conftest import resident_id
from tests.volunteers import applying

URL = "/volunteer/2023/"


@pytest.fixture
def opened(app):
    applying.empty_outbox(app)
    with app.app_context():
        applying.open_world()
    return 2023


def apply(app, **overrides):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        edition = get_edition(2023)
        volunteer, token = committed(lambda: applications.apply(edition, applying.fields(**overrides)))
        return volunteer.id, token


def refused(app, **overrides) -> dict:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        edition = get_edition(2023)
        with pytest.raises(VolunteerError) as error:
            committed(lambda: applications.apply(edition, applying.fields(**overrides)))
        return {key: str(message) for key, message in error.value.errors.items()}


def test_an_application_through_the_form_is_sealed_with_its_consents_and_mailed_with_its_link(app, client, opened):
    page = client.get(URL + "?lang=en")
    assert page.status_code == 200 and "Volunteer at the conference" in page.get_data(as_text=True)
    response = submit(client, URL, applying.form_data(**{"language-2-code": "ja", "language-2-level": "basic"}))
    assert response.status_code == 302 and "/volunteer/2023/status/" in response.location
    token = response.location.rsplit("/status/", 1)[1].split("?")[0]
    with app.app_context():
        volunteer = db.session.execute(select(Volunteer)).scalar_one()
        assert volunteer.status == "applied" and volunteer.token_hash == pii.token_hash(token) != token
        assert pii.unseal(volunteer.phone_sealed) == "+8613812345678" and volunteer.phone_masked == "+86 138****5678"
        assert pii.unseal(volunteer.document_sealed) == applying.ADULT and applying.ADULT not in volunteer.document_sealed
        assert volunteer.document_masked == applying.ADULT[:4] + "*" * 10 + applying.ADULT[-4:]
        assert pii.unseal(volunteer.emergency_phone_sealed) == "+8613900001111"
        assert volunteer.languages == [{"code": "zh", "level": "native"}, {"code": "en", "level": "fluent"},
                                       {"code": "ja", "level": "basic"}]
        assert volunteer.availability == [{"day": "2023-07-18", "part": "morning"}, {"day": "2023-07-18", "part": "afternoon"}]
        assert (volunteer.skills, volunteer.shirt_size, volunteer.first_time, volunteer.under_18) == (["first_aid"], "M", True, False)
        assert sorted((c.kind, c.notice_version) for c in volunteer.consents) == [("identity_document", 1), ("privacy_notice", 1)]
    status = client.get(response.location)
    assert status.status_code == 200 and "no-store" in status.headers["Cache-Control"]
    assert token in status.get_data(as_text=True)  # the link to save, once
    sent = applying.mails_to(app, "lin@example.org")
    assert len(sent) == 1 and f"/volunteer/2023/status/{token}" in sent[0].get_content()


def test_a_returning_volunteer_is_not_a_first_timer(app, client, opened):
    submit(client, URL, applying.form_data(returning="y"))
    with app.app_context():
        assert db.session.execute(select(Volunteer.first_time)).scalar_one() is False


@pytest.mark.parametrize(("override", "field"), [
    ({"family_name": " "}, "family_name"),
    ({"email": ""}, "email"),
    ({"email": "not-an-address"}, "email"),
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"school_or_employer": ""}, "school_or_employer"),
    ({"languages": []}, "languages"),
    ({"languages": [{"code": "tlh", "level": "fluent"}]}, "languages"),
    ({"languages": [{"code": "en", "level": "godlike"}]}, "languages"),
    ({"languages": [{"code": "en", "level": "basic"}, {"code": "en", "level": "native"}]}, "languages"),
    ({"skills": ["juggling"]}, "skills"),
    ({"availability": []}, "availability"),
    ({"availability": [{"day": "2023-07-16", "part": "morning"}]}, "availability"),  # before the volunteering days
    ({"availability": [{"day": "2023-07-18", "part": "night"}]}, "availability"),
    ({"availability": [{"day": "2023-02-30", "part": "morning"}]}, "availability"),
    ({"shirt_size": "XXXXXL"}, "shirt_size"),
    ({"emergency_name": ""}, "emergency_name"),
    ({"emergency_phone": ""}, "emergency_phone"),
    ({"emergency_phone": "call my mum"}, "emergency_phone"),
    ({"id_type": "library_card"}, "id_number"),
    ({"id_number": ""}, "id_number"),
    ({"id_type": "passport", "id_number": "E12345678", "nationality": "Atlantis"}, "nationality"),
    ({"consents": {"identity_document": 1}}, "privacy_notice"),
    ({"consents": {"privacy_notice": 1}}, "identity_document"),
    ({"consents": {"privacy_notice": 0, "identity_document": 1}}, "privacy_notice"),  # an older notice
    ({"photo": b"not an image", "consents": {"privacy_notice": 1, "identity_document": 1, "photo": 1}}, "photo"),
    ({"family_name": "林" * 101}, "family_name"),
    ({"school_or_employer": "大" * 201}, "school_or_employer"),
])
def test_each_rule_of_the_form_refuses_with_its_field(app, opened, override, field):
    assert field in refused(app, **override)
    with app.app_context():
        assert db.session.execute(select(func.count(Volunteer.id))).scalar_one() == 0


def test_the_identity_document_is_refused_with_registrations_own_words(app, opened):
    wrong = applying.ADULT[:-1] + ("1" if applying.ADULT[-1] != "1" else "2")
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(IdentityError) as registration_says:
        check_document("resident_id", wrong)
    assert refused(app, id_number=wrong)["id_number"] == str(registration_says.value.message)


def test_a_photo_needs_its_own_consent_and_is_kept_upright_and_small(app, opened):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1600), "navy").save(buffer, "JPEG")
    photo = buffer.getvalue()
    assert "photo" in refused(app, photo=photo)
    volunteer_id, _ = apply(app, photo=photo, consents={"privacy_notice": 1, "identity_document": 1, "photo": 1})
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        assert volunteer.photo_file and ("photo", 1) in {(c.kind, c.notice_version) for c in volunteer.consents}


def test_under_18_needs_a_guardians_name_phone_and_consent(app, opened):
    errors = refused(app, id_number=applying.MINOR)
    assert {"guardian_name", "guardian_phone", "guardian"} <= set(errors)
    assert "guardian" in refused(app, id_number=applying.MINOR, guardian_name="林父", guardian_phone="13700001111")
    volunteer_id, _ = apply(app, id_number=applying.MINOR, guardian_name="林父", guardian_phone="13700001111",
                            consents={"privacy_notice": 1, "identity_document": 1, "guardian": 1})
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        assert volunteer.under_18 and volunteer.guardian_name == "林父"
        assert pii.unseal(volunteer.guardian_phone_sealed) == "+8613700001111"
        assert ("guardian", 1) in {(c.kind, c.notice_version) for c in volunteer.consents}


def test_eighteen_on_the_first_volunteering_day_is_an_adult(app, opened):
    volunteer_id, _ = apply(app, id_number=resident_id(birth="20050717", serial="203"))
    with app.app_context():
        assert db.session.get(Volunteer, volunteer_id).under_18 is False
    assert "guardian" in refused(app, id_number=resident_id(birth="20050718", serial="204"))


def test_a_document_without_a_birth_date_asks_the_applicant(app, opened):
    passport = {"id_type": "passport", "id_number": "E12345678", "nationality": "SGP"}
    assert "guardian_name" in refused(app, declared_under_18=True, **passport)
    volunteer_id, _ = apply(app, **passport)
    with app.app_context():
        volunteer = db.session.get(Volunteer, volunteer_id)
        assert (volunteer.under_18, volunteer.nationality) == (False, "SG")


def test_one_application_per_document_until_it_is_withdrawn(app, opened):
    first_id, _ = apply(app)
    assert "already in for this edition" in refused(app, email="other@example.org")["id_number"]
    with app.test_request_context():
        committed(lambda: applications.withdraw(db.session.get(Volunteer, first_id), applying.now()))
    apply(app, email="again@example.org")


def test_two_applications_with_one_document_at_once_leave_exactly_one(app, opened):
    def attempt(index):
        edition = get_edition(2023)
        return committed(lambda: applications.apply(edition, applying.fields(email=f"race{index}@example.org")))

    results, errors = race(app, attempt, 6)
    assert sum(result is not None for result in results) == 1
    assert len(errors) == 5 and all(isinstance(error, VolunteerError) and error.field == "id_number" for error in errors)
    with app.app_context():
        assert db.session.execute(select(func.count(Volunteer.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(VolunteerConsent.id))).scalar_one() == 2


def test_the_closed_form_says_so_and_takes_nothing(app, client):
    with app.app_context():
        applying.open_world(open_applications=False)
    page = client.get(URL + "?lang=en")
    assert page.status_code == 200 and "Applications to volunteer are closed." in page.get_data(as_text=True)
    assert 'name="family_name"' not in page.get_data(as_text=True)
    response = client.post(URL + "?lang=en", data={**applying.form_data(), "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 422 and "Applications to volunteer are closed." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(Volunteer.id))).scalar_one() == 0


def test_without_a_published_notice_the_form_is_closed(app, client):
    from tests.volunteers import factories

    with app.app_context():
        factories.world()
    body = client.get(URL + "?lang=en").get_data(as_text=True)
    assert "the volunteers' privacy notice is not published" in body


@pytest.mark.parametrize("override", [
    {"family_name": "林" * 5000, "given_name": "x" * 100000},
    {"language-0-code": "klingon", "language-0-level": "native"},
    {"language-0-code": "en", "language-0-level": "<script>"},
    {"availability": ["2023-02-30:morning", "not-a-day", "2023-07-18"]},
    {"availability": ["9999-99-99:evening"]},
    {"skills": ["first_aid", "x" * 500]},
    {"id_type": "passport", "id_number": "\x00" * 30, "nationality": "𠮷𠮷"},
    {"notice_version": "99999999999999999999"},
    {"status": "accepted", "trusted": "y", "group_id": "1", "person_id": "1", "token_hash": "x"},
    {"shirt_size": "\x00M"},
    {"emergency_phone": "+" + "9" * 39},
])
def test_hostile_input_gets_the_form_again_never_a_500(app, client, opened, override):
    response = submit(client, URL, applying.form_data(**override))
    assert response.status_code in (302, 422), response.status_code
    with app.app_context():
        for volunteer in db.session.execute(select(Volunteer)).scalars():
            assert (volunteer.status, volunteer.trusted, volunteer.group_id, volunteer.person_id) == ("applied", False, None, None)


def test_a_wrong_answer_keeps_what_was_typed_beside_the_message(app, client, opened):
    response = submit(client, URL + "?lang=en", applying.form_data(phone="12345", **{"language-0-code": "klingon"}))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="12345"' in body and 'value="林"' in body and 'value="厦门大学"' in body
    assert "Choose languages and levels from the list." in body
    assert 'value="2023-07-18:morning" checked' in body


def test_the_own_page_is_found_only_by_its_token_and_year(app, client, opened):
    _, token = apply(app)
    assert client.get(f"/volunteer/2023/status/{token}").status_code == 200
    assert client.get(f"/volunteer/2023/status/{token}x").status_code == 404
    assert client.get(f"/volunteer/2024/status/{token}").status_code == 404
    assert client.get("/volunteer/2023/status/" + "a" * 5000).status_code == 404


def test_withdrawing_from_the_own_page_frees_the_document(app, client, opened):
    volunteer_id, token = apply(app)
    page = f"/volunteer/2023/status/{token}/withdraw"
    assert client.get(page).status_code == 200
    response = submit(client, page, {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Volunteer, volunteer_id).status == "withdrawn"
    assert "withdrawn" in applying.mails_to(app, "lin@example.org")[-1]["Subject"]
    apply(app)  # the same document may apply again


def test_the_form_is_rate_limited_like_registrations(app, client, opened):
    limit = int(app.config["REGISTRATION_RATE_LIMIT"].split()[0])
    token = csrf_token(client, URL)
    codes = [client.post(URL, data={"csrf_token": token, "family_name": ""}).status_code for _ in range(limit + 1)]
    assert codes[:limit] == [422] * limit and codes[-1] == 429


def test_the_own_link_and_an_invitation_never_reach_a_log():
    from conference.core.links import redact

    line = 'GET /volunteer/2023/status/Zx-9_abc?sent=1 then /account/welcome/eyJ1c2VyIjoxfQ.Zx.Yy "next=%2Fvolunteer%2F2023%2Fstatus%2Fq1"'
    assert redact(line) == ('GET /volunteer/2023/status/[redacted]?sent=1 then /account/welcome/[redacted] '
                            '"next=%2Fvolunteer%2F2023%2Fstatus%2F[redacted]"')
    assert redact("/volunteer/2023/ and /volunteer/2023/status/") == "/volunteer/2023/ and /volunteer/2023/status/"
