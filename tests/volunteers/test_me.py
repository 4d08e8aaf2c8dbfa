"""The volunteer's phone page and calendar: their next shift and where to go, whom to call (the
lead's name and the group's desk phone, never anyone's own phone), their trainings and hours;
nobody else's shifts; a refusal page for anyone who is not a volunteer of the edition."""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from conference.core import clock
from conference.editions import services as editions
from conference.editions.demo import EDITION_2023
from conference.extensions import db
from conference.hotels.models import Hotel
from conference.volunteers import services
from conference.volunteers.models import Post, Shift, ShiftPlace, Volunteer
from tests.conftest import login, make_user
from tests.volunteers import factories

PAGE = "/volunteer/2023/me/"
ICS = "/volunteer/2023/me/shifts.ics"
EN = {"Accept-Language": "en"}
XIAMEN = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def li(app):
    """Li holds the desk 08–12 (east gate) and the usher's shift 13–17 (the sub-forum 8 hall) on
    18 July; Wang, another volunteer, holds the other desk shift; the 志愿服务组 has a lead."""
    with app.app_context():
        w = factories.world()
        li = factories.volunteer(w, "Li")
        wang = factories.volunteer(w, "Wang", group=w.meeting_group)
        factories.volunteer(w, "Zhao")  # holds no shift
        li.phone_masked, wang.phone_masked = "138****5678", "139****4321"
        services.sign_up(li, w.shifts[2], now=w.at(6))
        services.sign_up(li, w.shifts[1], now=w.at(6))
        services.sign_up(wang, w.shifts[3], now=w.at(6))
        w.shifts[2].note = "Bring your badge and a water bottle"
        db.session.commit()
        lead = factories.lead(w, w.services_group, "zhou@example.org")
        lead.display_name = "周组长"
        db.session.commit()
        return {"li": li.id, "wang": wang.id, "at": at, "shifts": [shift.id for shift in w.shifts],
                "edition": w.edition.id, "desk_post": w.desk_post.id, "services_group": w.services_group.id}


def at(hour: int, minute: int = 0, day: int = 18) -> datetime:
    """A moment in July 2023 on Xiamen's clock, as UTC."""
    return datetime(2023, 7, day, hour, minute, tzinfo=XIAMEN).astimezone(UTC)


def _page(client, at, headers=EN):
    clock.freeze(at)
    response = client.get(PAGE, headers=headers)
    return response, response.get_data(as_text=True)


def test_the_next_shift_where_to_go_and_whom_to_call(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    response, html = _page(client, at(6))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    first = html.split('id="first-shift"')[1].split("</section>")[0]
    assert "My next shift" in first and "Information desk" in first
    assert "East gate" in first and "Xiamen International Conference Center" in first
    assert "08:00–12:00" in first and "Bring your badge and a water bottle" in first
    assert "周组长" in first and 'href="tel:0592-5550110"' in first
    assert "vol-now" not in first  # not on yet
    # The other shift is listed by day; phones of people never appear
    assert "Sub-forum 8 usher" in html and "Sub-forum 8 hall" in html and "13:00–17:00" in html
    assert "138****5678" not in html and "139****4321" not in html
    assert "zhou@example.org" not in html


def test_the_current_shift_is_highlighted_in_its_window(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(7, 40))
    first = html.split('id="first-shift"')[1].split("</section>")[0]
    assert 'vol-first vol-now' in html and "On now" in first and "Information desk" in first
    assert "Have your badge scanned" in first
    _response, html = _page(client, at(12, 20))  # still the desk's window, then the usher's
    assert "On now" in html and "Information desk" in html.split('id="first-shift"')[1].split("</section>")[0]
    _response, html = _page(client, at(12, 45))
    first = html.split('id="first-shift"')[1].split("</section>")[0]
    assert "On now" in first and "Sub-forum 8 usher" in first


def test_hours_by_day_and_total_and_attendance_times(app, client, li):
    with app.app_context():
        place = db.session.query(ShiftPlace).filter_by(volunteer_id=li["li"], shift_id=li["shifts"][2]).one()
        services.check_in(place, at(7, 55))
        services.check_out(place, at(12, 5))
        db.session.commit()
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(12, 50))
    assert "Checked in at 07:55" in html and "checked out at 12:05" in html
    hours = html.split('id="hours-heading"')[1]
    assert "4:10" in hours and 'id="hours-total"><strong>4:10<' in hours


def test_trainings_booked_and_attended(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(6))
    trainings = html.split('id="trainings-heading"')[1].split("</section>")[0]
    assert "Usher training" in trainings and "Attended" in trainings and "09:00–11:00" in trainings


def test_another_volunteers_data_never_appears(app, client, li):
    login(client, "wang@example.org", factories.PASSWORD)
    _response, html = _page(client, at(6))
    assert "Wang" in html and "Li志愿" not in html
    assert "Information desk" in html and "Sub-forum 8 usher" not in html  # Wang holds one desk shift
    assert "0592-5550103" in html  # Wang's own group, 会务组
    calendar = Calendar.from_ical(client.get(ICS).data)
    assert len(calendar.walk("VEVENT")) == 1


@pytest.mark.parametrize("headers", [EN, {"Accept-Language": "zh-CN"}, {"Accept-Language": "zh-TW"}])
def test_an_account_that_is_not_a_volunteer_gets_the_refusal_page(app, client, li, headers):
    login(client, make_user(app, "viewer"))
    for url in (PAGE, ICS):
        response = client.get(url, headers=headers)
        assert response.status_code == 403
        assert 'class="narrow vol-refusal"' in response.get_data(as_text=True)
    assert "for the edition's volunteers" in client.get(PAGE, headers=EN).get_data(as_text=True)


