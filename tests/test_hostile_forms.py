"""Every organizer form, sent odd values: a message or a redirect, never a 500."""

import random
import re
from html.parser import HTMLParser

from conference.badges.demo import set_up_zones
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.registration.demo import set_up_registration
from tests.conftest import demo_steps, login, make_user

FORMS = [
    "/editions/new", "/editions/2023/edit", "/editions/2023/clone", "/users", "/editions/2023/venues/new",
    "/editions/2023/venues/{venue}/halls/new", "/editions/2023/venues/{venue}/checkpoints/new",
    "/editions/2023/checklist/template", "/editions/2023/checklist/halls/{hall}",
    "/editions/2023/programme/sessions/new", "/editions/2023/programme/sessions/{session}/edit",
    "/editions/2023/programme/sessions/{session}/items/new", "/editions/2023/programme/settings",
    "/editions/2023/people/new", "/editions/2023/registrations/codes", "/editions/2023/registrations/seats",
    "/editions/2023/registrations/categories/media", "/editions/2023/registrations/notice",
    "/editions/2023/registrations/decide", "/editions/2023/registrations/requests",
    "/editions/2023/registrations/import", "/editions/2023/badges/", "/editions/2023/badges/{badge}/revoke",
    "/editions/2023/checkin/checkpoints/{checkpoint}", "/editions/2023/checkin/devices",
    "/editions/2023/checkin/lookup?q=lin", "/editions/2023/checkin/devices/{device}/unpair",
]
ODD = ["", "0", "-1", "99999999999999999999", "abc", "𠮷", "<script>", "\x00x", "2023-02-30", "25:99",
       "a" * 3000, "1e9", "None", " ", "２０２３", "1;DROP TABLE users"]
EXTRA = ["item_id", "session_id", "request_id", "ids", "action", "status", "confirm", "upload", "speakers-0-person_id",
         "badge_id", "checkpoint_id", "opens_at", "categories"]


def test_no_organizer_form_fails_on_odd_values(app, client):
    from sqlalchemy import select

    from conference.badges import services as badges
    from conference.checkin import services as checkin
    from conference.programme.models import Session
    from conference.venues.models import Checkpoint, Hall, Venue

    with app.app_context():
        demo_steps("editions", "venues", "programme")
        edition = get_edition(2023)
        set_up_registration(edition)
        set_up_zones(edition)
        badge = badges.issue(people.add_person(edition, "林", "晓梅", "guest"))
        checkpoint = db.session.execute(select(Checkpoint)).scalars().first()
        device, _code = checkin.add_device(checkpoint, "phone")
        db.session.commit()
        ids = {"venue": db.session.execute(select(Venue.id)).scalars().first(),
               "hall": db.session.execute(select(Hall.id)).scalars().first(),
               "session": db.session.execute(select(Session.id)).scalars().first(), "badge": badge.id,
               "checkpoint": checkpoint.id, "device": device.id}
    login(client, make_user(app, "admin"))
    rng = random.Random(2023)
    for template in FORMS:
        url = template.format(**ids)
        page = client.get(url)
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page.get_data(as_text=True))
        names = set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True))) - {"csrf_token", "viewport"}
        for _ in range(6):
            data = {name: rng.choice(ODD) for name in names | set(EXTRA) if rng.random() < 0.8}
            data["csrf_token"] = token.group(1) if token else ""
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, data)


class _Form(HTMLParser):
    """The first POST form of a page with a text field: what a browser would send, and which
    fields a person types into."""

    def __init__(self, html: str):
        super().__init__()
        self.data, self.typed, self.done, self.inside, self.select = {}, [], False, False, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("method") or "").lower() == "post":
            self.inside, self.data, self.typed = True, {}, []
        if not self.inside:
            return
        if tag == "option" and self.select and (self.select not in self.data or "selected" in attrs):
            self.data[self.select] = attrs.get("value", "")
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            return
        if tag == "textarea" or (tag == "input" and kind in ("text", "email", "tel", "url", "search")):
            self.typed.append(name)
        elif tag == "select":
            self.select = name
        elif tag == "input" and (kind not in ("checkbox", "radio", "file", "submit") or "checked" in attrs):
            self.data[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, bool(self.typed)
        if tag == "select":
            self.select = None


BOUNDED = [
    "/editions/new", "/editions/2023/edit", "/editions/2023/clone", "/editions/2023/venues/new",
    "/editions/2023/venues/{venue}/edit", "/editions/2023/venues/{venue}/halls/new",
    "/editions/2023/venues/{venue}/checkpoints/new", "/editions/2023/checklist/template",
    "/editions/2023/programme/sessions/new", "/editions/2023/programme/sessions/{session}/edit",
    "/editions/2023/programme/sessions/{session}/items/new", "/editions/2023/people/new",
    "/editions/2023/registrations/codes", "/editions/2023/registrations/categories/media",
    "/editions/2023/registrations/notice", "/register/2023/",
]


def test_every_text_field_of_every_form_is_bounded_beside_the_field(app, client, demo_clock):
    """Longer than any column and any text a person writes: each field says so beside itself and
    nothing is saved (on PostgreSQL an unbounded value would end in a 500)."""
    from sqlalchemy import select

    from conference.programme.models import Session
    from conference.venues.models import Venue

    with app.app_context():
        demo_steps("editions", "venues", "programme")
        set_up_registration(get_edition(2023))
        db.session.commit()
        ids = {"venue": db.session.execute(select(Venue.id)).scalars().first(),
               "session": db.session.execute(select(Session.id)).scalars().first()}
    login(client, make_user(app, "admin"))
    for template in BOUNDED:
        url = template.format(**ids)
        form = _Form(client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True))
        assert form.typed, url
        data = {**form.data, **{name: "长" * 30_001 for name in form.typed}}
        response = client.post(url, data=data, headers={"Accept-Language": "en"})
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 422), (url, response.status_code)
        assert [name for name in form.typed if f'id="{name}-error"' not in html] == [], url


def test_each_organisation_line_is_bounded_beside_its_field(app, client, edition_2023):
    login(client, make_user(app, "admin"))
    url = "/editions/2023/edit"
    form = _Form(client.get(url).get_data(as_text=True))
    for hosts in ("长" * 201, "中央网信办 | " + "a" * 301):
        response = client.post(url, data={**form.data, "city_zh": "福州", "hosts": f"福建省人民政府\n{hosts}"},
                               headers={"Accept-Language": "en"})
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 422)
        assert 'id="hosts-error" role="alert">Line 2: at most 200 characters before the bar and 300 after it.' in html
