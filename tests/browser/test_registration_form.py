"""The whole registration form on a phone, in each language, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.conftest import registration_demo
from tests.registration.conftest import resident_id

pytestmark = pytest.mark.browser

TEXT = {
    "zh-CN": {"category": "参会身份", "family": "姓", "given": "名", "org": "单位", "title": "职务",
              "email": "电子邮箱", "phone": "手机号码", "doc": "身份证件", "number": "证件号码",
              "privacy": "我已阅读并同意", "identity": "我单独同意按上述告知", "submit": "提交报名",
              "wrong": "最后一位（校验码）不符", "done": "等待审核"},
    "zh-TW": {"category": "參會身份", "family": "姓", "given": "名", "org": "單位", "title": "職務",
              "email": "電子郵件", "phone": "手機號碼", "doc": "身份證件", "number": "證件號碼",
              "privacy": "我已閱讀並同意", "identity": "我單獨同意按上述告知", "submit": "提交報名",
              "wrong": "最後一位（校驗碼）不符", "done": "等待審核"},
    "en": {"category": "I take part as", "family": "Family name", "given": "Given name", "org": "Organisation",
           "title": "Position", "email": "Email", "phone": "Mobile phone", "doc": "Identity document",
           "number": "Document number", "privacy": "I have read the privacy notice", "identity": "I agree separately that my identity",
           "submit": "Register", "wrong": "check digit", "done": "Waiting for approval"},
}


@pytest.fixture
def open_registration(app, demo_clock):
    with app.app_context():
        registration_demo()


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW", "en"])
def test_the_whole_form_on_a_phone(app, browser, live_server, open_registration, locale):
    words = TEXT[locale]
    context = browser.new_context(locale=locale, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/register/2023/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_label(words["category"]).select_option("media")
        expect(page.locator(".field-code")).to_be_hidden()  # media need no code
        page.get_by_label(words["family"], exact=True).fill("歐陽")
        page.get_by_label(words["given"], exact=True).fill("𠮷祥")
        page.get_by_label(words["org"], exact=True).fill("海峽之聲廣播電台")
        page.get_by_label(words["title"], exact=True).fill("記者")
        page.get_by_label(words["email"], exact=True).fill(f"reporter-{locale}@example.org")
        page.get_by_label(words["phone"], exact=True).fill("+853 6612 3456")
        page.get_by_label(words["doc"], exact=True).select_option("resident_id")
        expect(page.locator(".field-nationality")).to_be_hidden()
        good = resident_id(serial={"zh-CN": "101", "zh-TW": "102", "en": "103"}[locale])
        wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
        page.get_by_label(words["number"], exact=True).fill(wrong)
        page.get_by_label(words["identity"]).check()
        page.get_by_label(words["privacy"]).check()
        page.get_by_role("button", name=words["submit"]).click()

        expect(page.get_by_text(words["wrong"])).to_be_visible()
        expect(page.get_by_label(words["family"], exact=True)).to_have_value("歐陽")
        expect(page.get_by_label(words["given"], exact=True)).to_have_value("𠮷祥")
        expect(page.get_by_label(words["phone"], exact=True)).to_have_value("+853 6612 3456")
        expect(page.get_by_label(words["number"], exact=True)).to_have_value(wrong)
        page.screenshot(path=f"{app.config['INSTANCE_DIR']}/registration-error-{locale}.png", full_page=True)

        page.get_by_label(words["number"], exact=True).fill(good)
        page.get_by_label(words["identity"]).check()
        page.get_by_label(words["privacy"]).check()
        page.get_by_role("button", name=words["submit"]).click()
        expect(page.get_by_text(words["done"])).to_be_visible()
        expect(page.get_by_text("歐陽𠮷祥")).to_be_visible()
        assert "/r/" in page.url
    finally:
        context.close()


def test_the_form_outside_and_inside_a_window_marks_each_categorys_required_fields(app, browser, live_server, open_registration, demo_clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    demo_clock(datetime(2023, 6, 19, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # media opens tomorrow 09:00
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/register/2023/")
        expect(page.get_by_text("媒体记者报名将于2023年6月20日 09:00开放。")).to_be_visible()
        assert page.locator("select[name=category] option[value=media]").count() == 0

        demo_clock(datetime(2023, 6, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        page.reload()
        category = page.get_by_label("参会身份")
        category.select_option("guest")
        title_mark = page.locator(".field:has(#title) .required-for")
        email_mark = page.locator(".field:has(#email) .required-for")
        expect(title_mark).to_have_text("必填")
        expect(title_mark).to_be_visible()
        expect(email_mark).to_be_hidden()
        category.select_option("media")
        expect(title_mark).to_be_hidden()
        expect(email_mark).to_be_visible()
        expect(email_mark).to_have_text("必填")
    finally:
        context.close()
