"""The registration list searches names the way every list does (people's services)."""

from conference.editions.services import get_edition
from conference.registration import services as registration
from tests.registration.test_register import register


def test_the_registration_list_searches_the_same_way(app, reg):
    register(app, family_name="吕", given_name="晨静")
    with app.app_context():
        edition = get_edition(2023)
        for typed in ("lü", "lv", "吕晨", "lcj"):
            rows, total = registration.search_registrations(edition, registration.RegistrationFilters(query=typed))
            assert total == 1 and rows[0].person.family_name == "吕", typed
