"""Every domain's no is a core.errors.Refusal(message, field): shown beside its field on a form
page, under its field in the API's errors, and a 422 in the reader's language when no view
shows it."""

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from conference import create_app
from conference.core.errors import Refusal
from conference.editions.services import get_edition
from conference.extensions import db
from conference.registration import services as registration
from conference.registration.demo import set_up_registration
from conference.venues import services as venues
from conference.venues.models import Checkpoint
from conference.venues.services import NameFields, VenueError
from tests.conftest import submit

CONFERENCE = Path(__file__).resolve().parents[2] / "conference"


def _named(node: ast.expr, module) -> list:
    """What an `except` names, looked up in the module that catches it."""
    if isinstance(node, ast.Tuple):
        return [found for element in node.elts for found in _named(element, module)]
    if isinstance(node, ast.Attribute):
        return [getattr(_named(node.value, module)[0], node.attr)]
    return [getattr(module, node.id, None) or getattr(builtins, node.id)]


def _caught_in_views() -> dict[str, type]:
    """Every exception class of the conference that a page, an API endpoint or a command catches."""
    caught = {}
    for path in CONFERENCE.rglob("*.py"):
        if path.name not in ("views.py", "api.py", "cli.py"):
            continue
        module = importlib.import_module(".".join(path.relative_to(CONFERENCE.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                for error in _named(node.type, module):
                    if error.__module__.startswith("conference."):
                        caught[f"{path.relative_to(CONFERENCE)}: {error.__name__}"] = error
    return caught


def test_every_no_a_view_catches_is_a_refusal():
    caught = _caught_in_views()
    assert {error.__name__ for error in caught.values()} >= {
        "AccountError", "EditionError", "VenueError", "RegistrationError", "ImportProblem", "PhotoError", "ScanError",
        "BadgeError", "ScheduleError"}
    assert [where for where, error in caught.items() if not issubclass(error, Refusal)] == []


def test_a_refusal_is_its_message_then_its_field():
    refusal = VenueError("Enter the Chinese name.", "name_zh")
    assert (refusal.message, refusal.field, refusal.errors) == ("Enter the Chinese name.", "name_zh",
                                                                 {"name_zh": "Enter the Chinese name."})
    assert Refusal("No.").by_field("body") == {"body": "No."}


def test_a_refusal_of_several_fields_leads_with_the_first():
    refusal = registration.RegistrationError(errors={"phone": "Wrong phone.", "email": "Wrong email."})
    assert (refusal.message, refusal.field) == ("Wrong phone.", "phone")
    assert refusal.by_field("body") == {"phone": "Wrong phone.", "email": "Wrong email."}
    assert str(refusal) == "Wrong phone.; Wrong email."


def test_a_refusal_lands_beside_its_field_on_the_form_page(app, organizer_client, edition_2023):
    with app.app_context():
        venue = venues.save_venue(get_edition(2023), NameFields(zh="海峡会议中心"))
        db.session.commit()
        venue_id = venue.id
    response = submit(organizer_client, f"/editions/2023/venues/{venue_id}/checkpoints/new",
                      {"name_zh": "北门", "name_en": "", "name_zh_hant": "", "code": "北门", "hall_id": "", "position": "0"},
                      headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert re.search(r'id="code-error"[^>]*>Use up to 24 capital letters', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.execute(select(func.count(Checkpoint.id))).scalar_one() == 0


def test_a_refusal_lands_under_its_field_in_the_api_errors(app, client, edition_2023, demo_clock):
    with app.app_context():
        set_up_registration(get_edition(2023))
        db.session.commit()
    body = {"category": "media", "family_name": "林", "organisation": "鹭江日报社", "email": "lin@example.org", "phone": "12", "id_type": "passport",
            "id_number": "X7654321", "nationality": "GB", "consents": {"privacy_notice": 1, "identity_document": 1}}
    response = client.post("/api/v1/editions/2023/registrations", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"phone": "This phone number is not valid; check the digits and the country code."}}


@pytest.fixture(scope="module")
def refusing_app(app):
    """An app with a page and an endpoint that let a refusal through, as a view that forgot one would."""
    made = create_app(app.config)
    refusing = Blueprint("refusing", __name__)

    @refusing.route("/refusing")
    def page():
        raise VenueError(_l("Choose a seating layout."), "layout")

    @refusing.route("/api/v1/refusing")
    def endpoint():
        raise registration.RegistrationError(errors={"phone": "Wrong phone.", "email": "Wrong email."})

    made.register_blueprint(refusing)
    return made


def test_a_refusal_no_view_shows_is_a_422_page_in_the_readers_language(refusing_app):
    response = refusing_app.test_client().get("/refusing", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "无法完成" in response.get_data(as_text=True) and "请选择座位布局" in response.get_data(as_text=True)


def test_a_refusal_no_endpoint_shows_answers_with_its_fields(refusing_app):
    response = refusing_app.test_client().get("/api/v1/refusing")
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"phone": "Wrong phone.", "email": "Wrong email."}}
