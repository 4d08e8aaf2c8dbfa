"""The language switcher in a real browser: Debian's Chromium driven by Playwright."""

import pytest
from playwright.sync_api import expect

from conference.editions import services
from conference.editions.demo import EDITION_2023
from conference.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_edition(app):
    with app.app_context():
        services.create_edition(EDITION_2023)
        db.session.commit()


def test_the_switcher_changes_the_page_in_all_three_languages(live_server, page, demo_edition):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "2023年中国网络文明大会"
    expect(page.get_by_text("主办单位", exact=True)).to_be_visible()

    page.get_by_role("link", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page).to_have_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "2023年中國網絡文明大會"
    expect(page.get_by_text("主辦單位", exact=True)).to_be_visible()
    assert "網聚文明力量 奮進偉大征程" in page.locator(".theme").inner_text()

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("h1").inner_text() == "2023 China Internet Civilization Conference"
    expect(page.get_by_text("Hosts", exact=True)).to_be_visible()

    page.reload()  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.locator("h1").inner_text() == "2023年中国网络文明大会"
    assert page.locator(".lang-switch [aria-current]").inner_text() == "简体中文"


def test_a_taiwanese_browser_starts_in_traditional(browser, live_server, demo_edition):
    context = browser.new_context(locale="zh-TW")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "zh-Hant"
        expect(page.get_by_role("link", name="登入")).to_be_visible()
    finally:
        context.close()


def test_the_switcher_keeps_the_reader_on_the_same_page(app, live_server, page, demo_edition):
    from tests.conftest import make_user

    email = make_user(app, "organizer")
    page.goto(live_server.url + "/login?next=/editions/2023")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("邮箱或密码不正确。")).to_be_visible()
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/editions/2023")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="2023 China Internet Civilization Conference")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/editions/2023")
    page.screenshot(path=str(app.config["INSTANCE_DIR"]) + "/edition-en.png", full_page=True)
