"""The hotel pages on a phone in Chromium: the occupancy bars are as long as their numbers say,
nothing widens a page, and the reception desk records the hotel's confirmation number."""

import pytest

from tests.conftest import make_user, sign_in
from tests.hotels.test_pages import _blocks_url, _placed, _world

pytestmark = pytest.mark.browser


def test_the_hotel_page_on_a_phone(app, browser, live_server):
    _, audience_id = _world(app)
    stay_id = _placed(app)
    email = make_user(app, "organizer")
    context = browser.new_context(locale="en", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/editions/2023/hotels/{audience_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first_night = page.locator(".occupancy-chart tbody tr").first
    contracted, assigned = (first_night.locator(f".bar.{name}").bounding_box()["width"] for name in ("contracted", "assigned"))
    assert assigned == pytest.approx(contracted / 4, abs=1)  # one room taken of the four contracted
    page.click(f"#stay-{stay_id} summary")
    page.fill(f"#reference-{stay_id}", "HX-88")
    page.click(f"#stay-{stay_id} button[type=submit]")
    page.wait_for_selector(f"#stay-{stay_id}:has-text('HX-88')")
    assert page.locator(".occupancy-chart tbody tr").first.locator(".bar.confirmed").bounding_box()["width"] == pytest.approx(
        contracted / 4, abs=1)
    base = f"{live_server.url}/editions/2023/hotels"
    blocks, _ = _blocks_url(app)
    for path in (blocks.removeprefix("/editions/2023/hotels"), "/", f"/{audience_id}/edit", "/lodging", f"/stays/{stay_id}/place", f"/stays/{stay_id}/cancel"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
