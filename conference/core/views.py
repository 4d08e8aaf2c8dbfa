"""The language switcher and the health check: pages that belong to no domain."""

import re

from flask import Blueprint, abort, current_app, jsonify, redirect, request, url_for
from sqlalchemy import text

from conference.core.i18n import LANG_COOKIE, normalise_locale
from conference.core.urls import safe_next
from conference.extensions import api, db

bp = Blueprint("core", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie and go back where the reader was."""
    locale = normalise_locale(code)
    if locale is None:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("editions.home")))
    response.set_cookie(
        LANG_COOKIE,
        locale,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; the same icon, never a 404."""
    return current_app.send_static_file("favicon.svg")


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/api/v1/hello")
def hello():
    """The cheapest JSON answer of the app: the yardstick of benchmarks/checkin.py."""
    return {"hello": "world"}


# spectree knows werkzeug's own converters only; ours (conference.core.urls) are described here.
CONVERTER_SCHEMAS = {
    "year": {"type": "integer", "minimum": 1000, "maximum": 9999, "description": "The edition's year."},
    "id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}


def _with_path_schemas(spec: dict) -> dict:
    for route in current_app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route.rule)
        operations = spec.get("paths", {}).get(path)
        if not operations:
            continue
        kinds = {name: route._converters[name].__class__ for name in route.arguments}
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and not parameter.get("schema"):
                    converter = next((key for key, cls in current_app.url_map.converters.items()
                                      if cls is kinds.get(parameter["name"]) and key in CONVERTER_SCHEMAS), None)
                    parameter["schema"] = dict(CONVERTER_SCHEMAS.get(converter, {"type": "string"}))
    return spec


@bp.route("/api/v1/openapi.json")
def openapi():
    """Every /api/v1 endpoint, generated from the code."""
    return jsonify(_with_path_schemas(api.spec))
