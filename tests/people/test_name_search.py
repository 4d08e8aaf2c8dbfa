"""One name search for every list: people, registrations and badges find the same people."""

import pytest

from conference.badges import services as badges
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from tests.conftest import badged_demo

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

