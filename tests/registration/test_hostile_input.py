"""No form value, however strange, makes the registration form or the API fail with a 500."""

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conference.extensions import limiter
from tests.conftest import csrf_token
from tests.registration.conftest import resident_id

FIELDS = ["category", "invitation_code", "family_name", "given_name", "organisation", "title", "email", "phone",
          "id_type", "id_number", "nationality", "guardian_name", "notice_version", "sessions", "consent_privacy",
          "consent_identity", "consent_photo", "consent_guardian"]
odd_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["𠮷", "䶮", "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
                     "９９９９", "350203199003071234" * 30, "-1", "1e309", "NaN", "../../etc/passwd"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.dictionaries(st.sampled_from(FIELDS), odd_text, max_size=len(FIELDS)))
def test_the_form_never_fails(app, client, reg, values):
    with app.app_context():
        limiter.reset()
    data = {**values, "csrf_token": csrf_token(client, "/register/2023/")}
    response = client.post("/register/2023/", data=data)
    assert response.status_code in (200, 302, 400, 413, 422), response.status_code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(
    st.dictionaries(st.sampled_from(FIELDS + ["consents"]), st.one_of(odd_text, st.integers(), st.none(), st.lists(st.integers(), max_size=3)), max_size=12),
    st.lists(st.integers(), max_size=3),
    st.text(max_size=50),
))
def test_the_api_never_fails(app, client, reg, body):
    with app.app_context():
        limiter.reset()
    response = client.post("/api/v1/editions/2023/registrations", json=body)
    assert response.status_code in (201, 400, 422), (response.status_code, response.get_data(as_text=True)[:300])


def test_control_characters_are_dropped_not_stored(app, client, reg):
    from sqlalchemy import select

    from conference.extensions import db
    from conference.people.models import Person

    body = {"category": "media", "family_name": "林\x00", "given_name": "晓\x07梅", "organisation": "鹭江\x00日报社",
            "email": "lin@example.org", "phone": "13812345678", "id_type": "resident_id", "id_number": resident_id(),
            "consents": {"privacy_notice": 1, "identity_document": 1}}
    assert client.post("/api/v1/editions/2023/registrations", json=body).status_code == 201
    with app.app_context():
        person = db.session.execute(select(Person).where(Person.email == "lin@example.org")).scalar_one()
        assert (person.family_name, person.given_name, person.organisation) == ("林", "晓梅", "鹭江日报社")


def test_a_body_that_is_not_a_json_object_is_named_not_failed(client, reg):
    url = "/api/v1/editions/2023/registrations"
    answers = [
        (client.post(url, data={"family_name": "林"}), 415, "body"),
        (client.post(url, data={"photo": (io.BytesIO(b"x"), "a.jpg")}, content_type="multipart/form-data"), 415, "body"),
        (client.post(url, data="林", content_type="text/plain"), 415, "body"),
        (client.post(url, data='{"family_name": ', content_type="application/json"), 400, "body"),
        (client.post(url, data=b"\xff\xfe\xfa", content_type="application/json"), 400, "body"),
        (client.post(url, data="[" * 100_000, content_type="application/json"), 400, "body"),
        (client.post(url, json=[1, 2]), 422, "body"),
        (client.post(url, data="null", content_type="application/json"), 422, "body"),
        (client.post(url), 415, "body"),
        (client.post(url, json=7), 422, "body"),
        (client.post(url, json={"family_name": 7, "consents": []}), 422, "family_name"),
        (client.post(url, json={"consents": {"privacy_notice": "yes"}}), 422, "consents.privacy_notice"),
    ]
    for response, status, field in answers:
        assert (response.status_code, field in response.get_json()["errors"]) == (status, True), response.get_json()
    english = client.post(url, data={"family_name": "Lin"}, headers={"Accept-Language": "en"})
    assert english.get_json() == {"errors": {"body": "Send the body as JSON, with Content-Type: application/json."}}


API = "/api/v1/editions/2023/registrations"
TEXT_FIELDS = ["category", "invitation_code", "family_name", "given_name", "organisation", "title", "email", "phone",
               "id_type", "id_number", "nationality", "guardian_name"]


def _passport(**overrides) -> dict:
    return {"category": "media", "family_name": "Brown", "given_name": "Lee", "organisation": "Daily", "email": "lee@example.org",
            "phone": "+44 7911 123456", "id_type": "passport", "id_number": "X7654321", "nationality": "GB",
            "consents": {"privacy_notice": 1, "identity_document": 1}, **overrides}


