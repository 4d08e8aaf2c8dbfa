"""The public programme on a phone, in a real browser, in the three languages."""

import re

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.conftest import demo_steps

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    with app.app_context():
        demo_steps("editions", "venues", "programme")
        db.session.commit()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_programme_on_a_phone_in_three_languages(app, live_server, phone, demo):
    phone.goto(live_server.url + "/programme/2023/")
    assert phone.locator("html").get_attribute("lang") == "zh-Hans"
    expect(phone.get_by_role("heading", name="网络诚信建设高峰论坛")).to_be_visible()
    # Nothing runs off the side of a phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("link", name="繁體中文").click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(phone.get_by_role("heading", name="網絡誠信建設高峰論壇")).to_be_visible()
    heading = phone.get_by_role("heading", name="分論壇五：算法治理")
    expect(heading).to_be_visible()  # characters converted, the official words kept
    # Waits for the page's stylesheet, which may still be on its way when the heading shows.
    expect(phone.locator("body")).to_have_css("font-family", re.compile("Noto Sans CJK TC"))

    phone.get_by_role("link", name="分論壇五：算法治理").click()
    phone.wait_for_url("**/programme/2023/forums/*")
    expect(phone.get_by_text("主旨演講").first).to_be_visible()

    phone.get_by_role("link", name="English").click()
    expect(phone.get_by_role("heading", name="Sub-forum 5: Algorithm Governance")).to_be_visible()
    phone.get_by_role("link", name="← Programme").click()
    phone.wait_for_url(live_server.url + "/programme/2023/")
    expect(phone.get_by_role("heading", name="Internet Integrity Summit Forum")).to_be_visible()
    phone.screenshot(path=str(app.config["INSTANCE_DIR"]) + "/programme-en.png")


def test_a_speaker_page_from_the_programme(live_server, phone, demo):
    phone.goto(live_server.url + "/programme/2023/speakers/")
    first = phone.locator(".speaker-list a").first
    name = first.inner_text()
    first.click()
    phone.wait_for_url("**/speakers/*")
    assert phone.get_by_role("heading", level=1).inner_text().startswith(name)
    expect(phone.get_by_role("heading", name="参与议程")).to_be_visible()
