"""The scanner page in Chromium for volunteers: a signed-in volunteer's phone gets a token for
their shift's checkpoint, or is told when their next shift is; shift check-in mode checks a
volunteer in at the desk, and offline says it needs the network and queues nothing."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.badges import services as badges
from conference.checkin import services
from conference.core import clock
from conference.extensions import db
from conference.volunteers.models import ShiftPlace
from tests.volunteers import factories

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(app):
    """王 on the desk's 08:00–12:00 shift at the east gate, their badge, a pairing code there."""
    with app.app_context():
        world = factories.world()
        wang = factories.volunteer(world, "王")
        shift = world.shifts[2]
        db.session.add(ShiftPlace(shift_id=shift.id, volunteer_id=wang.id))
        shift.taken += 1
        badge = badges.issue(wang.person)
        _device, code = services.add_device(world.checkpoint, "咨询台手机")
        db.session.commit()
        return {"badge": badges.payload(badge), "code": code, "at": world.at}


def wedge(page, text):
    page.locator("#wedge").press_sequentially(text, delay=0)
    page.keyboard.press("Enter")


def queued(page) -> int:
    return page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("checkin");
        open.onsuccess = () => {
            const request = open.result.transaction("queue").objectStore("queue").count();
            request.onsuccess = () => resolve(request.result);
        };
    })""")


def test_shift_mode_checks_in_online_and_offline_says_it_needs_the_network(app, browser, live_server, desk, tmp_path):
    clock.freeze(desk["at"](8, 2))
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/scan/?pair={desk['code']}")
    expect(page.locator("#checkpoint-code")).to_have_text("EAST")
    page.locator("#shift-mode").click()
    expect(page.locator("#shift-mode")).to_have_attribute("aria-pressed", "true")
    wedge(page, desk["badge"])
    answer = page.locator("#answer")
    expect(answer).to_have_attribute("data-result", "checked_in")
    expect(page.locator("#answer-reason")).to_have_text("Checked in 08:02")
    expect(page.locator("#answer-name")).to_have_text("Wang Zhiyuan")  # pinyin for an English reader
    page.screenshot(path=tmp_path / "shift-in.png")
    page.locator("#answer").click()

    clock.freeze(desk["at"](12, 0))
    context.set_offline(True)
    page.locator("#scan-again").click()
    wedge(page, desk["badge"])
    expect(answer).to_have_attribute("data-result", "needs_network")
    expect(page.locator("#answer-reason")).to_contain_text("needs the network")
    expect(page.locator("#banner")).to_contain_text("needs the network")
    page.screenshot(path=tmp_path / "shift-offline.png")
    expect(page.locator("#sync")).to_have_attribute("data-waiting", "0")
    assert queued(page) == 0
    with app.app_context():
        place = db.session.execute(select(ShiftPlace)).scalar_one()
        assert place.checked_in_at == desk["at"](8, 2) and place.checked_out_at is None
    context.close()


def _sign_in(page, live_server, lang):
    page.goto(f"{live_server.url}/login?lang={lang}")
    page.locator("input[name=email]").fill("王@example.org")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("button[type=submit].primary").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang, says", [("zh_Hans_CN", "12:30"), ("en", "12:30")])
def test_a_signed_in_volunteer_scans_during_their_shift(app, browser, live_server, desk, lang, says, tmp_path):
    clock.freeze(desk["at"](7, 45))
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server, lang)
    page.goto(f"{live_server.url}/scan/")
    expect(page.locator("#checkpoint-code")).to_have_text("EAST")
    expect(page.locator("#shift-rights")).to_contain_text(says)
    page.screenshot(path=tmp_path / f"rights-{lang}.png")
    page.reload()  # the phone keeps its token: no new one
    expect(page.locator("#checkpoint-code")).to_have_text("EAST")
    with app.app_context():
        devices = db.session.execute(select(services.ScannerDevice).where(services.ScannerDevice.user_id.is_not(None))).scalars().all()
        assert len(devices) == 1
    context.close()


def test_before_their_shift_the_page_says_when_it_begins(app, browser, live_server, desk, tmp_path):
    clock.freeze(desk["at"](6, 0))
    context = browser.new_context(locale="en-US", viewport=PHONE)  # the page, and so its answers, in English
    page = context.new_page()
    _sign_in(page, live_server, "en")
    page.goto(f"{live_server.url}/scan/")
    expect(page.locator("#pairing-error")).to_contain_text("Your next shift: 07-18 08:00–12:00")
    expect(page.locator("#checkpoint-code")).to_have_text("—")
    page.screenshot(path=tmp_path / "no-shift-en.png")
    context.close()
