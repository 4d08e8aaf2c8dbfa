"""The shuttle section of the public programme on a phone, and a driver's sheet as printed,
in Chromium."""

from datetime import time

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.hotels import travel
from tests.conftest import make_user, sign_in
from tests.hotels.test_travel import group, small_programme, travel_world

pytestmark = pytest.mark.browser


@pytest.fixture
def timetable(app):
    with app.app_context():
        world, airport, _station, _people = travel_world()
        small_programme(world)
        travel.generate_runs(world.edition)
        sheet = group(world, airport, time(10), time(11), capacity=3)
        travel.group_automatically(world.edition)
        db.session.commit()
        return sheet.id


def test_the_public_shuttle_timetable_fits_a_phone_in_two_languages(app, live_server, browser, timetable):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(live_server.url + "/programme/2023/")
    section = phone.locator("#shuttles")
    expect(section.get_by_role("heading", name="班车", exact=True).or_(section.get_by_role("heading", name="Shuttle buses"))).to_be_visible()
    expect(section.locator("li", has_text="H-GUEST酒店").get_by_text("07:55 →")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(live_server.url + "/programme/2023/?lang=en")
    expect(section.get_by_text("Xiamen Strait Grand Theatre → Xiamen International Conference Center")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_printed_drivers_sheet_holds_the_trip_and_no_buttons(app, live_server, page, timetable):
    email = make_user(app, "organizer")
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/editions/2023/travel/pickups/{timetable}")
    page.emulate_media(media="print")
    sheet = page.locator(".driver-sheet")
    for shown in ("10:00–11:00", "MF8102", "CA1801", "0592-5550100"):
        expect(sheet.get_by_text(shown).first).to_be_visible()
    for control in ("Take out", "Put in the group", "Edit the group", "Pickup groups"):
        expect(page.get_by_text(control).first).to_be_hidden()
