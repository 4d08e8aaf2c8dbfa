"""Hotel nights checked against shifts: a night with no shift that day or the next is flagged
for the reception group; staff without a volunteer record have no shifts on record."""

from datetime import date

import pytest

from conference.extensions import db
from conference.hotels.models import Hotel, Stay
from conference.people.models import Person
from conference.volunteers import nights, services
from tests.conftest import login, make_user
from tests.volunteers import factories


def hotel(w) -> Hotel:
    found = Hotel(edition_id=w.edition.id, code="H-STAFF", name_zh="工作人员酒店", name_en="Staff hotel", kind="staff")
    db.session.add(found)
    db.session.flush()
    return found


def stay(w, where: Hotel, person_id: int, first: int, leaving: int, status: str = "confirmed") -> Stay:
    found = Stay(edition_id=w.edition.id, person_id=person_id, hotel_id=where.id, check_in=date(2023, 7, first),
                 check_out=date(2023, 7, leaving), status=status)
    db.session.add(found)
    db.session.commit()
    return found


def person(w, family: str, category: str) -> Person:
    found = Person(edition_id=w.edition.id, family_name=family, given_name="工作", category=category)
    db.session.add(found)
    db.session.flush()
    return found


@pytest.fixture
def w(ctx):
    return factories.world()


def test_nights_without_a_shift_that_day_or_the_next_are_flagged(w):
    li = factories.volunteer(w, "Li")
    services.sign_up(li, w.shifts[2], now=w.at(6))  # the desk, 18 July 08:00–12:00
    db.session.commit()
    stay(w, hotel(w), li.person_id, 16, 21)  # nights of 16, 17, 18, 19 and 20 July
    found = nights.idle_nights(w.edition)
    assert [(idle.person.id, idle.night.day) for idle in found] == [(li.person_id, 16), (li.person_id, 19),
                                                                      (li.person_id, 20)]
    # The 17th is the eve of the shift and the 18th its day: not flagged.
    sixteenth, nineteenth = found[0], found[1]
    assert (sixteenth.before, sixteenth.after.id) == (None, w.shifts[2].id)
    assert (nineteenth.before.id, nineteenth.after) == (w.shifts[2].id, None)
    assert nineteenth.volunteer.id == li.id


def test_a_given_up_place_is_no_shift(w):
    li = factories.volunteer(w, "Li")
    place = services.sign_up(li, w.shifts[2], now=w.at(6))
    services.give_up(place, now=w.at(7))
    db.session.commit()
    stay(w, hotel(w), li.person_id, 17, 19)
    assert [idle.night.day for idle in nights.idle_nights(w.edition)] == [17, 18]


def test_a_volunteer_working_every_day_is_not_flagged(w):
    li = factories.volunteer(w, "Li")
    services.sign_up(li, w.shifts[2], now=w.at(6))
    db.session.commit()
    stay(w, hotel(w), li.person_id, 17, 19)  # nights of 17 and 18 July, the shift on the 18th
    assert nights.idle_nights(w.edition) == []


def test_staff_without_a_volunteer_record_have_no_shifts_on_record(w):
    where = hotel(w)
    staff = person(w, "陈", "staff")
    guest = person(w, "林", "guest")
    stay(w, where, staff.id, 18, 20)
    stay(w, where, guest.id, 18, 20)  # guests are not checked against shifts
    cancelled = person(w, "吴", "staff")
    stay(w, where, cancelled.id, 18, 20, status="cancelled")
    found = nights.idle_nights(w.edition)
    assert [(idle.person.name, idle.night.day, idle.volunteer) for idle in found] == [("陈工作", 18, None),
                                                                                         ("陈工作", 19, None)]


def test_the_page_lists_them_for_staff_only(app):
    with app.app_context():
        w = factories.world()
        li = factories.volunteer(w, "Li")
        stay(w, hotel(w), li.person_id, 18, 19)
    client = app.test_client()
    assert client.get("/editions/2023/volunteers/idle-nights").status_code == 302  # to sign in
    login(client, "li@example.org", factories.PASSWORD)
    assert client.get("/editions/2023/volunteers/idle-nights").status_code == 403  # a volunteer
    staff = app.test_client()
    login(staff, make_user(app, "viewer"))
    page = staff.get("/editions/2023/volunteers/idle-nights?lang=en")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Li Zhiyuan" in body and "Staff hotel" in body
    assert "Nights flagged: 1; people: 1." in body
    assert staff.get("/editions/2031/volunteers/idle-nights").status_code == 404
