"""One name search for every list: people, registrations and badges find the same people, through
their services and on their pages."""

import pytest

from conference.badges import services as badges
from conference.core.database import committed
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.registration import services as registration
from tests.conftest import badged_demo, registration_demo
from tests.registration.conftest import resident_id
from tests.registration.test_register import fields

TYPED = [
    ("lü", "吕晨静"), ("lv", "吕晨静"), ("Lü Chenjing", "吕晨静"), ("lcj", "吕晨静"), ("吕晨", "吕晨静"),
    ("fernandez", "Lucía Fernández"), ("Fernández", "Lucía Fernández"), ("Lucía", "Lucía Fernández"),
    ("zhangwei", "张伟"), ("zw", "张伟"),
]


@pytest.fixture
def holders(app):
    with app.app_context():
        edition, _issued = badged_demo([("吕", "晨静", "guest"), ("Fernández", "Lucía", "media"),
                                        ("张", "伟", "guest"), ("王", "芳", "guest")])
        db.session.commit()
        return edition.year


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_the_people_list_and_the_badge_list_find_the_same(app, holders, typed, found):
    with app.app_context():
        edition = get_edition(holders)
        listed, _total = people.search_people(edition, typed, None, 1, 50)
        printed = badges.select_badges(edition, query_text=typed)
        assert [p.display_name for p in listed] == [found]
        assert [b.person.display_name for b in printed] == [found]



PEOPLE = [("吕", "晨静", "吕晨静"), ("Fernández", "Lucía", "Lucía Fernández"), ("张", "伟", "张伟"), ("王", "芳", "王芳")]
PAGES = ["/editions/2023/people/", "/editions/2023/registrations/", "/editions/2023/badges/"]


@pytest.fixture
def registered(app, demo_clock):
    """The four, registered by the organizers (so approved, with a badge each)."""
    with app.app_context():
        registration_demo()
    with app.test_request_context():
        edition = get_edition(2023)
        for index, (family, given, _name) in enumerate(PEOPLE):
            committed(lambda family=family, given=given, index=index: registration.register(
                edition, fields(family_name=family, given_name=given, id_number=resident_id(serial=f"{index:03d}"),
                                email=f"p{index}@example.org"), invited=True))


@pytest.mark.parametrize("page", PAGES)
def test_each_list_page_finds_the_same_people(registered, organizer_client, page):
    names = {name for _family, _given, name in PEOPLE}
    for typed, found in [*TYPED, ("Fernandez", "Lucía Fernández")]:
        html = organizer_client.get(page, query_string={"q": typed}).get_data(as_text=True)
        assert found in html, (page, typed)
        assert not [name for name in names - {found} if name in html], (page, typed)
