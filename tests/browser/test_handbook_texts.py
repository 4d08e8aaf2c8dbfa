"""The handbook's texts page in Chromium: an organizer writes the welcome in Markdown, saves it,
and opens the chapter's preview, where the Markdown is laid out and a script never runs."""

import pytest

from tests.conftest import make_user, sign_in
from tests.handbook.conftest import small_edition

pytestmark = pytest.mark.browser


def test_writing_the_welcome_and_previewing_it(app, browser, live_server):
    with app.app_context():
        small_edition()
    email = make_user(app, "organizer")
    context = browser.new_context(locale="en", viewport={"width": 1024, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/editions/2023/handbook/texts?lang=en")
    page.fill("textarea[name=welcome_en]", "## Dear guests\n\nWelcome to **Xiamen**.\n\n<script>alert('x')</script>")
    page.click("form button[type=submit].primary")
    page.wait_for_selector(".flash")
    assert page.input_value("textarea[name=welcome_en]").startswith("## Dear guests")
    with context.expect_page() as opened:
        page.click("a[href$='/preview/welcome?lang=en']")
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.inner_text(".text h2") == "Dear guests"
    assert preview.inner_text(".text strong") == "Xiamen"
    assert preview.locator("script").count() == 0 and dialogs == []
    context.close()
