"""Error pages in the reader's language, naming the request's id (conference/core/logs.py)."""

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("conference")

ERROR_TEXT = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("Your account does not have permission to open this page.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have moved or been removed."),
    ),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (
        _l("Upload too large"),
        _l("The file or form you sent is larger than this site accepts."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this page. It has been logged; please try again later."),
    ),
}
REFUSED_TITLE = _l("This cannot be done")
CSRF_TEXT = (
    _l("Form expired"),
    _l(
        "This form was missing its security token or it has expired. Please reload the page and submit again."
    ),
)

class Refusal(ValueError):
    """A service's no: the message in the reader's language and, when one field is to blame,
    its name, so a form can show the message beside it. A no to several fields at once (every
    wrong answer of a form) gives them all as `errors`, field → message; `message` and `field`
    are then the first of them."""

    def __init__(self, message=None, field: str | None = None, *, errors: dict | None = None):
        if errors:
            field, message = next(iter(errors.items()))
        self.errors = dict(errors) if errors else {field: message}
        super().__init__("; ".join(str(said) for said in self.errors.values()))
        self.message = message
        self.field = field

    def by_field(self, fallback: str) -> dict[str, str]:
        """{field: message} as an API answers it, a message for no one field under `fallback`."""
        return {field or fallback: str(message) for field, message in self.errors.items()}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, title, message):
    if _wants_json():
        body = {"error": {"status": status, "title": str(title), "message": str(message)}}
        if status == 500:
            body["error"]["request_id"] = g.get("request_id")
        return jsonify(body), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            request_id=g.get("request_id"),
        ),
        status,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, *CSRF_TEXT)

    @app.errorhandler(Refusal)
    def refused(refusal: Refusal):
        """A service's no that no view showed beside a field: still the reader's 4xx, never a 500."""
        if _wants_json():
            return jsonify({"errors": refusal.by_field("body")}), 422
        return _render(422, REFUSED_TITLE, " ".join(str(said) for said in refusal.errors.values()))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        title, message = ERROR_TEXT.get(error.code, (error.name, error.description))
        response = _render(error.code, title, message)
        if error.code == 405 and error.valid_methods:
            response = (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, *ERROR_TEXT[500])
