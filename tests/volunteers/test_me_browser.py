"""The volunteer's phone page in Chromium on a phone, in the three languages: the shift on now
stands out, the call button and the links are large enough to tap, nothing is wider than the
screen, and the calendar link downloads a file icalendar reads."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from conference.core import clock
from conference.extensions import db
from conference.volunteers import services
from tests.volunteers import factories

pytestmark = pytest.mark.browser

XIAMEN = ZoneInfo("Asia/Shanghai")
# ?lang= code, the desk post's name as the page writes it in that language
LANGUAGES = [("zh_Hans", "咨询台", "东门"), ("zh_Hant", "諮詢臺", "東門"), ("en", "Information desk", "East gate")]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 7, 18, hour, minute, tzinfo=XIAMEN).astimezone(UTC)


@pytest.fixture
def volunteer(app):
    with app.app_context():
        w = factories.world()
        li = factories.volunteer(w, "Li")
        services.sign_up(li, w.shifts[2], now=at(6))  # the desk at the east gate, 08–12
        services.sign_up(li, w.shifts[1], now=at(6))  # the usher in the sub-forum 8 hall, 13–17
        lead = factories.lead(w, w.services_group, "zhou@example.org")
        lead.display_name = "周组长"
        db.session.commit()
    return "li@example.org"


@pytest.mark.parametrize("lang, desk, gate", LANGUAGES)
def test_the_phone_page_on_a_phone(app, browser, live_server, tmp_path, volunteer, lang, desk, gate):
    clock.freeze(at(7, 40))  # the desk's window is open: it is the shift on now
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?lang={lang}")
    page.fill("#email", volunteer)
    page.fill("#password", factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/volunteer/2023/me/?lang={lang}")

    first = page.locator("#first-shift")
    assert "vol-now" in first.get_attribute("class")
    assert desk in first.inner_text() and gate in first.inner_text() and "08:00–12:00" in first.inner_text()
    assert "周组长" in first.inner_text()
    call = first.locator("a.vol-call")
    assert call.get_attribute("href") == "tel:0592-5550110"
    # Big enough to tap with a thumb (44 CSS pixels at least), and nothing wider than the phone
    for target in (call, page.locator(".vol-actions a").first):
        assert target.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The shift on now stands out from the page behind it
    background = first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.screenshot(path=tmp_path / f"phone-page-{lang}.png", full_page=True)

    with page.expect_download() as download:
        page.locator(".vol-actions a[download]").click()
    events = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")
    assert sorted(e.decoded("dtstart") for e in events) == [at(8), at(13)]
    context.close()
