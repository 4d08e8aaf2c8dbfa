import re

from argon2 import PasswordHasher
from sqlalchemy import select

from conference.accounts.models import User
from conference.core.models import AuditEntry
from conference.extensions import db
from tests.conftest import DEFAULT_PASSWORD, login, make_user, submit


def test_the_right_password_signs_in_and_is_audited(app, client):
    email = make_user(app, "organizer")
    response = login(client, email)
    assert response.headers["Location"] == "/editions/"
    assert client.get("/editions/").status_code == 200
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.login" in actions


def test_passwords_are_stored_as_argon2_hashes(app):
    email = make_user(app, "viewer")
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assert user.password_hash.startswith("$argon2id$")
        assert DEFAULT_PASSWORD not in user.password_hash
        assert PasswordHasher().verify(user.password_hash, DEFAULT_PASSWORD)


def test_only_the_test_configuration_hashes_cheaply():
    """Development and production keep argon2-cffi's default cost (64 MiB, 3 passes)."""
    import config
    from conference.accounts.services import _HASHERS

    for configuration in (config.DevelopmentConfig, config.ProductionConfig):
        assert configuration.ARGON2_PROFILE == "standard"
    standard = _HASHERS["standard"]
    assert (standard.memory_cost, standard.time_cost) == (65536, 3)


def test_a_wrong_password_shows_the_form_again_in_the_readers_language(app, client):
    email = make_user(app, "organizer")
    for header, message in [
        ("en", "Email or password is incorrect."),
        ("zh-CN", "邮箱或密码不正确。"),
        ("zh-TW", "電子郵件或密碼不正確。"),
    ]:
        response = submit(
            client,
            "/login",
            {"email": email, "password": "wrong-password"},
            headers={"Accept-Language": header},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in html
        assert f'value="{email}"' in html  # what they typed is kept
        assert "wrong-password" not in html  # but never the password
    with app.app_context():
        failures = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "user.login_failed"))
            .scalars()
            .all()
        )
    assert len(failures) == 3


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(app, client):
    response = submit(
        client,
        "/login",
        {"email": "nobody@test.example", "password": "whatever-it-is"},
        headers={"Accept-Language": "en"},
    )
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_the_sixth_quick_login_attempt_is_refused_with_429(app, client):
    email = make_user(app, "organizer")
    statuses = []
    for _ in range(6):
        response = submit(
            client,
            "/login",
            {"email": email, "password": "wrong-password"},
            headers={"Accept-Language": "en"},
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    assert "Too many attempts" in response.get_data(as_text=True)
    # Looking at the form is not an attempt.
    assert client.get("/login").status_code == 200


def test_a_disabled_account_cannot_sign_in(app, client):
    email = make_user(app, "organizer")
    with app.app_context():
        db.session.execute(select(User).where(User.email == email)).scalar_one().active = False
        db.session.commit()
    response = submit(client, "/login", {"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_a_viewer_cannot_open_an_organizer_page(app, client):
    login(client, make_user(app, "viewer"))
    assert client.get("/editions/").status_code == 200
    response = client.get("/editions/new", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "does not have permission" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/editions/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_never_redirects_off_site(app, client):
    email = make_user(app, "organizer")
    response = submit(
        client, "/login?next=https://evil.example/", {"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/editions/"


def test_sign_out_needs_a_post_with_token(app, client):
    login(client, make_user(app, "organizer"))
    assert client.get("/logout").status_code == 405
    page = client.get("/editions/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/editions/").status_code == 302


def test_users_create_prompts_for_the_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Lead@Test.Example", "--role", "group_lead"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
    with app.app_context():
        user = db.session.execute(
            select(User).where(User.email == "lead@test.example")
        ).scalar_one()
        assert user.role == "group_lead"
    short = runner.invoke(
        args=["users", "create", "--email", "x@test.example", "--role", "viewer"],
        input="short\nshort\n",
    )
    assert short.exit_code != 0


def test_an_admin_creates_an_account_and_a_mistake_keeps_what_was_typed(app, client):
    login(client, make_user(app, "admin"))
    response = submit(
        client,
        "/users",
        {
            "email": "press@test.example",
            "display_name": "宣传组 王芳",
            "role": "group_lead",
            "password": "long-enough-pw",
            "confirm": "different-pw",
        },
        headers={"Accept-Language": "zh-CN"},
    )
    html = response.get_data(as_text=True)
    assert "两次输入的密码不一致。" in html and 'value="宣传组 王芳"' in html
    response = submit(
        client,
        "/users",
        {
            "email": "press@test.example",
            "display_name": "宣传组 王芳",
            "role": "group_lead",
            "password": "long-enough-pw",
            "confirm": "long-enough-pw",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.execute(
                select(User.role).where(User.email == "press@test.example")
            ).scalar_one()
            == "group_lead"
        )
