"""Who a rate limit counts: the real client behind a trusted proxy, and a sign-in per account and
address, per account, and per address."""

import math

import pytest
from limits import parse_many
from sqlalchemy import select

from conference import create_app
from conference.core.models import AuditEntry
from conference.extensions import db
from tests.conftest import DEFAULT_PASSWORD, make_user, submit
from tests.registration.conftest import reg  # noqa: F401  the registration fixture
from tests.registration.test_pages import FORM, post_form

ATTACKER, OWNER = "203.0.113.7", "198.51.100.9"


@pytest.fixture(scope="module")
def proxied(app):
    """The same app behind one proxy (nginx), which appends the client to X-Forwarded-For."""
    return create_app({**app.config, "TRUSTED_PROXY_COUNT": 1})


def _sign_in(client, email, password):
    return submit(client, "/login", {"email": email, "password": password})


def _from(client, address):
    """Requests of this test client come from `address` (the TCP peer)."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _forwarded_for(client, address):
    """Requests of this test client say X-Forwarded-For: `address`, from the same peer."""
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def _login_actions(app):
    with app.app_context():
        return db.session.execute(
            select(AuditEntry.action, AuditEntry.ip).where(AuditEntry.action.like("user.login%"))
        ).all()


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_budget(app, proxied):
    email = make_user(app, "organizer")
    attacker = _forwarded_for(proxied.test_client(), ATTACKER)
    owner = _forwarded_for(proxied.test_client(), OWNER)  # through the same proxy
    statuses = [_sign_in(attacker, email, "wrong-password").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _sign_in(owner, email, DEFAULT_PASSWORD).status_code == 302
    assert set(_login_actions(app)) == {("user.login_failed", ATTACKER), ("user.login", OWNER)}


def test_behind_a_trusted_proxy_wrong_invitation_codes_block_only_their_sender(app, proxied, reg):  # noqa: F811
    sender = _forwarded_for(proxied.test_client(), ATTACKER)
    other = _forwarded_for(proxied.test_client(), OWNER)
    wrong = {**FORM, "category": "guest"}
    statuses = [
        post_form(sender, {**wrong, "invitation_code": f"WRNG-CODE-{i:04d}"}).status_code
        for i in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    assert post_form(other, FORM).status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app, client):
    email = make_user(app, "organizer")
    statuses = [
        _sign_in(_forwarded_for(client, f"192.0.2.{i}"), email, "wrong-password").status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert {ip for _, ip in _login_actions(app)} == {"127.0.0.1"}


def test_a_guesser_at_one_address_cannot_lock_the_owner_out(app):
    email = make_user(app, "organizer")
    attacker, owner = _from(app.test_client(), ATTACKER), _from(app.test_client(), OWNER)
    statuses = [_sign_in(attacker, email, "wrong-password").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert _sign_in(owner, email, DEFAULT_PASSWORD).status_code == 302
    # The guesser may still sign in to another account from there.
    other = make_user(app, "viewer")
    assert _sign_in(attacker, other, DEFAULT_PASSWORD).status_code == 302


def test_one_address_alone_never_reaches_the_per_account_limit(app):
    """Over every window of the per-account limit, the attempts one address may make at one
    account stay below it: only guessing from many addresses can reach it."""
    per_pair = parse_many(app.config["LOGIN_RATE_LIMIT"])
    for account_limit in parse_many(app.config["LOGIN_ACCOUNT_RATE_LIMIT"]):
        window = account_limit.get_expiry()
        most_from_one_address = min(
            limit.amount * math.ceil(window / limit.get_expiry()) for limit in per_pair
        )
        assert most_from_one_address < account_limit.amount


def test_guessing_one_account_from_many_addresses_meets_the_account_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "8 per hour")
    email, other = make_user(app, "organizer"), make_user(app, "viewer")
    statuses = [
        _sign_in(_from(app.test_client(), f"192.0.2.{i}"), email, "wrong-password").status_code
        for i in range(9)
    ]
    assert statuses == [200] * 8 + [429]
    assert _sign_in(_from(app.test_client(), OWNER), other, DEFAULT_PASSWORD).status_code == 302


def test_trying_many_accounts_from_one_address_meets_the_address_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "6 per minute")
    attacker = _from(app.test_client(), ATTACKER)
    statuses = [
        _sign_in(attacker, f"user{i}@test.example", "wrong-password").status_code for i in range(7)
    ]
    assert statuses == [200] * 6 + [429]
    email = make_user(app, "organizer")
    assert _sign_in(_from(app.test_client(), OWNER), email, DEFAULT_PASSWORD).status_code == 302


def test_the_account_is_counted_whatever_case_or_spaces_its_email_is_typed_in(app):
    email = make_user(app, "organizer")
    attacker = _from(app.test_client(), ATTACKER)
    typed = [email, email.upper(), f" {email} ", email.title(), email.swapcase(), f"{email} "]
    statuses = [_sign_in(attacker, variant, "wrong-password").status_code for variant in typed]
    assert statuses == [200] * 5 + [429]
