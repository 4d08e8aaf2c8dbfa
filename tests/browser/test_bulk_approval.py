"""Approving a whole page of registrations in Chromium: the header's box ticks every row, and
a confirmation page says how many change before anything does."""

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.registration.models import Registration
from tests.conftest import make_user, registration_demo, sign_in
from tests.registration.test_pages import _many

pytestmark = pytest.mark.browser


def _count(app, status):
    with app.app_context():
        return db.session.execute(select(func.count()).where(Registration.status == status)).scalar_one()


def test_select_the_page_and_confirm_the_count(app, browser, live_server, demo_clock):
    with app.app_context():
        registration_demo()
    _many(app, 60)  # 40 wait for approval
    email = make_user(app, "organizer")
    context = browser.new_context(locale="en")
    page = context.new_page()
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/editions/2023/registrations/?status=pending")
    assert not page.locator(".no-js-select").is_visible()  # the script offers the header's box instead
    page.check("#select-page")
    assert page.locator("input[name=ids]:checked").count() == 40
    page.locator("input[name=ids]").first.uncheck()
    assert not page.is_checked("#select-page")
    page.check("#select-page")
    page.click("button[name=action][value=approve]")
    page.wait_for_selector("h1:has-text('Approve 40 registrations?')")
    assert _count(app, "pending") == 40  # nothing approved before confirming
    page.click("button:has-text('Confirm')")
    page.wait_for_selector(".flash:has-text('40 registrations updated.')")
    context.close()
    assert _count(app, "pending") == 0
