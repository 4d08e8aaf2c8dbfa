"""A chapter's preview in Chromium shows its pictures: the floor plans of the venues chapter
and the cover's image load from the app (a file: address would never load in a web page)."""

import pytest
from sqlalchemy import select

from conference.editions.services import get_edition
from conference.extensions import db
from conference.handbook import services
from conference.venues import services as venues
from conference.venues.models import Venue
from tests.conftest import make_user, sign_in
from tests.handbook.conftest import picture, small_edition

pytestmark = pytest.mark.browser


def test_the_previews_pictures_load(app, browser, live_server):
    with app.app_context():
        small_edition()
        venue = db.session.execute(select(Venue).order_by(Venue.id)).scalars().first()
        venues.set_plan(venue, venues.check_plan(picture("PNG", (300, 200))))
        services.set_cover(get_edition(2023), services.check_cover(picture("JPEG", (600, 400))))
        db.session.commit()
    email = make_user(app, "organizer")
    context = browser.new_context(locale="en")
    page = context.new_page()
    sign_in(page, live_server.url, email)
    for chapter, selector, width in (("venues", "img.plan", 300), ("cover", ".cover .picture img", 600)):
        page.goto(f"{live_server.url}/editions/2023/handbook/preview/{chapter}?lang=en")
        page.wait_for_load_state("load")
        assert page.eval_on_selector(selector, "img => img.complete && img.naturalWidth") == width, chapter
    context.close()
