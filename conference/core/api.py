"""What every /api/v1 endpoint shares: a body of the wrong shape is answered like a wrong value,
422 with one message a field, in the reader's language."""

import json
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _

from conference.extensions import api


def field_messages(problems: list[dict]) -> dict:
    """pydantic's errors as {field: message}."""
    errors = {}
    for problem in problems:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "json")]
        errors[".".join(location) or "body"] = str(_("This value is not valid."))
    return errors


def field_errors(req, resp, req_validation_error, instance, model_adapter=None) -> None:
    """spectree's `before` hook."""
    if req_validation_error is None or resp is None:
        return
    resp.set_data(json.dumps({"errors": field_messages(req_validation_error.errors())}, ensure_ascii=False))
    resp.status_code = 422
    resp.mimetype = "application/json"


def json_response(body, status: int = 200):
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


def documented(**validation) -> Callable:
    """A route in /api/v1/openapi.json, described as spectree's `validate` describes it, but
    served by the view alone: spectree's wrapper reads nothing (the view reads and answers its
    body itself) yet copies every answer into a new response, which the busiest endpoint
    cannot afford. spectree finds the description through `__wrapped__`."""

    def decorate(view: Callable) -> Callable:
        described = api.validate(skip_validation=True, **validation)(view)

        def served(*args, **kwargs):
            return view(*args, **kwargs)

        served.__name__, served.__doc__, served.__wrapped__ = view.__name__, view.__doc__, described
        return served

    return decorate
