"""The attendee's private page on a phone: nothing wider than the screen, whatever the name."""

import pytest

from tests.conftest import registration_demo
from tests.registration.test_register import register

pytestmark = pytest.mark.browser

LONG = "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessen"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_long_latin_name_stays_on_a_390px_phone(app, browser, live_server, locale, demo_clock):
    with app.app_context():
        registration_demo()
    _id, _status, token = register(app, family_name=LONG, given_name="Hubert" + LONG,
                                   organisation="Organisation" + LONG)
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/r/{token}")
    assert page.get_by_text(LONG[:20], exact=False).first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