def test_a_volunteer_of_another_edition_is_refused_and_an_unknown_edition_is_404(app, client, li):
    with app.app_context():
        editions.create_edition(replace(EDITION_2023, year=2024, starts_on=date(2024, 7, 18), ends_on=date(2024, 7, 19)))
        db.session.commit()
    login(client, "li@example.org", factories.PASSWORD)
    for url in ("/volunteer/2024/me/", "/volunteer/2024/me/shifts.ics"):
        assert client.get(url).status_code == 403
    assert client.get("/volunteer/2031/me/").status_code == 404
    assert client.get("/volunteer/99999999/me/").status_code == 404


def test_a_withdrawn_or_rejected_volunteer_is_refused(app, client, li):
    with app.app_context():
        db.session.get(Volunteer, li["li"]).status = "withdrawn"
        db.session.commit()
    login(client, "li@example.org", factories.PASSWORD)
    assert client.get(PAGE).status_code == 403


def test_signed_out_goes_to_the_login(client, li):
    for url in (PAGE, ICS):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_calendar_parses_with_the_edition_zone_and_one_event_per_held_place(app, client, li):
    with app.app_context():  # a place given up is not in the calendar
        extra = Shift(edition_id=li["edition"], post_id=li["desk_post"], starts_at=at(9, day=19), ends_at=at(11, day=19), needed=1)
        db.session.add(extra)
        db.session.commit()
        place = services.sign_up(db.session.get(Volunteer, li["li"]), extra, now=at(6))
        services.give_up(place, now=at(7))
        db.session.commit()
    login(client, "li@example.org", factories.PASSWORD)
    response = client.get(ICS)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.data)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert len(events) == 2
    desk, usher = events
    assert desk.decoded("dtstart") == datetime(2023, 7, 18, 8, tzinfo=XIAMEN)
    assert desk.decoded("dtend") == datetime(2023, 7, 18, 12, tzinfo=XIAMEN)
    assert str(desk["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert "东门" in str(desk["location"]) and "分论坛八会场" in str(usher["location"])
    assert "0592-5550110" in str(desk["description"]) and "咨询台" in str(desk["description"])
    assert "0592-5550103" in str(usher["description"])
    assert len({str(e["uid"]) for e in events}) == 2
    # The UID is the place's: the same on every download
    again = Calendar.from_ical(client.get(ICS).data)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(str(e["uid"]) for e in events)


def test_a_hotel_post_shows_the_hotel_and_its_address(app, client, li):
    with app.app_context():
        hotel = Hotel(edition_id=li["edition"], code="H-HAIYUE", name_zh="海悦山庄酒店", name_en="Haiyue Hotel",
                      address_zh="厦门市思明区环岛路", address_en="Huandao Road, Siming, Xiamen", map_file="0f.png")
        db.session.add(hotel)
        db.session.flush()
        hotel_id = hotel.id
        post = Post(edition_id=li["edition"], group_id=li["services_group"], code="HOTEL-DESK", kind="hotel_desk",
                    name_zh="酒店服务台", name_en="Hotel desk", hotel_id=hotel.id, description_en="Wear the volunteer T-shirt")
        db.session.add(post)
        db.session.flush()
        shift = Shift(edition_id=li["edition"], post_id=post.id, starts_at=at(8, day=17), ends_at=at(12, day=17))
        db.session.add(shift)
        db.session.commit()
        services.sign_up(db.session.get(Volunteer, li["li"]), shift, now=at(6, day=17))
        db.session.commit()
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(6, day=17))
    first = html.split('id="first-shift"')[1].split("</section>")[0]
    assert "Hotel desk" in first and "Haiyue Hotel" in first and "Huandao Road" in first
    assert "Wear the volunteer T-shirt" in first
    assert f'src="/editions/2023/hotels/{hotel_id}/map"' in first  # the hotel's map, public like its address


def test_three_languages(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    clock.freeze(at(6))
    hans = client.get(PAGE + "?lang=zh_Hans").get_data(as_text=True)
    hant = client.get(PAGE + "?lang=zh_Hant").get_data(as_text=True)
    assert "咨询台" in hans and "东门" in hans and 'lang="zh-Hans' in hans
    assert "諮詢臺" in hant and "東門" in hant and 'lang="zh-Hant' in hant


def test_no_shifts_yet(app, client, li):
    login(client, "zhao@example.org", factories.PASSWORD)
    response, html = _page(client, at(6))
    assert response.status_code == 200 and "You hold no shifts yet." in html


def test_every_link_of_the_page_opens(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(6))
    for path in ("/volunteer/2023/me/shifts/open", "/volunteer/2023/me/certificate", ICS):
        assert f'href="{path}"' in html
        assert client.get(path, headers=EN).status_code == 200, path


def test_the_scanner_is_offered_while_a_shift_at_a_checkpoint_is_on(app, client, li):
    login(client, "li@example.org", factories.PASSWORD)
    _response, html = _page(client, at(7, 40))  # the desk at the east gate, on now
    assert 'href="/scan/"' in html and "Open the scanner for East gate" in html
    _response, html = _page(client, at(6))  # the desk, not yet on
    assert 'href="/scan/"' not in html
    _response, html = _page(client, at(12, 45))  # the usher's shift: a hall, no checkpoint
    assert 'href="/scan/"' not in html
