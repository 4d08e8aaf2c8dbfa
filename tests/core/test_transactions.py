"""One way to end a transaction: views and commands hand the service call to committed(), which
commits it or rolls it back and starts it again when the database asks; services never commit
for their callers."""

import ast
import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from conference.accounts import services as accounts
from conference.accounts.models import User
from conference.core.models import AuditEntry
from conference.editions.services import get_edition
from conference.extensions import db
from conference.people import services as people
from conference.people.models import Person
from conference.venues.models import Venue
from tests.conftest import DEFAULT_PASSWORD, make_user, submit

CONFERENCE = Path(__file__).resolve().parents[2] / "conference"
THIN_OR_RULES = ("views.py", "cli.py", "api.py", "services.py")


def _bare_commits(path: Path) -> list[int]:
    """Lines that call `<something>session.commit()`."""
    return [
        node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
        and ast.unparse(node.func.value).endswith("session")
    ]


def test_views_commands_and_services_never_commit_bare():
    found = {
        f"{path.relative_to(CONFERENCE)}:{line}"
        for path in CONFERENCE.rglob("*.py") if path.name in THIN_OR_RULES
        for line in _bare_commits(path)
    }
    assert not found, "end the transaction with core.database.committed() instead"


def test_the_check_finds_a_bare_commit(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("def save():\n    services.save()\n    db.session.commit()\n", encoding="utf-8")
    assert _bare_commits(view) == [3]


@pytest.fixture
def first_commit_locked(monkeypatch):
    """The first commit is refused the way SQLite refuses a writer that lost the race."""
    commit, refused = db.session.commit, []

    def commit_unless_first():
        if not refused:
            refused.append(True)
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))
        commit()

    monkeypatch.setattr(db.session, "commit", commit_unless_first)
    return refused


def test_a_page_whose_commit_is_refused_saves_once_on_the_next_try(app, organizer_client, edition_2023,
                                                                   first_commit_locked):
    response = submit(organizer_client, "/editions/2023/venues/new",
                      {"name_zh": "海峡会议中心", "name_en": "", "name_zh_hant": "", "address_zh": "", "address_en": "",
                       "position": "0"})
    assert response.status_code == 302
    assert first_commit_locked == [True]
    with app.app_context():
        assert db.session.execute(select(func.count(Venue.id))).scalar_one() == 1


def test_a_command_whose_commit_is_refused_saves_once_on_the_next_try(app, first_commit_locked):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "desk@test.example", "--role", "viewer", "--password", DEFAULT_PASSWORD])
    assert result.exit_code == 0, result.output
    assert first_commit_locked == [True]
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.create")).scalar_one() == 1


def test_signing_in_is_recorded_by_the_caller_not_by_the_service(app):
    email = make_user(app, "viewer")
    with app.test_request_context():
        assert accounts.authenticate(email, DEFAULT_PASSWORD) is not None
        assert accounts.authenticate(email, "not-the-password") is None
        db.session.rollback()
        actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("user.login%"))).all()
        assert actions == []
        assert accounts.find_by_email(email).last_login_at is None


def test_a_changed_role_from_the_command_line_is_kept(app):
    email = make_user(app, "viewer")
    result = app.test_cli_runner().invoke(args=["users", "set-role", "--email", email, "--role", "organizer"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert accounts.find_by_email(email).role == "organizer"


def test_a_refused_account_from_the_command_line_leaves_nothing(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "desk@test.example", "--role", "viewer", "--password", "short"])
    assert result.exit_code != 0 and "密码至少需要 12 个字符" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 0
        assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0


def test_a_refused_photo_leaves_the_person_as_they_were(app, organizer_client, edition_2023):
    with app.app_context():
        person_id = people.add_person(get_edition(2023), "林", "晓梅", "guest").id
        db.session.commit()
    response = submit(organizer_client, f"/editions/2023/people/{person_id}/edit",
                      {"family_name": "陈", "given_name": "静", "category": "guest",
                       "photo": (io.BytesIO(b"not an image"), "photo.jpg")},
                      headers={"Accept-Language": "en"}, content_type="multipart/form-data")
    assert response.status_code == 200 and "not an image we can read" in response.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Person, person_id)
        assert (person.family_name, person.given_name, person.photo_file) == ("林", "晓梅", None)
