"""Passwords: at least 12 characters, not common, not a pattern, not the account's email."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

import config
from conference.accounts import services
from conference.accounts.demo import DEMO_USERS
from conference.accounts.models import User
from conference.extensions import db
from tests.conftest import DEFAULT_PASSWORD, login, make_user, submit


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaa", "at least 12 characters"),
        ("short-pw", "at least 12 characters"),
        ("password1234", "most common passwords"),
        ("Password1234", "most common passwords"),
        ("!!Sunshine2024!!", "most common passwords"),  # a listed word with digits around it
        ("qwerty123456", "most common passwords"),
        ("123456789012", "a run of keys or characters"),
        ("qwertyuiopas", "a run of keys or characters"),
        ("zyxwvutsrqponm", "a run of keys or characters"),
        ("aaaaaaaaaaaa", "one character or a short group repeated"),
        ("xyzxyzxyzxyz", "one character or a short group repeated"),
        ("wang.fang@test.example", "your email address"),
        ("wang.fang-2023!", "your email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(ctx, password, reason):
    with pytest.raises(services.AccountError) as refused:
        services.check_password_strength(password, "Wang.Fang@test.example")
    assert refused.value.field == "password"
    with force_locale("en"):
        assert reason in str(refused.value.message)


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, config.Config.DEMO_PASSWORD,
                                      "海峡两岸网络文明大会2023", "Tr0ub4dor&3-horse"])
def test_good_passwords_pass(ctx, password):
    services.check_password_strength(password, "organizer@example.org")


def test_the_demo_accounts_passwords_pass(ctx):
    for email, _role, _name in DEMO_USERS:
        services.check_password_strength(config.Config.DEMO_PASSWORD, email)


def test_the_common_list_is_the_shipped_one(ctx):
    common = services.common_passwords()
    assert len(common) > 19_000
    assert {"password", "123456", "iloveyou", "password1234"} <= common
    assert all(entry == entry.lower() for entry in common)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "is among the most common passwords"),
        ("zh-CN", "最常见的密码"),
        ("zh-TW", "最常見的密碼"),
    ],
)
def test_the_form_shows_the_reason_beside_the_password_in_the_readers_language(app, client, lang, message):
    login(client, make_user(app, "admin"))
    response = submit(
        client,
        "/users",
        {"email": "press@test.example", "display_name": "", "role": "viewer",
         "password": "password1234", "confirm": "password1234"},
        headers={"Accept-Language": lang},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    password_field = html.split('name="password"', 1)[1].split('name="confirm"', 1)[0]
    assert message in password_field
    with app.app_context():
        assert db.session.execute(select(User).where(User.email == "press@test.example")).first() is None


def test_the_command_line_applies_the_same_rule(app):
    runner = app.test_cli_runner()
    for weak in ("aaaaaaaaaaaa", "password1234", "123456789012"):
        result = runner.invoke(
            args=["users", "create", "--email", "x@test.example", "--role", "viewer"],
            input=f"{weak}\n{weak}\n",
        )
        assert result.exit_code != 0
        assert "Error" in result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.email == "x@test.example")).first() is None


def test_a_new_password_follows_the_rule_too(app):
    email = make_user(app, "organizer")
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        with pytest.raises(services.AccountError):
            services.set_password(user, "organizer-1234")
