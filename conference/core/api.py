"""What every /api/v1 endpoint shares: a body of the wrong shape is answered like a wrong value,
with one message a field, in the reader's language — never a 500.

spectree's Flask plugin reads a form-encoded or multipart body as "no JSON" and hands the view
`json=None`, and reads a body that is not JSON as `{}`. `JsonBodies`, the plugin of the app's
SpecTree (conference.extensions), reads a declared JSON body strictly instead: the wrong
Content-Type is 415, text that is not JSON 400, JSON that is not an object or has values of the
wrong type (read strictly, as the OpenAPI document describes them) 422. All of them reach the
endpoint's `before` hook as a validation error, so an endpoint that checks its caller first
(the scanner's token) still does so.
"""

import json
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError
from spectree.plugins.flask_plugin import FlaskPlugin


class FieldErrors(BaseModel):
    """Every 400, 415 and 422 of the API: one message a field, in the reader's language."""

    errors: dict[str, str]


NOT_JSON = "json_content_type"
BAD_JSON = "json_invalid"
STATUS_OF = {NOT_JSON: 415, BAD_JSON: 400}


def _body_problem(kind: str, body) -> ValidationError:
    error = PydanticCustomError(kind, "the body cannot be read as JSON")
    return ValidationError.from_exception_data("body", [{"type": error, "loc": ("body",), "input": body}])


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def check_json(request) -> None:
    """A ValidationError whose type names the problem unless the body is sent as JSON and is
    JSON (Python's parser, which also names nesting too deep and bytes that are not UTF-8)."""
    if not is_json(request.mimetype):
        raise _body_problem(NOT_JSON, request.mimetype)
    try:
        json.loads(request.get_data())
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise _body_problem(BAD_JSON, "") from error


def validated(model: type[BaseModel], data: bytes, strict: bool = False) -> BaseModel:
    """A JSON body as `model`, or a ValidationError naming each field that is wrong (a body
    that is not JSON at all: BAD_JSON). pydantic's parser refuses some JSON that Python's
    reads: a lone surrogate ("\\ud800"), which a phone's JSON.stringify writes for a broken
    character, or an integer of more than 64 bits. Such a body is read by Python and validated
    as the same model, so that its odd value is its own field's problem."""
    try:
        return model.model_validate_json(data, strict=strict)
    except ValidationError as error:
        if not any(problem["type"] == BAD_JSON for problem in error.errors(include_url=False, include_input=False)):
            raise
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise _body_problem(BAD_JSON, "") from error
    return model.model_validate(body, strict=strict)


class JsonBodies(FlaskPlugin):
    def request_validation(self, request, query, json, form, headers, cookies):
        super().request_validation(request, query, None, form, headers, cookies)
        if json is not None and request.method not in ("GET", "DELETE"):
            check_json(request)
            # Strict, as the document describes the body: no number for a time, no text for a number.
            request.context = request.context._replace(json=validated(json, request.get_data(), strict=True))


def _message(problem: dict) -> str:
    kind, context = problem.get("type"), problem.get("ctx") or {}
    if kind == NOT_JSON:
        return _("Send the body as JSON, with Content-Type: application/json.")
    if kind == BAD_JSON:
        return _("The body is not valid JSON.")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(n)d characters.", n=context["max_length"])
    if kind == "too_long":
        return _("At most %(n)d items.", n=context["max_length"])
    if kind in ("model_type", "model_attributes_type", "dict_type") and not problem.get("loc"):
        return _("The body must be a JSON object.")
    return _("This value is not valid.")


def field_messages(problems: list[dict]) -> dict:
    """pydantic's errors as {field: message}, the first message of each field."""
    errors = {}
    for problem in problems:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "json")]
        errors.setdefault(".".join(location) or "body", str(_message(problem)))
    return errors


def problem_status(problems: list[dict]) -> int:
    """415 for a body that is not sent as JSON, 400 for one that is not JSON, else 422."""
    return next((STATUS_OF[p["type"]] for p in problems if p.get("type") in STATUS_OF), 422)


def field_errors(req, resp, req_validation_error, instance, model_adapter=None) -> None:
    """spectree's `before` hook."""
    if req_validation_error is None or resp is None:
        return
    problems = req_validation_error.errors()
    resp.set_data(json.dumps({"errors": field_messages(problems)}, ensure_ascii=False))
    resp.status_code = problem_status(problems)
    resp.mimetype = "application/json"


def json_response(body, status: int = 200):
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def documented(**validation) -> Callable:
    """A route in /api/v1/openapi.json, described as spectree's `validate` describes it, but
    served by the view alone: spectree's wrapper reads nothing (the view reads and answers its
    body itself) yet copies every answer into a new response, which the busiest endpoint
    cannot afford. spectree finds the description through `__wrapped__`."""
    from conference.extensions import api  # the SpecTree is built with JsonBodies, from this module

    def decorate(view: Callable) -> Callable:
        described = api.validate(skip_validation=True, **validation)(view)

        def served(*args, **kwargs):
            return view(*args, **kwargs)

        served.__name__, served.__doc__, served.__wrapped__ = view.__name__, view.__doc__, described
        return served

    return decorate
