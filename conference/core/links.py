"""Addresses the public is given, and keeping the secret ones out of every log.

An attendee's private link (/r/<token>) opens their identity number and phone without a
password, and a pairing code (?pair=...) turns any phone into a scanner. So:

- public_url() builds every absolute address from the configured PUBLIC_URL, never from the
  Host header of the request (which the client chooses);
- redact() removes those secrets from a line of text, and RedactPrivateLinks applies it to log
  records: the app's own logs, Werkzeug's development server and gunicorn's logs
  (gunicorn.conf.py) all go through it.
"""

import logging
import re
from urllib.parse import urlsplit

from flask import Flask, current_app

REDACTED = "[redacted]"

# /r/<token> and its sub-pages, also when the path is quoted inside a query (?next=%2Fr%2F...).
_PRIVATE_LINK = re.compile(r"(?i)((?:/|%2f)r(?:/|%2f))[^/?#&\s\"']+")
# A volunteer applicant's own link (/volunteer/<year>/status/<token>) and an account invitation
# (/account/welcome/<token>) open as much.
_OWN_LINKS = re.compile(r"(?i)((?:/|%2f)(?:volunteer(?:/|%2f)\d{4}(?:/|%2f)status|account(?:/|%2f)welcome)(?:/|%2f))[^/?#&\s\"']+")
# ?pair=<code> on the scanner page, also quoted inside another query (%3Fpair%3D...).
_PAIRING_CODE = re.compile(r"(?i)((?:[?&]|%3f|%26)pair(?:=|%3d))[^&#\s\"']+")


def redact(text: str) -> str:
    """The text with every private-link token and pairing code replaced by [redacted]."""
    text = _PRIVATE_LINK.sub(rf"\g<1>{REDACTED}", text)
    text = _OWN_LINKS.sub(rf"\g<1>{REDACTED}", text)
    return _PAIRING_CODE.sub(rf"\g<1>{REDACTED}", text)


class RedactPrivateLinks(logging.Filter):
    """Rewrites a record's message (and its traceback) without the secrets redact() knows."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def public_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint` (its full name, e.g. "registration.own_page") on
    PUBLIC_URL: its scheme, host and path prefix. Works in a request, a job or a command."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    base = urlsplit(app.config["PUBLIC_URL"])
    if base.scheme not in {"http", "https"} or not base.netloc or base.query or base.fragment:
        raise RuntimeError(
            f"PUBLIC_URL must be an http(s) address such as https://conference.example.org, "
            f"not {app.config['PUBLIC_URL']!r}"
        )
    app.jinja_env.globals["public_url"] = public_url
    # Records logged on these loggers are cleaned before any handler (or a parent's) sees them:
    # the app's own (the app's logger is "conference") and the development server's request
    # lines ("werkzeug"). conference.core.errors' handler also cleans its child loggers' records.
    for name in ("conference", "werkzeug"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPrivateLinks) for f in logger.filters):
            logger.addFilter(RedactPrivateLinks())
