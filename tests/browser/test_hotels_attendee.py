"""The attendee asks for a hotel room on a phone, is refused without the consent, then sees the
card; once placed, the card shows the hotel, the pickup and the shuttle. Nothing is wider than
the screen, in Chinese or in English."""

from datetime import date, time

import pytest

from conference.editions.localtime import at_local
from conference.editions.services import get_edition
from conference.extensions import db
from conference.hotels import services
from conference.hotels.models import Journey, PickupGroup, ShuttleRun, Stay
from tests.hotels.test_attendee import attendee_world

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def _place_with_pickup_and_shuttle(world) -> None:
    edition = get_edition(2023)
    hotel = services.get_hotel(edition, world["hotel"])
    stay = db.session.query(Stay).one()
    services.place(stay, hotel, next(r for r in hotel.room_types if r.kind == "twin"), tell=False)
    services.confirm_stay(stay, "HY-0718")
    group = PickupGroup(edition_id=edition.id, place_id=world["place"], direction="arrival",
                        starts_at=at_local(edition, date(2023, 7, 17), time(10, 0)),
                        ends_at=at_local(edition, date(2023, 7, 17), time(11, 30)), vehicle="考斯特 闽D·12345")
    db.session.add(group)
    db.session.flush()
    db.session.query(Journey).one().pickup_group_id = group.id
    db.session.add(ShuttleRun(edition_id=edition.id, leg="to_venue", hotel_id=hotel.id, venue_id=world["venue"],
                              departs_at=at_local(edition, date(2023, 7, 18), time(8, 5)),
                              arrives_at=at_local(edition, date(2023, 7, 18), time(8, 30))))
    db.session.commit()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_asking_for_a_room_on_a_phone(app, browser, live_server, demo_clock, tmp_path, lang):
    world = attendee_world(app)
    context = browser.new_context(locale=lang, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    own = f"{live_server.url}/r/{world['token']}"
    page.goto(own)
    code = page.locator("#roommate-code").inner_text()
    assert len(code) == 8
    _fits(page)
    page.screenshot(path=tmp_path / f"card-empty-{lang}.png", full_page=True)

    page.locator(f'a.primary[href="/r/{world["token"]}/hotel"]').click()
    page.select_option("#check_in", "2023-07-17")
    page.select_option("#check_out", "2023-07-20")
    page.check("#room_kind-1")  # twin
    page.fill("#arrival_at", "2023-07-17T10:30")
    page.fill("#arrival_number", "MF8102")
    page.select_option("#arrival_place_id", str(world["place"]))
    page.check("#arrival_pickup")
    page.locator("#hotel-request button[type=submit]").click()
    assert page.locator("#consent_travel-error").is_visible()  # refused without the consent, beside the box
    assert page.locator("#arrival_number").input_value() == "MF8102"  # what was typed is kept
    _fits(page)
    page.screenshot(path=tmp_path / f"request-refused-{lang}.png", full_page=True)

    page.check("#consent_travel")
    page.locator("#hotel-request button[type=submit]").click()
    page.wait_for_url(own)
    assert page.locator(".hotel-card .stay-requested").is_visible()
    _fits(page)
    page.screenshot(path=tmp_path / f"card-requested-{lang}.png", full_page=True)

    with app.app_context():
        _place_with_pickup_and_shuttle(world)
    page.reload()
    card = page.locator(".hotel-card")
    assert card.locator(".stay-confirmed").is_visible()
    assert "0592-5550100" in card.inner_text() and "考斯特 闽D·12345" in card.inner_text()
    assert "08:05" in card.inner_text()
    _fits(page)
    card.screenshot(path=tmp_path / f"card-confirmed-{lang}.png")
    context.close()
