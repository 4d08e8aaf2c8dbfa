"""Schemathesis sends what the OpenAPI document allows, and much it does not, to every /api/v1
operation, with a paired scanner's token: no answer may be a server error."""

import io

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from conference.checkin import services
from conference.extensions import db
from conference.venues.services import checkpoint_by_code
from tests.conftest import badged_demo


@pytest.fixture
def device_token(app):
    with app.app_context():
        edition, _badges = badged_demo([("林", "晓梅", "guest")], ("editions", "venues", "programme"))
        _device, token = services.pair_now(checkpoint_by_code(edition, "DEMO-DESK"), "schemathesis")
        db.session.commit()
        return token


def test_no_api_operation_answers_with_a_server_error(app, device_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {"/api/v1/checkin/scans", "/api/v1/checkin/scans:batch"} <= {op.path for op in operations}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case):
            response = case.call(headers={"Authorization": f"Bearer {device_token}"})
            case.validate_response(response, checks=[not_a_server_error])

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
