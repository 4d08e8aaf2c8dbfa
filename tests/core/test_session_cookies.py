"""The signed session cookie: its signer is built once per set of keys, and a key replaced
(or kept as a fallback) is honoured at once."""

import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface

from conference import create_app
from conference.core.security import SessionCookies

pytestmark = pytest.mark.database_free


@pytest.fixture
def bare(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}", "INSTANCE_DIR": str(tmp_path),
                      "SECRET_KEY": "first key", "DOMAINS": ["conference.core"]})

    @app.get("/remember")
    def remember():
        session["seen"] = "yes"
        return "kept"

    @app.get("/recall")
    def recall():
        return session.get("seen", "nothing")

    return app


def _cookie(app) -> str:
    client = app.test_client()
    client.get("/remember")
    return client.get_cookie("session").value


def _recalled(app, cookie: str) -> str:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/recall").get_data(as_text=True)


def test_the_signer_is_built_once_for_every_request(bare, monkeypatch):
    assert isinstance(bare.session_interface, SessionCookies)
    built = []
    original = SecureCookieSessionInterface.get_signing_serializer  # Flask's, which builds one each call
    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer",
                        lambda self, app: built.append(1) or original(self, app))
    cookie = _cookie(bare)
    for _ in range(5):
        assert _recalled(bare, cookie) == "yes"
    assert len(built) == 1  # Flask's own interface builds it twice a request: 12 times here


def test_a_replaced_key_refuses_old_cookies_and_a_fallback_keeps_them(bare):
    cookie = _cookie(bare)
    bare.secret_key = bare.config["SECRET_KEY"] = "second key"
    assert _recalled(bare, cookie) == "nothing"
    bare.config["SECRET_KEY_FALLBACKS"] = ["first key"]
    assert _recalled(bare, cookie) == "yes"
    bare.config["SECRET_KEY_FALLBACKS"] = []
    assert _recalled(bare, cookie) == "nothing"
    assert _recalled(bare, _cookie(bare)) == "yes"  # signed with the second key
