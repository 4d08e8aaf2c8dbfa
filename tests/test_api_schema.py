"""Schemathesis sends what the OpenAPI document allows, and much it does not, to every /api/v1
operation, with a paired scanner's token and the demo edition's ids: every check holds, and no
answer is a server error."""

import io

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from sqlalchemy import select

from conference.checkin import services
from conference.extensions import db
from conference.programme.models import Session
from conference.registration.demo import set_up_registration
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo

# Checks an operation cannot pass, and why.
EXEMPT = {
    # A body of the documented shape is still refused when it breaks a rule a schema cannot state:
    # check digits, the current notice's version, invitation codes, one registration a document.
    ("POST", "/api/v1/editions/{year}/registrations"): [positive_data_acceptance],
}


@pytest.fixture
def device_token(app):
    with app.app_context():
        edition, _badges = badged_demo([("林", "晓梅", "guest")], ("editions", "venues", "programme"))
        set_up_registration(edition)
        _device, token = services.pair_now(checkpoint_by_code(edition, "DEMO-DESK"), "schemathesis")
        db.session.commit()
        return token


@pytest.mark.long
def test_every_api_operation_passes_every_check(app, device_token):
    with app.app_context():
        session_id = db.session.execute(select(Session.id)).scalars().first()
    config = SchemathesisConfig.from_dict({
        "auth": {"openapi": {"device": {"bearer": device_token}}},
        "parameters": {"year": 2023, "session_id": session_id},
    })
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {"/api/v1/checkin/scans", "/api/v1/checkin/scans:batch"} <= {op.path for op in operations}
    for operation in operations:
        exempt = EXEMPT.get((operation.method.upper(), operation.path), [])
        _fuzz(operation, GenerationMode.POSITIVE, exempt)
        if operation.body or operation.query or operation.path_parameters:  # something to get wrong
            _fuzz(operation, GenerationMode.NEGATIVE, exempt)


def _fuzz(operation, mode: GenerationMode, exempt: list) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def call(case):
        case.validate_response(case.call(), excluded_checks=exempt)

    call()


def test_every_json_body_of_the_wrong_kind_is_a_4xx_naming_it(app, client, device_token):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [path.replace("{year}", "2023") for path, ops in spec["paths"].items() if "requestBody" in ops.get("post", {})]
    assert {"/api/v1/editions/2023/registrations", "/api/v1/checkin/pair", "/api/v1/checkin/scans:batch"} <= set(posts)
    for path in posts:
        for body in _bodies_of_the_wrong_kind():
            response = client.post(path, headers={"Authorization": f"Bearer {device_token}"}, **body)
            assert response.status_code in (400, 415, 422), (path, body, response.status_code)
            assert response.get_json()["errors"], (path, body)


def _bodies_of_the_wrong_kind() -> list[dict]:
    return [
        {"data": {"code": "x"}},
        {"data": {"file": (io.BytesIO(b"x"), "a.txt")}, "content_type": "multipart/form-data"},
        {"data": "x", "content_type": "text/plain"},
        {"data": "{", "content_type": "application/json"},
        {"json": [1]},
        {"data": "null", "content_type": "application/json"},
        {"json": {"code": 1, "scans": 1, "family_name": 1}},
    ]


def test_the_document_lists_the_4xx_each_operation_gives(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answers = {(method.upper(), path): set(op["responses"]) for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert answers[("POST", "/api/v1/editions/{year}/registrations")] == {"201", "400", "404", "413", "415", "422", "429"}
    assert answers[("GET", "/api/v1/editions/{year}/registration-form")] == {"200", "404", "422"}
    assert answers[("GET", "/api/v1/editions/{year}/badge-key")] == {"200", "404"}
    for (method, path), codes in answers.items():
        operation = spec["paths"][path][method.lower()]
        assert "404" in codes or "{" not in path, (method, path)
        assert ("401" in codes) == bool(operation.get("security")), (method, path)
        assert {"400", "413", "415", "422"} <= codes or "requestBody" not in operation, (method, path)
        assert "content" in operation["responses"].get("415", {"content": 1}), (method, path)
