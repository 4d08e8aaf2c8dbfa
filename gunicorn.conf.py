"""gunicorn settings for production; every value can be overridden from the environment."""

import importlib.util
import multiprocessing
import os
from pathlib import Path

from gunicorn.glogging import Logger

from config import CONFIGS, Config  # not `import config`: gunicorn would read it as a setting


def _log_format() -> str:
    """The app's LOG_FORMAT, as the environment's configuration sets it."""
    return CONFIGS.get(os.environ.get("CONFERENCE_ENV", "development").lower(), Config).LOG_FORMAT


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Sync workers, behind nginx, which reads slow clients' requests and answers for them: a worker
# takes a connection only when it is free, so requests spread over the workers. With threads
# (gthread) a worker kept every connection nginx reused, and under load one worker of each node
# did the work of both, four threads sharing one core (its GIL) while the other waited.
# GUNICORN_THREADS above 1 turns them into gthread workers again.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "conference.core.server.SyncWorker" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# The app is built once, in the master, and a worker is a fork of it: a worker replaced after its
# max_requests boots in milliseconds instead of building the app again, two seconds of a core
# taken from the requests in flight. New code is loaded by restarting the master, not by HUP.
preload_app = True


def when_ready(server):
    """In the master, the app loaded, before any worker is forked: the work each worker would
    otherwise do on its first requests, done once (conference.warm_up), then frozen with the
    rest of start-up (see wsgi.py)."""
    import gc

    from conference import warm_up
    from wsgi import app

    warm_up(app)
    gc.freeze()


def post_fork(server, worker):
    """A worker opens its own database connections: any the master made are dropped unclosed."""
    from conference.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)

errorlog = "-"
# With LOG_FORMAT=json the app writes one line per request itself (conference/core/logs.py);
# with "text", gunicorn's access line below, as before.
accesslog = "-" if _log_format() == "text" else None
# Behind nginx: trust X-Forwarded-* only from the proxy on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


def _load_links():
    """conference/core/links.py on its own: importing the conference package here would load the
    app's modules into the master, and workers forked after a reload (HUP) would keep them."""
    spec = importlib.util.spec_from_file_location(
        "conference_log_redaction", Path(__file__).resolve().parent / "conference/core/links.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RedactingLogger(Logger):
    """gunicorn's logger, with attendees' private links (/r/<token>) and pairing codes taken out
    of every access line (request line, referrer, any header a format names) and error line."""

    redact = _load_links().RedactPrivateLinks()

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if self.redact not in log.filters:
                log.addFilter(self.redact)


logger_class = RedactingLogger
