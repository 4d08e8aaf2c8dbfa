"""The application to volunteer on a phone, in each language, in a real browser: a wrong
document number comes back beside its field with every answer kept, then the application is
sent and the applicant lands on their own page."""

import pytest
from playwright.sync_api import expect

from tests.registration.conftest import resident_id
from tests.volunteers import applying

pytestmark = pytest.mark.browser

# Registration's own message for a wrong check digit: the volunteers' form checks the document with it.
WRONG_DIGIT = {"zh-CN": "最后一位（校验码）不符", "zh-TW": "最後一位（校驗碼）不符", "en": "check digit"}
HTML_LANG = {"zh-CN": "zh-Hans", "zh-TW": "zh-Hant", "en": "en"}


@pytest.fixture
def opened(app):
    with app.app_context():
        applying.open_world()


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW", "en"])
def test_the_application_form_on_a_phone(app, browser, live_server, opened, locale):
    context = browser.new_context(locale=locale, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/volunteer/2023/")
        assert page.evaluate("document.documentElement.lang").startswith(HTML_LANG[locale][:2])
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        form = page.locator("#volunteer-form")
        form.locator("#family_name").fill("歐陽")
        form.locator("#given_name").fill("𠮷祥")
        form.locator("#email").fill(f"volunteer-{locale}@example.org")
        form.locator("#phone").fill("+853 6612 3456")
        form.locator("#school_or_employer").fill("廈門大學")
        form.locator("#id_type").select_option("resident_id")
        expect(page.locator(".field-nationality")).to_be_hidden()
        good = resident_id(birth="20010203", serial={"zh-CN": "301", "zh-TW": "302", "en": "303"}[locale])
        wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
        form.locator("#id_number").fill(wrong)
        form.locator("select[name=language-0-code]").select_option("zh")
        form.locator("select[name=language-0-level]").select_option("native")
        form.locator("select[name=language-1-code]").select_option("en")
        form.locator("select[name=language-1-level]").select_option("fluent")
        form.locator("input[name=skills][value=first_aid]").check()
        form.locator("input[name=availability][value='2023-07-18:morning']").check()
        form.locator("input[name=availability][value='2023-07-19:afternoon']").check()
        form.locator("#shirt_size").select_option("L")
        form.locator("#emergency_name").fill("歐陽父")
        form.locator("#emergency_phone").fill("13900001111")
        form.locator("#consent_identity").check()
        form.locator("#consent_privacy").check()
        page.screenshot(path=f"{app.config['INSTANCE_DIR']}/volunteer-form-{locale}.png", full_page=True)
        form.locator("button[type=submit]").click()

        expect(page.locator(".field.has-error #id_number")).to_be_visible()
        expect(page.get_by_text(WRONG_DIGIT[locale])).to_be_visible()
        expect(form.locator("#family_name")).to_have_value("歐陽")
        expect(form.locator("#given_name")).to_have_value("𠮷祥")
        expect(form.locator("#phone")).to_have_value("+853 6612 3456")
        expect(form.locator("#id_number")).to_have_value(wrong)
        expect(form.locator("select[name=language-1-code]")).to_have_value("en")
        expect(form.locator("input[name=availability][value='2023-07-19:afternoon']")).to_be_checked()
        expect(form.locator("#shirt_size")).to_have_value("L")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=f"{app.config['INSTANCE_DIR']}/volunteer-form-error-{locale}.png", full_page=True)

        form.locator("#id_number").fill(good)
        form.locator("#consent_identity").check()
        form.locator("#consent_privacy").check()
        form.locator("button[type=submit]").click()
        expect(page.locator(".vol-applied")).to_be_visible()
        expect(page.get_by_text("歐陽𠮷祥")).to_be_visible()
        assert "/volunteer/2023/status/" in page.url
        link = page.locator("#private-link").input_value()
        assert link.endswith(page.url.split("/status/")[1].split("?")[0])
        page.screenshot(path=f"{app.config['INSTANCE_DIR']}/volunteer-status-{locale}.png", full_page=True)
    finally:
        context.close()
