"""Private links: built on PUBLIC_URL whatever Host a request names, and never written to a log."""

import email
import email.policy
import logging
import runpy
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config as GunicornConfig

from conference.core.links import public_url, redact
from tests.conftest import ROOT
from tests.registration.conftest import reg  # noqa: F401  the registration fixture

TOKEN = "Xq3vN8bT2sLk9PwRz7YhJm4cFd6GaE1uVo5iKyWtBnA"
HOSTILE = "https://evil.example"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /r/{TOKEN} HTTP/1.1", "GET /r/[redacted] HTTP/1.1"),
        (f"/r/{TOKEN}/badge.pdf?lang=en", "/r/[redacted]/badge.pdf?lang=en"),
        (f"https://conf.example.org/r/{TOKEN}/edit", "https://conf.example.org/r/[redacted]/edit"),
        (f"/lang/en?next=/r/{TOKEN}/data.json", "/lang/en?next=/r/[redacted]/data.json"),
        (f"/lang/en?next=%2Fr%2F{TOKEN}%2Fedit", "/lang/en?next=%2Fr%2F[redacted]"),
        ("/scan/?pair=AbC-123_xyz&lang=en", "/scan/?pair=[redacted]&lang=en"),
        ("/lang/en?next=/scan/%3Fpair%3DAbC-123_xyz", "/lang/en?next=/scan/%3Fpair%3D[redacted]"),
        ("/registrations/2023 /register/2023/ /rooms/r/", "/registrations/2023 /register/2023/ /rooms/r/"),
    ],
)
def test_redact_takes_tokens_and_pairing_codes_out_of_a_line(line, expected):
    assert redact(line) == expected


def _gunicorn_logger(tmp_path):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = GunicornConfig()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    # The shipped format, and the referrer and Location too, which a deployment may log.
    cfg.set("access_log_format", settings["access_log_format"] + ' "%(f)s" %({location}o)s')
    return settings["logger_class"](cfg)


def test_gunicorns_logs_never_hold_a_private_link(tmp_path):
    logger = _gunicorn_logger(tmp_path)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/r/{TOKEN}/edit?lang=en", "PATH_INFO": f"/r/{TOKEN}/edit",
        "QUERY_STRING": "lang=en", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://conf.example.org/r/{TOKEN}",
    }
    response = SimpleNamespace(status="302 FOUND", sent=0,
                               headers=[("Location", f"/r/{TOKEN}"), ("X-Request-ID", "abcd1234")])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    logger.exception("Error handling request %s", f"/scan/?pair={TOKEN}")
    for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
        handler.flush()
    access = (tmp_path / "access.log").read_text()
    errors = (tmp_path / "error.log").read_text()
    assert '"GET /r/[redacted]/edit?lang=en HTTP/1.1" 302' in access
    assert "https://conf.example.org/r/[redacted]" in access and "rid=abcd1234" in access
    assert "/scan/?pair=[redacted]" in errors
    assert TOKEN not in access + errors


def test_the_apps_log_never_holds_a_private_link(app, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.error("unhandled error on %s %s", "GET", f"/r/{TOKEN}")
        logging.getLogger("conference.core.database").warning("retrying /r/%s", TOKEN)
    assert "unhandled error on GET /r/[redacted]" in caplog.text
    assert TOKEN not in caplog.text
    assert all(TOKEN not in handler.format(record) for handler in logging.getLogger("conference").handlers
               for record in caplog.records)


def test_the_development_servers_request_log_never_holds_a_private_link(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"), pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{live_server.url}/r/{TOKEN}?lang=en", timeout=10)  # noqa: S310  our own server
    assert answer.value.code == 404
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /r/[redacted]?lang=en HTTP/1.1" in line for line in lines), lines
    assert TOKEN not in caplog.text


def test_public_url_builds_on_the_configured_address_without_a_request(app, monkeypatch):
    with app.app_context():
        assert public_url("registration.own_page", token="abc") == "http://127.0.0.1:5000/r/abc"
        monkeypatch.setitem(app.config, "PUBLIC_URL", "https://conference.example.org/cicc/")
        assert public_url("registration.own_page", token="abc", lang="en") == (
            "https://conference.example.org/cicc/r/abc?lang=en"
        )


def test_a_wrong_public_url_stops_the_app_at_start(app):
    from conference import create_app

    for wrong in ("conference.example.org", "ftp://conference.example.org", "https://"):
        with pytest.raises(RuntimeError, match="PUBLIC_URL"):
            create_app({**app.config, "PUBLIC_URL": wrong})


def test_a_hostile_host_header_never_reaches_the_private_link_or_the_mail(app, client, reg):  # noqa: F811
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    body = {"category": "media", "family_name": "Smith", "given_name": "Anna", "organisation": "Daily",
            "email": "anna@example.org", "phone": "+44 7911 123456", "id_type": "passport",
            "id_number": "X7654321", "nationality": "GB",
            "consents": {"privacy_notice": 1, "identity_document": 1}}
    created = client.post("/api/v1/editions/2023/registrations", json=body, base_url=HOSTILE,
                          headers={"X-Forwarded-Host": "evil.example"})
    assert created.status_code == 201, created.get_data(as_text=True)
    link = created.get_json()["private_link"]
    assert link.startswith(app.config["PUBLIC_URL"] + "/r/")
    (mail,) = set(outbox.glob("*.eml")) - before
    text = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default).get_body().get_content()
    assert link in text
    assert "evil.example" not in text


def test_a_hostile_host_header_never_reaches_the_programme_exports(app, client, edition_2023):
    schedule = client.get("/api/v1/editions/2023/schedule.xml", base_url=HOSTILE).get_data(as_text=True)
    assert f"<url>{app.config['PUBLIC_URL']}/" in schedule
    assert "evil.example" not in schedule
