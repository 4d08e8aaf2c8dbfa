"""An invitation to an account: its link lets the invited person choose their password under
the strength rules, works once, and expires after 72 hours."""

from datetime import timedelta

from conference.accounts import invitations, services
from conference.core import clock
from conference.extensions import db
from tests.conftest import submit

EMAIL = "invited@example.org"
NEW_PASSWORD = "lychee-harbour-ferry-2023"


def invite(app) -> str:
    with app.test_request_context():
        user = services.create_user(EMAIL, "an-unknown-random-password", "volunteer")
        db.session.flush()
        token = invitations.make_token(user)
        db.session.commit()
        return token


def test_the_link_sets_a_password_once_and_signs_in(app, client):
    token = invite(app)
    url = f"/account/welcome/{token}"
    page = client.get(url + "?lang=en")
    assert page.status_code == 200 and EMAIL in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    weak = submit(client, url + "?lang=en", {"password": "123456789012", "confirm": "123456789012"})
    assert weak.status_code == 422 and "run of keys" in weak.get_data(as_text=True)
    differ = submit(client, url + "?lang=en", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 422
    done = submit(client, url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and client.get(done.location).status_code == 200
    assert client.get("/account").status_code == 200  # signed in
    again = client.get(url + "?lang=en")
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    with app.app_context():
        assert services.authenticate(EMAIL, NEW_PASSWORD) is not None


def test_the_link_expires_after_72_hours(app, client):
    clock.freeze(clock.now())
    token = invite(app)
    clock.freeze(clock.now() + timedelta(hours=71, minutes=59))
    assert client.get(f"/account/welcome/{token}").status_code == 200
    clock.freeze(clock.now() + timedelta(hours=1))
    expired = client.get(f"/account/welcome/{token}?lang=en")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_a_forged_or_damaged_link_opens_nothing(app, client):
    token = invite(app)
    with app.test_request_context():
        forged = invitations._serializer().dumps({"user": 1, "hash": "0" * 32})
    for bad in (token[:-2] + "xx", forged, "x" * 3000, "%00", token.replace(".", "", 1)):
        assert client.get(f"/account/welcome/{bad}").status_code in (404, 410), bad
    response = client.post(f"/account/welcome/{token[:-1]}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (400, 410)
    with app.app_context():
        assert services.authenticate(EMAIL, NEW_PASSWORD) is None


def test_a_password_changed_another_way_kills_the_link(app, client):
    token = invite(app)
    with app.app_context():
        services.set_password(services.find_by_email(EMAIL), NEW_PASSWORD)
        db.session.commit()
    assert client.get(f"/account/welcome/{token}").status_code == 410
