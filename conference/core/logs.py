"""What the app writes to its log: a request id on every line, one line per request, and the
request's id carried into the jobs it queued.

LOG_FORMAT "json" (production's default) writes JSON lines: one per request (time, request id,
method, route pattern, status, duration, user id) and the app's own lines with the same keys
that apply; gunicorn's access log is then off (gunicorn.conf.py). "text" keeps the line format of
before, and gunicorn's access log. The route is the pattern (/r/<token>), never the path, so a
private link never reaches the log this way either.

The request id is nginx's X-Request-ID when it sends a well-formed one, otherwise made here.
A job queued in a request carries it in its task (a keyword the consumer takes out again before
the task runs), and the consumer's lines for that job carry it too.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from huey import Huey, signals

from conference.core.links import RedactPrivateLinks

log = logging.getLogger("conference")
requests_log = logging.getLogger("conference.requests")
jobs_log = logging.getLogger("conference.jobs")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The id of the request whose job this consumer thread is running.
_job_request_id: ContextVar[str | None] = ContextVar("job_request_id", default=None)
TASK_KEYWORD = "_request_id"
# The fields a request's line adds to a record, in the order a JSON line lists them.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "user_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return _job_request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def set_up_handler(log_format: str) -> None:
    """The conference logger's one handler (once, however many apps tests build), for the app and
    the Huey consumer alike."""
    if log_format not in ("json", "text"):
        raise RuntimeError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    if log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactPrivateLinks())
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def _user_id() -> int | None:
    """The account's row id (get_id() is its session token, a secret), where the request read
    the account: loading it only to log it would cost a scan a tenth of its time (flask-login
    hashes the client's address and agent to check the session), and a request that never
    asked who is signed in (a scanner's, with a device key) has no account anyway."""
    user = g.get("_login_user")
    return user.id if user is not None and user.is_authenticated else None


def init_app(app: Flask) -> None:
    from conference.extensions import huey

    set_up_handler(app.config["LOG_FORMAT"])
    follow_jobs(huey)
    one_line_per_request = app.config["LOG_FORMAT"] == "json"

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_began = time.perf_counter()

    @app.after_request
    def expose_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        if one_line_per_request and "request_began" in g:
            route = request.url_rule.rule if request.url_rule is not None else None
            requests_log.info("%s %s %s", request.method, route or "-", response.status_code, extra={
                "method": request.method, "route": route, "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_began) * 1000, 2), "user_id": _user_id(),
            })
        return response


_following: set[int] = set()


def follow_jobs(huey: Huey) -> None:
    """The request id into each task queued, and back out around its run in the consumer."""
    if id(huey) in _following:
        return
    _following.add(id(huey))

    @huey.signal(signals.SIGNAL_ENQUEUED)
    def carry_request_id(_signal, task):
        request_id = current_request_id()
        if request_id and TASK_KEYWORD not in task.kwargs:
            task.kwargs[TASK_KEYWORD] = request_id

    @huey.pre_execute("conference_request_id")
    def take_request_id(task):
        task.began = time.perf_counter()
        task.request_token = _job_request_id.set(task.kwargs.pop(TASK_KEYWORD, None))
        jobs_log.info("job %s %s started", task.name, task.id)

    @huey.post_execute("conference_request_id")
    def forget_request_id(task, _value, exception):
        took = (time.perf_counter() - task.began) * 1000
        if exception is None:
            jobs_log.info("job %s %s done in %.0f ms", task.name, task.id, took)
        else:
            jobs_log.warning("job %s %s failed after %.0f ms: %s", task.name, task.id, took, type(exception).__name__)
        _job_request_id.reset(task.request_token)
