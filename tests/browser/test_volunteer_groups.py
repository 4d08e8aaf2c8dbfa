"""A group lead's post and shift pages on a phone in Chromium, in Simplified Chinese and in
English: shifts added on two days at once, a wrong time answered beside its field, a shift's
headcount changed and a shift deleted, and no page wider than the phone."""

import re

import pytest

from tests.conftest import sign_in
from tests.volunteers import factories

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _lead_world(app) -> dict:
    from conference.extensions import db

    with app.app_context():
        w = factories.world()
        factories.lead(w, w.meeting_group, "meet-lead@example.org")
        ids = {"post": w.usher_post.id, "shift": w.shifts[1].id}
        db.session.remove()
        return ids


def _sign_in(page, url: str) -> None:
    sign_in(page, url, "meet-lead@example.org", factories.PASSWORD)


def _fits(page) -> None:
    # through a locator, which waits for the page a click may still be loading
    assert page.locator("html").evaluate("html => html.scrollWidth") <= PHONE["width"], page.url


def test_a_lead_adds_edits_and_deletes_shifts_in_chinese_and_english(app, browser, live_server):
    ids = _lead_world(app)
    base = f"{live_server.url}/editions/2023/volunteers"
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    _sign_in(page, live_server.url)

    # Simplified Chinese: the post page, then two shifts at once
    page.goto(f"{base}/posts/{ids['post']}")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator(".day-heading").all_inner_texts() == ["7月18日周二"]
    _fits(page)
    page.click(f"a[href$='/posts/{ids['post']}/shifts/new']")
    _fits(page)
    page.check("input[name=days][value='2023-07-17']")
    page.check("input[name=days][value='2023-07-19']")
    page.fill("input[name=starts]", "18:00")
    page.fill("input[name=ends]", "17:00")
    page.fill("input[name=needed]", "4")
    page.click("button.primary")
    error = page.locator("#ends-error")
    assert error.is_visible() and page.locator("input[name=starts]").input_value() == "18:00"
    assert page.locator("input[name=days][value='2023-07-19']").is_checked()
    _fits(page)
    page.fill("input[name=ends]", "21:30")
    page.click("button.primary")
    page.wait_for_url(re.compile(rf"/posts/{ids['post']}(#shifts)?$"))
    assert page.locator(".day-heading").all_inner_texts() == ["7月17日周一", "7月18日周二", "7月19日周三"]
    assert page.locator("tr:has-text('18:00–21:30')").count() == 2
    assert "0 / 4" in page.locator("tr:has-text('18:00–21:30')").first.inner_text()
    _fits(page)

    # English: change a shift's headcount and note, then delete it
    page.goto(f"{base}/shifts/{ids['shift']}/edit?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=starts]").input_value() == "13:00"
    page.fill("input[name=needed]", "0")
    page.click("button.primary")
    assert "Give the volunteers needed, from 1 to 500." in page.locator("#needed-error").inner_text()
    page.fill("input[name=needed]", "5")
    page.fill("input[name=note]", "Meet at the east gate")
    page.click("button.primary")
    row = page.locator(f"#shift-{ids['shift']}")
    assert "0 / 5" in row.inner_text() and "Meet at the east gate" in row.inner_text()
    _fits(page)
    assert row.locator(f"a[href$='/shifts/{ids['shift']}/delete']").count() == 1
    page.goto(f"{base}/shifts/{ids['shift']}/delete?lang=en")  # ?lang= is for one page
    assert page.locator("h1").inner_text().startswith("Delete the shift Sub-forum 8 usher, Tue, Jul 18 13:00–17:00")
    _fits(page)
    page.click(".danger-zone button[type=submit]")
    page.wait_for_url(re.compile(rf"/posts/{ids['post']}"))
    assert page.locator(f"#shift-{ids['shift']}").count() == 0
    assert page.locator("tr:has-text('13:00–17:00')").count() == 0
    context.close()
