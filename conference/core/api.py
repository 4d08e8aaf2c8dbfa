"""What every /api/v1 endpoint shares: a body of the wrong shape is answered like a wrong value,
422 with one message a field, in the reader's language."""

import json

from flask_babel import gettext as _


def field_errors(req, resp, req_validation_error, instance, model_adapter=None) -> None:
    """spectree's `before` hook."""
    if req_validation_error is None or resp is None:
        return
    errors = {}
    for problem in req_validation_error.errors():
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "json")]
        errors[".".join(location) or "body"] = str(_("This value is not valid."))
    resp.set_data(json.dumps({"errors": errors}, ensure_ascii=False))
    resp.status_code = 422
    resp.mimetype = "application/json"
