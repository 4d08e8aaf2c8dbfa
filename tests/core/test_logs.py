"""Log lines: one JSON line per request with LOG_FORMAT=json (the route pattern, never a private
token), the request id nginx sends, and that id carried through the queue into a job's lines."""

import json
import logging

import pytest
from huey import MemoryHuey

from conference import create_app
from conference.core import logs
from tests.conftest import login, make_user

TOKEN = "a-private-token-of-an-attendee-0123456789"


@pytest.fixture(scope="module")
def json_app(app):
    return create_app({**app.config, "LOG_FORMAT": "json"})


def _request_lines(caplog):
    return [record for record in caplog.records if record.name == "conference.requests"]


def test_one_json_line_per_request_names_the_route_not_the_token(json_app, caplog):
    with caplog.at_level(logging.INFO, logger="conference.requests"):
        response = json_app.test_client().get(f"/r/{TOKEN}/edit?lang=en", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    [record] = _request_lines(caplog)
    line = json.loads(logs.JsonLines().format(record))
    assert TOKEN not in json.dumps(line)
    assert line["route"] == "/r/<token>/edit"
    assert (line["method"], line["status"], line["user_id"]) == ("GET", response.status_code, None)
    assert line["request_id"] == "nginx-0123456789abcdef" == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00") and line["level"] == "INFO"


def test_a_signed_in_request_names_the_account_by_its_id(json_app, caplog):
    from conference.accounts.models import User
    from conference.extensions import db

    client = json_app.test_client()
    email = make_user(json_app, "organizer")
    login(client, email)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="conference.requests"):
        client.get("/account")  # a page that reads who is signed in
    with json_app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user_id, session_token = user.id, user.session_token
    [record] = _request_lines(caplog)
    line = logs.JsonLines().format(record)
    assert json.loads(line)["user_id"] == user_id
    assert session_token not in line  # flask-login's get_id() is the session token: never logged


def test_an_address_without_a_route_and_a_made_up_request_id(json_app, caplog):
    with caplog.at_level(logging.INFO, logger="conference.requests"):
        response = json_app.test_client().get(f"/nothing/{TOKEN}", headers={"X-Request-ID": "<not an id>"})
    [record] = _request_lines(caplog)
    assert (record.route, record.status) == (None, 404)
    assert record.request_id == response.headers["X-Request-ID"] != "<not an id>"


def test_the_text_format_writes_no_line_of_its_own(client, caplog):
    with caplog.at_level(logging.INFO, logger="conference.requests"):
        client.get("/healthz")
    assert _request_lines(caplog) == []  # gunicorn's access line is the request's line there


def test_a_job_queued_in_a_request_logs_under_its_request_id(json_app, caplog):
    """Queued in a request, taken from the queue and run as the consumer does, outside it."""
    queue = MemoryHuey("test-logs", immediate=False)
    logs.follow_jobs(queue)

    @queue.task()
    def tell_the_desk(text):
        logging.getLogger("conference.registration").info("told the desk: %s", text)

    with json_app.test_request_context(headers={"X-Request-ID": "nginx-feedc0ffee012345"}):
        json_app.preprocess_request()
        tell_the_desk("seat confirmed")
    with caplog.at_level(logging.INFO, logger="conference"):
        queue.execute(queue.dequeue())
        logging.getLogger("conference").info("after the job")
    by_message = {record.getMessage(): record.request_id for record in caplog.records}
    assert by_message["told the desk: seat confirmed"] == "nginx-feedc0ffee012345"
    started = next(message for message in by_message if message.startswith("job tell_the_desk") and message.endswith("started"))
    assert by_message[started] == "nginx-feedc0ffee012345"
    assert any(message.startswith("job tell_the_desk") and " done in " in message for message in by_message)
    assert by_message["after the job"] == "-"


def test_the_line_never_loads_the_account_a_request_did_not_read(json_app, caplog):
    """A scan or a health check asks nobody's account: the line does not load it either (that
    would cost each scan a database read and a hash of the client's address)."""
    client = json_app.test_client()
    login(client, make_user(json_app, "organizer"))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="conference.requests"):
        client.get("/healthz")
    [record] = _request_lines(caplog)
    assert record.user_id is None
