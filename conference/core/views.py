"""The language switcher, the health checks and the jobs' progress: pages that belong to no domain."""

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_limiter.util import get_qualified_name
from flask_login import current_user, login_required
from sqlalchemy import text

from conference.core import audit, jobs
from conference.core.database import committed
from conference.core.health import OK, readiness
from conference.core.i18n import LANG_COOKIE, normalise_locale
from conference.core.permissions import can
from conference.core.urls import safe_next
from conference.extensions import api, db, limiter

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


def _job_or_abort(job_id: int):
    """The job and its kind, for those its kind lets see it (403 for others, 404 if none)."""
    job = jobs.get_job(job_id) or abort(404)
    kind = jobs.KINDS.get(job.kind) or abort(404)
    subject = kind.subject(job) if kind.subject is not None else None
    if kind.subject is not None and subject is None:
        abort(404)  # what it was made for is gone
    if not can(current_user, kind.permission, subject):
        abort(403)
    return job, kind


def _file_url(job) -> str | None:
    path = jobs.result_path(job)
    return url_for("core.job_file", job_id=job.id, suffix=path.suffix[1:]) if path else None


@bp.route("/jobs/<id:job_id>")
@login_required
def job(job_id):
    """A job's progress; the page refreshes itself until the job is done or failed."""
    found, kind = _job_or_abort(job_id)
    return render_template("core/job.html", job=found, kind=kind, file_url=_file_url(found))


@bp.route("/jobs/<id:job_id>.json")
@login_required
def job_progress(job_id):
    found, _ = _job_or_abort(job_id)
    return jsonify({"id": found.id, "kind": found.kind, "status": found.status, "done": found.done,
                    "total": found.total, "skipped": found.skipped, "error": found.error, "file": _file_url(found)})


@bp.route("/jobs/<id:job_id>.<suffix>")
@login_required
def job_file(job_id, suffix):
    """A finished job's file: a read, which records nothing unless its kind asks."""
    found, kind = _job_or_abort(job_id)
    path = jobs.result_path(found)
    if path is None or path.suffix != f".{suffix}":
        abort(404)
    if kind.audit_download:
        committed(lambda: audit.record(kind.audit_download, found, detail={"kind": found.kind}))
    return send_file(path, download_name=kind.file_name(found))


@bp.route("/healthz")
def health():
    """The process answers (and reaches its database)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/readyz")
def ready():
    """Ready to serve: 200 with every check "ok", or 503 naming those failing."""
    checks = readiness()
    failing = sorted(name for name, state in checks.items() if state != OK)
    if failing:
        return {"status": "not ready", "failing": failing, "checks": checks}, 503
    return {"status": "ready", "checks": checks}


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


FIELD_ERRORS = {"application/json": {"schema": {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "object", "additionalProperties": {"type": "string"}}},
}}}
# The answers the app gives to any endpoint, beside those an endpoint declares itself.
ANSWERS = {
    "400": {"description": "The body is not valid JSON.", "content": FIELD_ERRORS},
    "401": {"description": "No valid device token."},
    "404": {"description": "No such edition or item."},
    "413": {"description": "The body is larger than the app accepts."},
    "415": {"description": "The body is not sent as JSON (Content-Type: application/json).", "content": FIELD_ERRORS},
    "429": {"description": "Too many requests from this address; try again later."},
}


def _rate_limited(endpoint: str) -> bool:
    manager = limiter.limit_manager
    view = current_app.view_functions[endpoint]
    return bool(manager.decorated_limits(get_qualified_name(view)) or manager.default_limits
                or manager.application_limits or manager.blueprint_limits(current_app, endpoint.rpartition(".")[0]))


def _with_answers(spec: dict) -> dict:
    """Each operation lists the 4xx it can give: 400, 413 and 415 for a body, 401 behind a
    token, 404 for an address with a year or an id, 422 only when there is something to
    validate, 429 when the route is rate-limited."""
    for route in current_app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route.rule)
        for method, operation in spec.get("paths", {}).get(path, {}).items():
            if method.upper() not in route.methods:
                continue
            answers, codes = operation["responses"], set()
            if "requestBody" in operation:
                codes |= {"400", "413", "415"}
            elif not any(p.get("in") == "query" for p in operation.get("parameters", [])):
                answers.pop("422", None)
            if operation.get("security"):
                codes.add("401")
            if route.arguments:
                codes.add("404")
            if _rate_limited(route.endpoint):
                codes.add("429")
            for code in sorted(codes - set(answers)):
                answers[code] = ANSWERS[code]
    return spec


@bp.route("/api/v1/openapi.json")
def openapi():
    """Every /api/v1 endpoint, generated from the code."""
    return jsonify(_with_answers(_with_path_schemas(api.spec)))
