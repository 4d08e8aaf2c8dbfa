"""The language switcher and the health check: pages that belong to no domain."""

from flask import Blueprint, abort, jsonify, redirect, request, url_for
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


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/api/v1/hello")
def hello():
    """The cheapest JSON answer of the app: the yardstick of benchmarks/checkin.py."""
    return {"hello": "world"}


@bp.route("/api/v1/openapi.json")
def openapi():
    """Every /api/v1 endpoint, generated from the code."""
    return jsonify(api.spec)
