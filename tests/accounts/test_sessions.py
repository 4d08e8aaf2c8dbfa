"""A sign-in starts a new session; signing out (or a new password) ends every copy of it."""

from sqlalchemy import select

import config
from conference.accounts import services
from conference.accounts.models import User
from conference.extensions import db
from tests.conftest import DEFAULT_PASSWORD, csrf_token, login, make_user, submit


def _sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def _copy(client, app, *names):
    """Another browser holding only these cookies of `client` (say, copied by an attacker)."""
    other = app.test_client()
    for name in names:
        other.set_cookie(name, client.get_cookie(name).value)
    return other


def _holding(app, set_cookie_header):
    """Another browser holding the cookie this Set-Cookie header gave."""
    name, value = set_cookie_header.split(";", 1)[0].split("=", 1)
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_signing_in_starts_a_new_session(app, client):
    email = make_user(app, "organizer")
    token_before = csrf_token(client, "/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone who handed this cookie to the victim"
    cookie_before = client.get_cookie("session").value
    login(client, email)
    assert client.get_cookie("session").value != cookie_before
    with client.session_transaction() as session:
        assert "planted" not in session
    # A form token from before the sign-in is not one of the new session.
    assert client.post("/logout", data={"csrf_token": token_before}).status_code == 400


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client):
    login(client, make_user(app, "organizer"))
    copy = _copy(client, app, "session")
    assert _signed_in(copy)
    assert _sign_out(client).status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_a_copied_remember_me_cookie_stops_working_at_sign_out(app, client):
    email = make_user(app, "organizer")
    response = submit(client, "/login", {"email": email, "password": DEFAULT_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    remember = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    assert _signed_in(_holding(app, remember))
    _sign_out(client)
    assert client.get_cookie("remember_token") is None  # the browser is told to drop it
    assert not _signed_in(_holding(app, remember))


def test_signing_out_ends_the_sessions_on_every_device(app):
    email = make_user(app, "organizer")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, email)
    login(phone, email)
    _sign_out(laptop)
    assert not _signed_in(phone)
    login(phone, email)
    assert _signed_in(phone)


def test_a_new_password_ends_every_session(app, client):
    email = make_user(app, "organizer")
    login(client, email)
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        services.set_password(user, "a-whole-new-passphrase")
        db.session.commit()
    assert not _signed_in(client)
    login(client, email, "a-whole-new-passphrase")
    assert _signed_in(client)


def test_the_session_cookie_never_carries_the_user_id(app, client):
    email = make_user(app, "organizer")
    login(client, email)
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        user_id, token = user.id, user.session_token
    with client.session_transaction() as session:
        assert session["_user_id"] == token != str(user_id)
    forged = app.test_client()
    with forged.session_transaction() as session:  # signed with the key, naming an id
        session["_user_id"] = str(user_id)
    assert not _signed_in(forged)


def test_cookies_are_http_only_same_site_and_secure_in_production(app, client):
    for name in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert app.config[f"{name}_HTTPONLY"] is True
        assert app.config[f"{name}_SAMESITE"] == "Lax"
        assert getattr(config.ProductionConfig, f"{name}_SECURE") is True
