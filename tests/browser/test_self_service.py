"""The attendee's self-service on a 390 px phone: the private link on the success page, a
cancel that asks first, registering again, and a change of organisation in one submit."""

import pytest
from playwright.sync_api import expect

from tests.conftest import registration_demo
from tests.registration.conftest import resident_id

pytestmark = pytest.mark.browser


def _fill(page, organisation: str) -> None:
    page.get_by_label("I take part as").select_option("media")
    page.get_by_label("Family name", exact=True).fill("林")
    page.get_by_label("Given name", exact=True).fill("晓梅")
    page.get_by_label("Organisation", exact=True).fill(organisation)
    page.get_by_label("Email", exact=True).fill("lin@example.org")
    page.get_by_label("Mobile phone", exact=True).fill("13812345678")
    page.get_by_label("Identity document", exact=True).select_option("resident_id")
    page.get_by_label("Document number", exact=True).fill(resident_id(serial="390"))
    page.get_by_label("I agree separately that my identity").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()


def test_register_save_the_link_cancel_register_again_and_change_on_a_phone(app, browser, live_server, demo_clock):
    with app.app_context():
        registration_demo()
    context = browser.new_context(locale="en", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/register/2023/")
        _fill(page, "鹭江日报社")
        expect(page.get_by_text("Waiting for approval")).to_be_visible()
        link = page.locator("#private-link")
        expect(link).to_be_visible()
        address = link.input_value()
        assert address.endswith(page.url.split(live_server.url, 1)[1]) and "/r/" in address
        expect(page.get_by_role("button", name="Copy the link")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.get_by_role("link", name="Cancel my registration").click()
        expect(page.get_by_text("next people on the waiting lists").or_(page.get_by_text("register again"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Yes, cancel my registration").click()
        expect(page.locator(".reg-status")).to_have_text("Cancelled")

        page.get_by_role("link", name="Changed your mind?").click()
        _fill(page, "鹭江日报社")
        expect(page.get_by_text("Waiting for approval")).to_be_visible()
        assert page.locator("#private-link").input_value() != address  # a new registration, a new link

        page.get_by_role("link", name="Change my registration").click()
        expect(page.get_by_text("Leave empty to keep +86 138****5678.")).to_be_visible()
        expect(page.get_by_label("I have read the privacy notice")).to_be_checked()
        page.get_by_label("Organisation", exact=True).fill("东南网")
        page.get_by_role("button", name="Save my changes").click()
        expect(page.get_by_text("Your changes are saved.")).to_be_visible()
        expect(page.get_by_text("东南网")).to_be_visible()
        expect(page.get_by_text("+86 138****5678")).to_be_visible()
    finally:
        context.close()