def test_every_text_field_of_the_api_is_bounded(client, reg):
    response = client.post(API, json=_passport(**{name: "长" * 401 for name in TEXT_FIELDS}), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == set(TEXT_FIELDS)
    assert errors["family_name"] == "At most 100 characters." and errors["nationality"] == "At most 3 characters."


def test_the_longest_names_fit_their_search_keys(app, client, reg):
    """100 characters each, as the form allows: 200 Han characters make more than 300 letters of
    pinyin, and 50 words of a family name and 50 of a given name make 100 initials."""
    han = "欧阳" * 50
    many_words = " ".join("ABCDEFGHIJ" * 5)
    for number, (family, given_name) in enumerate([(han, han), (many_words, many_words)]):
        response = client.post(API, json=_passport(family_name=family, given_name=given_name, id_number=f"X765432{number}"))
        assert response.status_code == 201, response.get_json()
    with app.app_context():
        from sqlalchemy import select

        from conference.editions.services import get_edition
        from conference.extensions import db
        from conference.people import services as people
        from conference.people.models import Person

        keys = db.session.execute(select(Person.name_pinyin, Person.name_initials).where(Person.email == "lee@example.org")).all()
        assert sorted(len(initials) for _pinyin, initials in keys) == [50, 50]
        found, _total = people.search_people(get_edition(2023), "ouyangouyang", "media", 1, 10)
        assert [person.family_name for person in found] == [han]


def test_nationality_is_an_iso_country_stored_as_alpha_2(app, client, reg):
    english = {"Accept-Language": "en"}
    assert client.post(API, json=_passport(nationality="us"), headers=english).status_code == 201
    for same in ("US", "USA", "usa"):
        again = client.post(API, json=_passport(nationality=same, email="again@example.org"), headers=english)
        assert again.status_code == 422 and "id_number" in again.get_json()["errors"], same
    for unknown in ("ZZ", "ABC", "EU", "", "X"):
        refused = client.post(API, json=_passport(nationality=unknown, id_number="Y1234567"), headers=english)
        assert refused.status_code == 422, unknown
        assert refused.get_json()["errors"]["nationality"].startswith("Choose the nationality"), unknown
    assert client.post(API, json=_passport(nationality="deu", id_number="C01X00T47")).status_code == 201
    with app.app_context():
        from sqlalchemy import select

        from conference.extensions import db
        from conference.registration.models import Registration

        assert sorted(db.session.execute(select(Registration.nationality)).scalars()) == ["DE", "US"]


def test_the_form_shows_an_unknown_nationality_beside_its_field(client, reg):
    from tests.registration.test_pages import FORM, post_form

    data = {**FORM, "family_name": "Brown", "id_type": "passport", "id_number": "X7654321", "nationality": "ABCD"}
    response = post_form(client, data, "en")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="nationality-error" role="alert">Choose the nationality shown in the passport.' in html


def test_the_body_is_read_as_strictly_as_the_document_describes_it(client, reg):
    for wrong in ({"consents": {"privacy_notice": "1"}}, {"sessions": ["1"]}, {"consents": {"privacy_notice": 1.5}}):
        response = client.post(API, json=_passport(**wrong), headers={"Accept-Language": "en"})
        assert response.status_code == 422, wrong
    nan = client.post(API, data='{"family_name": NaN}', content_type="application/json")
    assert nan.status_code in (400, 422)


def test_json_that_pydantics_parser_refuses_is_its_fields_problem(app, client, reg):
    """JSON allows a lone surrogate (a phone's JSON.stringify writes one for a broken character)
    and integers of any size; pydantic's parser refuses both, and the answer named no field."""
    api = "/api/v1/editions/2023/registrations"
    lone = client.post(api, data='{"category": "media", "family_name": "\\ud800林"}', content_type="application/json")
    assert lone.status_code == 422
    assert "family_name" in lone.get_json()["errors"]
    body = json.dumps({"category": "media", "family_name": "林", "given_name": "晓梅", "organisation": "鹭江日报社",
                       "email": "lin@example.org", "phone": "13812345678", "id_type": "resident_id",
                       "id_number": resident_id(), "consents": {"privacy_notice": 1, "identity_document": 1},
                       "sessions": [10**400]})
    huge = client.post(api, data=body, content_type="application/json")
    assert huge.status_code == 422, huge.get_data(as_text=True)
    assert list(huge.get_json()["errors"]) == ["sessions"]
