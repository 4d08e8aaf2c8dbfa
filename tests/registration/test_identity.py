from datetime import date

import pytest
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

from conference.registration.identity import IdentityError, check_document
from tests.registration.conftest import resident_id

TODAY = date(2023, 6, 20)


def check(id_type, number, nationality=None):
    return check_document(id_type, number, nationality, today=TODAY)


def test_a_valid_resident_id_passes_and_gives_the_birth_date(app):
    with app.test_request_context():
        document = check("resident_id", resident_id("19900307"))
    assert document.birth_date == date(1990, 3, 7) and document.warnings == []


def test_spaces_and_a_lower_case_x_are_normalised(app):
    body = "11010519491231002"
    number = body + mod_11_2.calc_check_digit(body)
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    with app.test_request_context():
        assert check("resident_id", spaced).number == number


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("350203199003071230", "check digit"),
        ("350203199002301234", "not a real date"),
        ("350203203001011234", "not possible"),
        ("350203900307123", "15-digit"),
        ("35020319900307123", "18 characters"),
        ("3502031990030712AB", "18 characters"),
    ],
)
def test_a_wrong_resident_id_says_what_is_wrong(app, number, words):
    if words == "check digit":
        number = number[:17] + str((int(mod_11_2.calc_check_digit(number[:17]).replace("X", "10")) + 1) % 10)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(IdentityError) as refused:
        check("resident_id", number)
    assert words in str(refused.value.message)


def test_an_unknown_region_is_only_a_warning(app):
    number = resident_id(region="359999")
    with app.test_request_context():
        document = check("resident_id", number)
    assert document.warnings and "359999" in str(document.warnings[0])


def test_taiwan_residence_permits_pass_although_stdnum_rejects_them(app):
    number = resident_id(region="830000", birth="19880512")
    assert not ric.is_valid(number)  # the trap DOMAIN.md warns about
    with app.test_request_context():
        assert check("residence_permit_hmt", number).birth_date == date(1988, 5, 12)
        with pytest.raises(IdentityError):
            check("resident_id", number)  # it is a permit, not a resident card
        with pytest.raises(IdentityError):
            check("residence_permit_hmt", resident_id(region="350203"))


def test_hong_kong_and_taiwan_travel_permits(app):
    with app.test_request_context():
        assert check("hk_macau_permit", "h1234567801").duplicate_key == "H12345678"
        assert check("hk_macau_permit", "M87654321").number == "M87654321"
        assert check("taiwan_permit", "1234567802").duplicate_key == "12345678"
        for id_type, number in [("hk_macau_permit", "X12345678"), ("hk_macau_permit", "H1234567"),
                                ("taiwan_permit", "1234567"), ("taiwan_permit", "A2345678")]:
            with pytest.raises(IdentityError):
                check(id_type, number)


def test_foreign_permanent_resident_ids_old_and_new(app):
    body = "91234519900101001"
    with app.test_request_context():
        assert check("foreign_permanent_id", body + mod_11_2.calc_check_digit(body)).number.startswith("9")
        assert check("foreign_permanent_id", "USA123456789012").number == "USA123456789012"
        with pytest.raises(IdentityError):
            check("foreign_permanent_id", body + ("0" if mod_11_2.calc_check_digit(body) != "0" else "1"))


def test_a_passport_needs_its_nationality(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(IdentityError) as refused:
            check("passport", "E12345678")
        assert "nationality" in str(refused.value.message)
        assert check("passport", "E12345678", "GB").duplicate_key == "GB:E12345678"
        with pytest.raises(IdentityError):
            check("passport", "E1", "GB")
