"""In Chromium on a phone: a volunteer signs up for an open shift, sees why another is closed to
them, and gives the place up; a lead's coverage page prints on A4 landscape without navigation.
Nothing is wider than the screen, in Chinese or in English."""

import subprocess

import pytest

from conference.core import clock
from conference.extensions import db
from conference.volunteers import services
from tests.conftest import DEFAULT_PASSWORD, make_user
from tests.volunteers import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def signup_world(app):
    with app.app_context():
        w = factories.world()
        clock.freeze(w.at(6, day=17))
        factories.volunteer(w, "Li", languages=("zh",))  # no English: the usher shifts say why not
        experienced = factories.volunteer(w, "Wang")
        services.sign_up(experienced, w.shifts[3], clock.now())
        db.session.commit()
        ids = [s.id for s in w.shifts]
        db.session.remove()
    return ids


def _fits(page, width=390) -> None:
    found = page.evaluate("document.documentElement.scrollWidth")
    assert found <= width, f"the page is {found}px wide on a {width}px phone"


def _sign_in(page, base, email, password):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize(("locale", "desk_name"), [("zh-CN", "咨询台"), ("en", "Information desk")])
def test_signing_up_on_a_phone(app, browser, live_server, signup_world, tmp_path, locale, desk_name):
    usher, _usher_pm, desk, _desk_pm = signup_world
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _sign_in(page, live_server.url, "li@example.org", factories.PASSWORD)
    page.goto(f"{live_server.url}/volunteer/2023/me/shifts/open")
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if locale == "zh-CN" else "en")
    usher_card = page.locator(f"#shift-{usher}")
    assert usher_card.locator(".why-not").is_visible() and usher_card.locator("button").count() == 0
    assert desk_name in page.locator(f"#shift-{desk}").inner_text()
    _fits(page)
    page.screenshot(path=tmp_path / f"open-{locale}.png", full_page=True)

    page.locator(f"#shift-{desk} button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").is_visible()
    mine = page.locator(".shift-card.mine")
    assert mine.count() == 1 and desk_name in mine.inner_text()
    _fits(page)
    page.screenshot(path=tmp_path / f"signed-up-{locale}.png", full_page=True)

    mine.locator("button.danger").click()
    page.wait_for_load_state()
    assert page.locator(".shift-card.mine").count() == 0 and page.locator(f"#shift-{desk} button").count() == 1
    context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_coverage_page_prints_on_a4_landscape(app, browser, live_server, signup_world, tmp_path, locale):
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    _sign_in(page, live_server.url, make_user(app, "organizer", email=f"org-{locale}@test.example"), DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/editions/2023/volunteers/coverage?day=2023-07-18")
    _fits(page)
    page.screenshot(path=tmp_path / f"coverage-phone-{locale}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=tmp_path / f"coverage-{locale}.png", full_page=True)
    pdf = tmp_path / f"coverage-{locale}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    context.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(n) for n in size.split(":")[1].split("pts")[0].split(" x "))
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "")
    assert "2/0/0" in flat and "2/1/0" in flat and "4/1/0" in flat
    assert "Sign out" not in text and "退出" not in text  # no navigation on paper
